"""Plan list filters (django-filter): status, department, overdue review, search."""

from __future__ import annotations

import django_filters

from core.search import BoundedFilterSet, SearchFilter
from organizations.filters import yes_no_any
from organizations.models import Department

from .models import Plan
from .selectors import overdue_q


class PlanFilter(BoundedFilterSet):
    q = SearchFilter(field_name="title", lookup_expr="icontains", label="Search")
    status = django_filters.ChoiceFilter(choices=Plan.Status.choices)
    department = django_filters.ModelChoiceFilter(
        queryset=Department.objects.none(), to_field_name="public_id", empty_label="All departments"
    )
    overdue = django_filters.BooleanFilter(
        method="filter_overdue",
        label="Review overdue",
        widget=yes_no_any("Overdue or not", "Overdue only", "Not overdue"),
    )

    class Meta:
        model = Plan
        fields = ["q", "status", "department", "overdue"]

    def __init__(self, *args, organization=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["department"].queryset = Department.objects.for_organization(organization)

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(overdue_q()) if value else queryset.exclude(overdue_q())
