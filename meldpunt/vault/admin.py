from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import StaffUser


@admin.register(StaffUser)
class StaffUserAdmin(UserAdmin):
    list_display = ["username", "role", "is_active", "locked_until"]
    fieldsets = [*UserAdmin.fieldsets, ("Meldpunt", {"fields": ["role", "locked_until"]})]
