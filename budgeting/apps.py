from __future__ import annotations

from django.apps import AppConfig


class BudgetingConfig(AppConfig):
    name = "budgeting"
    verbose_name = "Budgeting"
