"""Forms of the rollout app (explicit fields)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.formats import date_format

from bcp.files import max_attachment_bytes
from organizations.models import Membership, Organization

from .models import Announcement, Feedback, TrainingSession, UATResult
from .policy import ROLLOUT_TEAM_GROUP

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class AnnouncementForm(forms.ModelForm):
    class Meta:
        model = Announcement
        fields = [
            "title", "body", "severity", "audience", "wave", "organization", "starts_at", "ends_at",
        ]  # fmt: skip
        widgets = {
            "body": forms.Textarea(attrs={"rows": 4}),
            "starts_at": DATETIME,
            "ends_at": DATETIME,
        }

    def __init__(self, *args, admin_of: list[int] | None, **kwargs):
        """`admin_of`: None for a system administrator (any audience), else the organizations
        the user administers (audience fixed to one of them)."""
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.filter(is_active=True)
        if admin_of is not None:
            self.fields["audience"].choices = [
                (Announcement.Audience.ORGANIZATION, "My organization")
            ]
            self.fields["audience"].initial = Announcement.Audience.ORGANIZATION
            self.fields["organization"].queryset = Organization.objects.filter(pk__in=admin_of)
            self.fields["organization"].required = True
            del self.fields["wave"]

    def clean(self):
        data = super().clean()
        audience = data.get("audience")
        if audience != Announcement.Audience.WAVE and "wave" in self.fields:
            data["wave"] = None
        if audience != Announcement.Audience.ORGANIZATION:
            data["organization"] = None
        if audience == Announcement.Audience.WAVE and data.get("wave") is None:
            self.add_error("wave", "Choose the wave this announcement is for.")
        if audience == Announcement.Audience.ORGANIZATION and data.get("organization") is None:
            self.add_error("organization", "Choose the organization this announcement is for.")
        return data

    def _post_clean(self):
        # The service validates the model (after the permission check); nothing is saved here.
        pass


class FeedbackForm(forms.Form):
    kind = forms.ChoiceField(choices=Feedback.Kind.choices, initial=Feedback.Kind.PROBLEM)
    summary = forms.CharField(max_length=200, label="In one line")
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        required=False,
        label="What happened, or what would help?",
        help_text="For a problem: what you did, what you expected, what you saw instead.",
    )
    page_url = forms.CharField(max_length=500, required=False, widget=forms.HiddenInput)
    screenshot = forms.FileField(
        required=False,
        help_text=f"Optional: a PNG or JPG image, at most {max_attachment_bytes() // 2**20} MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".png,.jpg,.jpeg"}),
    )

    def clean_page_url(self):
        url = self.cleaned_data["page_url"].strip()
        return url if url.startswith("/") and not url.startswith("//") else ""


def rollout_team_users():
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(groups__name=ROLLOUT_TEAM_GROUP))
        .distinct()
        .order_by("last_name", "first_name", "email")
    )


class TriageForm(forms.Form):
    status = forms.ChoiceField(choices=Feedback.Status.choices)
    owner = forms.ModelChoiceField(queryset=None, required=False, empty_label="Nobody yet")
    duplicate_of = forms.ModelChoiceField(
        queryset=None,
        required=False,
        to_field_name="public_id",
        empty_label="Not a duplicate",
        help_text="The report this one repeats (open reports of the same organization).",
    )
    note = forms.CharField(
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The reporter reads it on this page; their e-mail only says the report changed.",
    )

    def __init__(self, *args, feedback: Feedback, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = rollout_team_users()
        self.fields["duplicate_of"].queryset = (
            Feedback.objects.filter(organization_id=feedback.organization_id)
            .exclude(pk=feedback.pk)
            .exclude(status__in=[Feedback.Status.WONT_FIX])
            .order_by("-created_at")[:200]
        )
        self.fields["duplicate_of"].label_from_instance = lambda f: (
            f"{f.summary} ({f.get_status_display()}, {date_format(f.created_at, 'j M Y')})"
        )


class UATResultForm(forms.Form):
    step = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    outcome = forms.ChoiceField(choices=UATResult.Outcome.choices, widget=forms.RadioSelect)
    notes = forms.CharField(
        max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class TrainingSessionForm(forms.ModelForm):
    class Meta:
        model = TrainingSession
        fields = [
            "title", "module", "audience_role", "starts_at", "ends_at", "venue", "online_link",
            "capacity", "trainer",
        ]  # fmt: skip
        widgets = {"starts_at": DATETIME, "ends_at": DATETIME}

    online_link = forms.URLField(required=False, assume_scheme="https", max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trainer"].queryset = get_user_model().objects.filter(is_active=True)

    def _post_clean(self):
        pass  # validated by the service


class EnrolMemberForm(forms.Form):
    membership = forms.ModelChoiceField(
        queryset=None, label="Member", to_field_name="public_id", empty_label="Choose a member"
    )

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["membership"].queryset = (
            Membership.objects.filter(organization=organization, user__is_active=True)
            .select_related("user")
            .order_by("user__last_name", "user__first_name")
        )
        self.fields["membership"].label_from_instance = lambda m: (
            f"{m.user} · {m.get_role_display()}"
        )


class VerifyCertificateForm(forms.Form):
    code = forms.CharField(
        max_length=60,
        label="Verification code",
        help_text="As printed on the certificate, e.g. 1A2B-3C4D-….",
    )

    def clean_code(self):
        return "".join(self.cleaned_data["code"].split()).upper()
