"""Forms of the planning app. Fields are always listed explicitly (no mass assignment)."""

from __future__ import annotations

from django import forms

from core.locking import RevisionField, RevisionFormMixin

from .models import MAX_PLAN_YEARS, AnnualWorkPlan, StrategicGoal, StrategicPlan, WorkPlanObjective


class PlanForm(RevisionFormMixin, forms.ModelForm):
    """Create or edit a plan. `revision` carries the optimistic lock (required to edit)."""

    revision = RevisionField(required=False)

    class Meta:
        model = StrategicPlan
        fields = ["title", "start_year", "end_year", "vision", "mission"]
        widgets = {
            "vision": forms.Textarea(attrs={"rows": 3}),
            "mission": forms.Textarea(attrs={"rows": 3}),
        }

    def clean(self):
        data = super().clean()
        start, end = data.get("start_year"), data.get("end_year")
        if start and end:
            if end < start:
                self.add_error("end_year", "The end year cannot be before the start year.")
            elif end - start + 1 > MAX_PLAN_YEARS:
                self.add_error("end_year", f"A plan covers at most {MAX_PLAN_YEARS} years.")
        return data

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class GoalForm(forms.ModelForm):
    class Meta:
        model = StrategicGoal
        fields = [
            "title",
            "priority",
            "target_metric",
            "baseline_value",
            "target_value",
            "current_value",
            "description",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class WorkPlanForm(forms.ModelForm):
    class Meta:
        model = AnnualWorkPlan
        fields = ["year", "title", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, plan: StrategicPlan, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        taken = set(plan.work_plans.values_list("year", flat=True))
        self.fields["year"] = forms.TypedChoiceField(
            coerce=int,
            choices=[(y, y) for y in plan.years if y not in taken],
            help_text="One work plan per year of the plan.",
        )

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class ObjectiveForm(forms.ModelForm):
    class Meta:
        model = WorkPlanObjective
        fields = [
            "goal",
            "title",
            "indicator",
            "baseline_value",
            "target_value",
            "current_value",
            "target_date",
            "status",
        ]
        widgets = {"target_date": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, work_plan: AnnualWorkPlan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["goal"].queryset = work_plan.plan.goals.order_by("priority", "title")
        self.fields["goal"].empty_label = None

    def service_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["goal_id"] = data.pop("goal").pk
        return data
