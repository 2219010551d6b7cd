"""Celery tasks of the bcp app: thin, load by id, call a service (queues: `ai`, `exports`).

Both are idempotent: the services lock the job row and check its status, so a re-delivered task
(acks_late) never drafts or renders twice for one request.
"""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="bcp.tasks.generate_plan_draft", acks_late=True)
def generate_plan_draft(job_id: int) -> str:
    """Draft a plan version for one GenerationJob (routed to the `ai` queue)."""
    return services.generation_run(job_id).status


@shared_task(name="bcp.tasks.export_version", acks_late=True)
def export_version(export_id: int) -> str:
    """Render one Export as PDF or DOCX (routed to the `exports` queue)."""
    return services.export_run(export_id).status


@shared_task(name="bcp.tasks.expire_plan_shares", acks_late=True)
def expire_plan_shares() -> int:
    """End the plan grants whose expiry has passed and remove their django-guardian permissions
    (access already ended at the expiry: the policy layer checks it). Idempotent."""
    from .services.sharing import shares_expire

    return shares_expire()
