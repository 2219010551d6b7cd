from __future__ import annotations

from django import forms

from .models import DEFAULT_DELIVERY, Category, Delivery


class PreferencesForm(forms.Form):
    """One choice per category: at once, daily digest, or in the portal only."""

    def __init__(self, *args, current: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        for category in Category:
            self.fields[category.value] = forms.ChoiceField(
                label=category.label,
                choices=Delivery.choices,
                initial=current.get(category.value, DEFAULT_DELIVERY[category]),
                widget=forms.RadioSelect,
            )
