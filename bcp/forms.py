"""Forms of the bcp app. Fields are always listed explicitly (no mass assignment)."""

from __future__ import annotations

import hashlib
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from core import formats, policies
from core.locking import RevisionField, RevisionFormMixin
from organizations.fields import DurationMinutesField
from organizations.models import Department, User

from .content import MAX_SECTION_CHARS, MAX_SECTION_LINES, sections_of
from .files import ALLOWED_TYPES, max_attachment_bytes
from .models import (
    Contact,
    CriticalProcess,
    Exercise,
    Plan,
    PlanVersion,
    Review,
    Risk,
    SectionDefinition,
    Template,
    Vendor,
)
from .services.registers import PROCESS_FIELDS
from .template_data import ESCALATION_LEVELS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def members_of(organization_id: int):
    return User.objects.filter(memberships__organization_id=organization_id).order_by(
        "last_name", "first_name", "email"
    )


class PlanCreateForm(forms.ModelForm):
    template = forms.ModelChoiceField(
        queryset=Template.objects.all(), empty_label=None, help_text="The sections to fill in."
    )

    class Meta:
        model = Plan
        # No review date here: only an approval sets it (bcp.cycle.review_interval_months).
        fields = ["title", "template", "department"]

    def __init__(self, *args, organization=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.for_organization(organization)
        default = Template.objects.filter(is_default=True).first()
        if default is not None:
            self.fields["template"].initial = default.pk


class PlanEditForm(forms.ModelForm):
    class Meta:
        model = Plan
        # The next review date and interval are set by approvals only, never by editing.
        fields = ["title", "department", "owner"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        org_id = self.instance.organization_id
        self.fields["department"].queryset = Department.objects.for_organization(org_id)
        self.fields["owner"].queryset = members_of(org_id)


class DraftForm(RevisionFormMixin, forms.Form):
    """All sections of a draft, with the revision it was loaded at (optimistic locking)."""

    revision_always_required = True
    revision = RevisionField()
    change_note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="What changed in this version and why.",
    )

    def __init__(self, *args, version: PlanVersion, **kwargs):
        self.version = version
        self.sections = sections_of(version.plan.template)
        initial = {"revision": version.revision, "change_note": version.change_note}
        content = version.content or {}
        for section in self.sections:
            value = content.get(section.key)
            if section.kind == SectionDefinition.Kind.ESCALATION_MATRIX:
                for level in ESCALATION_LEVELS:
                    row = (value or {}).get(level) or {}
                    for cell in ("description", "response_time", "escalation_level"):
                        initial[f"{section.key}__{level}__{cell}"] = row.get(cell, "")
            else:
                initial[section.key] = value or ""
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        for section in self.sections:
            if section.kind == SectionDefinition.Kind.ESCALATION_MATRIX:
                for level in ESCALATION_LEVELS:
                    for cell, label, max_length in (
                        ("description", "Description", 1000),
                        ("response_time", "Response time", 100),
                        ("escalation_level", "Escalation level", 300),
                    ):
                        self.fields[f"{section.key}__{level}__{cell}"] = forms.CharField(
                            label=f"{level.title()}: {label}",
                            max_length=max_length,
                            required=False,
                        )
            else:
                limits = (
                    f"At most {MAX_SECTION_CHARS:,} characters and {MAX_SECTION_LINES:,} lines."
                )
                self.fields[section.key] = forms.CharField(
                    label=section.title,
                    help_text=f"{section.help_text} {limits}".strip(),
                    required=False,
                    max_length=MAX_SECTION_CHARS,
                    error_messages={
                        "max_length": f"Too long: at most {MAX_SECTION_CHARS:,} characters "
                        "(this text has %(show_value)d)."
                    },
                    widget=forms.Textarea(attrs={"rows": 6}),
                )

    def section_fields(self) -> list[dict[str, Any]]:
        """For the template: each section with its bound field(s)."""
        rows = []
        for section in self.sections:
            if section.kind == SectionDefinition.Kind.ESCALATION_MATRIX:
                levels = [
                    {
                        "level": level,
                        "fields": [
                            self[f"{section.key}__{level}__{cell}"]
                            for cell in ("description", "response_time", "escalation_level")
                        ],
                    }
                    for level in ESCALATION_LEVELS
                ]
                rows.append({"section": section, "levels": levels})
            else:
                rows.append({"section": section, "field": self[section.key]})
        return rows

    def to_content(self) -> dict[str, Any]:
        data = self.cleaned_data
        content: dict[str, Any] = {}
        for section in self.sections:
            if section.kind == SectionDefinition.Kind.ESCALATION_MATRIX:
                content[section.key] = {
                    level: {
                        cell: data[f"{section.key}__{level}__{cell}"].strip()
                        for cell in ("description", "response_time", "escalation_level")
                    }
                    for level in ESCALATION_LEVELS
                }
            else:
                content[section.key] = data[section.key].replace("\r\n", "\n").strip()
        return content


class NewDraftForm(forms.Form):
    change_note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), help_text="Why the plan is being revised."
    )


