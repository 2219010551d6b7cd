"""Writes of self-service accounts, audited (core/audit.py)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from core import audit
from organizations.models import User

from . import sessions
from .tokens import reset_tokens

PROFILE_FIELDS = ["first_name", "last_name", "position", "phone"]


def reset_link(user: User, tokens: PasswordResetTokenGenerator = reset_tokens) -> str:
    from django.conf import settings

    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = tokens.make_token(user)
    path = reverse("accounts:reset-confirm", kwargs={"uidb64": uid, "token": token})
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def send_reset(email: str) -> int:
    """E-mail a reset link to the active account with this address, if there is one (in the
    background: the request that asked learns nothing). An account that never set a password
    gets its set-your-password invitation again instead. A deactivated account gets nothing.
    Returns how many e-mails were sent (0 or 1)."""
    from django.conf import settings

    from organizations.invitations import send_invitation

    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is None:
        return 0
    if not user.has_usable_password():
        send_invitation(user)
        return 1
    minutes = settings.PASSWORD_RESET_TIMEOUT // 60
    context = {"user": user, "link": reset_link(user), "minutes": minutes}
    send_mail(
        subject="BMMS portal: reset your password",
        message=render_to_string("registration/password_reset_email.txt", context),
        from_email=None,
        recipient_list=[user.email],
    )
    return 1


@transaction.atomic
def profile_update(*, actor: Any, **data: Any) -> User:
    """A person changes their own name, position or phone."""
    user = User.objects.select_for_update().get(pk=actor.pk)
    before = audit.snapshot(user, PROFILE_FIELDS)
    for name in PROFILE_FIELDS:
        setattr(user, name, data[name])
    user.full_clean(exclude=["password", "email"])
    user.save(update_fields=[*PROFILE_FIELDS])
    audit.record_if_changed(
        actor=actor,
        action="user.profile_updated",
        subject=user,
        fields=PROFILE_FIELDS,
        before=before,
    )
    return user


@transaction.atomic
def page_size_set(*, actor: Any, size: int) -> User:
    """A person chooses how many rows every list shows (25, 50 or 100). Audited."""
    from core.listing import PAGE_SIZES

    if size not in PAGE_SIZES:
        raise ValidationError({"page_size": "Choose 25, 50 or 100 rows per page."})
    user = User.objects.select_for_update().get(pk=actor.pk)
    before = audit.snapshot(user, ["page_size"])
    user.page_size = size
    user.save(update_fields=["page_size"])
    audit.record_if_changed(
        actor=actor, action="user.page_size_set", subject=user, fields=["page_size"], before=before
    )
    return user


def password_changed(*, actor: Any, user: User, how: str, keep_key: str | None) -> int:
    """After a password change (`how`: "changed" on the profile, "reset" by a link): every other
    session of the user ends. Audited. Returns how many sessions ended."""
    ended = sessions.end_other_sessions(user, keep_key)
    audit.record(
        actor=actor if getattr(actor, "is_authenticated", False) else user,
        action=f"user.password_{how}",
        subject=user,
        after={"sessions_ended": ended},
    )
    return ended


def sign_out_elsewhere(*, actor: Any, keep_key: str | None) -> int:
    """ "Sign out everywhere else": every session of the actor but this one ends. Audited."""
    ended = sessions.end_other_sessions(actor, keep_key)
    audit.record(
        actor=actor,
        action="user.signed_out_elsewhere",
        subject=actor,
        after={"sessions_ended": ended},
    )
    return ended
