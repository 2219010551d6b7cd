"""Organization administrators manage their people without a CSV: add one
member, change role and department (services.membership_update), deactivate, reactivate.

Who may do what to whom is the policy layer's (core/policies/: `member_refusal`,
`role_refusal`, `last_admin_problem`); every write here is atomic and audited.

Deactivating removes the *membership* and keeps a `FormerMembership` to reactivate it as it
was. The *account* is deactivated too only when that membership was the person's last access
to the portal: no other membership, no OCM access, no staff or superuser flag. So a person who
also works in another organization, or reads everything as OCM staff, keeps that, and an org
admin never switches off an account that is not wholly theirs. Either way every session of the
person ends at once. Nothing they wrote or decided is touched: documents point at the user.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.sessions import end_all_sessions
from core import audit, outbox
from core.policies import (
    MemberRefused,
    last_admin_problem,
    member_refusal,
    require_may_manage_member,
    role_refusal,
    roles_allowing,
)
from core.tenancy import Role, forget_tenancy, require

from . import invitations, tasks
from .models import Department, FormerMembership, Membership, OCMAccess, Organization, User

MEMBER_FIELDS = ["role", "department_id", "position", "is_primary"]


def locked_admin_ids(organization_id: int) -> list[int]:
    """The organization's administrator memberships, locked in id order (one lock order for
    every caller), so the last-administrator rule holds under concurrent changes."""
    return list(
        Membership.objects.select_for_update()
        .filter(organization_id=organization_id, role__in=roles_allowing("admin"))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


@dataclass
class Added:
    """What happened to an added address. The administrator is told the same in both cases:
    "an invitation was sent" (see organizations/invitations.py)."""

    email: str
    membership: Membership | None = None  # a new account, member at once
    invitation: Any = None  # someone else's account: an invitation to join


@transaction.atomic
def member_add(
    *,
    actor: Any,
    organization: Organization,
    email: str,
    first_name: str = "",
    last_name: str = "",
    role: str = Role.VIEWER,
    department: Department | None = None,
    position: str = "",
) -> Added:
    """Add one person. A new address becomes an account (no password: the invitation e-mail
    lets them set it) and a membership; an existing account of someone else is never attached:
    it gets an invitation to join, which its holder accepts or declines."""
    require(actor, organization.pk, "admin")
    reason = role_refusal(actor, organization.pk, role)
    if reason:
        raise ValidationError({"role": reason})
    if department is not None and department.organization_id != organization.pk:
        raise ValidationError({"department": "Choose a department of this organization."})
    email = email.strip().lower()
    user = User.objects.select_for_update().filter(email__iexact=email).first()
    if user is not None:
        if Membership.objects.filter(user=user, organization=organization).exists():
            raise ValidationError({"email": f"{email} is already a member of this organization."})
        if FormerMembership.objects.filter(user=user, organization=organization).exists():
            raise ValidationError(
                {
                    "email": f"{email} was a member and is deactivated: reactivate them from "
                    "the list of deactivated members."
                }
            )
        pending = (
            invitations.JoinInvitation.objects.select_for_update()
            .filter(user=user, organization=organization, status="pending")
            .first()
        )
        invitation = invitations.invitation_upsert(
            actor=actor,
            user=user,
            organization=organization,
            role=role,
            department=department,
            position=position,
            email=email,
            pending=pending,
        )
        outbox.enqueue(tasks.send_join_invitations, [invitation.pk])
        return Added(email=email, invitation=invitation)
    user = User(email=email, first_name=first_name, last_name=last_name, position=position)
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    membership = Membership(
        user=user,
        organization=organization,
        role=role,
        department=department,
        position=position,
        is_primary=True,
    )
    membership.full_clean()
    membership.save()
    audit.record(
        actor=actor,
        action="member.added",
        subject=membership,
        after={"email": email, **audit.snapshot(membership, MEMBER_FIELDS)},
    )
    outbox.enqueue(tasks.send_invitations, [user.pk])
    return Added(email=email, membership=membership)


def _keeps_other_access(user: User) -> bool:
    return (
        user.is_staff
        or user.is_superuser
        or Membership.objects.filter(user=user).exists()
        or OCMAccess.objects.filter(user=user).exists()
    )


@transaction.atomic
def member_deactivate(*, actor: Any, membership: Membership) -> FormerMembership:
    """Deactivate a member (see the module's docstring for what that means). Refused for the
    organization's last administrator, system administrators and OCM users."""
    require_may_manage_member(actor, membership.user, membership.organization_id)
    admins = locked_admin_ids(membership.organization_id)
    membership = (
        Membership.objects.select_for_update()
        .select_related("user", "organization")
        .get(pk=membership.pk)
    )
    problem = last_admin_problem(actor, membership, admins=admins)
    if problem:
        raise MemberRefused(problem)
    user = User.objects.select_for_update().get(pk=membership.user_id)
    before = audit.snapshot(membership, MEMBER_FIELDS)
    former = FormerMembership(
        public_id=membership.public_id,
        organization=membership.organization,
        user=user,
        role=membership.role,
        department=membership.department,
        position=membership.position,
        was_primary=membership.is_primary,
        member_since=membership.created_at,
        deactivated_by=actor,
    )
    membership.delete()
    if membership.is_primary:
        # Another membership becomes the primary one (the oldest).
        other = Membership.objects.filter(user=user).order_by("created_at", "pk").first()
        if other is not None:
            other.is_primary = True
            other.save(update_fields=["is_primary", "updated_at"])
    ended = end_all_sessions(user)
    if user.is_active and not _keeps_other_access(user):
        user.is_active = False
        user.save(update_fields=["is_active"])
        former.account_deactivated = True
    former.save()
    audit.record(
        actor=actor,
        action="member.deactivated",
        subject=former,
        before=before,
        after={"account_deactivated": former.account_deactivated, "sessions_ended": ended},
    )
    forget_tenancy(actor)
    return former


ACCOUNT_OFF_ELSEWHERE = (
    "This person's account was deactivated by a system administrator; only they can reactivate it."
)


@transaction.atomic
def member_reactivate(*, actor: Any, former: FormerMembership) -> Membership:
    """Give a deactivated member their membership back, as it was (role, department,
    position), and their account if this organization's deactivation had switched it off."""
    former = (
        FormerMembership.objects.select_for_update()
        .select_related("user", "organization")
        .get(pk=former.pk)
    )
    user = User.objects.select_for_update().get(pk=former.user_id)
    require_may_manage_member(actor, user, former.organization_id)
    reason = role_refusal(actor, former.organization_id, former.role)
    if reason:
        raise MemberRefused(reason)
    if not user.is_active:
        if not former.account_deactivated:
            raise MemberRefused(ACCOUNT_OFF_ELSEWHERE)
        user.is_active = True
        user.save(update_fields=["is_active"])
    has_primary = Membership.objects.filter(user=user, is_primary=True).exists()
    membership = Membership(
        public_id=former.public_id,
        user=user,
        organization=former.organization,
        role=former.role,
        department=former.department,
        position=former.position,
        is_primary=not has_primary,
    )
    membership.full_clean(validate_constraints=False)
    former.delete()
    membership.save()
    audit.record(
        actor=actor,
        action="member.reactivated",
        subject=membership,
        after={
            **audit.snapshot(membership, MEMBER_FIELDS),
            "account_reactivated": former.account_deactivated,
        },
    )
    return membership


def refusal_for(actor: Any, user: Any) -> str | None:
    """For pages (re-exported so views need not know the policy module)."""
    return member_refusal(actor, user)
