"""The notification list's filters (django-filter): unread or all, and the category."""

from __future__ import annotations

import django_filters

from organizations.filters import yes_no_any

from .models import Category, Notification


class NotificationFilter(django_filters.FilterSet):
    unread = django_filters.BooleanFilter(
        field_name="read_at",
        lookup_expr="isnull",
        label="Show",
        widget=yes_no_any("All notifications", "Unread only", "Read only"),
    )
    category = django_filters.ChoiceFilter(choices=Category.choices, empty_label="Any category")

    class Meta:
        model = Notification
        fields = ["unread", "category"]
