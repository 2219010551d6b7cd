"""Admin of the budgeting app (superusers; money moves through the services, which hold the
ceilings, so execution rows are read-only here)."""

from __future__ import annotations

from django.contrib import admin

from .models import (
    Allotment,
    BudgetLineItem,
    BudgetProposal,
    Disbursement,
    DisbursementLineItem,
    DocumentCounter,
    ObjectCode,
    Obligation,
    ObligationAdjustment,
    ProgramBudget,
    ReportSignatory,
    YearEndClose,
)


@admin.register(BudgetProposal)
class BudgetProposalAdmin(admin.ModelAdmin):
    list_display = ["title", "organization", "fiscal_year", "status", "revision"]
    list_filter = ["status", "fiscal_year", "organization"]
    search_fields = ["title", "organization__code"]
    readonly_fields = ["public_id", "revision", "created_at", "updated_at"]


@admin.register(ProgramBudget)
class ProgramBudgetAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "code",
        "proposal",
        "fund_source",
        "requested_amount",
        "approved_amount",
    ]
    list_filter = ["fund_source", "proposal__fiscal_year"]
    search_fields = ["name", "code", "proposal__title"]
    list_select_related = ["proposal"]
    raw_id_fields = ["proposal", "goal", "work_plan"]


@admin.register(BudgetLineItem)
class BudgetLineItemAdmin(admin.ModelAdmin):
    list_display = [
        "description",
        "program",
        "expense_class",
        "unit_cost",
        "quantity",
        "total_cost",
    ]
    list_filter = ["expense_class"]
    search_fields = ["description", "program__name"]
    list_select_related = ["program"]
    raw_id_fields = ["program"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Execution rows change only through the services (ceilings under row locks)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Allotment)
class AllotmentAdmin(ReadOnlyAdmin):
    list_display = [
        "release_reference",
        "program",
        "allotment_class",
        "quarter",
        "amount",
        "status",
        "release_date",
        "valid_until",
        "reverted_on",
    ]
    list_filter = ["status", "allotment_class", "quarter"]
    search_fields = ["release_reference", "program__name"]
    list_select_related = ["program"]


@admin.register(Obligation)
class ObligationAdmin(ReadOnlyAdmin):
    list_display = [
        "ors_number",
        "payee",
        "allotment",
        "object_code",
        "amount",
        "adjustments_total",
        "status",
        "obligated_on",
        "delivered_on",
    ]
    list_filter = ["status", "expense_class"]
    search_fields = ["ors_number", "payee", "reference", "description"]
    list_select_related = ["allotment"]


class DisbursementLineInline(admin.TabularInline):
    model = DisbursementLineItem
    extra = 0


@admin.register(Disbursement)
class DisbursementAdmin(ReadOnlyAdmin):
    list_display = [
        "dv_number",
        "reference",
        "obligation",
        "amount",
        "payment_method",
        "status",
        "disbursed_on",
    ]
    list_filter = ["status", "payment_method"]
    search_fields = ["dv_number", "reference", "obligation__payee"]
    list_select_related = ["obligation"]
    inlines = [DisbursementLineInline]


@admin.register(DisbursementLineItem)
class DisbursementLineItemAdmin(ReadOnlyAdmin):
    list_display = ["cost_centre", "disbursement", "amount"]
    search_fields = ["cost_centre"]
    list_select_related = ["disbursement"]


@admin.register(ObjectCode)
class ObjectCodeAdmin(admin.ModelAdmin):
    """The UACS chart: `manage.py load_uacs` seeds it; codes can be added, renamed or
    deactivated here (a code in use cannot be deleted)."""

    list_display = ["code", "title", "allotment_class", "is_active"]
    list_filter = ["allotment_class", "is_active"]
    search_fields = ["code", "title"]


@admin.register(ReportSignatory)
class ReportSignatoryAdmin(admin.ModelAdmin):
    list_display = ["organization", "role", "name", "position"]
    list_filter = ["role"]
    search_fields = ["name", "organization__code"]


@admin.register(ObligationAdjustment)
class ObligationAdjustmentAdmin(ReadOnlyAdmin):
    list_display = ["obligation", "amount", "adjusted_on", "reason", "reference"]
    search_fields = ["reason", "reference", "obligation__ors_number"]
    list_select_related = ["obligation"]


@admin.register(DocumentCounter)
class DocumentCounterAdmin(ReadOnlyAdmin):
    list_display = ["organization", "kind", "year", "last_serial"]
    list_filter = ["kind", "year"]


@admin.register(YearEndClose)
class YearEndCloseAdmin(ReadOnlyAdmin):
    list_display = ["organization", "fiscal_year", "closed_on", "closed_by", "reverted_total"]
    list_filter = ["fiscal_year"]
