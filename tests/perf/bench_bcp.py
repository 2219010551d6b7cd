"""Benchmarks of issue 5: built-in generation, a 100-department batch against a local stub LLM
answering in 2 s with a real Celery worker (concurrency 8), and PDF/DOCX export of a big plan.

`run() -> list[str]` expects Django set up on the bench database (tests/perf/bench.py does it).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

BATCH = 100
STUB_DELAY = 2.0
CONCURRENCY = 8


def _world():
    from bcp import services
    from bcp.models import Template
    from core.tenancy import Role
    from organizations.models import Department, Membership, Organization, User

    organization = Organization.objects.get(code="MOH")
    user, _ = User.objects.get_or_create(email="bench-bcp@bench.bmms", defaults={"first_name": "B"})
    Membership.objects.get_or_create(
        user=user, organization=organization, defaults={"role": Role.EDITOR}
    )
    template = Template.objects.get(code="departmental-bcm")
    run = uuid.uuid4().hex[:6]
    return services, organization, user, template, run, Department


def _big_plan(services, organization, user, template, run, department_model):
    department = department_model.objects.create(organization=organization, name=f"Big {run}")
    plan = services.plan_create(
        actor=user,
        organization=organization,
        template=template,
        title=f"Big plan {run}",
        department=department,
    )
    for n in range(50):
        services.process_create(
            actor=user,
            plan=plan,
            name=f"Process {n} – ₱ payments",
            priority=n % 5 + 1,
            rto_minutes=60 * (n % 8 + 1),
            rpo_minutes=30,
            mtpd_minutes=60 * 24,
        )
        services.risk_create(
            actor=user,
            plan=plan,
            threat=f"Threat {n}: flooding in Marawi",
            likelihood=n % 5 + 1,
            impact=(n * 3) % 5 + 1,
            mitigation="Relocate to the alternate site.",
        )
    return plan


def _batch_with_worker(services, organization, user, template, run, department_model) -> str:
    from celery import Celery
    from django.conf import settings

    from bcp import generation
    from bcp.models import GenerationJob
    from tests.llm_stub import Reply, start_stub

    broker = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/14")
    plans = []
    for n in range(BATCH):
        department = department_model.objects.create(
            organization=organization, name=f"Dept {run}-{n}"
        )
        plans.append(
            services.plan_create(
                actor=user,
                organization=organization,
                template=template,
                title=f"Batch {run}-{n}",
                department=department,
            )
        )
    answer = generation.builtin_plan(template, generation.facts_of(plans[0]))
    stub = start_stub()
    stub.script(Reply(content=answer, delay=STUB_DELAY))
    env = {
        **os.environ,
        "CELERY_BROKER_URL": broker,
        "LLM_BASE_URL": stub.base_url,
        "LLM_TIMEOUT_SECONDS": "30",
    }
    log = Path("/tmp") / f"bench-bcp-worker-{run}.log"
    with open(log, "w") as log_file:
        worker = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "-Q",
                "ai",
                "-P",
                "threads",
                "-c",
                str(CONCURRENCY),
                "--without-gossip",
                "--without-mingle",
                "-l",
                "warning",
            ],
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        # A producer of its own: the portal's app stays eager for the rest of the bench.
        app = Celery("bench-producer", broker=broker)
        time.sleep(3)  # let the worker connect before the clock starts
        start = time.perf_counter()
        jobs = []
        for plan in plans:
            job = services.generation_request(
                actor=user, plan=plan, batch=uuid.uuid4(), enqueue=False
            )
            jobs.append(job.pk)
            app.send_task("bcp.tasks.generate_plan_draft", args=[job.pk], queue="ai")
        deadline = start + 300
        finished = 0
        while time.perf_counter() < deadline:
            finished = GenerationJob.objects.filter(
                pk__in=jobs, status__in=GenerationJob.FINISHED
            ).count()
            if finished == len(jobs):
                break
            time.sleep(0.2)
        elapsed = time.perf_counter() - start
        ai = GenerationJob.objects.filter(
            pk__in=jobs, status="done", version__generation_fallback=False
        ).count()
        if finished < len(jobs):
            return f"batch of {BATCH}: only {finished} finished in 300 s (worker log: {log})"
        return (
            f"batch of {BATCH} departments, stub answering in {STUB_DELAY:g} s, Celery threads "
            f"concurrency {CONCURRENCY}: {elapsed:.1f} s wall ({ai} by the AI; target ≤ 40 s, "
            f"the original script ~600 s); model {settings.LLM_MODEL}"
        )
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        stub.close()


def run() -> list[str]:
    from bcp import exports, generation
    from tests.perf.bench import timed

    services, organization, user, template, run_id, department_model = _world()
    lines = []
    plan = _big_plan(services, organization, user, template, run_id, department_model)
    facts = generation.facts_of(plan)
    median, _ = timed(lambda: generation.builtin_plan(template, generation.facts_of(plan)), 20)
    lines.append(
        f"built-in generation, one department with {len(facts.processes)} processes and "
        f"{len(facts.risks)} risks: median {median:.1f} ms"
    )
    version = plan.versions.get()
    for fmt in ("pdf", "docx"):
        median, worst = timed(lambda fmt=fmt: exports.render(version, fmt), 3)
        size = len(exports.render(version, fmt)) // 1024
        lines.append(
            f"{fmt.upper()} export, 50 processes + 50 risks: median {median:.0f} ms, max "
            f"{worst:.0f} ms, {size} KiB (target ≤ 2000 ms)"
        )
    try:
        lines.append(
            _batch_with_worker(services, organization, user, template, run_id, department_model)
        )
    except Exception as exc:  # noqa: BLE001 - a missing Redis must not hide the other numbers
        lines.append(f"batch generation skipped: {type(exc).__name__}: {exc}")
    return lines