class SubmitForm(forms.Form):
    reviewers = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Every reviewer must approve before the version takes effect.",
        error_messages={
            "invalid_choice": "Someone you chose can no longer review this version (they are "
            "not an approver, or they contributed to it meanwhile). Choose again from the list.",
            "invalid_pk_value": "Choose reviewers from the list.",
        },
    )
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, version: PlanVersion, actor: Any, **kwargs):
        super().__init__(*args, **kwargs)
        # Who may review: asked of the policy (approvers who did not contribute or submit).
        choices = policies.reviewer_choices(version, submitter=actor)
        field = self.fields["reviewers"]
        field.queryset = User.objects.filter(pk__in=[u.pk for u in choices.eligible]).order_by(
            "last_name", "first_name", "email"
        )
        field.help_text = "Every reviewer must approve before the version takes effect. " + (
            choices.help_text
        )
        if not choices.eligible:
            field.help_text += (
                " No approver of the organization is left to review it: ask your organization's "
                "administrator to give someone else the approver role."
            )


class ReviewDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[
            (Review.Status.APPROVED, "Approve this version"),
            (Review.Status.CHANGES_REQUESTED, "Request changes"),
        ],
        widget=forms.RadioSelect,
    )
    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="Required when you request changes.",
    )

    def clean(self):
        data = super().clean()
        if (
            data.get("decision") == Review.Status.CHANGES_REQUESTED
            and not (data.get("notes") or "").strip()
        ):
            self.add_error("notes", "Say what needs to change.")
        return data


