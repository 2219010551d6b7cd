"""AI drafting jobs: request, run, record the generated draft."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

import notifications
from core import outbox
from core.tenancy import require
from organizations.models import Organization

from ..models import GenerationJob, Plan, PlanVersion
from ._common import _lock_plan, _record, _save
from .plans import version_create_draft
from .quotas import _check_quotas

# --- AI drafting ----------------------------------------------------------------------------------


def _check_can_draft(plan: Plan) -> None:
    if plan.status == Plan.Status.ARCHIVED:
        raise ValidationError("This plan is archived; no new versions can be drafted.")
    in_review = plan.versions.filter(status=PlanVersion.Status.IN_REVIEW).first()
    if in_review is not None:
        raise ValidationError(
            f"Version {in_review.version_number} is in review: finish the review before "
            "generating a new draft."
        )


@transaction.atomic
def generation_request(
    *, actor: Any, plan: Plan, batch: uuid.UUID | None = None, enqueue: bool = True
) -> GenerationJob:
    """Ask for a generated draft of the plan (editors). Returns the job the page will poll.

    A plan already being generated returns its running job instead of a second one; requests
    from the portal and the API count against the organization's hourly limit.
    """
    require(actor, plan.organization_id, "change")
    # The organization row serializes requests, so concurrent ones cannot overshoot the limit.
    organization = Organization.objects.select_for_update().get(pk=plan.organization_id)
    plan = _lock_plan(plan)
    _check_can_draft(plan)
    pending = plan.generation_jobs.exclude(status__in=GenerationJob.FINISHED).first()
    if pending is not None:
        return pending
    if batch is None:
        _check_quotas(
            GenerationJob.objects.filter(organization=organization, batch__isnull=True),
            actor=actor,
            organization=organization,
            what="generated drafts",
            organization_limit=settings.BCP_GENERATIONS_PER_HOUR,
            user_limit=settings.BCP_GENERATIONS_PER_USER_PER_HOUR,
        )
    job = GenerationJob(organization=organization, plan=plan, requested_by=actor, batch=batch)
    job.stage = "Waiting for a generation worker."
    _save(job)
    _record(actor, "bcp.generation.requested", job, plan, after={"job": str(job.public_id)})
    if enqueue:
        from ..tasks import generate_plan_draft

        outbox.enqueue(generate_plan_draft, job.pk)
    return job


def _job_progress(job_id: int, progress: int, stage: str) -> None:
    GenerationJob.objects.filter(pk=job_id).update(progress=progress, stage=stage)


def generation_run(job_id: int, generate=None) -> GenerationJob:
    """Run one generation job (the Celery task's body). Idempotent: a job that is finished, or
    that another delivery finished while this one was generating, never yields a second draft.

    The slow part (the AI call) runs outside any transaction; the job row is locked at the start
    (to claim it) and at the end (to write the draft only if the job is still unfinished).
    """
    from .. import generation

    generate = generate or generation.generate
    with transaction.atomic():
        job = GenerationJob.objects.select_for_update(of=("self",)).get(pk=job_id)
        if job.is_finished:
            return job
        job.status = GenerationJob.Status.RUNNING
        job.attempts += 1
        job.started_at = job.started_at or timezone.now()
        job.progress, job.stage = 10, "Reading the plan's processes, vendors and risks."
        job.save(update_fields=["status", "attempts", "started_at", "progress", "stage"])
    plan = Plan.objects.select_related("organization", "department", "template").get(pk=job.plan_id)
    ai = f"Asking {settings.LLM_MODEL}." if settings.LLM_BASE_URL else "Writing the plan."
    _job_progress(job.pk, 30, ai)
    try:
        result = generate(plan)
    except Exception as exc:  # noqa: BLE001 - any crash must end the job with a message
        return _job_fail(job.pk, f"The generator failed unexpectedly: {exc}")
    _job_progress(job.pk, 80, "Saving the new draft version.")
    try:
        with transaction.atomic():
            job = GenerationJob.objects.select_for_update(of=("self",)).get(pk=job_id)
            if job.is_finished:
                return job
            version = version_create_generated(
                actor=job.requested_by, plan=plan, result=result, job=job
            )
            job.status = GenerationJob.Status.DONE
            job.version = version
            job.progress = 100
            job.stage = f"Draft version {version.version_number} is ready for review." + (
                " The built-in generator wrote it: " + " ".join(result.notes)
                if result.fallback and result.notes
                else ""
            )
            job.finished_at = timezone.now()
            job.save()
            notifications.emit("bcp.draft_ready", job, key=f"generation:{job.pk}")
            return job
    except (ValidationError, PermissionDenied) as exc:
        messages_ = getattr(exc, "messages", None) or [str(exc)]
        return _job_fail(job_id, " ".join(messages_))


def _job_fail(job_id: int, error: str) -> GenerationJob:
    with transaction.atomic():
        job = GenerationJob.objects.select_for_update(of=("self",)).get(pk=job_id)
        if not job.is_finished:
            job.status = GenerationJob.Status.FAILED
            job.error = error[:2000]
            job.stage = "No draft was created."
            job.progress = 100
            job.finished_at = timezone.now()
            job.save(update_fields=["status", "error", "stage", "progress", "finished_at"])
            notifications.emit("bcp.draft_failed", job, key=f"generation:{job.pk}")
    return job


@transaction.atomic
def version_create_generated(
    *, actor: Any, plan: Plan, result: Any, job: GenerationJob | None = None
) -> PlanVersion:
    """Record a generated plan as a NEW draft version (never over an approved one).

    An open draft is set aside (kept, with its text, in the version history) so the generated
    draft can become the plan's one open version; a version in review blocks generation.
    """
    require(actor, plan.organization_id, "change")
    plan = _lock_plan(plan)
    _check_can_draft(plan)
    for draft in plan.versions.select_for_update(of=("self",)).filter(
        status=PlanVersion.Status.DRAFT
    ):
        draft.status = PlanVersion.Status.SET_ASIDE
        draft.save(update_fields=["status", "updated_at"])
        _record(
            actor,
            "bcp.version.set_aside",
            draft,
            plan,
            before={"status": PlanVersion.Status.DRAFT},
            after={"status": draft.status, "reason": "replaced by a generated draft"},
        )
    version = version_create_draft(
        actor=actor,
        plan=plan,
        content=result.content,
        change_note=result.change_note,
        generated_by=result.generated_by,
    )
    version.generation_fallback = result.fallback
    version.prompt_sha256 = result.prompt_sha256
    version.prompt_tokens = result.prompt_tokens
    version.completion_tokens = result.completion_tokens
    version.generation_ms = result.duration_ms
    version.save(
        update_fields=[
            "generation_fallback",
            "prompt_sha256",
            "prompt_tokens",
            "completion_tokens",
            "generation_ms",
        ]
    )
    _record(
        actor,
        "bcp.version.generated",
        version,
        plan,
        after={
            "job": str(job.public_id) if job else None,
            "generated_by": result.generated_by,
            "fallback": result.fallback,
            "prompt_sha256": result.prompt_sha256,
            "prompt_tokens": result.prompt_tokens,
            "completion_tokens": result.completion_tokens,
            "duration_ms": result.duration_ms,
        },
    )
    return version
