"""Demo data of the rollout: pilots live, wave 2 in UAT with training half done, wave 3 waiting.

Idempotent (`seed_demo` may run any number of times): everything is looked up by a natural key
(e-mail, title, organization and date) before it is created."""

from __future__ import annotations

import datetime

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from waffle.models import Flag

from core import versioned_cache
from core.modules import MODULES, flag_name
from core.tenancy import Role, bump_tenancy_version
from organizations.demo import DEMO_PASSWORD, PILOTS
from organizations.models import Department, Membership, ModuleFlagScope, Organization, User

from . import announcements
from .models import (
    AdoptionDaily,
    Announcement,
    Certificate,
    Enrolment,
    Feedback,
    GoLiveAttempt,
    TrainingSession,
    UATResult,
    UATRun,
    UATScript,
)

WAVE_2 = ["MBHTE", "MENRE", "MFBM", "MHSD", "MILG", "MPW", "MSSD", "MTIT"]
#: Half of wave 2 has attended its training and signed UAT off; the other half is under way.
WAVE_2_AHEAD = WAVE_2[:4]
STAFF = [
    ("admin", Role.ORG_ADMIN),
    ("editor", Role.EDITOR),
    ("approver", Role.APPROVER),
    ("viewer1", Role.VIEWER),
    ("viewer2", Role.VIEWER),
    ("viewer3", Role.VIEWER),
    ("viewer4", Role.VIEWER),
    ("viewer5", Role.VIEWER),
    ("viewer6", Role.VIEWER),
    ("viewer7", Role.VIEWER),
]


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _module_flags() -> None:
    """Each module flag scoped to wave 1 (the pilots); later waves are added at go-live. The
    flags stay on for everyone as the migration made them (testers in UAT use the modules);
    an administrator narrows them in the admin."""
    for module in MODULES:
        flag, _ = Flag.objects.get_or_create(name=flag_name(module), defaults={"everyone": True})
        scope, _ = ModuleFlagScope.objects.get_or_create(flag=flag)
        if 1 not in scope.waves:
            scope.waves = sorted({*scope.waves, 1})
            scope.save()


def _wave_2_staff(org: Organization, password_hash: str) -> dict[str, Membership]:
    departments = {}
    for name in ("Finance", "Human Resources", "Planning"):
        departments[name], _ = Department.objects.get_or_create(organization=org, name=name)
    memberships = {}
    for n, (slug, role) in enumerate(STAFF):
        email = f"{org.code.lower()}.{slug}@wave2.bmms.demo"
        user = User.objects.filter(email=email).first()
        if user is None:
            # 9 of 10 have set their password (activated); the last one is still invited.
            user = User.objects.create(
                email=email,
                first_name=org.code,
                last_name=slug.capitalize(),
                password=password_hash if n < 9 else "!invited",
                invited_at=timezone.now(),
            )
        membership, _ = Membership.objects.get_or_create(
            user=user,
            organization=org,
            defaults={
                "role": role,
                "is_primary": True,
                "department": list(departments.values())[n % 3],
            },
        )
        memberships[slug] = membership
    return memberships


def _session(title, module, role, start, trainer, capacity=30, venue="DAB Training Hall"):
    session = TrainingSession.objects.filter(title=title).first()
    if session is None:
        session = TrainingSession.objects.create(
            title=title,
            module=module,
            audience_role=role,
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=3),
            venue=venue,
            capacity=capacity,
            trainer=trainer,
        )
    return session


def _enrol(session, membership, attended=None):
    enrolment, created = Enrolment.objects.get_or_create(
        session=session,
        user=membership.user,
        defaults={
            "organization": membership.organization,
            "role": membership.role,
            "attended": attended,
        },
    )
    if created and attended:
        Certificate.objects.create(enrolment=enrolment)
    return enrolment


