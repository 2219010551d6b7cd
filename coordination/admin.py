"""Django admin for the coordination app. Admin changes are written to the audit log too."""

from __future__ import annotations

from django.contrib import admin

from organizations.admin import AuditedAdmin

from .models import Milestone, Partnership, PartnershipComment, PartnershipParticipant


class ParticipantInline(admin.TabularInline):
    model = PartnershipParticipant
    extra = 0
    fields = ["organization", "state", "invited_by", "invited_at", "responded_at"]
    autocomplete_fields = ["organization", "invited_by"]


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0
    fields = ["title", "due_date", "responsible_organization", "status", "progress"]
    autocomplete_fields = ["responsible_organization"]


@admin.register(Partnership)
class PartnershipAdmin(AuditedAdmin):
    list_display = [
        "title",
        "organization",
        "partnership_type",
        "status",
        "priority",
        "start_date",
        "end_date",
        "visible_to_ocm",
    ]
    list_filter = ["status", "partnership_type", "priority", "visible_to_ocm", "organization"]
    search_fields = ["title", "objectives", "organization__code", "organization__name"]
    autocomplete_fields = ["organization", "focal_person", "created_by"]
    readonly_fields = ["public_id", "revision", "created_at", "updated_at"]
    inlines = [ParticipantInline, MilestoneInline]
    date_hierarchy = "start_date"

    def get_readonly_fields(self, request, obj=None):
        # The lead is fixed once the partnership exists (a database trigger refuses a change).
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "organization"] if obj is not None else fields


@admin.register(PartnershipParticipant)
class PartnershipParticipantAdmin(AuditedAdmin):
    list_display = ["partnership", "organization", "state", "invited_by", "invited_at"]
    list_filter = ["state", "organization"]
    search_fields = ["partnership__title", "organization__code", "organization__name"]
    autocomplete_fields = ["partnership", "organization", "invited_by", "responded_by"]
    readonly_fields = ["public_id"]


@admin.register(Milestone)
class MilestoneAdmin(AuditedAdmin):
    list_display = [
        "title",
        "partnership",
        "responsible_organization",
        "due_date",
        "status",
        "progress",
    ]
    list_filter = ["status", "responsible_organization"]
    search_fields = ["title", "partnership__title", "responsible_organization__code"]
    autocomplete_fields = ["partnership", "responsible_organization", "updated_by"]
    readonly_fields = ["public_id", "overdue_notified_for", "created_at", "updated_at"]


@admin.register(PartnershipComment)
class PartnershipCommentAdmin(AuditedAdmin):
    list_display = ["partnership", "author", "organization", "created_at"]
    list_filter = ["organization"]
    search_fields = ["body", "partnership__title", "author__email"]
    autocomplete_fields = ["partnership", "author", "organization"]
    readonly_fields = ["public_id", "created_at"]
