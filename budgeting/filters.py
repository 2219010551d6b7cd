"""List filters (django-filter) of the budgeting app."""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, Q

from core.search import BoundedFilterSet, SearchFilter

from .models import BudgetProposal, ProgramBudget


class ProposalFilter(BoundedFilterSet):
    q = SearchFilter(method="search", label="Search")
    status = django_filters.ChoiceFilter(choices=BudgetProposal.Status.choices)
    fiscal_year = django_filters.NumberFilter(label="Fiscal year")

    class Meta:
        model = BudgetProposal
        fields = ["q", "status", "fiscal_year"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(title__icontains=value)
            | Q(notes__icontains=value)
            | Q(
                Exists(ProgramBudget.objects.filter(proposal=OuterRef("pk"), name__icontains=value))
            )
        )
