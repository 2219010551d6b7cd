"""Helpers to build rollout objects in tests."""

from __future__ import annotations

import datetime

from django.utils import timezone

from rollout import services
from rollout.models import Certificate, Enrolment, TrainingSession

PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40


def make_session(trainer, *, days=3, capacity=10, role="", title="Planning basics"):
    start = timezone.now() + datetime.timedelta(days=days)
    return TrainingSession.objects.create(
        title=title,
        module="planning",
        audience_role=role,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=3),
        venue="DAB Training Hall",
        capacity=capacity,
        trainer=trainer,
    )


def attended_enrolment(user, organization, role, trainer) -> Enrolment:
    """A place in a session already held, attended, with its certificate."""
    session = make_session(trainer, days=-2, title="Held session")
    enrolment = Enrolment.objects.create(
        session=session, user=user, organization=organization, role=role, attended=True
    )
    Certificate.objects.create(enrolment=enrolment)
    return enrolment


def feedback(user, organization, **kwargs):
    options = {"kind": "problem", "summary": "The save button does nothing", "page_url": "/"}
    options.update(kwargs)
    return services.feedback_create(actor=user, organization=organization, **options)
