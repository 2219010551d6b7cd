"""Invitations, of two kinds.

* Set-your-password links for new accounts: one-time, expiring links with which a new user sets
  their own password. They are Django's password-reset tokens (`accounts.tokens.invitation_tokens`):
  a token stops working once the password is set (the token hashes the password), after
  INVITATION_TIMEOUT, and when the account is deactivated. Only user ids travel through Celery.
* Invitations to join an organization, for existing accounts (below): the account holder
  accepts or declines them, signed in.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

import notifications
from accounts.tokens import invitation_tokens
from core import audit
from core.policies.base import is_read_only
from core.tenancy import forget_tenancy, require

from .models import JoinInvitation, Membership, User


def invitation_link(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = invitation_tokens.make_token(user)
    path = reverse("invitation-accept", kwargs={"uidb64": uid, "token": token})
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def send_invitation(user: User) -> None:
    """E-mail one invitation and remember when it was sent."""
    days = settings.INVITATION_TIMEOUT // (24 * 60 * 60)
    context = {"user": user, "link": invitation_link(user), "days": days}
    send_mail(
        subject="Your BMMS portal account: set your password",
        message=render_to_string("registration/invitation_email.txt", context),
        from_email=None,
        recipient_list=[user.email],
    )
    User.objects.filter(pk=user.pk).update(invited_at=timezone.now())


def send_invitations(user_ids: list[int]) -> int:
    """Invite every listed user who has not set a password yet; returns how many were sent."""
    sent = 0
    for user in User.objects.filter(pk__in=user_ids, is_active=True).order_by("pk"):
        if user.has_usable_password():
            continue
        send_invitation(user)
        sent += 1
    return sent


# --- invitations to join an organization (existing accounts) -----------------------------------
#
# The rule: an organization administrator attaches directly only accounts that are new (created
# by the import) or already members of that organization. Any other existing account (another
# organization's member, an OCM user, a system administrator, a deactivated account) is invited,
# and joins only if its holder accepts, signed in. Whatever the account, the administrator is
# told the same thing ("an invitation will be sent"), so an import reveals nothing about who has
# an account. System administrators and deactivated accounts are never told and can never
# accept: a superuser is made a member only by another superuser, in the admin.


class InvitationRefused(Exception):
    """An invitation that cannot be answered; the message is for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


NOT_OPEN = "This invitation is no longer open."


def invitation_expiry():
    return timezone.now() + timedelta(seconds=settings.INVITATION_TIMEOUT)


def may_be_told(user: User) -> bool:
    """Whether an account is shown and e-mailed its invitations (see the rule above)."""
    return user.is_active and not user.is_superuser


def refusal(user: User) -> str | None:
    """Why this account may not join an organization by invitation (None: it may)."""
    if not user.is_active or user.is_superuser:
        return NOT_OPEN
    if is_read_only(user):
        return (
            "Your OCM access is read-only and cannot be combined with a membership. "
            "A system administrator can grant both, in the administration."
        )
    return None


def invitations_of(user: User):
    """Every invitation addressed to this account that it may see (any status)."""
    if not may_be_told(user):
        return JoinInvitation.objects.none()
    return JoinInvitation.objects.filter(user=user).select_related("organization", "department")


def pending_for(user: User):
    """The account's open invitations, newest first."""
    return invitations_of(user).filter(
        status=JoinInvitation.Status.PENDING, expires_at__gt=timezone.now()
    )


def invitation_upsert(
    *,
    actor: Any,
    user: User,
    organization: Any,
    role: str,
    department: Any = None,
    position: str = "",
    email: str = "",
    pending: JoinInvitation | None = None,
) -> JoinInvitation:
    """Create the pending invitation of `user` to `organization`, or refresh the pending one
    (role, department, position, a new expiry). Audited. The caller checks the actor's rights
    (the import does, row by row) and runs inside a transaction."""
    if pending is None:
        invitation = JoinInvitation(user=user, organization=organization)
        action = "invitation.created"
    else:
        invitation = pending
        action = "invitation.updated"
    invitation.email = email or user.email
    invitation.role = role
    invitation.department = department
    invitation.position = position
    invitation.invited_by = actor if getattr(actor, "is_authenticated", False) else None
    invitation.expires_at = invitation_expiry()
    invitation.full_clean(validate_unique=False, validate_constraints=False)
    invitation.save()
    audit.record(
        actor=actor,
        action=action,
        subject=invitation,
        organization=organization,
        after=audit.snapshot(invitation, ["email", "role", "department_id", "position"]),
    )
    return invitation


