"""Work plan objectives are due inside their work plan's year."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from planning import services

from .factories import AnnualWorkPlanFactory, StrategicGoalFactory

pytestmark = pytest.mark.django_db


def test_an_objective_is_due_inside_its_work_plans_year(org_a, carol):
    work_plan = AnnualWorkPlanFactory(plan__organization=org_a, year=2026)
    goal = StrategicGoalFactory(plan=work_plan.plan)
    data = {"goal": goal, "title": "Train midwives", "indicator": "Midwives", "target_value": 10}
    with pytest.raises(ValidationError) as caught:
        services.objective_create(
            actor=carol, work_plan=work_plan, target_date=datetime.date(2027, 1, 15), **data
        )
    assert caught.value.message_dict["target_date"] == [
        "This is the 2026 work plan: the target date must be in 2026 (1 Jan – 31 Dec), "
        "not 15 Jan 2027."
    ]
    objective = services.objective_create(
        actor=carol, work_plan=work_plan, target_date=datetime.date(2026, 12, 31), **data
    )
    with pytest.raises(ValidationError, match="must be in 2026"):
        services.objective_update(
            actor=carol, objective=objective, target_date=datetime.date(2025, 12, 31)
        )
