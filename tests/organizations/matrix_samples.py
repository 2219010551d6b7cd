"""Permission-matrix samples for the portal shell and the organizations app."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType

from organizations import invitations, services
from organizations.models import Department, ImportJob, Membership
from tests.factories import DepartmentFactory, UserFactory
from tests.matrix import Sample

SAMPLES: dict[str, Sample] = {
    "home": Sample(),
    "login": Sample(public=True, ok=(302,)),  # a signed-in user is sent home
    "logout": Sample(public=True, anon_ok=(405,), ok=(405,), ocm_exempt=True),  # POST only
    "healthz": Sample(public=True, ok=(200,)),
    "healthz-live": Sample(public=True, ok=(200,)),
    "organizations:switch": Sample(ok=(405,)),
    "organizations:organization-list": Sample(),
    "search": Sample(kwargs={}, ok=(200,)),
    "organizations:organization-detail": Sample(kwargs={"code": "MOH"}),
    "organizations:department-list": Sample(),
    "organizations:department-create": Sample(write=True),
    "organizations:department-edit": Sample(
        kwargs=lambda w: {"public_id": w["dept_a"].public_id}, foreign=True, write=True
    ),
    "organizations:department-delete": Sample(
        kwargs=lambda w: {"public_id": w["dept_a"].public_id}, foreign=True, write=True
    ),
    "organizations:member-list": Sample(),
    "organizations:member-edit": Sample(
        kwargs=lambda w: {"public_id": w["bob_membership"].public_id}, foreign=True, write=True
    ),
    "organizations:audit-log": Sample(),
    "organizations:audit-log-export": Sample(),
    "organizations:member-lockouts": Sample(),
    "organizations:member-unlock": Sample(
        kwargs=lambda w: {"public_id": w["bob_membership"].public_id},
        foreign=True,
        write=True,
        ok=(405,),
    ),
    "organizations:member-export": Sample(),
    "organizations:member-invite": Sample(
        kwargs=lambda w: {"public_id": w["bob_membership"].public_id},
        foreign=True,
        write=True,
        ok=(405,),
    ),
    "organizations:user-import": Sample(write=True),
    "organizations:user-import-job": Sample(
        kwargs=lambda w: {"public_id": w["import_job"].public_id}, foreign=True
    ),
    "organizations:user-import-commit": Sample(
        kwargs=lambda w: {"public_id": w["import_job"].public_id},
        foreign=True,
        write=True,
        ok=(405,),
    ),
    "organizations:invitation-list": Sample(),
    "organizations:invitation-revoke": Sample(
        kwargs=lambda w: {"public_id": w["join_invitation"].public_id}, foreign=True, write=True
    ),
    "organizations:my-invitations": Sample(),
    # Only the invited account answers: anyone else (charlie, bob, alice) gets 404.
    "organizations:invitation-accept": Sample(
        kwargs=lambda w: {"public_id": w["join_invitation"].public_id}, foreign=True, ok=(405,)
    ),
    "organizations:invitation-decline": Sample(
        kwargs=lambda w: {"public_id": w["join_invitation"].public_id}, foreign=True, ok=(405,)
    ),
    "organizations:rollout": Sample(reader="root"),
    "organizations:rollout-edit": Sample(kwargs={"code": "MOH"}, reader="root", write=True),
    # System administration (superusers only; members and OCM get 403: tests/organizations/
    # test_system.py). The switches change a module flag, not an organization's object.
    "organizations:system-overview": Sample(reader="root"),
    "organizations:module-switches": Sample(reader="root"),
    "organizations:module-switch": Sample(
        kwargs={"module": "planning", "code": "MOH", "state": "off"},
        reader="root",
        ok=(405,),
        write=True,
    ),
    "organizations:module-wave-switch": Sample(
        kwargs={"module": "planning", "wave": 1, "state": "off"}, reader="root", write=True
    ),
    "invitation-accept": Sample(
        kwargs={"uidb64": "MQ", "token": "bad-token"}, public=True, anon_ok=(200,)
    ),
}


def build_world(world: dict[str, Any], personas: dict[str, Any]) -> None:
    alice = personas["alice"]
    membership = Membership.objects.select_related("organization").get(
        user=personas["bob"], organization__code="MOH"
    )
    dept_a = Department.objects.filter(organization=membership.organization).first()
    if dept_a is None:
        dept_a = DepartmentFactory(organization=membership.organization)
    services.department_update(actor=alice, department=dept_a, head="Amina Usman")
    world["dept_a"] = dept_a
    world["bob_membership"] = membership
    world["content_type_id"] = ContentType.objects.get_for_model(Department).pk
    invitee = UserFactory(email="invitee@test.bmms")
    world["join_invitation"] = invitations.invitation_upsert(
        actor=alice, user=invitee, organization=membership.organization, role="viewer"
    )
    world["import_job"] = ImportJob.objects.create(
        created_by=alice,
        organization=membership.organization,
        filename="staff.csv",
        content="email,first_name,last_name,organization,role,department,position,phone\n",
    )
