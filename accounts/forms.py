"""Forms of self-service accounts. Fields are listed explicitly (no mass assignment)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model


class ResetRequestForm(forms.Form):
    """The address to send a reset link to. Never says whether an account has it."""

    email = forms.EmailField(
        label="E-mail address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()


class ProfileForm(forms.ModelForm):
    """What a person changes about themself: name, position, phone (not the e-mail address,
    which is the login: a system administrator changes it)."""

    class Meta:
        model = get_user_model()
        fields = ["first_name", "last_name", "position", "phone"]
        labels = {"first_name": "First name", "last_name": "Last name", "phone": "Phone"}
        widgets = {
            "first_name": forms.TextInput(attrs={"autocomplete": "given-name"}),
            "last_name": forms.TextInput(attrs={"autocomplete": "family-name"}),
            "position": forms.TextInput(attrs={"autocomplete": "organization-title"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        }

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        if phone and not all(c.isdigit() or c in "+-() ./" for c in phone):
            raise forms.ValidationError(
                "Use digits, spaces and + - ( ) only, e.g. +63 917 123 4567."
            )
        return phone
