"""Integrity rules that live in the database."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from core.tenancy import Role
from organizations import services
from organizations.models import AuditLog, Membership, User
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_one_primary_membership_per_user(org_a, org_b):
    user = UserFactory()
    MembershipFactory(user=user, organization=org_a, is_primary=True)
    with (
        pytest.raises(IntegrityError, match="membership_one_primary_per_user"),
        transaction.atomic(),
    ):
        MembershipFactory(user=user, organization=org_b, is_primary=True)
    MembershipFactory(user=user, organization=org_b, is_primary=False)
    assert Membership.objects.filter(user=user).count() == 2


def test_one_membership_per_user_and_organization(org_a):
    user = UserFactory()
    MembershipFactory(user=user, organization=org_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipFactory(user=user, organization=org_a, is_primary=False, role=Role.EDITOR)


def test_email_is_unique_whatever_its_case_and_login_ignores_case(client):
    UserFactory(email="Amina.Usman@Example.gov.ph")
    assert User.objects.filter(email="amina.usman@example.gov.ph").exists()
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.bulk_create([User(email="AMINA.USMAN@example.gov.ph")])
    response = client.post(
        "/accounts/login/", {"username": "AMINA.usman@EXAMPLE.gov.ph", "password": "pass-word-123"}
    )
    assert response.status_code == 302 and "_auth_user_id" in client.session


def test_the_database_refuses_to_change_or_delete_audit_entries(alice, dept_a):
    services.department_update(actor=alice, department=dept_a, head="New Head")
    entry = AuditLog.objects.get(action="department.updated")
    with pytest.raises(DatabaseError, match="Cannot update or delete rows"), transaction.atomic():
        AuditLog.objects.filter(pk=entry.pk).update(action="tampered")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditLog.objects.filter(pk=entry.pk).delete()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM organizations_auditlog")
    entry.refresh_from_db()
    assert entry.action == "department.updated"


def test_audit_entries_survive_deleting_their_subject_and_their_actor(alice, dept_a):
    services.department_delete(actor=alice, department=dept_a)
    alice_id = alice.pk
    Membership.objects.filter(user=alice).delete()
    alice.delete()
    entry = AuditLog.objects.get(action="department.deleted")
    assert entry.subject_repr == "Finance"
    assert entry.actor_id == alice_id and entry.actor_email == "alice@test.bmms"
    assert entry.before["name"] == "Finance"
