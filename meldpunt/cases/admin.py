"""Configuration of the back office per line: classification schemes and question templates."""

from django.contrib import admin

from .models import ClassificationOption, ClassificationScheme, LineCaseSettings, QuestionTemplate


class OptionInline(admin.TabularInline):
    model = ClassificationOption
    extra = 0
    fields = ["slug", "label", "label_en", "is_active", "order"]


@admin.register(ClassificationScheme)
class ClassificationSchemeAdmin(admin.ModelAdmin):
    list_display = ["name", "line", "allows_multiple", "order"]
    list_filter = ["line"]
    inlines = [OptionInline]


@admin.register(QuestionTemplate)
class QuestionTemplateAdmin(admin.ModelAdmin):
    list_display = ["title", "line", "language", "is_control_question", "order"]
    list_filter = ["line", "language", "is_control_question"]


@admin.register(LineCaseSettings)
class LineCaseSettingsAdmin(admin.ModelAdmin):
    list_display = ["line", "requires_review"]
