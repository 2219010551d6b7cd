"""Helpers of the programme-cycle tests (issue 18): exercises held on a given day."""

from __future__ import annotations

import datetime

from django.utils import timezone

from bcp import services
from bcp.models import Exercise


def held_exercise(plan, editor, *, days_ago: int = 10, results=None, kind="tabletop") -> Exercise:
    """An exercise planned for today, conducted with `results`, then dated `days_ago` back
    (the services only conduct exercises whose day has come)."""
    exercise = services.exercise_schedule(
        actor=editor,
        plan=plan,
        kind=kind,
        held_on=timezone.localdate(),
        scenario="Flood in the main office",
        processes=list(results or {}),
    )
    services.exercise_conduct(
        actor=editor, exercise=exercise, results=results or {}, findings="Call tree was slow."
    )
    Exercise.objects.filter(pk=exercise.pk).update(
        held_on=timezone.localdate() - datetime.timedelta(days=days_ago)
    )
    exercise.refresh_from_db()
    return exercise
