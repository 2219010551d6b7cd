"""Sign-in lockouts (django-axes): who is locked out, the message they see, and unlocking.

* A username *and* client address pair is paused after `AXES_FAILURE_LIMIT` failures (5): an
  attacker elsewhere locks out only themself. The client address is `core.client`'s.
* One username from every address together is paused after `AXES_ACCOUNT_FAILURE_LIMIT`
  failures (100): a massive attack spread over many addresses is still throttled.
* Both count failures within `AXES_COOLOFF_TIME` (15 minutes), and the pause lasts as long.
* Usernames are compared as e-mail addresses are stored (trimmed, lower case), so varying the
  case of an address does not buy more attempts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db import transaction
from django.db.models import Max, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from organizations.models import Membership

from . import audit
from .tenancy import require

LOCKED_MESSAGE = "Too many failed sign-ins. Try again in {wait}."


def username_of(request: HttpRequest, credentials: dict | None = None) -> str:
    """The e-mail address tried, as accounts store it (AXES_USERNAME_CALLABLE)."""
    field = settings.AXES_USERNAME_FORM_FIELD
    source = credentials if credentials else getattr(request, "POST", {})
    value = source.get(field) or source.get("email") or ""
    return str(value).strip().lower()


class LockoutHandler(AxesDatabaseHandler):
    """axes' database handler plus the per-account limit.

    axes compares one failure count with one limit; the count returned here is the per-pair
    count, or the account-wide count scaled to the same limit when that is higher, so the pair
    is paused at `AXES_FAILURE_LIMIT` and the account at `AXES_ACCOUNT_FAILURE_LIMIT`."""

    def get_failures(self, request, credentials: dict | None = None) -> int:
        pair = super().get_failures(request, credentials)
        username = get_client_username(request, credentials)
        if not username:
            return pair
        attempts = AccessAttempt.objects.filter(username=username)
        if settings.AXES_COOLOFF_TIME is not None:
            attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
        total = attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
        limit = get_failure_limit(request, credentials)
        account_limit = max(settings.AXES_ACCOUNT_FAILURE_LIMIT, limit)
        return max(pair, total * limit // account_limit)


def wait_in_words(delta: timedelta | None) -> str:
    """ "15 minutes", "1 hour", "1 hour 30 minutes" (never an ISO 8601 duration)."""
    if delta is None:
        return "a few minutes"
    minutes = max(1, round(delta.total_seconds() / 60))
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if minutes:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return " ".join(parts)


def lockout_message(request: HttpRequest | None = None) -> str:
    return LOCKED_MESSAGE.format(wait=wait_in_words(get_cool_off(request)))


def lockout_response(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """The page a paused sign-in gets (AXES_LOCKOUT_CALLABLE): 429, in plain words."""
    return render(
        request,
        "registration/locked_out.html",
        {"message": lockout_message(request)},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )


# --- organization administrators: their members' lockouts -------------------------------------


@dataclass
class Lockout:
    membership: Membership
    failures: int
    addresses: list[str]
    last_failure: datetime
    locked: bool

    @property
    def until(self) -> datetime:
        return self.last_failure + (get_cool_off() or timedelta())


def lockouts_for(user: Any, organization: Any) -> list[Lockout]:
    """Recent sign-in failures of the organization's members (org admins only), worst first.

    Two queries whatever the number of members: the attempts (matched to the members' e-mail
    addresses by a subquery) and the memberships they belong to."""
    require(user, organization.pk, "admin")
    members = Membership.objects.for_organization(organization)
    attempts = AccessAttempt.objects.filter(username__in=members.values("user__email"))
    if settings.AXES_COOLOFF_TIME is not None:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - get_cool_off())
    by_username: dict[str, list[AccessAttempt]] = {}
    for attempt in attempts.order_by("username", "-attempt_time"):
        by_username.setdefault(attempt.username, []).append(attempt)
    if not by_username:
        return []
    memberships = {
        m.user.email: m for m in members.filter(user__email__in=by_username).select_related("user")
    }
    limit = settings.AXES_FAILURE_LIMIT
    result = []
    for username, rows in by_username.items():
        total = sum(a.failures_since_start for a in rows)
        result.append(
            Lockout(
                membership=memberships[username],
                failures=total,
                addresses=sorted({a.ip_address for a in rows if a.ip_address}),
                last_failure=max(a.attempt_time for a in rows),
                locked=any(a.failures_since_start >= limit for a in rows)
                or total >= max(settings.AXES_ACCOUNT_FAILURE_LIMIT, limit),
            )
        )
    result.sort(key=lambda x: (not x.locked, -x.failures, x.membership.user.email))
    return result


@transaction.atomic
def membership_unlock(*, actor: Any, membership: Membership) -> int:
    """Clear every recorded sign-in failure of a member (org admins of that organization only).
    Audited with what was cleared. Returns how many failure records were removed."""
    require(actor, membership.organization_id, "admin")
    email = membership.user.email
    attempts = AccessAttempt.objects.filter(username=email)
    summary = attempts.aggregate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
    addresses = sorted(set(attempts.exclude(ip_address=None).values_list("ip_address", flat=True)))
    count, _ = attempts.delete()
    audit.record(
        actor=actor,
        action="user.unlocked",
        subject=membership.user,
        organization=membership.organization,
        before={"failures": summary["failures"] or 0, "addresses": addresses},
    )
    return count


def locked_emails(emails: list[str]) -> set[str]:
    """Which of these addresses cannot sign in now from somewhere (one query): for the people
    page's "Locked out" mark. The lockouts page says from where, and clears it."""
    if not emails:
        return set()
    limit = settings.AXES_FAILURE_LIMIT
    attempts = AccessAttempt.objects.filter(username__in=emails)
    if settings.AXES_COOLOFF_TIME is not None:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - get_cool_off())
    totals: dict[str, int] = {}
    locked = set()
    for username, failures in attempts.values_list("username", "failures_since_start"):
        totals[username] = totals.get(username, 0) + failures
        if failures >= limit:
            locked.add(username)
    account_limit = max(settings.AXES_ACCOUNT_FAILURE_LIMIT, limit)
    return locked | {u for u, total in totals.items() if total >= account_limit}
