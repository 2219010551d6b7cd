"""factory_boy factories of the planning app."""

from __future__ import annotations

from decimal import Decimal

import factory

from planning.models import AnnualWorkPlan, StrategicGoal, StrategicPlan, WorkPlanObjective
from tests.factories import OrganizationFactory


class StrategicPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StrategicPlan

    organization = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"Strategic plan {n}")
    start_year = 2025
    end_year = 2028
    vision = "Healthy and productive Bangsamoro communities."
    mission = "Deliver quality services to every barangay."


class StrategicGoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StrategicGoal

    plan = factory.SubFactory(StrategicPlanFactory)
    title = factory.Sequence(lambda n: f"Goal {n}")
    target_metric = "Coverage (%)"
    baseline_value = Decimal("40")
    target_value = Decimal("80")
    current_value = Decimal("60")


class AnnualWorkPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AnnualWorkPlan

    plan = factory.SubFactory(StrategicPlanFactory)
    year = factory.LazyAttribute(lambda o: o.plan.start_year)


class WorkPlanObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkPlanObjective

    work_plan = factory.SubFactory(AnnualWorkPlanFactory)
    goal = factory.SubFactory(StrategicGoalFactory, plan=factory.SelfAttribute("..work_plan.plan"))
    title = factory.Sequence(lambda n: f"Objective {n}")
    indicator = "Facilities reached"
    baseline_value = Decimal("0")
    target_value = Decimal("10")
    current_value = Decimal("5")
