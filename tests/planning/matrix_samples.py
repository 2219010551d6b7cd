"""Permission-matrix samples of the planning app (objects of org A = MOH)."""

from __future__ import annotations

from typing import Any

from organizations.models import Organization
from tests.matrix import Sample

from .factories import (
    AnnualWorkPlanFactory,
    StrategicGoalFactory,
    StrategicPlanFactory,
    WorkPlanObjectiveFactory,
)


def _id(name: str):
    return lambda w: {"public_id": w[name].public_id}


SAMPLES: dict[str, Sample] = {
    "planning:plan-list": Sample(),
    "planning:plan-export": Sample(),
    "planning:plan-create": Sample(write=True),
    "planning:plan-detail": Sample(kwargs=_id("plan"), foreign=True),
    "planning:plan-edit": Sample(kwargs=_id("plan"), foreign=True, write=True),
    "planning:plan-transition": Sample(
        kwargs=lambda w: {"public_id": w["plan"].public_id, "action": "approve"},
        foreign=True,
        write=True,
    ),
    "planning:goal-create": Sample(kwargs=_id("plan"), foreign=True, write=True),
    "planning:goal-row": Sample(kwargs=_id("goal"), foreign=True, ok=(302,)),
    "planning:goal-edit": Sample(kwargs=_id("goal"), foreign=True, write=True),
    "planning:goal-delete": Sample(kwargs=_id("goal"), foreign=True, write=True),
    "planning:work-plan-create": Sample(kwargs=_id("plan"), foreign=True, write=True),
    "planning:work-plan-detail": Sample(kwargs=_id("work_plan"), foreign=True),
    "planning:objective-create": Sample(kwargs=_id("work_plan"), foreign=True, write=True),
    "planning:objective-row": Sample(kwargs=_id("objective"), foreign=True, ok=(302,)),
    "planning:objective-edit": Sample(kwargs=_id("objective"), foreign=True, write=True),
    "planning:objective-delete": Sample(kwargs=_id("objective"), foreign=True, write=True),
}


def build_world(world: dict[str, Any], personas: dict[str, Any]) -> None:
    moh = Organization.objects.get(code="MOH")
    plan = StrategicPlanFactory(organization=moh, created_by=personas["carol"])
    world["plan"] = plan
    world["goal"] = StrategicGoalFactory(plan=plan)
    world["work_plan"] = AnnualWorkPlanFactory(plan=plan, year=2026)
    world["objective"] = WorkPlanObjectiveFactory(work_plan=world["work_plan"], goal=world["goal"])
