"""List filters (django-filter) for the partnership list."""

from __future__ import annotations

import django_filters
from django.db.models import Q

from core.search import BoundedFilterSet, SearchFilter

from .models import Partnership


class PartnershipFilter(BoundedFilterSet):
    q = SearchFilter(method="search", label="Search")
    status = django_filters.ChoiceFilter(choices=Partnership.Status.choices)
    partnership_type = django_filters.ChoiceFilter(choices=Partnership.Type.choices, label="Type")

    class Meta:
        model = Partnership
        fields = ["q", "status", "partnership_type"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(title__icontains=value)
            | Q(objectives__icontains=value)
            | Q(organization__code__icontains=value)
        )
