"""Forms of the organizations app. Fields are always listed explicitly (no mass assignment)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from .models import Department, Membership, Organization


class LoginForm(AuthenticationForm):
    """Sign-in with the e-mail address; the field keeps Django's name for django-axes."""

    username = forms.EmailField(
        label="E-mail address",
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )


class DepartmentForm(forms.ModelForm):
    class Meta:
        model = Department
        fields = ["name", "code", "head", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, organization=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        clash = Department.objects.for_organization(self.organization).filter(name__iexact=name)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError("This organization already has a department by that name.")
        return name


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["role", "department", "position"]

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.for_organization(
            self.instance.organization_id
        )
        self.fields["department"].required = False
        if actor is not None:
            # Only the roles the actor may give (policies.role_refusal); the current one stays
            # listed so the form can be saved unchanged.
            from core.policies import assignable_roles

            choices = assignable_roles(actor, self.instance.organization_id)
            if self.instance.role not in {value for value, _ in choices}:
                choices.append((self.instance.role, self.instance.get_role_display()))
            self.fields["role"].choices = choices


class MemberAddForm(forms.Form):
    """One person to add to the current organization (organizations/people.py)."""

    email = forms.EmailField(
        label="E-mail address",
        max_length=254,
        help_text="They receive an invitation at this address.",
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    first_name = forms.CharField(label="First name", max_length=150, required=False)
    last_name = forms.CharField(label="Last name", max_length=150, required=False)
    role = forms.ChoiceField(label="Role")
    department = forms.ModelChoiceField(
        label="Department", queryset=Department.objects.none(), required=False
    )
    position = forms.CharField(label="Position", max_length=120, required=False)

    def __init__(self, *args, actor, organization, **kwargs):
        super().__init__(*args, **kwargs)
        from core.policies import assignable_roles

        self.fields["role"].choices = assignable_roles(actor, organization.pk)
        self.fields["role"].initial = "viewer"
        self.fields["department"].queryset = Department.objects.for_organization(
            organization
        ).order_by("name")

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="Columns: email, first_name, last_name, organization, role, department, "
        "position, phone. UTF-8, at most 2 MB.",
    )

    MAX_BYTES = 2 * 1024 * 1024

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError("The file is larger than 2 MB; split it into parts.")
        raw = upload.read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise forms.ValidationError(
                "The file is not UTF-8 text. In your spreadsheet, save it as “CSV UTF-8”."
            ) from exc
        if "\x00" in text:
            raise forms.ValidationError("This is not a CSV text file.")
        self.cleaned_data["text"] = text
        return upload


class RolloutForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = ["rollout_wave", "onboarding_status", "onboarding_date", "go_live_date"]
        widgets = {
            "onboarding_date": forms.DateInput(attrs={"type": "date"}),
            "go_live_date": forms.DateInput(attrs={"type": "date"}),
        }
