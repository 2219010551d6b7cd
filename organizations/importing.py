"""Bulk user onboarding from CSV: validate everything first, then commit all or nothing.

Columns: email, first_name, last_name, organization (code), role, department, position, phone.

* `preview()` checks every row and lists every error with its row number; it writes nothing.
* `commit()` writes the whole file in one transaction: new users (no password: each gets an
  invitation link to set their own) and their memberships, new departments, memberships of
  existing members updated. Importing the same file again creates nobody and reports the rows as
  unchanged or updated.
* An existing account that is not yet a member of the row's organization is never attached: it
  gets an invitation to join (organizations/invitations.py), which its holder accepts or
  declines. The preview and the result count new addresses and such accounts together, as
  "invitations", so an import never tells which addresses have an account.
* Text is stored as given. Cells that a spreadsheet would run as a formula (starting with
  `=`, `+`, `-`, `@`) are neutralised when exported again (`csv_safe`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from core import audit
from core.tenancy import Role, bump_tenancy_version, tenancy_of

from . import invitations
from .models import Department, ImportJob, JoinInvitation, Membership, Organization, User

COLUMNS = [
    "email",
    "first_name",
    "last_name",
    "organization",
    "role",
    "department",
    "position",
    "phone",
]
REQUIRED = ["email", "organization", "role"]
MAX_ROWS = 5000
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
LIMITS = {
    "email": 254,
    "first_name": 150,
    "last_name": 150,
    "department": 120,
    "position": 120,
    "phone": 40,
}


def csv_safe(value: Any) -> str:
    """A cell that a spreadsheet will show as text, never run as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text


@dataclass
class Row:
    number: int  # the line in the file, header = 1
    email: str
    first_name: str
    last_name: str
    organization: str
    role: str
    department: str
    position: str
    phone: str


@dataclass
class Preview:
    rows: list[Row] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    #: rows for which an invitation will be sent: new addresses and existing accounts outside
    #: the organization alike (never told apart)
    invitations: int = 0
    #: rows naming people who are already members of that organization (updated or unchanged)
    members: int = 0
    new_departments: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)


@dataclass
class Result:
    updated: int = 0
    unchanged: int = 0
    departments_created: int = 0
    #: new accounts (each a membership and a set-your-password link)
    new_user_ids: list[int] = field(default_factory=list)
    #: existing accounts outside the organization (each an invitation to join)
    invitation_ids: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """What the importer is told: new and existing accounts are both "invited"."""
        return {
            "invited": len(self.new_user_ids) + len(self.invitation_ids),
            "memberships_updated": self.updated,
            "unchanged": self.unchanged,
            "departments_created": self.departments_created,
        }


def parse(text: str) -> tuple[list[Row], list[tuple[int, str]]]:
    """Rows of the CSV text, or file-level errors (missing columns, too many rows)."""
    text = text.lstrip("\ufeff")
    reader = csv.DictReader(io.StringIO(text))
    headers = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in COLUMNS if c not in headers]
    if missing:
        return [], [
            (1, f"Missing column(s): {', '.join(missing)}. Expected: {', '.join(COLUMNS)}.")
        ]
    reader.fieldnames = headers
    rows = []
    for number, raw in enumerate(reader, start=2):
        if number - 1 > MAX_ROWS:
            return [], [(number, f"The file has more than {MAX_ROWS} rows; split it.")]
        if not any((v or "").strip() for v in raw.values() if isinstance(v, str)):
            continue  # blank line
        values = {c: (raw.get(c) or "").strip() for c in COLUMNS}
        values["email"] = values["email"].lower()
        values["organization"] = values["organization"].upper()
        values["role"] = values["role"].lower().replace(" ", "_")
        rows.append(Row(number=number, **values))
    return rows, []


def preview(text: str, importer: Any) -> Preview:
    """Validate every row against the database and the importer's rights. Writes nothing."""
    rows, errors = parse(text)
    result = Preview(rows=rows, errors=list(errors))
    if errors:
        return result
    if not rows:
        result.errors.append((1, "The file has no rows."))
        return result
    codes = {r.organization for r in rows}
    organizations = {o.code: o for o in Organization.objects.filter(code__in=codes)}
    emails = {r.email for r in rows}
    # (e-mail, organization id) of the rows' people who are already members there
    members = set(
        Membership.objects.filter(user__email__in=emails, organization__code__in=codes).values_list(
            "user__email", "organization_id"
        )
    )
    departments = {
        (d.organization_id, d.name.lower())
        for d in Department.objects.filter(organization__code__in=codes)
    }
    profile = tenancy_of(importer) if importer is not None else None
    roles = set(Role.values)
    seen: dict[str, int] = {}
    new_departments: set[tuple[str, str]] = set()
    for row in rows:
        problems = []
        for name in REQUIRED:
            if not getattr(row, name):
                problems.append(f"{name} is empty")
        if row.email:
            try:
                validate_email(row.email)
            except ValidationError:
                problems.append(f"“{row.email}” is not a valid e-mail address")
            if row.email in seen:
                problems.append(f"{row.email} already appears on row {seen[row.email]}")
            else:
                seen[row.email] = row.number
        org = organizations.get(row.organization)
        if row.organization and org is None:
            problems.append(f"organization {row.organization} does not exist")
        elif org is not None and profile is not None and not profile.can(org.pk, "admin"):
            problems.append(f"you may not add users to {row.organization}")
        elif org is not None and not org.is_active:
            problems.append(f"organization {row.organization} is inactive")
        if row.role and row.role not in roles:
            problems.append(f"role “{row.role}” is not one of {', '.join(sorted(roles))}")
        for name, limit in LIMITS.items():
            if len(getattr(row, name)) > limit:
                problems.append(f"{name} is longer than {limit} characters")
        if (
            org is not None
            and row.department
            and (org.pk, row.department.lower()) not in departments
        ):
            new_departments.add((org.code, row.department))
        for problem in problems:
            result.errors.append((row.number, problem))
        if not problems:
            if (row.email, org.pk) in members:
                result.members += 1
            else:
                result.invitations += 1
    result.new_departments = sorted(f"{code}: {name}" for code, name in new_departments)
    return result


