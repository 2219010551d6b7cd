"""Forms of the budgeting app. Fields are always listed explicitly (no mass assignment)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone

from core.locking import RevisionField, RevisionFormMixin
from planning.models import AnnualWorkPlan, StrategicGoal, StrategicPlan

from .models import (
    Allotment,
    BudgetLineItem,
    BudgetProposal,
    Disbursement,
    ExpenseClass,
    ObjectCode,
    Obligation,
    ObligationAdjustment,
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


class ObjectCodeField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ObjectCode) -> str:
        return f"{obj.code} · {obj.title} ({obj.allotment_class})"


def active_codes(allotment_class: str | None = None):
    codes = ObjectCode.objects.filter(is_active=True).order_by("allotment_class", "code")
    return codes.filter(allotment_class=allotment_class) if allotment_class else codes


class LineItemForm(ServiceDataMixin, forms.ModelForm):
    unit_cost = forms.DecimalField(label="Unit cost (₱)", **MONEY_FIELD)
    quantity = forms.IntegerField(min_value=1)
    object_code = ObjectCodeField(
        queryset=ObjectCode.objects.none(),
        required=False,
        label="UACS object code",
        help_text="Of the line's allotment class.",
    )

    class Meta:
        model = BudgetLineItem
        fields = ["expense_class", "object_code", "description", "unit_cost", "quantity"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["object_code"].queryset = active_codes()

    def service_data(self) -> dict:
        data = super().service_data()
        code = data.pop("object_code")
        data["object_code_id"] = code.pk if code else None
        return data


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
        fields = ["allotment_class", "quarter", "amount", "release_reference", "release_date"]
        widgets = {"release_date": DATE}
        labels = {"release_reference": "Release reference (SARO/NORSA)"}

    def __init__(self, *args, room: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["allotment_class"].choices = ExpenseClass.choices
        if room:
            from .templatetags.money import peso

            self.fields["allotment_class"].help_text = " · ".join(
                f"{c}: {peso(r['left'])} left of {peso(r['appropriation'])}"
                for c, r in room.items()
                if r["appropriation"]
            )


class ObligationForm(ServiceDataMixin, forms.ModelForm):
    amount = forms.DecimalField(label="Amount (₱)", **MONEY_FIELD)
    object_code = ObjectCodeField(queryset=ObjectCode.objects.none(), label="UACS object code")

    class Meta:
        model = Obligation
        fields = ["payee", "object_code", "amount", "obligated_on", "reference", "description"]
        widgets = {"obligated_on": DATE}

    def __init__(self, *args, allotment: Allotment, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["object_code"].queryset = active_codes(allotment.allotment_class)
        self.fields[
            "object_code"
        ].help_text = f"Codes of {allotment.get_allotment_class_display()}, the allotment's class."


class AdjustmentForm(ServiceDataMixin, forms.ModelForm):
    amount = forms.DecimalField(
        label="Change (₱)",
        max_digits=16,
        decimal_places=2,
        help_text="Positive to increase the obligation, negative to decrease it.",
    )

    class Meta:
        model = ObligationAdjustment
        fields = ["amount", "adjusted_on", "reason", "reference"]
        widgets = {"adjusted_on": DATE}


class DeliveryForm(forms.Form):
    delivered_on = forms.DateField(label="Delivered or rendered on", widget=DATE)
    delivery_reference = forms.CharField(
        label="Reference (e.g. inspection and acceptance report)", max_length=60, required=False
    )

    def service_data(self) -> dict:
        return dict(self.cleaned_data)


class ReportPeriodForm(forms.Form):
    """Fiscal year and quarter of a report (it is as of the quarter's last day, or today)."""

    year = forms.IntegerField(min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(
        choices=[(1, "Q1"), (2, "Q2"), (3, "Q3"), (4, "Q4")], coerce=int
    )


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
