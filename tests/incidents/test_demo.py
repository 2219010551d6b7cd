"""Demo data: one closed incident with its review, one exercise run as a simulated incident."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.management import call_command

from bcp.models import Exercise
from incidents.models import AfterActionReview, Incident, Notification

pytestmark = pytest.mark.django_db


def test_seed_demo_adds_a_closed_incident_and_an_exercise_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    real = Incident.objects.get(is_exercise=False)
    drill = Incident.objects.get(is_exercise=True)
    assert real.status == drill.status == "closed"
    review = AfterActionReview.objects.get(incident=real)
    assert review.actions.count() == 2
    assert real.call_tree_entries.filter(status="acknowledged").exists()
    assert real.log_entries.filter(kind="escalation").exists()
    assert drill.activations.get().exercise in Exercise.objects.all()
    assert mail.outbox == []  # demo addresses are never written to
    assert not Notification.objects.exclude(state="sent").exists()
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Incident.objects.count() == 2
