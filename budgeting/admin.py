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
    Obligation,
    ProgramBudget,
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
    list_display = ["release_reference", "program", "quarter", "amount", "status", "release_date"]
    list_filter = ["status", "quarter"]
    search_fields = ["release_reference", "program__name"]
    list_select_related = ["program"]


@admin.register(Obligation)
class ObligationAdmin(ReadOnlyAdmin):
    list_display = ["payee", "reference", "allotment", "amount", "status", "obligated_on"]
    list_filter = ["status", "expense_class"]
    search_fields = ["payee", "reference", "description"]
    list_select_related = ["allotment"]


class DisbursementLineInline(admin.TabularInline):
    model = DisbursementLineItem
    extra = 0


@admin.register(Disbursement)
class DisbursementAdmin(ReadOnlyAdmin):
    list_display = ["reference", "obligation", "amount", "payment_method", "status", "disbursed_on"]
    list_filter = ["status", "payment_method"]
    search_fields = ["reference", "obligation__payee"]
    list_select_related = ["obligation"]
    inlines = [DisbursementLineInline]


@admin.register(DisbursementLineItem)
class DisbursementLineItemAdmin(ReadOnlyAdmin):
    list_display = ["cost_centre", "disbursement", "amount"]
    search_fields = ["cost_centre"]
    list_select_related = ["disbursement"]
