"""Chat configuration for administrators: per line settings, hours, closed days,
canned answers and contact types. Chats and their figures are not edited here."""

from django.contrib import admin

from .models import CannedAnswer, ChatSettings, ClosedDay, ContactType, OpeningHours


@admin.register(ChatSettings)
class ChatSettingsAdmin(admin.ModelAdmin):
    list_display = ["line", "is_enabled", "retention_days"]


admin.site.register(OpeningHours)  # also inline-free: a line has few periods
admin.site.register(ClosedDay)
admin.site.register(CannedAnswer)
admin.site.register(ContactType)
