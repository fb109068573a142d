from django.contrib import admin

from .models import PhenomenonSettings


@admin.register(PhenomenonSettings)
class PhenomenonSettingsAdmin(admin.ModelAdmin):
    """Per line: the public figures page (off by default) and the classifications exported."""

    list_display = ["line", "public_figures"]
    filter_horizontal = ["schemes"]
