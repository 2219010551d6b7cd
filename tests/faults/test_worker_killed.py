"""A Celery worker killed in the middle of an AI generation: the job still completes, once.

A real worker process (prefork pool, private Redis broker, this test's database) takes the job
and calls the stub LLM, which holds the answer back. The whole worker is then killed with SIGKILL,
as the kernel's OOM killer or a lost host would, so nothing acknowledges or rejects the message.
A second worker restores the unacknowledged message once the broker's visibility timeout has
passed, runs the job again and writes the draft. Exactly one new draft version exists.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from bcp import services
from bcp.models import GenerationJob, PlanVersion
from tests.bcp.factories import make_plan
from tests.bcp.test_generation import good_answer
from tests.llm_stub import Reply, start_stub

from .conftest import free_port, private_redis, use_broker

ROOT = Path(__file__).resolve().parents[2]
MODEL = "stub-model"
pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]


def _database_url() -> str:
    """This test's database (pytest-django's test_… name) as a URL for the worker process."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"])
    host = db["HOST"] or ""
    port = f":{db['PORT']}" if db["PORT"] else ""
    at = "@" if credentials else ""
    return f"postgres://{credentials}{at}{host}{port}/{quote(db['NAME'])}"


def _start_worker(env: dict[str, str], log: Path, name: str) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-Q",
            "ai,default,exports",
            "--pool",
            "prefork",
            "--concurrency",
            "1",
            "--hostname",
            f"{name}@%h",
            "--without-gossip",
            "--without-mingle",
            "-l",
            "info",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("a"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: killing it kills the pool child too
    )


def _stop(worker: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, sig)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)


def _wait_until(condition, timeout: float, log: Path, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"{what} within {timeout:.0f} s; worker log:\n{log.read_text()[-3000:]}")


def test_a_worker_killed_mid_generation_leaves_one_draft_after_redelivery(
    settings, org_a, carol, dept_a, tmp_path
):
    plan = make_plan(org_a, carol, department=dept_a)
    stub = start_stub()
    answer = good_answer(plan, marker="REDELIVERED")
    # The first call hangs (the worker dies during it); the call after redelivery answers.
    stub.script(Reply(content=answer, delay=120), Reply(content=answer))
    port = free_port()
    broker = f"redis://127.0.0.1:{port}/0"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": _database_url(),
        "TEST_CELERY_BROKER_URL": broker,
        "TEST_LLM_BASE_URL": stub.base_url,
        "LLM_MODEL": MODEL,
        "LLM_TIMEOUT_SECONDS": "60",
        "LLM_MAX_RETRIES": "0",
        "CELERY_VISIBILITY_TIMEOUT": "3",
        "DJANGO_MEDIA_ROOT": str(tmp_path / "media"),
    }
    log = tmp_path / "worker.log"
    previous = settings.CELERY_BROKER_URL
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = broker
    workers: list[subprocess.Popen] = []
    try:
        with private_redis(port):
            use_broker(broker)
            job = services.generation_request(actor=carol, plan=plan)  # published on commit

            workers.append(_start_worker(env, log, "first"))

            def ai_called() -> bool:
                job.refresh_from_db()
                return job.status == GenerationJob.Status.RUNNING and len(stub.requests) == 1

            _wait_until(ai_called, 90, log, "the first worker did not call the LLM")
            _stop(workers[0], signal.SIGKILL)
            job.refresh_from_db()
            assert job.status == GenerationJob.Status.RUNNING and job.version is None
            assert not plan.versions.filter(generated_by=MODEL).exists()

            workers.append(_start_worker(env, log, "second"))

            def finished() -> bool:
                job.refresh_from_db()
                return job.is_finished

            _wait_until(finished, 120, log, "the redelivered job did not finish")
    finally:
        for worker in workers:
            _stop(worker)
        use_broker(previous)
        stub.close()

    assert job.status == GenerationJob.Status.DONE, job.stage
    assert job.attempts == 2  # the killed run and the redelivered one
    assert len(stub.requests) == 2
    generated = PlanVersion.objects.filter(plan=plan, generated_by=MODEL)
    assert generated.count() == 1
    assert generated.get() == job.version
    assert job.version.content["testing"].startswith("REDELIVERED")
    assert job.version.generation_fallback is False
    # The draft that was open before is set aside; the plan keeps exactly one open draft.
    assert plan.versions.count() == 2
    assert plan.versions.filter(status=PlanVersion.Status.DRAFT).count() == 1
