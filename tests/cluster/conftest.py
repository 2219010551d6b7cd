"""The multi-host fault suite (`make test-cluster`). Never collected by `make test` or .ci/run:
without BMMS_CLUSTER=1 (set by tests/cluster/harness.py, which runs this suite inside the client
namespace with the portal's own environment) nothing in this folder is collected."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

if os.environ.get("BMMS_CLUSTER") != "1":
    collect_ignore_glob = ["*"]

ROOT = Path(__file__).resolve().parents[2]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/cluster/" in str(item.fspath):
            item.add_marker(pytest.mark.cluster)


@pytest.fixture(autouse=True)
def _clean_cache():
    """The root conftest clears the test cache; here the cache is the cluster's: leave it."""
    yield


@pytest.fixture(autouse=True)
def _database(django_db_blocker):
    """The checks read and write the cluster's database (through PgBouncer) like any client."""
    with django_db_blocker.unblock():
        yield


@pytest.fixture(scope="session")
def stub():
    from tests.cluster import harness
    from tests.llm_stub import start_stub

    server = start_stub(host=harness.addr("client"), port=harness.STUB_PORT)
    yield server
    server.close()


@pytest.fixture(scope="session")
def cluster(stub, django_db_blocker):
    from tests.cluster import harness

    with django_db_blocker.unblock():
        try:
            started = harness.services_up(users=150, **harness.test_environment())
            yield started
        finally:
            from django.db import connections

            connections.close_all()
            harness.down(keep_self=True)


# --- load and figures ---------------------------------------------------------------------------


@dataclass
class Event:
    t: float
    name: str
    ok: bool
    error: str


class Load:
    """locust with the persona mix (tests/cluster/locustfile.py), in the background."""

    def __init__(self, cluster, label: str, users: int = 150, duration: int = 60, think=5.0):
        from tests.cluster import harness

        self.events_file = harness.RUN / f"{label}-events.json"
        self.started = time.time()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "locust",
                "-f",
                str(ROOT / "tests/cluster/locustfile.py"),
                "--headless",
                "--users",
                str(users),
                "--spawn-rate",
                "50",
                "--run-time",
                f"{duration}s",
                "--stop-timeout",
                "5",
                "--host",
                f"http://{harness.addr('lb')}",
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            env={
                **os.environ,
                "PYTHONPATH": str(ROOT),
                "BMMS_LOAD_PERSONAS": str(cluster.personas),
                "BMMS_LOAD_THINK": str(think),
                "BMMS_CLUSTER_EVENTS": str(self.events_file),
            },
            stdout=(harness.RUN / "logs" / f"locust-{label}.log").open("w"),
            stderr=subprocess.STDOUT,
        )

    def wait(self) -> list[Event]:
        self.process.wait(timeout=600)
        return [Event(*row) for row in json.loads(self.events_file.read_text())]


@dataclass
class Outcome:
    requests: int
    errors_before: int
    errors: int
    recovered_after: float  # seconds from the fault to the last failed request (0: none failed)
    errors_last_30s: int
    kinds: dict[str, int]


def outcome(events: list[Event], fault_at: float) -> Outcome:
    before = [e for e in events if e.t < fault_at and not e.ok]
    failed = [e for e in events if e.t >= fault_at and not e.ok]
    end = max((e.t for e in events), default=fault_at)
    kinds: dict[str, int] = {}
    for e in failed:
        kinds[e.error[:100]] = kinds.get(e.error[:100], 0) + 1
    return Outcome(
        requests=len(events),
        errors_before=len(before),
        errors=len(failed),
        recovered_after=max((e.t for e in failed), default=fault_at) - fault_at,
        errors_last_30s=sum(1 for e in failed if e.t > end - 30),
        kinds=kinds,
    )


def record(fault: str, **figures) -> None:
    """Print a fault's figures and keep them for the harness's summary."""
    from tests.cluster import harness

    text = f"{fault}: " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in figures.items())
    print("\n" + text, flush=True)
    with (harness.RUN / "figures.txt").open("a") as handle:
        handle.write(text + "\n")
