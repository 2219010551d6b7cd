"""Django admin for business continuity. Workflow records are read-only here: they change only
through the services (reviews, approvals, acknowledgments), which enforce the rules."""

from __future__ import annotations

from django.contrib import admin

from organizations.admin import AuditedAdmin

from .models import (
    Acknowledgment,
    Attachment,
    ChangeLogEntry,
    Contact,
    ContinuityPolicy,
    CorrectiveAction,
    CriticalProcess,
    Exercise,
    ExerciseResult,
    Export,
    GenerationJob,
    Plan,
    PlanVersion,
    Review,
    ReviewCampaign,
    Risk,
    SectionDefinition,
    Template,
    Vendor,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Visible to administrators, changed only through the portal's services."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SectionInline(admin.TabularInline):
    model = SectionDefinition
    extra = 0
    fields = ["order", "key", "title", "kind", "required", "help_text"]


@admin.register(Template)
class TemplateAdmin(AuditedAdmin):
    list_display = ["name", "code", "version", "is_default"]
    list_filter = ["is_default"]
    search_fields = ["name", "code"]
    inlines = [SectionInline]


@admin.register(SectionDefinition)
class SectionDefinitionAdmin(AuditedAdmin):
    list_display = ["title", "template", "order", "kind", "required"]
    list_filter = ["template", "kind"]
    search_fields = ["title", "key"]


@admin.register(Plan)
class PlanAdmin(ReadOnlyAdmin):
    list_display = ["title", "organization", "department", "status", "next_review_date"]
    list_filter = ["status", "organization", "template"]
    search_fields = ["title", "organization__code"]


@admin.register(PlanVersion)
class PlanVersionAdmin(ReadOnlyAdmin):
    list_display = ["plan", "version_number", "status", "author", "approved_at"]
    list_filter = ["status"]
    search_fields = ["plan__title", "change_note"]


@admin.register(CriticalProcess)
class CriticalProcessAdmin(ReadOnlyAdmin):
    list_display = ["name", "plan", "rto_minutes", "rpo_minutes", "mtpd_minutes", "impact_rating"]
    list_filter = ["impact_rating"]
    search_fields = ["name", "plan__title"]


@admin.register(Risk)
class RiskAdmin(ReadOnlyAdmin):
    list_display = ["threat", "plan", "likelihood", "impact", "rating"]
    list_filter = ["likelihood", "impact"]
    search_fields = ["threat", "plan__title"]


@admin.register(Contact)
class ContactAdmin(ReadOnlyAdmin):
    list_display = ["name", "role", "plan", "phone", "email"]
    list_filter = ["plan__organization"]
    search_fields = ["name", "role", "email"]


@admin.register(Vendor)
class VendorAdmin(ReadOnlyAdmin):
    list_display = ["name", "organization", "criticality", "rto_offered_minutes"]
    list_filter = ["criticality", "organization"]
    search_fields = ["name", "service", "contract_reference"]


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = ["original_name", "plan", "content_type", "size_bytes", "created_at"]
    list_filter = ["content_type"]
    search_fields = ["original_name", "sha256"]


@admin.register(Exercise)
class ExerciseAdmin(ReadOnlyAdmin):
    list_display = ["plan", "kind", "held_on"]
    list_filter = ["kind"]
    search_fields = ["plan__title", "scenario"]


@admin.register(ExerciseResult)
class ExerciseResultAdmin(ReadOnlyAdmin):
    list_display = ["exercise", "process", "target_rto_minutes", "achieved_rto_minutes"]
    list_filter = ["exercise__kind"]
    search_fields = ["process__name"]


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ["version", "round", "reviewer", "status", "decided_at"]
    list_filter = ["status"]
    search_fields = ["version__plan__title", "reviewer__email"]


@admin.register(Acknowledgment)
class AcknowledgmentAdmin(ReadOnlyAdmin):
    list_display = ["version", "user", "acknowledged_at"]
    list_filter = ["version__plan__organization"]
    search_fields = ["user__email", "version__plan__title"]


@admin.register(ChangeLogEntry)
class ChangeLogEntryAdmin(ReadOnlyAdmin):
    list_display = ["change_guid", "plan", "summary", "created_at"]
    list_filter = ["plan__organization"]
    search_fields = ["change_guid", "summary"]


@admin.register(GenerationJob)
class GenerationJobAdmin(ReadOnlyAdmin):
    list_display = ["plan", "organization", "status", "progress", "requested_by", "created_at"]
    list_filter = ["status", "organization"]
    search_fields = ["plan__title", "requested_by__email", "error"]


@admin.register(Export)
class ExportAdmin(ReadOnlyAdmin):
    list_display = ["version", "format", "status", "sha256", "size_bytes", "created_at"]
    list_filter = ["format", "status", "version__plan__organization"]
    search_fields = ["sha256", "version__plan__title"]


# --- the programme cycle --------------------------------------------------------------------------


@admin.register(ContinuityPolicy)
class ContinuityPolicyAdmin(AuditedAdmin):
    """An organization's review and exercise cycle (audited; the portal reads it)."""

    list_display = [
        "organization",
        "review_interval_months",
        "critical_review_interval_months",
        "exercises_per_year",
        "contact_confirmation_months",
    ]
    autocomplete_fields = ["organization"]
    filter_horizontal = ["exempt_departments"]


@admin.register(ReviewCampaign)
class ReviewCampaignAdmin(ReadOnlyAdmin):
    list_display = ["title", "organization", "starts_on", "due_date", "created_by"]
    list_filter = ["organization"]


@admin.register(CorrectiveAction)
class CorrectiveActionAdmin(ReadOnlyAdmin):
    list_display = ["description", "exercise", "owner", "due_date", "status", "closed_by"]
    list_filter = ["status"]
