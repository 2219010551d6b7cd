"""Invitation links: one-time, expiring links with which a new user sets their own password.

They are Django's password-reset tokens: a token stops working once the password is set (the
token hashes the password) and after PASSWORD_RESET_TIMEOUT. Only user ids travel through Celery.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .models import User


def invitation_link(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("invitation-accept", kwargs={"uidb64": uid, "token": token})
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def send_invitation(user: User) -> None:
    """E-mail one invitation and remember when it was sent."""
    days = settings.PASSWORD_RESET_TIMEOUT // (24 * 60 * 60)
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
