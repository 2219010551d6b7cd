"""Celery tasks of the organizations app: thin wrappers that load by id and call a service."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from . import importing, invitations, outbox
from .models import ImportJob, User


@shared_task(acks_late=True)
def send_invitations(user_ids: list[int]) -> int:
    """Send invitation e-mails. Only ids travel through the broker, never a password or token."""
    return invitations.send_invitations(user_ids)


@shared_task(acks_late=True)
def run_import(job_id: int) -> str:
    """Commit a previewed import, updating the job's progress as it goes. Idempotent: a job that
    is already done or failed is left alone, and re-importing the same rows creates nobody."""
    job = ImportJob.objects.get(pk=job_id)
    if job.status in (ImportJob.Status.DONE, ImportJob.Status.FAILED):
        return job.status
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)
    importer = User.objects.filter(pk=job.created_by_id).first()

    def progress(done: int) -> None:
        # Written outside the import's transaction so the progress bar moves while it runs.
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
        ids = result.new_user_ids
        outbox.enqueue(send_invitations, ids)
    job.save()
    return job.status


@shared_task
def relay_outbox() -> int:
    """Publish background work that was kept while the broker was down."""
    from . import outbox

    return outbox.relay()
