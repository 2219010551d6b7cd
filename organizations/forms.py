"""Forms of the organizations app. Fields are always listed explicitly (no mass assignment)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from .models import Department, Membership


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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.for_organization(
            self.instance.organization_id
        )
        self.fields["department"].required = False
