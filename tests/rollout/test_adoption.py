"""Adoption metrics: Redis counters per request (no database write), aggregated daily into
rows of counts (idempotent), no person in them; live organizations gone quiet are flagged."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from organizations.models import Organization
from rollout import adoption, selectors, tasks
from rollout.models import AdoptionDaily

pytestmark = pytest.mark.django_db


def test_requests_are_counted_without_writing_to_the_database(
    alice, bob, org_a, client, django_assert_max_num_queries
):
    client.force_login(alice)
    client.get(reverse("organizations:department-list"))
    with django_assert_max_num_queries(10) as queries:
        client.get(reverse("organizations:department-list"))
    assert not [q for q in queries.captured_queries if q["sql"].startswith(("INSERT", "UPDATE"))]
    client.post(reverse("organizations:department-create"), {"name": "Records"})
    client.force_login(bob)
    client.get(reverse("organizations:department-list"))
    today = timezone.localdate()
    assert adoption.aggregate(today) > 0
    rows = {
        (r.module, r.role): r for r in AdoptionDaily.objects.filter(organization=org_a, day=today)
    }
    admin_all = rows[("all", "org_admin")]
    assert (admin_all.active_users, admin_all.requests, admin_all.writes) == (1, 3, 1)
    assert rows[("organizations", "viewer")].active_users == 1
    assert admin_all.median_ms is not None
    # Aggregates only: the rows hold no user.
    assert not {f.name for f in AdoptionDaily._meta.fields} & {"user", "user_id", "path", "ip"}


def test_aggregation_twice_gives_the_same_rows(alice, client):
    client.force_login(alice)
    client.get(reverse("home"))
    today = timezone.localdate()
    tasks.aggregate_adoption(today.isoformat())
    first = list(AdoptionDaily.objects.values_list("module", "role", "active_users", "requests"))
    tasks.aggregate_adoption(today.isoformat())
    again = list(AdoptionDaily.objects.values_list("module", "role", "active_users", "requests"))
    assert first == again and len(first) == 2  # home counted as "portal", plus "all"


def test_live_but_inactive_for_14_days_is_flagged(org_a, org_b):
    Organization.objects.filter(pk__in=[org_a.pk, org_b.pk]).update(onboarding_status="live")
    AdoptionDaily.objects.create(
        day=timezone.localdate() - datetime.timedelta(days=2),
        organization=org_a,
        module="all",
        role="editor",
        active_users=3,
    )
    AdoptionDaily.objects.create(
        day=timezone.localdate() - datetime.timedelta(days=20),
        organization=org_b,
        module="all",
        role="editor",
        active_users=3,
    )
    flagged = {o.code for o in selectors.inactive_live_organizations()}
    assert "MOLE" in flagged and "MOH" not in flagged


def test_board_shows_aggregates_per_module(org_a, root, client):
    day = timezone.localdate() - datetime.timedelta(days=1)
    for median in (40, 60, 500):
        AdoptionDaily.objects.create(
            day=day,
            organization=org_a,
            module="planning",
            role=f"r{median}",
            requests=10,
            writes=2,
            median_ms=median,
        )
    client.force_login(root)
    page = client.get(reverse("rollout:board")).content.decode()
    assert '<td>planning</td><td class="num">30</td><td class="num">6</td>' in page
    assert "60 ms" in page  # the median of the daily medians, not their mean


def test_counts_are_buffered_and_reach_redis_in_one_pipeline(alice, org_a, client, settings):
    """In production a page costs no Redis command of its own: the counts wait in the process
    and one pipeline writes them; aggregation flushes first, so nothing is lost."""
    import redis.connection

    adoption.flush()
    settings.ADOPTION_FLUSH_SECONDS = 3600
    client.force_login(alice)
    client.get(reverse("organizations:department-list"))  # settles the session and caches
    sent = []
    original = redis.connection.Connection.send_packed_command

    def counting(self, command, *args, **kwargs):
        sent.append(command)
        return original(self, command, *args, **kwargs)

    redis.connection.Connection.send_packed_command = counting
    try:
        client.get(reverse("organizations:department-list"))
        client.get(reverse("organizations:department-list"))
        during_pages = b"".join(
            part if isinstance(part, bytes) else b"".join(part) for part in sent
        )
    finally:
        redis.connection.Connection.send_packed_command = original
    assert b"HINCRBY" not in during_pages and b"PFADD" not in during_pages
    assert b"EVALSHA" not in during_pages
    today = timezone.localdate()
    assert adoption.aggregate(today) > 0
    row = AdoptionDaily.objects.get(organization=org_a, day=today, module="all", role="org_admin")
    assert (row.active_users, row.requests) == (1, 3)
