"""Personal API tokens."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from organizations import audit

from ..models import ApiToken
from ._common import _save

# --- API tokens (issue 5, JSON API) --------------------------------------------------------------

API_TOKEN_PREFIX = "bmms_"


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
    _save(api_token)
    audit.record(
        actor=actor,
        action="bcp.api_token.created",
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
