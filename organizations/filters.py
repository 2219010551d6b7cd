"""List filters (django-filter) for the directory and the audit log."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q

from core.search import BoundedFilterSet, SearchFilter

from .models import AuditLog, Organization, record_type_choices


def yes_no_any(anything: str, yes: str = "Yes", no: str = "No") -> forms.Select:
    """A yes/no filter whose default is "anything" (never Django's "Unknown" or "---------")."""
    return forms.Select(choices=[("", anything), ("true", yes), ("false", no)])


class OrganizationFilter(BoundedFilterSet):
    q = SearchFilter(method="search", label="Search")
    category = django_filters.ChoiceFilter(choices=Organization.Category.choices)
    is_pilot = django_filters.BooleanFilter(
        label="Pilot",
        widget=yes_no_any("Pilots or not", "Pilots only", "Not pilots"),
    )

    class Meta:
        model = Organization
        fields = ["q", "category", "is_pilot"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(code__icontains=value) | Q(name__icontains=value) | Q(acronym__icontains=value)
        )


class AuditLogFilter(BoundedFilterSet):
    action = SearchFilter(lookup_expr="icontains", label="Action contains")
    actor = SearchFilter(
        field_name="actor_email", lookup_expr="icontains", label="User e-mail contains"
    )
    subject_type = django_filters.ChoiceFilter(
        choices=record_type_choices, label="Record type", empty_label="Any record type"
    )
    since = django_filters.DateFilter(
        field_name="created_at",
        lookup_expr="date__gte",
        label="From",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = django_filters.DateFilter(
        field_name="created_at",
        lookup_expr="date__lte",
        label="To",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = AuditLog
        fields = ["action", "actor", "subject_type", "since", "until"]
