"""The topology of deploy/ on network namespaces, under the persona mix, losing one part at a time.

In order (each check leaves the cluster whole again, except the last, which promotes the standby):
the topology as built, a baseline with CPU per request, a web host lost, the Redis master lost,
a worker host lost mid AI draft, the beat leader's host lost, the PostgreSQL primary lost.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import threading
import time
from pathlib import Path

import psycopg
import pytest
import redis
from django.conf import settings
from django.db import connections

from tests.cluster import harness
from tests.cluster.conftest import Load, outcome, record

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.cluster
#: HAProxy checks every second and marks a host down after 2 failures (or at once on a refused
#: connection); what fails meanwhile is retried on the other host. Failures allowed after that: 0.
WEB_FAILOVER_BOUND = 5.0
REDIS_FAILOVER_BOUND = 20.0
POSTGRES_FAILOVER_BOUND = 45.0


def wait_until(condition, timeout: float, what: str, every: float = 0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"{what} within {timeout:.0f} s (logs: {harness.RUN / 'logs'})")


def haproxy_status() -> dict[str, str]:
    import urllib.request

    url = f"http://{harness.addr('lb')}:8404/;csv"
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - the test's own LB
        rows = response.read().decode().splitlines()
    header = rows[0].lstrip("# ").split(",")
    status = {}
    for row in rows[1:]:
        cells = dict(zip(header, row.split(","), strict=False))
        if cells.get("pxname") == "web":
            status[cells["svname"]] = cells["status"]
    return status


def pgbouncer_admin(cluster, sql: str) -> list[tuple]:
    with psycopg.connect(
        host=harness.addr("pool"),
        port=6432,
        dbname="pgbouncer",
        user="pgbouncer",
        password=cluster.secrets.pgbouncer_admin,
        autocommit=True,
        prepare_threshold=None,
    ) as conn:
        return conn.execute(sql).fetchall()


def superuser(cluster, host: str):
    return psycopg.connect(
        host=harness.addr(host),
        dbname="bmms",
        user="postgres",
        password=cluster.secrets.pg_postgres,
        autocommit=True,
        connect_timeout=3,
    )


def redis_master() -> str:
    sentinel = redis.Redis(host=harness.addr("lb"), port=26379, socket_timeout=2)
    return sentinel.sentinel_get_master_addr_by_name("bmms")[0].decode()


def cpu_seconds(host: str) -> float:
    """CPU (user + system) of every live process on a host, from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in harness.host_pids(host):
        try:
            text = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2 :].split()
        total += int(fields[11]) + int(fields[12])
    return total / tick


def portal_session_works(cluster) -> bool:
    """A session made before the faults still opens a member's page (no sign-in form)."""
    import json
    import urllib.request

    persona = next(p for p in json.loads(cluster.personas.read_text()) if p["kind"] != "ocm")
    request = urllib.request.Request(
        f"http://{harness.addr('lb')}/planning/",
        headers={"Cookie": f"sessionid={persona['session']}"},
    )

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=10) as response:
            return response.status == 200
    except urllib.error.HTTPError:
        return False


def demo_plan_and_editor():
    from bcp.models import Plan
    from organizations.models import User

    editor = User.objects.get(email="moh.editor@bmms.demo")
    plan = Plan.objects.filter(organization__code="MOH").order_by("pk").first()
    return plan, editor


def start_generation(plan, editor):
    from bcp import services
    from bcp.models import GenerationJob

    job = services.generation_request(actor=editor, plan=plan)
    assert job.status == GenerationJob.Status.QUEUED  # a new job, not an earlier one still running
    return job


# --- the topology as built ----------------------------------------------------------------------


