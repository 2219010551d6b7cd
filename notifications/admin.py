from __future__ import annotations

from django.contrib import admin

from .models import Notification, Preference


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["recipient", "verb", "text", "delivery", "created_at", "read_at", "emailed_at"]
    list_filter = ["category", "delivery"]
    search_fields = ["recipient__email", "text", "event_key"]
    raw_id_fields = ["recipient", "actor"]
    readonly_fields = ["public_id", "created_at"]


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "category", "delivery"]
    raw_id_fields = ["user"]
