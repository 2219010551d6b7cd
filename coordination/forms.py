"""Forms of the coordination app. Fields are always listed explicitly (no mass assignment)."""

from __future__ import annotations

from django import forms

from core import policies
from core.locking import RevisionField, RevisionFormMixin
from organizations.models import Organization

from .models import Milestone, ParticipantState, Partnership

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PartnershipForm(RevisionFormMixin, forms.ModelForm):
    """Create or edit a partnership. `revision` carries the optimistic lock (required to edit)."""

    revision = RevisionField(required=False)

    class Meta:
        model = Partnership
        fields = [
            "title",
            "partnership_type",
            "status",
            "priority",
            "objectives",
            "expected_outcomes",
            "deliverables",
            "start_date",
            "end_date",
            "total_budget",
            "focal_person",
            "visible_to_ocm",
        ]
        widgets = {
            "objectives": forms.Textarea(attrs={"rows": 3}),
            "expected_outcomes": forms.Textarea(attrs={"rows": 3}),
            "deliverables": forms.Textarea(attrs={"rows": 3}),
            "start_date": DATE,
            "end_date": DATE,
        }

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        # Only members of the lead organization can be its focal person.
        self.fields["focal_person"].queryset = policies.members_who_may(organization.pk, "view")

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "The end date cannot be before the start date.")
        budget = data.get("total_budget")
        if budget is not None and budget <= 0:
            self.add_error("total_budget", "The budget must be more than zero (or left empty).")
        return data

    def service_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["focal_person_id"] = data.pop("focal_person").pk if data["focal_person"] else None
        return data


class InviteForm(forms.Form):
    """Invite an organization; the lead and current participants are not offered."""

    organization = forms.ModelChoiceField(
        queryset=Organization.objects.none(), label="Organization to invite"
    )
    message = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, label="Message (optional)"
    )

    def __init__(self, *args, partnership: Partnership, **kwargs):
        super().__init__(*args, **kwargs)
        taking_part = partnership.participant_links.filter(
            state__in=[ParticipantState.INVITED, ParticipantState.ACCEPTED]
        ).values("organization_id")
        self.fields["organization"].queryset = (
            Organization.objects.filter(is_active=True)
            .exclude(pk=partnership.organization_id)
            .exclude(pk__in=taking_part)
            .order_by("code")
        )
        self.fields["organization"].label_from_instance = lambda o: f"{o.code} · {o.name}"


class DeclineForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Reason (optional)"
    )


class MilestoneForm(forms.ModelForm):
    """The lead's milestone form: responsible organization is the lead or an accepted one."""

    class Meta:
        model = Milestone
        fields = [
            "title",
            "description",
            "due_date",
            "responsible_organization",
            "status",
            "progress",
        ]
        widgets = {"due_date": DATE, "description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, partnership: Partnership, accepted: set[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible_organization"].queryset = Organization.objects.filter(
            pk__in={partnership.organization_id, *accepted}
        ).order_by("code")
        self.fields["responsible_organization"].label_from_instance = lambda o: o.code


class MilestoneProgressForm(forms.ModelForm):
    """A responsible participant's form: status and progress only."""

    class Meta:
        model = Milestone
        fields = ["status", "progress"]


class CommentForm(forms.Form):
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=5000, label="Add a comment"
    )
