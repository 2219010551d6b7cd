"""Permission-matrix samples for the rollout app."""

from __future__ import annotations

import datetime
import importlib
from typing import Any

from django.apps import apps as django_apps
from django.utils import timezone

from rollout import services
from rollout.models import Enrolment, UATScript
from tests.matrix import Sample
from tests.rollout.factories import PNG_BYTES, attended_enrolment, feedback, make_session


def _k(name: str):
    return lambda w: {"public_id": w[name].public_id}


SAMPLES: dict[str, Sample] = {
    # Public: the status page and the certificate check reveal nothing internal (tests/rollout).
    "status": Sample(public=True),
    "rollout:certificate-verify": Sample(public=True),
    "rollout:mine": Sample(),
    "rollout:board": Sample(reader="root"),
    "rollout:board-organization": Sample(kwargs={"code": "MOH"}, reader="root", write=True),
    "rollout:announcement-list": Sample(),
    "rollout:announcement-create": Sample(write=True),
    "rollout:announcement-edit": Sample(kwargs=_k("announcement_a"), foreign=True, write=True),
    "rollout:announcement-delete": Sample(kwargs=_k("announcement_a"), foreign=True, write=True),
    "rollout:feedback-list": Sample(),
    # Every member may report a problem, viewers too: not a "write" of the matrix.
    "rollout:feedback-create": Sample(),
    "rollout:feedback-detail": Sample(kwargs=_k("feedback_a"), foreign=True, write=True),
    "rollout:feedback-screenshot": Sample(kwargs=_k("feedback_a"), foreign=True),
    "rollout:uat-list": Sample(),
    "rollout:uat-start": Sample(kwargs={"module": "planning"}, write=True, ok=(405,)),
    "rollout:uat-run": Sample(kwargs=_k("uat_run_a"), foreign=True, write=True),
    "rollout:uat-sign-off": Sample(kwargs=_k("uat_run_a"), foreign=True, write=True),
    "rollout:training-list": Sample(),
    "rollout:training-create": Sample(reader="root", write=True),
    "rollout:training-detail": Sample(kwargs=_k("session")),
    # Self-enrolment is open to every member (viewers too).
    "rollout:training-enrol": Sample(kwargs=_k("session"), ok=(405,)),
    "rollout:training-attendance": Sample(kwargs=_k("session"), reader="root", write=True),
    "rollout:enrolment-cancel": Sample(kwargs=_k("enrolment_a"), foreign=True, write=True),
    "rollout:certificate-download": Sample(kwargs=_k("attended_a"), foreign=True, ok=(200,)),
    "rollout:help-index": Sample(),
    "rollout:help-page": Sample(kwargs={"slug": "rollout"}),
}


def build_world(world: dict[str, Any], personas: dict[str, Any]) -> None:
    alice, carol, root = personas["alice"], personas["carol"], personas["root"]
    organization = alice.memberships.get().organization
    now = timezone.now()
    world["announcement_a"] = services.announcement_create(
        actor=alice,
        title="MOH only",
        body="Hello",
        severity="info",
        audience="organization",
        wave=None,
        organization=organization,
        starts_at=now,
        ends_at=now + datetime.timedelta(days=1),
    )
    world["feedback_a"] = feedback(carol, organization, screenshot=("screen.png", PNG_BYTES))
    # The rows the rollout migration seeds (team group, waves, UAT scripts) are gone when an
    # earlier transactional test flushed the database (the browser check builds one world per
    # persona): its idempotent data step puts them back.
    seeded = importlib.import_module("rollout.migrations.0002_rollout_team_waves_uat_scripts")
    seeded.forwards(django_apps, None)
    world["uat_run_a"] = services.uat_run_start(
        actor=carol, organization=organization, script=UATScript.objects.get(module="planning")
    )
    session = make_session(root)
    world["session"] = session
    world["enrolment_a"] = services.enrolment_create(
        actor=carol, session=session, membership=carol.memberships.get()
    )
    world["attended_a"] = attended_enrolment(carol, organization, "editor", root)
    assert world["enrolment_a"].status == Enrolment.Status.ENROLLED
