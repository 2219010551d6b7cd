"""Generate draft versions of the departmental BC plans of one organization or of all of them.

Each plan gets its own GenerationJob and Celery task (queue `ai`), so N workers draft N plans
at once; this command enqueues them and draws a progress bar until every job has finished.
"""

from __future__ import annotations

import time
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Exists, OuterRef

from bcp import services
from bcp.models import GenerationJob, Plan, Template
from bcp.tasks import generate_plan_draft
from core.tenancy import tenancy_of
from organizations.models import Department, Organization, User

DEPARTMENTAL_TEMPLATE = "departmental-bcm"


class Command(BaseCommand):
    help = (
        "Draft new versions of departmental BCM plans with the AI generator (or the built-in "
        "one). Every result is a draft to be reviewed; approved versions are never changed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--org",
            action="append",
            default=[],
            metavar="CODE",
            help="Organization code (repeatable), e.g. --org MOH.",
        )
        parser.add_argument("--all", action="store_true", help="Every active organization.")
        parser.add_argument(
            "--as",
            dest="actor",
            metavar="EMAIL",
            help="Author of the drafts (default: each plan's owner).",
        )
        parser.add_argument(
            "--create-missing",
            action="store_true",
            help="First create a departmental plan (departmental BCM template, owned by the "
            "--as user) for every department that has none, so that every department is drafted.",
        )
        parser.add_argument(
            "--timeout",
            type=int,
            default=3600,
            help="Seconds to wait for the workers (default 3600).",
        )

    def handle(self, *args, **options):
        if not options["org"] and not options["all"]:
            raise CommandError("Say which plans: --org CODE (repeatable) or --all.")
        organizations = Organization.objects.filter(is_active=True)
        if options["org"]:
            codes = [c.strip() for c in options["org"]]
            organizations = Organization.objects.filter(code__in=codes)
            missing = set(codes) - set(organizations.values_list("code", flat=True))
            if missing:
                raise CommandError(f"No organization with code {', '.join(sorted(missing))}.")
        actor = None
        if options["actor"]:
            actor = User.objects.filter(email__iexact=options["actor"]).first()
            if actor is None:
                raise CommandError(f"No user with e-mail {options['actor']}.")
        if options["create_missing"]:
            if actor is None:
                raise CommandError("--create-missing needs --as EMAIL: the owner of the new plans.")
            self._create_missing(organizations, actor)
        else:
            self._report_missing(organizations)
        plans = list(
            Plan.objects.filter(organization__in=organizations, department__isnull=False)
            .exclude(status=Plan.Status.ARCHIVED)
            .select_related("organization", "department", "owner")
            .order_by("organization__code", "department__name", "title")
        )
        if not plans:
            self.stdout.write("No departmental plan to generate.")
            return
        batch = uuid.uuid4()
        skipped: list[str] = []
        jobs: list[int] = []
        self.stdout.write(f"Generating {len(plans)} departmental plan(s)…")
        for plan in plans:
            author = actor or plan.owner
            label = f"{plan.organization.code} / {plan.department.name} ({plan.title})"
            if not tenancy_of(author).can(plan.organization_id, "change"):
                skipped.append(f"{label}: {author} cannot edit it (use --as).")
                continue
            try:
                job = services.generation_request(
                    actor=author, plan=plan, batch=batch, enqueue=False
                )
            except (ValidationError, PermissionDenied) as exc:
                skipped.append(f"{label}: {' '.join(getattr(exc, 'messages', [str(exc)]))}")
                continue
            jobs.append(job.pk)
            # The job row is committed (the request is atomic), so the task may start now.
            generate_plan_draft.delay(job.pk)
            self._bar(jobs, len(plans) - len(skipped))
        deadline = time.monotonic() + options["timeout"]
        while jobs and not self._bar(jobs, len(jobs)):
            if time.monotonic() > deadline:
                self.stdout.write("")
                raise CommandError(
                    "Timed out waiting for the Celery workers (queue `ai`); the jobs go on, "
                    "see them in the admin (Generation jobs)."
                )
            time.sleep(1)
        self.stdout.write("")
        self._summary(jobs, skipped)

    @staticmethod
    def _departments_without_plan(organizations):
        live_plans = Plan.objects.filter(department=OuterRef("pk")).exclude(
            status=Plan.Status.ARCHIVED
        )
        return (
            Department.objects.filter(organization__in=organizations)
            .exclude(Exists(live_plans))
            .select_related("organization")
            .order_by("organization__code", "name")
        )

    def _report_missing(self, organizations) -> None:
        missing = self._departments_without_plan(organizations).count()
        if missing:
            self.stdout.write(
                self.style.WARNING(
                    f"{missing} department(s) have no BC plan and are not drafted; add "
                    "--create-missing --as EMAIL to create their plans first."
                )
            )

    def _create_missing(self, organizations, actor: User) -> None:
        """A plan per department without one (each in its own transaction, reasons reported)."""
        template = Template.objects.filter(code=DEPARTMENTAL_TEMPLATE).order_by("-version").first()
        if template is None:
            raise CommandError("The departmental BCM template is missing: run load_bcp_templates.")
        created = 0
        for department in self._departments_without_plan(organizations):
            label = f"{department.organization.code} / {department.name}"
            try:
                services.plan_create(
                    actor=actor,
                    organization=department.organization,
                    template=template,
                    title=f"{department.name} business continuity plan",
                    department=department,
                    change_note="Created for the AI drafting batch.",
                )
            except (ValidationError, PermissionDenied) as exc:
                reason = " ".join(getattr(exc, "messages", [str(exc)]))
                self.stdout.write(self.style.WARNING(f"No plan created for {label}: {reason}"))
                continue
            created += 1
        self.stdout.write(f"Created {created} departmental plan(s) for departments without one.")

    def _bar(self, jobs: list[int], total: int) -> bool:
        """Draw the progress bar; True when every job has finished."""
        finished = GenerationJob.objects.filter(pk__in=jobs, status__in=GenerationJob.FINISHED)
        done = finished.count()
        width = 30
        filled = round(width * done / total) if total else width
        self.stdout.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} plans", ending=""
        )
        self.stdout.flush()
        return done >= len(jobs)

    def _summary(self, jobs: list[int], skipped: list[str]) -> None:
        finished = GenerationJob.objects.filter(pk__in=jobs).select_related(
            "plan__organization", "plan__department", "version"
        )
        drafted = [j for j in finished if j.status == GenerationJob.Status.DONE]
        failed = [j for j in finished if j.status == GenerationJob.Status.FAILED]
        builtin = sum(1 for j in drafted if j.version.generation_fallback)
        self.stdout.write(
            self.style.SUCCESS(
                f"Drafted {len(drafted)} plan(s) ({builtin} by the built-in generator); "
                "each is a new draft version waiting for review."
            )
        )
        for job in failed:
            self.stdout.write(self.style.ERROR(f"Failed: {job.plan}: {job.error}"))
        for line in skipped:
            self.stdout.write(self.style.WARNING(f"Skipped: {line}"))
