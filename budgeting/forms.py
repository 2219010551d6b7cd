"""Forms of the budgeting app. Fields are always listed explicitly (no mass assignment)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone

from organizations.locking import RevisionField, RevisionFormMixin
from planning.models import AnnualWorkPlan, StrategicGoal, StrategicPlan

from .models import (
    Allotment,
    BudgetLineItem,
    BudgetProposal,
    Disbursement,
    ExpenseClass,
    Obligation,
    ProgramBudget,
)

MONEY_FIELD = {"max_digits": 16, "decimal_places": 2, "min_value": Decimal("0.01")}
DATE = forms.DateInput(attrs={"type": "date"})


class ServiceDataMixin:
    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class ProposalForm(ServiceDataMixin, RevisionFormMixin, forms.ModelForm):
    """Create or edit a proposal. `revision` carries the optimistic lock (required to edit)."""

    revision = RevisionField(required=False)

    class Meta:
        model = BudgetProposal
        fields = ["fiscal_year", "title", "strategic_plan", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.fields["strategic_plan"].queryset = StrategicPlan.objects.filter(
            organization=organization
        ).order_by("-start_year")
        if not self.instance.pk:
            self.fields["fiscal_year"].initial = timezone.localdate().year + 1

    def clean_fiscal_year(self):
        year = self.cleaned_data["fiscal_year"]
        duplicate = BudgetProposal.objects.filter(
            organization=self.organization, fiscal_year=year
        ).exclude(pk=self.instance.pk)
        if duplicate.exists():
            raise forms.ValidationError(
                f"{self.organization.code} already has a proposal for {year}: edit that one."
            )
        return year


class ProgramForm(ServiceDataMixin, forms.ModelForm):
    requested_amount = forms.DecimalField(label="Requested amount (₱)", **MONEY_FIELD)

    class Meta:
        model = ProgramBudget
        fields = [
            "code",
            "name",
            "description",
            "goal",
            "work_plan",
            "fund_source",
            "requested_amount",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, proposal: BudgetProposal, **kwargs):
        super().__init__(*args, **kwargs)
        org = proposal.organization_id
        self.fields["goal"].queryset = (
            StrategicGoal.objects.filter(plan__organization_id=org)
            .select_related("plan")
            .order_by("plan__start_year", "priority", "title")
        )
        self.fields["goal"].label_from_instance = lambda g: f"{g.plan.title} · {g.title}"
        self.fields["work_plan"].queryset = (
            AnnualWorkPlan.objects.filter(plan__organization_id=org)
            .select_related("plan")
            .order_by("-year")
        )
        self.fields["work_plan"].label_from_instance = lambda w: f"{w.year} · {w.plan.title}"

    def service_data(self) -> dict:
        data = super().service_data()
        data["goal_id"] = data.pop("goal").pk if data["goal"] else None
        data["work_plan_id"] = data.pop("work_plan").pk if data["work_plan"] else None
        return data


class LineItemForm(ServiceDataMixin, forms.ModelForm):
    unit_cost = forms.DecimalField(label="Unit cost (₱)", **MONEY_FIELD)
    quantity = forms.IntegerField(min_value=1)

    class Meta:
        model = BudgetLineItem
        fields = ["expense_class", "description", "unit_cost", "quantity"]


class ApprovalForm(forms.Form):
    """One approved-amount field per program, starting at the request."""

    def __init__(self, *args, programs: list[ProgramBudget], **kwargs):
        super().__init__(*args, **kwargs)
        self.programs = programs
        for program in programs:
            self.fields[f"program_{program.pk}"] = forms.DecimalField(
                label=f"{program.name} (requested ₱{program.requested_amount:,.2f})",
                max_digits=16,
                decimal_places=2,
                min_value=Decimal("0"),
                max_value=program.requested_amount,
                initial=program.requested_amount,
            )

    def approved_amounts(self) -> dict[int, Decimal]:
        return {p.pk: self.cleaned_data[f"program_{p.pk}"] for p in self.programs}


class ReturnForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), label="What must change", max_length=2000
    )


class AllotmentForm(ServiceDataMixin, forms.ModelForm):
    amount = forms.DecimalField(label="Amount (₱)", **MONEY_FIELD)

    class Meta:
        model = Allotment
        fields = ["quarter", "amount", "release_reference", "release_date"]
        widgets = {"release_date": DATE}


class ObligationForm(ServiceDataMixin, forms.ModelForm):
    amount = forms.DecimalField(label="Amount (₱)", **MONEY_FIELD)

    class Meta:
        model = Obligation
        fields = ["payee", "expense_class", "amount", "obligated_on", "reference", "description"]
        widgets = {"obligated_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expense_class"].choices = ExpenseClass.choices


COST_CENTRE_LINES = 3


class DisbursementForm(forms.ModelForm):
    """A payment and up to three cost-centre lines that must add up to it."""

    amount = forms.DecimalField(label="Amount (₱)", **MONEY_FIELD)

    class Meta:
        model = Disbursement
        fields = ["amount", "payment_method", "reference", "disbursed_on"]
        widgets = {"disbursed_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for n in range(1, COST_CENTRE_LINES + 1):
            self.fields[f"cost_centre_{n}"] = forms.CharField(
                label=f"Cost centre {n}", required=n == 1, max_length=120
            )
            self.fields[f"line_amount_{n}"] = forms.DecimalField(
                label=f"Amount for cost centre {n} (₱)", required=n == 1, **MONEY_FIELD
            )

    def clean(self):
        data = super().clean()
        total = Decimal("0")
        for n in range(1, COST_CENTRE_LINES + 1):
            centre, amount = data.get(f"cost_centre_{n}"), data.get(f"line_amount_{n}")
            if centre and amount is None:
                self.add_error(f"line_amount_{n}", "Give this cost centre's amount.")
            if amount is not None and not centre:
                self.add_error(f"cost_centre_{n}", "Name the cost centre of this amount.")
            total += amount or 0
        amount = data.get("amount")
        if amount is not None and not self.errors and total != amount:
            self.add_error(
                None,
                f"The cost-centre lines add up to ₱{total:,.2f}, but the payment is "
                f"₱{amount:,.2f}: they must be equal.",
            )
        return data

    def service_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["lines"] = [
            (self.cleaned_data[f"cost_centre_{n}"], self.cleaned_data[f"line_amount_{n}"])
            for n in range(1, COST_CENTRE_LINES + 1)
            if self.cleaned_data.get(f"cost_centre_{n}")
        ]
        return data