def test_the_topology_is_what_deploy_describes(cluster):
    wait_until(
        lambda: haproxy_status() == {"web1": "UP", "web2": "UP", "BACKEND": "UP"},
        30,
        "HAProxy did not see both web hosts up",
    )
    # PostgreSQL: the standby streams synchronously; PgBouncer pools per transaction.
    with superuser(cluster, "db1") as conn:
        assert conn.execute(
            "SELECT application_name, sync_state FROM pg_stat_replication"
        ).fetchall() == [("db2", "sync")]
    databases = {row[0]: row[1] for row in pgbouncer_admin(cluster, "SHOW DATABASES")}
    assert databases["bmms"] == harness.addr("db1")
    assert databases["bmms_replica"] == harness.addr("db2")
    config = {row[0]: row[1] for row in pgbouncer_admin(cluster, "SHOW CONFIG")}
    assert config["pool_mode"] == "transaction"
    # Redis: a master with one replica, watched by three sentinels.
    assert redis_master() == harness.addr("redis1")
    sentinel = redis.Redis(host=harness.addr("lb"), port=26379, socket_timeout=2)
    assert int(sentinel.sentinel_master("bmms")["num-other-sentinels"]) == 2
    # Exactly one beat holds the lock (the beats take a while to start on a busy machine).
    leaders = wait_until(
        lambda: [h for h in harness.WORKER_HOSTS if "Acquired lock" in beat_log(h)],
        90,
        "no beat took the lock",
    )
    time.sleep(5)
    assert leaders == [h for h in harness.WORKER_HOSTS if "Acquired lock" in beat_log(h)]
    assert len(leaders) == 1
    assert portal_session_works(cluster)


def test_heavy_reads_go_to_the_standby_unless_it_lags(cluster):
    from config.db_router import ReplicaRouter, _measured, replica_lag, replica_reads
    from ocm.models import GovernmentSummary
    from organizations.models import User

    router = ReplicaRouter()
    assert settings.DATABASES["replica"]["DISABLE_SERVER_SIDE_CURSORS"] is True
    with replica_reads():
        assert router.db_for_read(GovernmentSummary) == "replica"
        assert router.db_for_read(User) is None  # sessions, users, tenancy: the primary
    assert router.db_for_read(GovernmentSummary) is None  # outside the heavy pages
    with superuser(cluster, "db2") as standby, superuser(cluster, "db1") as primary:
        standby.execute("SELECT pg_wal_replay_pause()")
        try:
            primary.execute("CREATE TABLE IF NOT EXISTS cluster_probe (id bigserial primary key)")
            primary.execute("INSERT INTO cluster_probe DEFAULT VALUES")
            time.sleep(settings.REPLICA_MAX_LAG_SECONDS + 1)
            _measured["at"] = float("-inf")
            lag = replica_lag()
            with replica_reads():
                assert router.db_for_read(GovernmentSummary) is None  # lagging: the primary
        finally:
            standby.execute("SELECT pg_wal_replay_resume()")
        time.sleep(1)
        _measured["at"] = float("-inf")
        with replica_reads():
            assert router.db_for_read(GovernmentSummary) == "replica"
    record("replica lag guard", lag_seen_s=f"{lag:.1f}", bound_s=settings.REPLICA_MAX_LAG_SECONDS)
    connections["replica"].close()


def test_baseline_load_and_cpu_per_request(cluster):
    hosts = ["web1", "web2", "lb", "pool", "db1", "db2", "redis1", "redis2", "work1", "work2"]
    before = {h: cpu_seconds(h) for h in hosts}
    started = time.time()
    events = Load(cluster, "baseline").wait()
    elapsed = time.time() - started
    after = {h: cpu_seconds(h) for h in hosts}
    result = outcome(events, started)
    assert result.requests > 500
    assert result.errors == 0, result.kinds
    per_request = {h: (after[h] - before[h]) * 1000 / result.requests for h in hosts}
    record(
        "baseline (150 users, 5 s think, 60 s)",
        requests=result.requests,
        req_per_s=f"{result.requests / elapsed:.1f}",
        errors=result.errors,
        error_kinds=result.kinds or "none",
        cpu_ms_per_request=" ".join(
            f"{name}={value:.2f}"
            for name, value in [
                ("web", per_request["web1"] + per_request["web2"]),
                ("haproxy", per_request["lb"]),
                ("pgbouncer", per_request["pool"]),
                ("pg_primary", per_request["db1"]),
                ("pg_standby", per_request["db2"]),
                ("redis", per_request["redis1"] + per_request["redis2"]),
                ("workers", per_request["work1"] + per_request["work2"]),
            ]
        ),
    )


