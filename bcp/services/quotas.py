"""Hourly quotas of generated drafts and exports."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.utils import timezone

from core import policies
from core.tenancy import tenancy_of
from organizations.models import Membership, Organization


class RateLimited(ValidationError):
    """A user, the readers of an organization or the organization asked for too many generated
    drafts or exports in the past hour."""


def _next_allowed(recent) -> datetime.datetime:
    oldest = recent.order_by("created_at").first()
    return timezone.localtime(oldest.created_at + datetime.timedelta(hours=1))


def _check_quotas(
    requests,
    *,
    actor: Any,
    organization: Organization,
    what: str,
    organization_limit: int,
    user_limit: int,
    reader_limit: int | None = None,
) -> None:
    """Refuse a request beyond the hourly quotas, in this order:

    1. the user's own limit (`requested_by` = the actor);
    2. the organization's limit;
    3. for a reader (someone who may not change the organization's data: a viewer, an OCM user),
       the readers' share of the organization's limit, counted over the requests of everyone who
       is not an editor, approver or admin there: readers cannot use up what editors and
       approvers need.

    `requests` is a queryset of the organization's requests with `created_at` and
    `requested_by`. Callers hold the organization row's lock, so concurrent requests are counted
    one after another and cannot overshoot a limit together."""
    recent = requests.filter(created_at__gte=timezone.now() - datetime.timedelta(hours=1))
    mine = recent.filter(requested_by=actor)
    if mine.count() >= user_limit:
        raise RateLimited(
            f"You have reached your limit of {what} ({user_limit} an hour). You can ask again "
            f"at {_next_allowed(mine):%H:%M}."
        )
    name = organization.acronym or organization.name
    if recent.count() >= organization_limit:
        raise RateLimited(
            f"{name} has reached its limit of {what} ({organization_limit} an hour). You can "
            f"ask again at {_next_allowed(recent):%H:%M}."
        )
    if reader_limit is not None and not tenancy_of(actor).can(organization.pk, "change"):
        staff = Membership.objects.filter(
            user=OuterRef("requested_by"),
            organization=organization,
            role__in=policies.roles_allowing("change"),
        )
        readers = recent.exclude(Exists(staff)).exclude(requested_by__is_superuser=True)
        if readers.count() >= reader_limit:
            raise RateLimited(
                f"Viewers of {name} have used their share of the {what} ({reader_limit} of "
                f"{organization_limit} an hour); the rest is kept for editors and approvers. "
                f"You can ask again at {_next_allowed(readers):%H:%M}."
            )
