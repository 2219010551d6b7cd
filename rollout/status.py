"""The public status page's facts: whether the portal, background work and e-mail work.

Each answer comes from the health checks (django-health-check) and is reduced to "operational"
or "disrupted": no error text, host, count or timing is ever shown. The result is cached for
`CACHE_SECONDS` so the page cannot be used to load the servers."""

from __future__ import annotations

import asyncio
import datetime
import inspect

from django.core.cache import cache
from django.utils import timezone
from health_check.checks import Cache, Database, Mail

from config.health import health_checks

CACHE_SECONDS = 30
CACHE_KEY = "rollout:public-status"
#: Background work counts as disrupted when a message waits longer than this in the outbox.
OUTBOX_STALE = datetime.timedelta(minutes=10)


def _run(checks: list) -> bool:
    """True when every check passes. Synchronous checks run in this thread (the database check
    uses this request's connection); asynchronous ones in a short event loop."""
    for check in checks:
        try:
            if inspect.iscoroutinefunction(check.run):
                asyncio.run(asyncio.wait_for(check.run(), check.timeout.total_seconds()))
            else:
                check.run()
        except Exception:  # noqa: BLE001 - any failure is "disrupted", never a 500 or a detail
            return False
    return True


def _instances(specs: list) -> list:
    from django.utils.module_loading import import_string

    out = []
    for spec in specs:
        check, options = spec if isinstance(spec, tuple) else (spec, {})
        out.append((import_string(check) if isinstance(check, str) else check)(**options))
    return out


def _background_ok() -> bool:
    from organizations.models import OutboxMessage

    broker = [s for s in health_checks() if isinstance(s, tuple)]  # the Redis broker, if any
    if broker and not _run(_instances(broker)):
        return False
    cutoff = timezone.now() - OUTBOX_STALE
    return not OutboxMessage.objects.filter(sent_at__isnull=True, created_at__lt=cutoff).exists()


def _mail_ok() -> bool:
    return _run([Mail(timeout=datetime.timedelta(seconds=3))])


def compute() -> dict[str, bool]:
    return {
        "portal": _run([Database(), Cache()]),
        "background": _background_ok(),
        "email": _mail_ok(),
    }


def current() -> tuple[dict[str, bool], datetime.datetime]:
    """(the facts, when they were checked): computed at most every CACHE_SECONDS."""
    found = cache.get(CACHE_KEY)
    if found is None:
        found = (compute(), timezone.now())
        cache.set(CACHE_KEY, found, CACHE_SECONDS)
    return found