@transaction.atomic
def commit(
    text: str, importer: Any, progress: Callable[[int], None] | None = None
) -> tuple[Preview, Result | None]:
    """Validate again and write everything in one transaction; nothing is written on any error."""
    checked = preview(text, importer)
    if not checked.ok:
        return checked, None
    rows = checked.rows
    result = Result()
    organizations = {
        o.code: o for o in Organization.objects.filter(code__in={r.organization for r in rows})
    }
    # Departments: create the missing ones.
    departments = {
        (d.organization_id, d.name.lower()): d
        for d in Department.objects.filter(organization__in=organizations.values())
    }
    for row in rows:
        org = organizations[row.organization]
        key = (org.pk, row.department.lower())
        if row.department and key not in departments:
            departments[key] = Department.objects.create(organization=org, name=row.department)
            result.departments_created += 1
    # Users: bulk-create the new ones with an unusable password (they set theirs by invitation).
    users = {u.email: u for u in User.objects.filter(email__in=[r.email for r in rows])}
    new_users = [
        User(
            email=r.email,
            first_name=r.first_name,
            last_name=r.last_name,
            position=r.position,
            phone=r.phone,
            password="!",
        )
        for r in rows
        if r.email not in users
    ]
    for user in new_users:
        user.set_unusable_password()
    User.objects.bulk_create(new_users, batch_size=500)
    result.new_user_ids = [u.pk for u in new_users]
    users.update({u.email: u for u in new_users})
    # Memberships: create, or update role/department/position of an existing one.
    memberships = {
        (m.user_id, m.organization_id): m
        for m in Membership.objects.filter(
            user__in=users.values(), organization__in=organizations.values()
        )
    }
    primary_users = set(
        Membership.objects.filter(user__in=users.values(), is_primary=True).values_list(
            "user_id", flat=True
        )
    )
    new_ids = set(result.new_user_ids)
    pending = {
        (i.user_id, i.organization_id): i
        for i in JoinInvitation.objects.filter(
            user__in=[u for u in users.values() if u.pk not in new_ids],
            organization__in=organizations.values(),
            status=JoinInvitation.Status.PENDING,
        )
    }
    to_create, to_update = [], []
    for done, row in enumerate(rows, start=1):
        user, org = users[row.email], organizations[row.organization]
        department = departments.get((org.pk, row.department.lower())) if row.department else None
        membership = memberships.get((user.pk, org.pk))
        if membership is None and user.pk not in new_ids:
            # Someone else's account: invite, never attach (organizations/invitations.py).
            invitation = invitations.invitation_upsert(
                actor=importer,
                user=user,
                organization=org,
                role=row.role,
                department=department,
                position=row.position,
                email=row.email,
                pending=pending.get((user.pk, org.pk)),
            )
            result.invitation_ids.append(invitation.pk)
        elif membership is None:
            to_create.append(
                Membership(
                    user=user,
                    organization=org,
                    role=row.role,
                    department=department,
                    position=row.position,
                    is_primary=user.pk not in primary_users,
                )
            )
            primary_users.add(user.pk)
        else:
            wanted = (row.role, department.pk if department else None, row.position)
            if (membership.role, membership.department_id, membership.position) == wanted:
                result.unchanged += 1
            else:
                membership.role, membership.department, membership.position = (
                    row.role,
                    department,
                    row.position,
                )
                to_update.append(membership)
                result.updated += 1
        if progress and done % 100 == 0:
            progress(done)
    Membership.objects.bulk_create(to_create, batch_size=500)
    Membership.objects.bulk_update(
        to_update, ["role", "department", "position", "updated_at"], batch_size=500
    )
    bump_tenancy_version()  # bulk writes send no signals
    for org in organizations.values():
        count = sum(1 for r in rows if r.organization == org.code)
        audit.record(
            actor=importer,
            action="users.imported",
            subject=org,
            organization=org,
            after={"rows": count, **result.as_dict()},
        )
    if progress:
        progress(len(rows))
    return checked, result


@transaction.atomic
def claim(job: ImportJob) -> bool:
    """Queue a previewed import for its commit, once: a conditional UPDATE (previewed → queued)
    that exactly one of any number of simultaneous requests wins. False when the job is already
    queued, running or finished (nothing is queued twice)."""
    from core import outbox

    from . import tasks

    claimed = ImportJob.objects.filter(
        pk=job.pk, status=ImportJob.Status.PREVIEWED, errors=[]
    ).update(status=ImportJob.Status.QUEUED)
    if claimed:
        outbox.enqueue(tasks.run_import, job.pk)
    return bool(claimed)


def mark_invited(user_ids: list[int]) -> None:
    User.objects.filter(pk__in=user_ids).update(invited_at=timezone.now())