def _pilots_trained_and_accepted(orgs, trainer, went_live) -> None:
    """What took the pilots live: their key roles trained and every module signed off."""
    session = _session(
        "Pilots · portal essentials",
        "planning",
        "",
        _at(went_live - datetime.timedelta(days=14), 9),
        trainer,
        capacity=40,
    )
    for code in PILOTS:
        admin = User.objects.get(email=f"{code.lower()}.admin@bmms.demo")
        for slug in ("admin", "editor", "approver"):
            user = User.objects.get(email=f"{code.lower()}.{slug}@bmms.demo")
            _enrol(session, user.memberships.get(organization=orgs[code]), attended=True)
        for script in UATScript.objects.all():
            run, created = UATRun.objects.get_or_create(organization=orgs[code], script=script)
            if created:
                UATResult.objects.bulk_create(
                    UATResult(run=run, step=i, outcome="pass", tester=admin)
                    for i in range(len(script.steps))
                )
                run.signed_off_by, run.signed_off_at = admin, _at(went_live, 8)
                run.save(update_fields=["signed_off_by", "signed_off_at"])


@transaction.atomic
def seed(scale: int = 0) -> list[str]:
    today = timezone.localdate()
    orgs = {o.code: o for o in Organization.objects.all()}
    root = User.objects.get(email="root@bmms.demo")
    password_hash = make_password(DEMO_PASSWORD)
    _module_flags()

    # Pilots: live for a month.
    went_live = today - datetime.timedelta(days=30)
    for code in PILOTS:
        org = orgs[code]
        Organization.objects.filter(pk=org.pk).update(
            rollout_wave=1,
            onboarding_status=Organization.OnboardingStatus.LIVE,
            onboarding_date=went_live - datetime.timedelta(days=45),
            go_live_date=went_live,
        )
        GoLiveAttempt.objects.get_or_create(
            organization=org,
            go_live_date=went_live,
            defaults={"outcome": GoLiveAttempt.Outcome.LIVE, "modules": list(MODULES)},
        )
    _pilots_trained_and_accepted(orgs, root, went_live)
    # Wave 2 in UAT, going live in two weeks; wave 3 waits.
    Organization.objects.filter(code__in=WAVE_2).update(
        rollout_wave=2,
        onboarding_status=Organization.OnboardingStatus.UAT,
        onboarding_date=today - datetime.timedelta(days=20),
        go_live_date=today + datetime.timedelta(days=14),
    )
    Organization.objects.filter(rollout_wave__isnull=True).exclude(code__in=PILOTS).update(
        rollout_wave=3, go_live_date=today + datetime.timedelta(days=75)
    )
    staff = {code: _wave_2_staff(orgs[code], password_hash) for code in WAVE_2}
    bump_tenancy_version()  # update() and bulk changes send no signals

    # Training: the wave-2 sessions already held, attended by the organizations ahead.
    held = today - datetime.timedelta(days=7)
    for n, (slug, role) in enumerate(STAFF[:3]):
        session = _session(
            f"Wave 2 · {Role(role).label} essentials",
            ["bcp", "planning", "budgeting"][n],
            role,
            _at(held + datetime.timedelta(days=n), 9),
            root,
        )
        for code in WAVE_2:
            _enrol(session, staff[code][slug], attended=code in WAVE_2_AHEAD)
    # Upcoming: a make-up session (small: its waiting list shows) and one for everyone.
    makeup = _session(
        "Wave 2 · make-up session for org admins",
        "planning",
        Role.ORG_ADMIN,
        _at(today + datetime.timedelta(days=3), 13),
        root,
        capacity=3,
        venue="Online",
    )
    TrainingSession.objects.filter(pk=makeup.pk).update(
        venue="", online_link="https://meet.example.gov.ph/bmms-makeup"
    )
    for code in WAVE_2[4:]:
        membership = staff[code]["admin"]
        if not Enrolment.objects.filter(session=makeup, user=membership.user).exists():
            taken = makeup.enrolments.filter(status=Enrolment.Status.ENROLLED).count()
            Enrolment.objects.create(
                session=makeup,
                user=membership.user,
                organization=membership.organization,
                role=membership.role,
                status=Enrolment.Status.ENROLLED
                if taken < makeup.capacity
                else Enrolment.Status.WAITLISTED,
            )
    _session(
        "Portal basics for every staff member",
        "coordination",
        "",
        _at(today + datetime.timedelta(days=10), 9),
        root,
        capacity=60,
    )

    # UAT: every module signed off by the organizations ahead, two steps passed elsewhere.
    for code in WAVE_2:
        admin = staff[code]["admin"].user
        editor = staff[code]["editor"].user
        for script in UATScript.objects.all():
            run, _ = UATRun.objects.get_or_create(organization=orgs[code], script=script)
            ahead = code in WAVE_2_AHEAD
            steps = range(len(script.steps)) if ahead else range(2)
            for step in steps:
                UATResult.objects.get_or_create(
                    run=run, step=step, defaults={"outcome": "pass", "tester": editor}
                )
            if ahead and run.signed_off_at is None:
                run.signed_off_by, run.signed_off_at = admin, timezone.now()
                run.save(update_fields=["signed_off_by", "signed_off_at"])

    # Announcements: for everyone, for wave 2, and a maintenance window ahead.
    now = timezone.now()
    for title, body, severity, audience, wave, start, end in [
        (
            "Wave 2 user acceptance testing is under way",
            "Testers of wave 2: record every step under **Training & feedback → UAT**. "
            "Questions? Use *Report a problem* at the bottom of any page.",
            Announcement.Severity.INFO,
            Announcement.Audience.WAVE,
            2,
            now - datetime.timedelta(days=3),
            now + datetime.timedelta(days=14),
        ),
        (
            "Planned maintenance: database upgrade",
            "The portal will be unavailable for about one hour.",
            Announcement.Severity.MAINTENANCE,
            Announcement.Audience.EVERYONE,
            None,
            _at(today + datetime.timedelta(days=5), 22),
            _at(today + datetime.timedelta(days=5), 23),
        ),
        (
            "Welcome to the BMMS portal",
            "The pilots are live. See the [help](/rollout/help/) for the user guides.",
            Announcement.Severity.INFO,
            Announcement.Audience.EVERYONE,
            None,
            now - datetime.timedelta(days=1),
            now + datetime.timedelta(days=30),
        ),
    ]:
        Announcement.objects.get_or_create(
            title=title,
            defaults={
                "body": body,
                "severity": severity,
                "audience": audience,
                "wave": wave,
                "starts_at": start,
                "ends_at": end,
                "created_by": root,
            },
        )
    versioned_cache.bump(announcements.NAMESPACE)
    announcements.forget()

    # Feedback from the pilots, at every stage of triage.
    for email, summary, status in [
        ("moh.editor@bmms.demo", "Goal progress does not update after saving", "in_progress"),
        ("moh.viewer@bmms.demo", "Please add a print button to the work plan", "accepted"),
        ("mole.editor@bmms.demo", "Typo on the partnership form", "resolved"),
        ("mafar.approver@bmms.demo", "Export to Excel for budget proposals", "new"),
    ]:
        user = User.objects.get(email=email)
        if not Feedback.objects.filter(reporter=user, summary=summary).exists():
            Feedback.objects.create(
                organization=user.memberships.get(is_primary=True).organization,
                reporter=user,
                kind="suggestion"
                if "add" in summary.lower() or "export" in summary.lower()
                else "problem",
                summary=summary,
                status=status,
                page_url="/planning/",
                owner=root if status != "new" else None,
            )

    # Adoption aggregates of the last 14 days for MOH and MOLE (MAFAR has gone quiet).
    for back in range(1, 15):
        day = today - datetime.timedelta(days=back)
        for code, users in (("MOH", 4), ("MOLE", 3)):
            for module, writes in (("all", 9), ("planning", 5), ("budgeting", 3), ("bcp", 1)):
                AdoptionDaily.objects.get_or_create(
                    day=day,
                    organization=orgs[code],
                    module=module,
                    role="editor",
                    defaults={
                        "active_users": users if module == "all" else max(1, users - 2),
                        "requests": writes * 12,
                        "writes": writes,
                        "median_ms": 50,
                    },
                )
    return [
        "rollout: pilots live; wave 2 (8 organizations, staff <code>.admin@wave2.bmms.demo …) "
        "in UAT, half trained and signed off; wave 3 waiting",
    ]