class ProcessForm(forms.ModelForm):
    class Meta:
        model = CriticalProcess
        # The fields the service writes (and audits), then the links it sets.
        fields = [*PROCESS_FIELDS, "depends_on", "vendors"]
        field_classes = dict.fromkeys(
            ("rto_minutes", "rpo_minutes", "mtpd_minutes"), DurationMinutesField
        )
        labels = {
            "rto_minutes": "RTO (recovery time objective)",
            "rpo_minutes": "RPO (recovery point objective)",
            "mtpd_minutes": "MTPD (maximum tolerable period of disruption)",
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "depends_on": forms.CheckboxSelectMultiple,
            "vendors": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.plan = plan
        others = CriticalProcess.objects.filter(plan=plan)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        self.fields["depends_on"].queryset = others
        self.fields["depends_on"].help_text = "Processes that must be running first."
        self.fields["vendors"].queryset = Vendor.objects.for_organization(plan.organization_id)
        for horizon in ("1h", "4h", "8h", "24h", "72h"):
            field = self.fields[f"impact_{horizon}"]
            field.widget.attrs.update({"min": 0, "max": 5})
            field.help_text = "0 (none) to 5 (severe)"

    def clean(self):
        data = super().clean()
        rto, mtpd = data.get("rto_minutes"), data.get("mtpd_minutes")
        if rto is not None and mtpd is not None and rto > mtpd:
            self.add_error(
                "rto_minutes",
                "The RTO cannot be longer than the MTPD: a process must be back before the "
                "disruption becomes intolerable.",
            )
        return data


class RiskForm(forms.ModelForm):
    class Meta:
        model = Risk
        fields = ["threat", "likelihood", "impact", "mitigation", "owner"]
        widgets = {
            "mitigation": forms.Textarea(attrs={"rows": 3}),
            "likelihood": forms.Select(choices=[(n, n) for n in range(1, 6)]),
            "impact": forms.Select(choices=[(n, n) for n in range(1, 6)]),
        }

    def __init__(self, *args, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.plan = plan
        self.fields["owner"].queryset = members_of(plan.organization_id)


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["name", "role", "phone", "email", "alternate", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.plan = plan
        others = Contact.objects.filter(plan=plan)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        self.fields["alternate"].queryset = others
        self.fields["alternate"].help_text = "Who to call when this person cannot be reached."


class VendorForm(forms.ModelForm):
    class Meta:
        model = Vendor
        fields = [
            "name",
            "service",
            "criticality",
            "sla",
            "contract_reference",
            "contract_end",
            "rto_offered_minutes",
            "rpo_offered_minutes",
            "contact_name",
            "contact_phone",
            "contact_email",
        ]
        widgets = {"sla": forms.Textarea(attrs={"rows": 3}), "contract_end": DATE}
        field_classes = dict.fromkeys(
            ("rto_offered_minutes", "rpo_offered_minutes"), DurationMinutesField
        )
        labels = {"rto_offered_minutes": "RTO offered", "rpo_offered_minutes": "RPO offered"}


class AttachmentForm(forms.Form):
    file = forms.FileField(
        help_text=f"PDF, PNG, JPG, DOCX, XLSX, TXT or CSV, at most "
        f"{max_attachment_bytes() // (1024 * 1024)} MB.",
        widget=forms.ClearableFileInput(
            attrs={"accept": ",".join(f".{ext}" for ext in ALLOWED_TYPES)}
        ),
    )
    description = forms.CharField(max_length=300, required=False)


class AchievedRTOMixin:
    """The RTO each process achieved in an exercise, typed as people say it ("3 h", "1 d 2 h"),
    stored in minutes; a process left empty was not tested."""

    def add_achieved_fields(self, processes) -> None:
        self.processes = [p for p in processes if p.rto_minutes is not None]
        for process in self.processes:
            self.fields[f"achieved_{process.pk}"] = DurationMinutesField(
                label=f"Achieved RTO of “{process.name}” "
                f"(target {formats.duration(process.rto_minutes)})",
                required=False,
                help_text="How long until it was running again (e.g. “3 h”); "
                "leave empty if not tested.",
            )

    def results(self) -> dict[CriticalProcess, int]:
        return {
            p: self.cleaned_data[f"achieved_{p.pk}"]
            for p in self.processes
            if self.cleaned_data.get(f"achieved_{p.pk}") is not None
        }


class ExerciseForm(AchievedRTOMixin, forms.ModelForm):
    class Meta:
        model = Exercise
        fields = ["kind", "held_on", "scenario", "participants", "findings", "actions"]
        labels = {"held_on": "Held on"}
        widgets = {
            "held_on": DATE,
            "scenario": forms.Textarea(attrs={"rows": 3}),
            "participants": forms.Textarea(attrs={"rows": 2}),
            "findings": forms.Textarea(attrs={"rows": 3}),
            "actions": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.plan = plan
        self.add_achieved_fields(plan.critical_processes.all())


class ExerciseScheduleForm(forms.ModelForm):
    """Plan an exercise ahead (or change a planned one): what, when, who, which processes."""

    class Meta:
        model = Exercise
        fields = ["kind", "held_on", "scenario", "facilitator", "processes", "participants"]
        widgets = {
            "held_on": DATE,
            "scenario": forms.Textarea(attrs={"rows": 3}),
            "participants": forms.Textarea(attrs={"rows": 2}),
            "processes": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.plan = plan
        self.fields["facilitator"].queryset = members_of(plan.organization_id)
        self.fields["processes"].queryset = CriticalProcess.objects.filter(plan=plan).order_by(
            "priority", "name"
        )
        self.fields["processes"].help_text = "The processes whose recovery the exercise tests."


class ExerciseConductForm(AchievedRTOMixin, forms.Form):
    """Record how a planned exercise went: the RTO each process in scope achieved, findings."""

    findings = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)

    def __init__(self, *args, exercise: Exercise, **kwargs):
        super().__init__(*args, **kwargs)
        scope = list(exercise.processes.all()) or list(exercise.plan.critical_processes.all())
        self.add_achieved_fields(scope)
        self.fields["findings"].initial = exercise.findings


class CorrectiveActionForm(forms.Form):
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    process = forms.ModelChoiceField(queryset=CriticalProcess.objects.none(), required=False)
    owner = forms.ModelChoiceField(queryset=User.objects.none())
    due_date = forms.DateField(widget=DATE)

    def __init__(self, *args, exercise: Exercise, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["process"].queryset = CriticalProcess.objects.filter(plan=exercise.plan_id)
        self.fields["owner"].queryset = members_of(exercise.plan.organization_id)


class ActionProgressForm(forms.Form):
    """Move an action on: in progress, or done with evidence."""

    status = forms.ChoiceField(
        choices=[("in_progress", "In progress"), ("done", "Done (close the action)")]
    )
    evidence = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
        help_text="Required to close: what shows the action is done (a document, a test).",
    )


class ReviewCampaignForm(forms.Form):
    title = forms.CharField(max_length=200, initial="Annual review of departmental plans")
    starts_on = forms.DateField(widget=DATE, help_text="Approvals from this day count.")
    due_date = forms.DateField(widget=DATE, help_text="Every departmental plan reviewed by then.")
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ChangeLogForm(forms.Form):
    change_guid = forms.UUIDField(label="Change GUID")
    summary = forms.CharField(max_length=300, required=False)


class VerifyFileForm(forms.Form):
    """An exported PDF or DOCX to check against the stored export hashes."""

    MAX_BYTES = 50 * 1024 * 1024

    file = forms.FileField(help_text="A PDF or DOCX exported from the portal (at most 50 MB).")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise ValidationError("This file is larger than any export (at most 50 MB).")
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        self.digest = digest.hexdigest()
        return upload
