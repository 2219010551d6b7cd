"""Django admin for incidents: read-only. Incidents change only through the portal's services
(which log and audit every step); the log cannot change at all (database trigger)."""

from __future__ import annotations

from django.contrib import admin

from .models import CallTreeEntry, Incident, LogEntry, Notification


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Incident)
class IncidentAdmin(ReadOnlyAdmin):
    list_display = ["title", "organization", "severity", "status", "is_exercise", "started_at"]
    list_filter = ["status", "severity", "is_exercise"]
    search_fields = ["title", "organization__code"]


@admin.register(CallTreeEntry)
class CallTreeEntryAdmin(ReadOnlyAdmin):
    list_display = ["name", "incident", "status", "email_state", "sms_state"]
    list_filter = ["status"]
    exclude = ["ack_nonce"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["recipient", "channel", "state", "attempts", "incident", "created_at"]
    list_filter = ["state", "channel"]


@admin.register(LogEntry)
class LogEntryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "incident", "kind", "author_name", "text"]
    list_filter = ["kind"]