# --- faults -------------------------------------------------------------------------------------


def test_a_web_host_lost(cluster):
    load = Load(cluster, "web-host")
    time.sleep(15)
    fault_at = time.time()
    harness.kill_host("web1")
    down_after = wait_until(
        lambda: haproxy_status().get("web1", "").startswith("DOWN") and time.time(),
        15,
        "HAProxy did not mark web1 down",
        every=0.2,
    )
    events = load.wait()
    result = outcome(events, fault_at)
    sessions_ok = portal_session_works(cluster)
    record(
        "web host killed",
        requests=result.requests,
        errors=result.errors,
        error_kinds=result.kinds or "none",
        marked_down_after_s=f"{down_after - fault_at:.1f}",
        seconds_to_recover=f"{result.recovered_after:.1f}",
        errors_after_recovery=0 if result.errors == 0 else result.errors_last_30s,
        sessions_lost=0 if sessions_ok else "yes",
        rows_lost=0,
    )
    cluster.restart_host("web1")
    wait_until(lambda: haproxy_status().get("web1") == "UP", 60, "web1 did not come back")
    assert result.errors_before == 0
    assert result.recovered_after <= WEB_FAILOVER_BOUND, result.kinds
    assert result.errors_last_30s == 0
    assert sessions_ok


def test_the_redis_master_lost(cluster, stub):
    from bcp.models import GenerationJob
    from organizations.models import OutboxMessage
    from tests.bcp.test_generation import good_answer
    from tests.llm_stub import Reply

    plan, editor = demo_plan_and_editor()
    stub.script(Reply(content=good_answer(plan, marker="AFTER-REDIS-FAILOVER")))
    load = Load(cluster, "redis-master")
    time.sleep(15)
    promoted: list[float] = []

    def watch():
        with contextlib.suppress(AssertionError):
            promoted.append(
                wait_until(
                    lambda: redis_master() == harness.addr("redis2") and time.time(),
                    60,
                    "Sentinel did not promote the replica",
                    every=0.2,
                )
            )

    watcher = threading.Thread(target=watch, daemon=True)
    fault_at = time.time()
    harness.kill_host("redis1")
    watcher.start()
    # Work queued while the master is gone: kept in the outbox, published when Redis is back.
    job = start_generation(plan, editor)
    watcher.join(timeout=70)
    assert promoted, "Sentinel did not promote the replica"
    promoted_at = promoted[0]
    events = load.wait()
    result = outcome(events, fault_at)

    def done():
        job.refresh_from_db()
        return job.status == GenerationJob.Status.DONE

    wait_until(done, 90, "the job queued during the failover did not run")
    wait_until(
        lambda: not OutboxMessage.objects.filter(sent_at__isnull=True).exists(),
        30,
        "the outbox kept messages",
    )
    sessions_ok = portal_session_works(cluster)
    record(
        "Redis master killed",
        requests=result.requests,
        errors=result.errors,
        error_kinds=result.kinds or "none",
        promoted_after_s=f"{promoted_at - fault_at:.1f}",
        seconds_to_recover=f"{result.recovered_after:.1f}",
        errors_last_30s=result.errors_last_30s,
        sessions_lost=0 if sessions_ok else "yes",
        queued_jobs_lost=0 if job.status == GenerationJob.Status.DONE else 1,
        outbox_pending=OutboxMessage.objects.filter(sent_at__isnull=True).count(),
    )
    cluster.restart_host("redis1")  # comes back as a replica of the new master
    assert result.errors_before == 0
    assert result.recovered_after <= REDIS_FAILOVER_BOUND, result.kinds
    assert result.errors_last_30s == 0
    assert sessions_ok
    assert job.version.content["testing"].startswith("AFTER-REDIS-FAILOVER")


