"""Heavy read-only pages read from the PostgreSQL standby (`replica` alias) while it keeps up.

Only code wrapped in `replica_reads()` (the `@reads_from_replica` views: OCM dashboard, drill-down,
CSV and PDF exports, the budget ledger CSV) is routed, and only for the apps whose data those
pages show; sessions, users and tenancy always come from the primary. Before routing, the
standby's lag is measured (at most every REPLICA_LAG_CHECK_SECONDS per process): it is 0 when
the standby has replayed everything it received, else the age of the last replayed transaction.
Above REPLICA_MAX_LAG_SECONDS, or when the standby does not answer, reads go to the primary.

"Data as of" stays true: the OCM pages show the `computed_at` of the summary rows they read, and
both come from the same database in the same query.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import logging
import time

from django.conf import settings
from django.db import DatabaseError, connections

logger = logging.getLogger(__name__)

REPLICA = "replica"
#: Apps whose models the heavy pages read; everything else stays on the primary.
ROUTED_APPS = frozenset({"ocm", "planning", "budgeting", "coordination", "bcp"})

_wanted: contextvars.ContextVar[bool] = contextvars.ContextVar("bmms_replica_reads", default=False)
_measured: dict[str, float] = {"at": float("-inf"), "lag": float("inf")}

LAG_SQL = """
SELECT CASE
    WHEN NOT pg_is_in_recovery() THEN 0.0
    WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0.0
    ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 1e9)
END
"""


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def replica_lag() -> float:
    """Seconds the standby is behind (cached per process); infinity when it does not answer."""
    now = time.monotonic()
    if now - _measured["at"] < settings.REPLICA_LAG_CHECK_SECONDS:
        return _measured["lag"]
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(LAG_SQL)
            lag = float(cursor.fetchone()[0])
    except DatabaseError as exc:
        logger.warning("Replica unavailable, reading from the primary: %s", exc)
        lag = float("inf")
        connections[REPLICA].close()
    _measured.update(at=now, lag=lag)
    return lag


def replica_usable() -> bool:
    return replica_lag() <= settings.REPLICA_MAX_LAG_SECONDS


@contextlib.contextmanager
def replica_reads():
    """Route the reads of the block to the standby when it is configured and fresh enough."""
    token = _wanted.set(replica_configured())
    try:
        yield
    finally:
        _wanted.reset(token)


def reads_from_replica(view):
    """View decorator: the view's reads may come from the standby (see the module docstring)."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        with replica_reads():
            return view(*args, **kwargs)

    wrapper.reads_from_replica = True  # copied outwards by the decorators' functools.wraps
    return wrapper


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if not _wanted.get() or model._meta.app_label not in ROUTED_APPS:
            return None
        if connections["default"].in_atomic_block:
            return None  # read what this transaction wrote
        return REPLICA if replica_usable() else None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
