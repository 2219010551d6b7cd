"""Forms of the incidents app. Fields are listed explicitly; services do the rule checks."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from bcp.forms import members_of  # noqa: F401 - re-exported for the views
from bcp.models import CriticalProcess, Exercise, Plan
from organizations.models import Department

from .models import CallTreeEntry, CorrectiveAction, Incident, LogEntry, RecoveryItem

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


def _datetime_field(label: str, **kwargs) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        **kwargs,
    )


def _local_now() -> str:
    return timezone.localtime().strftime("%Y-%m-%dT%H:%M")


class DeclareForm(forms.Form):
    title = forms.CharField(
        max_length=200, help_text="Short and plain, e.g. “Flood at the main office”."
    )
    kind = forms.ChoiceField(label="Type", choices=Incident.Kind.choices)
    severity = forms.ChoiceField(
        choices=Incident.Severity.choices,
        help_text="As in your plans' response and escalation matrix; it sets how long contacts "
        "have to acknowledge before their alternate is called.",
    )
    started_at = _datetime_field(
        "Started at", help_text="When the disruption began (not in the future)."
    )
    location = forms.CharField(label="Location / offices affected", max_length=300)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    departments = forms.ModelMultipleChoiceField(
        queryset=Department.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Their approved plans are activated. None: the organization-wide plans.",
    )
    processes = forms.ModelMultipleChoiceField(
        queryset=CriticalProcess.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Affected critical processes",
        help_text="None ticked: every process of the activated plans.",
    )
    commander = forms.ModelChoiceField(queryset=None, label="Incident commander")

    def __init__(self, *args, organization, user, exercise: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.exercise = exercise
        self.fields["departments"].queryset = Department.objects.filter(
            organization=organization
        ).order_by("name")
        self.fields["processes"].queryset = (
            CriticalProcess.objects.filter(
                plan__organization=organization,
                plan__status=Plan.Status.APPROVED,
                plan__current_version__isnull=False,
            )
            .select_related("plan")
            .order_by("plan__title", "priority", "name")
        )
        self.fields["processes"].label_from_instance = lambda p: f"{p.name} — {p.plan.title}"
        self.fields["commander"].queryset = members_of(organization.pk)
        self.fields["commander"].label_from_instance = lambda u: u.get_full_name() or u.email
        if not self.is_bound:
            self.initial.setdefault("started_at", _local_now())
            self.initial.setdefault("commander", user.pk)
        if exercise:
            self.fields["exercise_kind"] = forms.ChoiceField(
                label="Kind of exercise", choices=Exercise.Kind.choices
            )
            self.fields["title"].help_text = "The scenario, e.g. “Typhoon floods the main office”."


class SeverityForm(forms.Form):
    severity = forms.ChoiceField(choices=Incident.Severity.choices)
    reason = forms.CharField(max_length=500, help_text="Why the severity changes (logged).")


class LogForm(forms.Form):
    kind = forms.ChoiceField(label="Entry", choices=[(k.value, k.label) for k in LogEntry.MANUAL])
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=4000)


class CallForm(forms.Form):
    status = forms.ChoiceField(
        choices=[(s.value, s.label) for s in CallTreeEntry.MANUAL],
        help_text="After a phone call. Unreachable calls the alternate at once.",
    )
    note = forms.CharField(max_length=300, required=False)


class ItemForm(forms.Form):
    status = forms.ChoiceField(choices=RecoveryItem.Status.choices)
    disrupted_since = _datetime_field("Disrupted since")
    recovered_at = _datetime_field(
        "Recovered at", required=False, help_text="Needed when the process is recovered."
    )
    note = forms.CharField(max_length=500, required=False)


class CloseForm(forms.Form):
    summary = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What happened, what was done, what state things are in now.",
    )
    open_processes_reason = forms.CharField(
        label="Why stand down with processes still not recovered",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )


class ReviewForm(forms.Form):
    what_worked = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}))
    what_failed = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}))


class ActionForm(forms.Form):
    description = forms.CharField(label="Corrective action", max_length=1000)
    owner = forms.ModelChoiceField(queryset=None)
    due_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, organization_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = members_of(organization_id)
        self.fields["owner"].label_from_instance = lambda u: u.get_full_name() or u.email


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(choices=CorrectiveAction.Status.choices)


class PlanDraftForm(forms.Form):
    plan = forms.ModelChoiceField(queryset=None, label="Plan to revise")

    def __init__(self, *args, incident: Incident, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = Plan.objects.filter(activations__incident=incident)
        self.fields["plan"].empty_label = None  # one of the activated plans, never "none"