def worker_host_calling(port: int) -> str | None:
    """The worker host with an open connection to the stub LLM (the one generating)."""
    for host in harness.WORKER_HOSTS:
        out = subprocess.run(
            harness.in_ns(
                host,
                "ss",
                "-Htn",
                "state",
                "established",
                "dst",
                f"{harness.addr('client')}:{port}",
            ),
            capture_output=True,
            text=True,
        ).stdout
        if out.strip():
            return host
    return None


def test_a_worker_host_lost_mid_generation(cluster, stub):
    from bcp.models import GenerationJob, PlanVersion
    from tests.bcp.test_generation import good_answer
    from tests.llm_stub import Reply

    plan, editor = demo_plan_and_editor()
    answer = good_answer(plan, marker="REDELIVERED")
    stub.script(Reply(content=answer, delay=120), Reply(content=answer))
    calls_before = len(stub.requests)
    load = Load(cluster, "worker-host")
    job = start_generation(plan, editor)
    host = wait_until(
        lambda: len(stub.requests) == calls_before + 1 and worker_host_calling(harness.STUB_PORT),
        60,
        "no worker called the LLM",
    )
    fault_at = time.time()
    harness.kill_host(host)

    def finished():
        job.refresh_from_db()
        return job.status in (GenerationJob.Status.DONE, GenerationJob.Status.FAILED)

    finished_at = wait_until(lambda: finished() and time.time(), 120, "the job was not redone")
    events = load.wait()
    result = outcome(events, fault_at)
    drafts = PlanVersion.objects.filter(plan=plan, content__testing__startswith="REDELIVERED")
    record(
        "worker host killed mid AI draft",
        killed=host,
        requests=result.requests,
        errors=result.errors,
        error_kinds=result.kinds or "none",
        seconds_to_complete_elsewhere=f"{finished_at - fault_at:.1f}",
        attempts=job.attempts,
        drafts_written=drafts.count(),
        rows_lost=0,
    )
    cluster.restart_host(host)
    assert job.status == GenerationJob.Status.DONE, job.stage
    assert job.attempts == 2
    assert len(stub.requests) == calls_before + 2
    assert drafts.count() == 1 and drafts.get() == job.version
    assert result.errors == 0, result.kinds


def beat_log(host: str) -> str:
    path = harness.RUN / "logs" / f"{host}-beat.log"
    return path.read_text() if path.exists() else ""


def last_lock_acquired(host: str) -> str:
    """The time stamp of the host's last "Acquired lock" line ("" if none): the leader's is the
    latest."""
    lines = [line for line in beat_log(host).splitlines() if "Acquired lock" in line]
    return lines[-1][1:24] if lines else ""


def relay_runs(since) -> list:
    from django_celery_results.models import TaskResult

    return list(
        TaskResult.objects.filter(
            task_name="organizations.tasks.relay_outbox", date_done__gte=since
        )
        .order_by("date_done")
        .values_list("date_done", flat=True)
    )


def test_the_beat_host_lost(cluster):
    from django.utils import timezone

    interval = float(settings.CELERY_BEAT_SCHEDULE["organizations-relay-outbox"]["schedule"])
    leader = max(harness.WORKER_HOSTS, key=last_lock_acquired)
    other = next(h for h in harness.WORKER_HOSTS if h != leader)
    taken_before = beat_log(other).count("Acquired lock")
    load = Load(cluster, "beat-host")
    since = timezone.now()
    time.sleep(20)
    fault_at = time.time()
    harness.kill_host(leader)
    wait_until(
        lambda: beat_log(other).count("Acquired lock") > taken_before,
        60,
        f"{other}'s beat never took over",
    )
    took_over_at = time.time()
    events = load.wait()
    time.sleep(interval)
    runs = relay_runs(since)
    gaps = [(b - a).total_seconds() for a, b in zip(runs, runs[1:], strict=False)]
    duplicates = sum(1 for g in gaps if g < interval / 2)
    result = outcome(events, fault_at)
    assert len(runs) >= 8, runs  # ~85 s of 5-s reminders with one gap for the takeover
    record(
        "beat host killed",
        killed=leader,
        lock_taken_over_after_s=f"{took_over_at - fault_at:.1f}",
        reminder_runs=len(runs),
        duplicate_runs=duplicates,
        longest_gap_s=f"{max(gaps):.1f}",
        interval_s=interval,
        errors=result.errors,
        error_kinds=result.kinds or "none",
    )
    cluster.restart_host(leader)
    assert duplicates == 0, gaps
    assert max(gaps) <= interval + settings.CELERY_REDBEAT_LOCK_TIMEOUT + 15, gaps
    assert result.errors == 0, result.kinds


