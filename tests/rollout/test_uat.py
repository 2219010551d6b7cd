"""UAT: testers record steps, an org admin signs off only a fully passed run, then it freezes."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from rollout import services
from rollout.models import UATResult, UATScript

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(carol, org_a):
    script = UATScript.objects.get(module="planning")
    return services.uat_run_start(actor=carol, organization=org_a, script=script)


def pass_all(run, tester):
    for step in range(len(run.script.steps)):
        services.uat_result_record(actor=tester, run=run, step=step, outcome="pass")


def test_testers_record_and_viewers_cannot(run, carol, bob):
    services.uat_result_record(actor=carol, run=run, step=0, outcome="pass")
    with pytest.raises(PermissionDenied):
        services.uat_result_record(actor=bob, run=run, step=1, outcome="pass")
    with pytest.raises(ValidationError):
        services.uat_result_record(actor=carol, run=run, step=99, outcome="pass")
    with pytest.raises(ValidationError):  # a failure needs a note
        services.uat_result_record(actor=carol, run=run, step=1, outcome="fail")
    services.uat_result_record(actor=carol, run=run, step=0, outcome="fail", notes="Crashes")
    assert list(UATResult.objects.values_list("step", "outcome")) == [(0, "fail")]


def test_sign_off_needs_every_step_passed_and_an_admin(run, carol, alice, dave):
    services.uat_result_record(actor=carol, run=run, step=0, outcome="pass")
    with pytest.raises(ValidationError, match="Steps not tested yet"):
        services.uat_sign_off(actor=alice, run=run)
    pass_all(run, carol)
    services.uat_result_record(actor=carol, run=run, step=2, outcome="fail", notes="Wrong total")
    with pytest.raises(ValidationError, match="Steps that failed: 3"):
        services.uat_sign_off(actor=alice, run=run)
    services.uat_result_record(actor=carol, run=run, step=2, outcome="pass")
    with pytest.raises(PermissionDenied):
        services.uat_sign_off(actor=dave, run=run)  # an approver is not an admin
    run = services.uat_sign_off(actor=alice, run=run)
    assert run.signed_off_by == alice
    with pytest.raises(ValidationError):  # frozen
        services.uat_result_record(actor=carol, run=run, step=0, outcome="fail", notes="late")


def test_pages_record_and_confirm_before_signing(run, carol, alice, client):
    client.force_login(carol)
    url = reverse("rollout:uat-run", kwargs={"public_id": run.public_id})
    for step in range(len(run.script.steps)):
        client.post(url, {"step": step, "outcome": "pass", "notes": ""})
    assert UATResult.objects.filter(run=run, outcome="pass").count() == len(run.script.steps)
    client.force_login(alice)
    page = client.get(url).content.decode()
    sign = reverse("rollout:uat-sign-off", kwargs={"public_id": run.public_id})
    assert sign in page
    assert "Signing off records" in client.get(sign).content.decode()
    run.refresh_from_db()
    assert run.signed_off_at is None  # the GET only asks
    client.post(sign)
    run.refresh_from_db()
    assert run.signed_off_at is not None
