"""The demo: a rollout in progress (pilots live, wave 2 in UAT with training half done)."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from organizations.models import Organization
from rollout.demo import WAVE_2, WAVE_2_AHEAD
from rollout.models import Announcement, Certificate, Enrolment
from rollout.readiness import checklists

pytestmark = pytest.mark.django_db


def test_demo_rollout_in_progress():
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    orgs = {o.code: o for o in Organization.objects.all()}
    assert {orgs[c].onboarding_status for c in ("MOH", "MOLE", "MAFAR")} == {"live"}
    assert {orgs[c].onboarding_status for c in WAVE_2} == {"uat"}
    lists = checklists([orgs[c] for c in WAVE_2])
    for code in WAVE_2:
        done = {i.key: i.ok for i in lists[orgs[code].pk].items}
        ahead = code in WAVE_2_AHEAD
        assert (done["training"], done["uat"]) == (ahead, ahead), code
        assert done["members"] and done["admins"] and done["departments"], code
    assert Certificate.objects.count() == Enrolment.objects.filter(attended=True).count() > 0
    assert Enrolment.objects.filter(status="waitlisted").exists()
    assert Announcement.objects.filter(severity="maintenance").exists()
    before = (Enrolment.objects.count(), Announcement.objects.count())
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert (Enrolment.objects.count(), Announcement.objects.count()) == before
