"""The go-live checklist and the scheduler: idempotent, all or nothing, the team told once."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from waffle.models import Flag

from core.modules import modules_for_organization
from organizations.models import AuditLog, ModuleFlagScope, Organization
from rollout import golive, services, tasks
from rollout.models import Enrolment, GoLiveAttempt, UATScript, Wave
from rollout.readiness import checklist
from tests.factories import MembershipFactory, UserFactory
from tests.rollout.factories import make_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def wave2(org_a):
    """MOH in wave 2 (planning only), due today, its module switched off until go-live."""
    Wave.objects.filter(number=2).update(modules=["planning"])
    Flag.objects.filter(name="module.planning").update(everyone=None)
    ModuleFlagScope.objects.get_or_create(flag=Flag.objects.get(name="module.planning"))
    Organization.objects.filter(pk=org_a.pk).update(
        rollout_wave=2, onboarding_status="uat", go_live_date=timezone.localdate()
    )
    org_a.refresh_from_db()
    return org_a


def make_ready(org, alice, carol, dave, root):
    for _ in range(9):  # staff who set their passwords
        MembershipFactory(organization=org, user=UserFactory())
    session = make_session(root, days=-1)
    for user, role in ((alice, "org_admin"), (carol, "editor"), (dave, "approver")):
        Enrolment.objects.create(
            session=session, user=user, organization=org, role=role, attended=True
        )
    run = services.uat_run_start(
        actor=carol, organization=org, script=UATScript.objects.get(module="planning")
    )
    for step in range(len(run.script.steps)):
        services.uat_result_record(actor=carol, run=run, step=step, outcome="pass")
    services.uat_sign_off(actor=alice, run=run)


def items(org):
    return {i.key: i.ok for i in checklist(org).items}


def test_each_item_is_computed_from_the_data(wave2, alice, carol, dave, root):
    assert items(wave2) == {
        "admins": True,
        "members": True,  # alice, carol, dave: all activated (plus the fixtures' staff)
        "departments": True,
        "training": False,
        "uat": False,
        "modules": True,
        "date": True,
    }
    for _ in range(3):  # invited, not activated: 3 of 6 is under 80 %
        user = UserFactory()
        user.set_unusable_password()
        user.save()
        MembershipFactory(organization=wave2, user=user)
    assert items(wave2)["members"] is False
    make_ready(wave2, alice, carol, dave, root)
    assert all(items(wave2).values())
    Flag.objects.filter(name="module.planning").delete()
    assert items(wave2)["modules"] is False


def test_due_and_ready_goes_live_once(wave2, alice, carol, dave, root):
    make_ready(wave2, alice, carol, dave, root)
    assert "planning" not in modules_for_organization(wave2)
    assert golive.run_due() == {"live": 1, "blocked": 0}
    wave2.refresh_from_db()
    assert wave2.onboarding_status == "live"
    assert "planning" in modules_for_organization(wave2)
    assert golive.run_due() == {"live": 0, "blocked": 0}  # a second run changes nothing
    assert tasks.run_go_live() == {"live": 0, "blocked": 0}
    assert GoLiveAttempt.objects.filter(outcome="live").count() == 1
    assert AuditLog.objects.filter(action="rollout.went_live").count() == 1


def test_blocked_switches_nothing_and_tells_the_team_once(
    wave2, root, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert golive.run_due() == {"blocked": 1, "live": 0}
    with django_capture_on_commit_callbacks(execute=True):
        golive.run_due()  # still blocked: no second e-mail
    wave2.refresh_from_db()
    assert wave2.onboarding_status == "uat"
    assert "planning" not in modules_for_organization(wave2)
    attempt = GoLiveAttempt.objects.get()
    assert attempt.outcome == "blocked" and attempt.notified_at is not None
    assert any("Training attended by each key role" in i for i in attempt.blocking_items)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [root.email]
    assert mail.outbox[0].subject == "[BMMS] Go-live blocked"
    assert f"The go-live of {wave2.code} on " in mail.outbox[0].body
    assert f"/rollout/board/{wave2.code}/" in mail.outbox[0].body  # the items are on the board


def test_a_blocked_go_live_is_told_to_the_rollout_team_only(
    wave2, root, alice, django_capture_on_commit_callbacks
):
    from django.contrib.auth.models import Group

    from rollout.policy import ROLLOUT_TEAM_GROUP
    from tests.notifications.conftest import told

    team = UserFactory(email="team@test.bmms")
    team.groups.add(Group.objects.get(name=ROLLOUT_TEAM_GROUP))
    gone = UserFactory(email="gone@test.bmms", is_active=False)
    gone.groups.add(Group.objects.get(name=ROLLOUT_TEAM_GROUP))
    with django_capture_on_commit_callbacks(execute=True):
        golive.run_due()
    # Not alice, MOH's own admin, nor a deactivated team member.
    assert told("rollout.go_live_blocked") == ["root@test.bmms", "team@test.bmms"]
    assert sorted(m.to[0] for m in mail.outbox) == ["root@test.bmms", "team@test.bmms"]


def test_blocked_then_fixed_goes_live_on_the_next_run(wave2, alice, carol, dave, root):
    golive.run_due()
    make_ready(wave2, alice, carol, dave, root)
    assert golive.run_due() == {"live": 1, "blocked": 0}
    assert GoLiveAttempt.objects.get().outcome == "live"


def test_a_failure_half_way_switches_nothing(wave2, alice, carol, dave, root, monkeypatch):
    make_ready(wave2, alice, carol, dave, root)
    original = Organization.save

    def fail_on_status(self, *args, **kwargs):
        if self.onboarding_status == "live":
            raise RuntimeError("database went away")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Organization, "save", fail_on_status)
    with pytest.raises(RuntimeError):
        golive.go_live(wave2.pk)
    monkeypatch.undo()
    wave2.refresh_from_db()
    assert wave2.onboarding_status == "uat"
    assert not ModuleFlagScope.objects.get(
        flag__name="module.planning"
    ).organizations.exists()  # the switch rolled back
    assert not GoLiveAttempt.objects.exists()


def test_not_due_yet_is_left_alone(wave2, alice, carol, dave, root):
    make_ready(wave2, alice, carol, dave, root)
    Organization.objects.filter(pk=wave2.pk).update(
        go_live_date=timezone.localdate() + datetime.timedelta(days=1)
    )
    assert golive.run_due() == {"live": 0, "blocked": 0}


def test_board_read_only_for_the_ocm(wave2, olga, root, bob, client, django_assert_max_num_queries):
    client.force_login(olga)
    page = client.get(reverse("rollout:board")).content.decode()
    assert "MOH" in page and "Read-only" in page
    url = reverse("rollout:board-organization", kwargs={"code": "MOH"})
    assert "Run the go-live check now" not in client.get(url).content.decode()
    assert client.post(url).status_code == 403
    client.force_login(bob)
    assert client.get(reverse("rollout:board")).status_code == 403
    client.force_login(root)
    client.get(reverse("rollout:board"))
    with django_assert_max_num_queries(16):  # grouped queries, not one set per organization
        assert client.get(reverse("rollout:board")).status_code == 200
