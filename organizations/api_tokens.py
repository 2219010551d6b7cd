"""Personal API tokens: issuing, revoking, and bearer authentication (`BearerTokenMiddleware`).

A token acts as its user, with exactly the user's rights; only its SHA-256 is stored
(`ApiToken`), so a database leak hands out no API access. Any app's JSON API authenticates
through the same middleware, in front of the same middleware stack as the portal (current
organization, OCM read-only), so the API never re-implements either.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from core import audit

from .models import ApiToken

API_TOKEN_PREFIX = "bmms_"
#: How often `last_used_at` is written: once a minute is precise enough and spares a write per call.
LAST_USED_GRANULARITY = datetime.timedelta(minutes=1)


class TokenRefused(Exception):
    """A bearer token that does not authenticate (unknown, revoked, deactivated account)."""


def api_token_hash(token: str) -> str:
    """The stored form of a token (SHA-256 hex): tokens are random, so no salt is needed."""
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, actor: Any, user: Any, name: str) -> tuple[ApiToken, str]:
    """Issue a personal API token for `user` (themselves, or a superuser for anyone).

    Returns the row and the token in clear text, which is never stored and cannot be shown again.
    """
    if actor.pk != user.pk and not actor.is_superuser:
        raise PermissionDenied("Only a superuser can issue an API token for someone else.")
    if not user.is_active:
        raise ValidationError("This account is deactivated; it cannot have an API token.")
    token = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    api_token = ApiToken(
        user=user,
        name=name.strip(),
        token_sha256=api_token_hash(token),
        prefix=token[: len(API_TOKEN_PREFIX) + 4],
    )
    api_token.full_clean()
    api_token.save()
    audit.record(
        actor=actor,
        action="bcp.api_token.created",  # the action's name from before the move, kept
        subject=api_token,
        after={"user": user.email, "name": api_token.name, "prefix": api_token.prefix},
    )
    return api_token, token


@transaction.atomic
def api_token_revoke(*, actor: Any, api_token: ApiToken) -> ApiToken:
    """Revoke a token (its owner or a superuser); it stops working at the next request."""
    if actor.pk != api_token.user_id and not actor.is_superuser:
        raise PermissionDenied("Only the token's owner or a superuser can revoke it.")
    api_token = ApiToken.objects.select_for_update().get(pk=api_token.pk)
    if not api_token.revoked:
        api_token.revoked = True
        api_token.revoked_at = timezone.now()
        api_token.save(update_fields=["revoked", "revoked_at"])
        audit.record(
            actor=actor,
            action="bcp.api_token.revoked",
            subject=api_token,
            after={"user": api_token.user.email, "prefix": api_token.prefix},
        )
    return api_token


def authenticate(token: str) -> Any:
    """The active user a bearer token acts as; TokenRefused with the reason otherwise. Notes
    the use (at most once a minute)."""
    api_token = (
        ApiToken.objects.select_related("user")
        .filter(token_sha256=api_token_hash(token.strip()))
        .first()
    )
    if api_token is None:
        raise TokenRefused("Invalid API token.")
    if api_token.revoked:
        raise TokenRefused("This API token has been revoked.")
    if not api_token.user.is_active:
        raise TokenRefused("The account of this API token is deactivated.")
    now = timezone.now()
    if api_token.last_used_at is None or now - api_token.last_used_at > LAST_USED_GRANULARITY:
        ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
    return api_token.user