def _open_invitation(actor: Any, invitation: JoinInvitation) -> JoinInvitation:
    invitation = (
        JoinInvitation.objects.select_for_update()
        .select_related("organization")
        .get(pk=invitation.pk)
    )
    if (
        invitation.user_id != actor.pk
        or invitation.status != JoinInvitation.Status.PENDING
        or invitation.expires_at <= timezone.now()
        or not invitation.organization.is_active
    ):
        raise InvitationRefused(NOT_OPEN)
    return invitation


@transaction.atomic
def invitation_accept(*, actor: Any, invitation: JoinInvitation) -> Membership:
    """The invited account holder joins: the membership is created with the invitation's role."""
    reason = refusal(actor)
    if reason:
        raise InvitationRefused(reason)
    invitation = _open_invitation(actor, invitation)
    membership = Membership.objects.filter(user=actor, organization=invitation.organization).first()
    if membership is None:
        has_primary = Membership.objects.filter(user=actor, is_primary=True).exists()
        membership = Membership(
            user=actor,
            organization=invitation.organization,
            role=invitation.role,
            department=invitation.department,
            position=invitation.position,
            is_primary=not has_primary,
        )
        membership.full_clean(validate_constraints=False)
        membership.save()
    invitation.status = JoinInvitation.Status.ACCEPTED
    invitation.responded_at = timezone.now()
    invitation.save(update_fields=["status", "responded_at"])
    audit.record(
        actor=actor,
        action="invitation.accepted",
        subject=invitation,
        organization=invitation.organization,
        after=audit.snapshot(membership, ["role", "department_id", "position", "is_primary"]),
    )
    forget_tenancy(actor)
    notifications.emit("onboarding.invitation_accepted", invitation, actor=actor)
    return membership


@transaction.atomic
def invitation_decline(*, actor: Any, invitation: JoinInvitation) -> JoinInvitation:
    """The invited account holder says no; nothing else changes."""
    invitation = _open_invitation(actor, invitation)
    invitation.status = JoinInvitation.Status.DECLINED
    invitation.responded_at = timezone.now()
    invitation.save(update_fields=["status", "responded_at"])
    audit.record(
        actor=actor,
        action="invitation.declined",
        subject=invitation,
        organization=invitation.organization,
    )
    return invitation


@transaction.atomic
def invitation_revoke(*, actor: Any, invitation: JoinInvitation) -> JoinInvitation:
    """The organization's administrator withdraws a pending invitation."""
    require(actor, invitation.organization_id, "admin")
    invitation = (
        JoinInvitation.objects.select_for_update()
        .select_related("organization")
        .get(pk=invitation.pk)
    )
    if invitation.status != JoinInvitation.Status.PENDING:
        raise InvitationRefused(NOT_OPEN)
    invitation.status = JoinInvitation.Status.REVOKED
    invitation.responded_at = timezone.now()
    invitation.save(update_fields=["status", "responded_at"])
    audit.record(
        actor=actor,
        action="invitation.revoked",
        subject=invitation,
        organization=invitation.organization,
    )
    return invitation


def join_invitations_link() -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + reverse("organizations:my-invitations")


def send_join_invitations(invitation_ids: list[int]) -> int:
    """E-mail each listed invitation that is still pending to an account that may be told."""
    sent = 0
    link = join_invitations_link()
    invitations = (
        JoinInvitation.objects.filter(pk__in=invitation_ids, status=JoinInvitation.Status.PENDING)
        .select_related("user", "organization", "department")
        .order_by("pk")
    )
    for invitation in invitations:
        if not may_be_told(invitation.user):
            continue
        context = {"invitation": invitation, "user": invitation.user, "link": link}
        send_mail(
            subject=f"Invitation to join {invitation.organization.name} on the BMMS portal",
            message=render_to_string("registration/join_invitation_email.txt", context),
            from_email=None,
            recipient_list=[invitation.user.email],
        )
        sent += 1
    return sent
