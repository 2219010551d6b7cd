"""Django admin of the rollout app (saves and deletes audited like the rest)."""

from __future__ import annotations

from django.contrib import admin

from organizations.admin import AuditedAdmin

from .models import (
    AdoptionDaily,
    Announcement,
    Feedback,
    GoLiveAttempt,
    TrainingSession,
    UATScript,
    Wave,
)


@admin.register(Wave)
class WaveAdmin(AuditedAdmin):
    list_display = ["number", "name", "modules"]


@admin.register(UATScript)
class UATScriptAdmin(AuditedAdmin):
    list_display = ["module", "title"]


@admin.register(Announcement)
class AnnouncementAdmin(AuditedAdmin):
    list_display = ["title", "severity", "audience", "starts_at", "ends_at"]
    list_filter = ["severity", "audience"]


@admin.register(TrainingSession)
class TrainingSessionAdmin(AuditedAdmin):
    list_display = ["title", "module", "starts_at", "capacity", "trainer"]
    raw_id_fields = ["trainer"]


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ["summary", "organization", "status", "created_at"]
    list_filter = ["status", "kind"]
    readonly_fields = [f.name for f in Feedback._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(GoLiveAttempt)
class GoLiveAttemptAdmin(admin.ModelAdmin):
    list_display = ["organization", "go_live_date", "outcome", "notified_at"]
    readonly_fields = [f.name for f in GoLiveAttempt._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(AdoptionDaily)
class AdoptionDailyAdmin(admin.ModelAdmin):
    list_display = ["day", "organization", "module", "role", "active_users", "writes"]
    list_filter = ["module", "role"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