def test_the_postgres_primary_lost_and_the_standby_promoted(cluster):
    acknowledged: list[int] = []
    failures: list[float] = []
    stop = threading.Event()
    dsn = {
        "host": harness.addr("pool"),
        "port": 6432,
        "dbname": "bmms",
        "user": "bmms",
        "password": cluster.secrets.pg_app,
        "connect_timeout": 3,
        "autocommit": True,
    }
    with psycopg.connect(**dsn) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS cluster_writes (id bigserial primary key)")

    def writer():
        """A client writing all along: a commit counts once PostgreSQL acknowledged it."""
        conn = None
        while not stop.is_set():
            try:
                conn = conn or psycopg.connect(**dsn)
                row = conn.execute("INSERT INTO cluster_writes DEFAULT VALUES RETURNING id")
                acknowledged.append((row.fetchone()[0], time.time()))
            except psycopg.Error:
                failures.append(time.time())
                conn = None
                time.sleep(0.2)
            time.sleep(0.05)

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    load = Load(cluster, "postgres-primary")
    time.sleep(15)
    fault_at = time.time()
    harness.kill_host("db1")
    runbook = subprocess.run(
        [str(ROOT / "deploy/bin/failover-postgres")],
        env={
            **os.environ,
            "OLD_PRIMARY": harness.addr("db1"),
            "NEW_PRIMARY": harness.addr("db2"),
            "PGBOUNCER_INI": str(harness.RUN / "pool" / "pgbouncer.ini"),
            "PGBOUNCER_ADDR": harness.addr("pool"),
            "PGPASSWORD": cluster.secrets.pg_postgres,
            "PGBOUNCER_PASSWORD": cluster.secrets.pgbouncer_admin,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    promoted_at = time.time()
    events = load.wait()
    stop.set()
    thread.join(timeout=10)
    assert runbook.returncode == 0, runbook.stdout + runbook.stderr
    with superuser(cluster, "db2") as conn:
        present = {r[0] for r in conn.execute("SELECT id FROM cluster_writes").fetchall()}
        in_recovery = conn.execute("SELECT pg_is_in_recovery()").fetchone()[0]
    lost = [i for i, _ in acknowledged if i not in present]
    # The write outage: the longest wait between two acknowledged writes from the fault on.
    times = [fault_at] + [t for _, t in acknowledged if t > fault_at]
    resumed = max(b - a for a, b in zip(times, times[1:], strict=False)) if len(times) > 1 else None
    result = outcome(events, fault_at)
    record(
        "PostgreSQL primary killed, standby promoted (runbook)",
        requests=result.requests,
        errors=result.errors,
        error_kinds=result.kinds or "none",
        runbook_s=f"{promoted_at - fault_at:.1f}",
        longest_write_outage_s=f"{resumed:.1f}" if resumed is not None else "never resumed",
        seconds_to_recover=f"{result.recovered_after:.1f}",
        errors_last_30s=result.errors_last_30s,
        acknowledged_writes=len(acknowledged),
        rows_lost=len(lost),
    )
    assert not in_recovery
    assert lost == []
    assert resumed is not None and resumed <= POSTGRES_FAILOVER_BOUND
    assert result.recovered_after <= POSTGRES_FAILOVER_BOUND, result.kinds
    assert result.errors_last_30s == 0
    assert portal_session_works(cluster)
