"""List filters (django-filter) for the directory and the audit log."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q

from .models import AuditLog, Organization
from .search import BoundedFilterSet, SearchFilter


class OrganizationFilter(BoundedFilterSet):
    q = SearchFilter(method="search", label="Search")
    category = django_filters.ChoiceFilter(choices=Organization.Category.choices)
    is_pilot = django_filters.BooleanFilter(label="Pilot", widget=forms.NullBooleanSelect)

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
    subject_type = SearchFilter(lookup_expr="icontains", label="Record type")
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
