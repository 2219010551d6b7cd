"""List filters (django-filter) of the planning app."""

from __future__ import annotations

import django_filters
from django.db.models import Q

from core.search import BoundedFilterSet, SearchFilter

from .models import StrategicPlan


class PlanFilter(BoundedFilterSet):
    q = SearchFilter(method="search", label="Search")
    status = django_filters.ChoiceFilter(choices=StrategicPlan.Status.choices)
    year = django_filters.NumberFilter(method="covers_year", label="Covers year")

    class Meta:
        model = StrategicPlan
        fields = ["q", "status", "year"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(title__icontains=value) | Q(vision__icontains=value) | Q(mission__icontains=value)
        )

    def covers_year(self, queryset, name, value):
        return queryset.filter(start_year__lte=value, end_year__gte=value)
