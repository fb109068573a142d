from django.contrib import admin

from .models import Category, Line, LineMembership, Municipality, Question


class CategoryInline(admin.TabularInline):
    model = Category
    extra = 0
    fields = ["slug", "name", "name_en", "is_public", "order"]


class MembershipInline(admin.TabularInline):
    model = LineMembership
    extra = 0


@admin.register(Line)
class LineAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "kind", "is_active", "tracked_changes"]
    inlines = [CategoryInline, MembershipInline]


class QuestionInline(admin.StackedInline):
    model = Question
    extra = 0
    fk_name = "category"


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "line", "is_public", "order"]
    list_filter = ["line", "is_public"]
    inlines = [QuestionInline]


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "province", "ended_on"]
    list_filter = ["province"]
    search_fields = ["code", "name"]
    filter_horizontal = ["successors"]
