"""Forms of recovery strategies, plan sharing and comments.
Fields are listed explicitly (no mass assignment)."""

from __future__ import annotations

import datetime
import re

from django import forms
from django.utils import timezone

from incidents.formatting import duration

from .models import PlanComment, PlanShare, RecoveryStrategy, Vendor
from .services import sharing

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

_PART = re.compile(r"(\d+)\s*(d|day|days|h|hr|hrs|hour|hours|m|min|mins|minute|minutes)\b", re.I)
_UNIT = {"d": 1440, "h": 60, "m": 1}


class DurationMinutesField(forms.CharField):
    """A duration as people say it ("45 min", "4 h", "1 d 12 h", or plain minutes), stored in
    minutes; shown back the same way."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Not max_length: its validator would measure the cleaned number of minutes.
        self.widget.attrs["maxlength"] = 40

    def prepare_value(self, value):
        if isinstance(value, int):
            return duration(value)
        return value

    def to_python(self, value):
        text = (super().to_python(value) or "").strip()[:40]
        if not text:
            return None
        if text.isdigit():
            return int(text)
        parts = _PART.findall(text)
        if not parts or _PART.sub("", text).strip(" ,and"):
            raise forms.ValidationError(
                "Write a duration such as “45 min”, “4 h” or “1 d 12 h”.", code="invalid"
            )
        return sum(int(number) * _UNIT[unit[0].lower()] for number, unit in parts)


class StrategyForm(forms.ModelForm):
    activation_minutes = DurationMinutesField(
        label="Time to activate",
        required=False,
        help_text="How long until it is running, e.g. “2 h”; it should fit within the RTO.",
    )

    class Meta:
        model = RecoveryStrategy
        fields = [
            "kind",
            "title",
            "description",
            "vendor",
            "activation_minutes",
            "people",
            "ict",
            "vital_records",
            "facilities",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "people": forms.Textarea(attrs={"rows": 2}),
            "ict": forms.Textarea(attrs={"rows": 2}),
            "vital_records": forms.Textarea(attrs={"rows": 2}),
            "facilities": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, process, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.process = process
        self.fields["vendor"].queryset = Vendor.objects.for_organization(
            process.plan.organization_id
        )

    def clean(self):
        data = super().clean()
        if data.get("kind") == RecoveryStrategy.Kind.VENDOR and not data.get("vendor"):
            self.add_error("vendor", "A vendor strategy names the vendor it relies on.")
        return data


class ShareForm(forms.Form):
    email = forms.EmailField(
        label="Person's e-mail address",
        help_text="The e-mail address of their portal account (someone outside this "
        "organization: another MOA's BCM focal person, an auditor, a reviewer).",
    )
    right = forms.ChoiceField(
        choices=PlanShare.Right.choices,
        initial=PlanShare.Right.VIEW,
        widget=forms.RadioSelect,
        help_text="View: the approved plan and its registers. Comment: also leave comments. "
        "Review: also the version in review, and be asked to review it.",
    )
    last_day = forms.DateField(
        label="Access until (last day)",
        widget=DATE,
        help_text=f"Access ends at midnight after this day. At most a year from today; "
        f"{sharing.DEFAULT_DAYS} days unless you choose otherwise.",
    )
    reason = forms.CharField(
        max_length=300, help_text="Why they need it, e.g. “2026 internal audit of BCM”."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        default = timezone.localdate() + datetime.timedelta(days=sharing.DEFAULT_DAYS)
        self.fields["last_day"].initial = default
        self.fields["last_day"].widget.attrs.update(
            {
                "min": timezone.localdate().isoformat(),
                "max": (
                    timezone.localdate() + datetime.timedelta(days=sharing.MAX_DAYS - 1)
                ).isoformat(),
            }
        )

    def clean_email(self):
        from organizations.models import User

        email = self.cleaned_data["email"]
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise forms.ValidationError(
                "No active portal account has this e-mail address. Ask a system administrator "
                "to create one, then share the plan."
            )
        self.cleaned_data["grantee"] = user
        return email


class CommentForm(forms.ModelForm):
    class Meta:
        model = PlanComment
        fields = ["body"]
        labels = {"body": "Comment"}
        widgets = {"body": forms.Textarea(attrs={"rows": 3, "maxlength": PlanComment.MAX_CHARS})}
