"""Celery tasks of the organizations app: thin wrappers that load by id and call a service."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import DatabaseError, transaction
from django.utils import timezone

import notifications
from core import outbox

from . import importing, invitations
from .models import ImportJob, User

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def send_invitations(user_ids: list[int]) -> int:
    """Send invitation e-mails. Only ids travel through the broker, never a password or token."""
    return invitations.send_invitations(user_ids)


@shared_task(acks_late=True)
def send_join_invitations(invitation_ids: list[int]) -> int:
    """E-mail invitations to join an organization (existing accounts); ids only."""
    return invitations.send_join_invitations(invitation_ids)


@shared_task(acks_late=True)
def run_import(job_id: int) -> str:
    """Commit a queued import. Idempotent and claimed atomically: the job row is switched from
    queued to running in the same transaction as the import, so of two workers handed the same
    job (a redelivered message) one imports and the other, blocked on the row until the first
    commits, finds it done and leaves it. A worker that dies mid-import rolls everything back,
    the job included, and the redelivered message imports it from the start."""
    try:
        with transaction.atomic():
            claimed = ImportJob.objects.filter(
                pk=job_id, status__in=[ImportJob.Status.QUEUED, ImportJob.Status.RUNNING]
            ).update(status=ImportJob.Status.RUNNING)
            if not claimed:
                return ImportJob.objects.get(pk=job_id).status
            job = ImportJob.objects.get(pk=job_id)
            importer = User.objects.filter(pk=job.created_by_id).first()

            def progress(done: int) -> None:
                ImportJob.objects.filter(pk=job.pk).update(processed_rows=done)

            checked, result = importing.commit(job.content, importer, progress=progress)
            job.refresh_from_db()
            job.finished_at = timezone.now()
            if result is None:
                job.status = ImportJob.Status.FAILED
                job.errors = checked.errors
            else:
                job.status = ImportJob.Status.DONE
                job.processed_rows = job.total_rows
                job.result = result.as_dict()
                outbox.enqueue(send_invitations, result.new_user_ids)
                if result.invitation_ids:
                    outbox.enqueue(send_join_invitations, result.invitation_ids)
            job.save()
            notifications.emit("onboarding.import_finished", job, key=f"import:{job.pk}")
            return job.status
    except DatabaseError:
        # Another import changed the same accounts or departments meanwhile: nothing of this
        # one was written. Say so on the job page instead of leaving it queued.
        logger.exception("Import %s could not be committed", job_id)
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportJob.Status.FAILED,
            finished_at=timezone.now(),
            errors=[
                [
                    0,
                    "The import could not be completed because the same people or departments "
                    "were changed at the same moment. Nothing was imported; upload the file again.",
                ]
            ],
        )
        return ImportJob.Status.FAILED


@shared_task
def relay_outbox() -> int:
    """Publish background work that was kept while the broker was down."""
    from core import outbox

    return outbox.relay()
