"""Admin for the OCM summary tables: read-only (they are recomputed, never edited)."""

from __future__ import annotations

from django.contrib import admin

from .models import GovernmentSummary, OrganizationSummary


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(OrganizationSummary)
class OrganizationSummaryAdmin(ReadOnlyAdmin):
    list_display = ["organization", "computed_at"]
    search_fields = ["organization__code", "organization__name"]
    list_select_related = ["organization"]


@admin.register(GovernmentSummary)
class GovernmentSummaryAdmin(ReadOnlyAdmin):
    list_display = ["key", "computed_at"]
