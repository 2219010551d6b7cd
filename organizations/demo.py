"""Demo data of the organizations app: departments and personas with known demo passwords.

`seed_demo` calls `seed()`; later apps add their own `seed()` and register them in the command.
Everything is idempotent: running it twice creates nothing new.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.db import transaction

from core.tenancy import Role, bump_tenancy_version

from .models import Department, Membership, OCMAccess, Organization, User

DEMO_PASSWORD = "Bangsamoro-demo-2026"
PILOTS = ["MOH", "MOLE", "MAFAR"]
DEPARTMENTS = [
    ("Finance", "FIN", "Budget, accounting and disbursements."),
    ("Human Resources", "HR", "Personnel, payroll records and training."),
    ("Information Technology", "IT", "Systems, networks and data backups."),
    ("Operations", "OPS", "Frontline programs and field services."),
    ("Planning", "PLN", "Strategic and annual planning, monitoring and evaluation."),
]
FIRST_NAMES = [
    "Aisah",
    "Bai",
    "Datu",
    "Norhaya",
    "Abdul",
    "Fatima",
    "Jamal",
    "Sittie",
    "Omar",
    "Rohaida",
    "Samira",
    "Ismael",
    "Johaira",
    "Khalid",
    "Noraida",
    "Rashid",
    "Aminah",
    "Tong",
    "Maria",
    "José",
    "Nuñez",
    "Liza",
    "Ramon",
    "Amina",
]
LAST_NAMES = [
    "Ampatuan",
    "Sinsuat",
    "Macapagal",
    "Dimaporo",
    "Guiamel",
    "Mangudadatu",
    "Lucman",
    "Alonto",
    "Piang",
    "Tillah",
    "Sema",
    "Usman",
    "Kusain",
    "Balindong",
    "Pangandaman",
    "Dela Cruz",
    "Peñaranda",
    "Muñoz",
    "Santos",
    "Abubakar",
]


@dataclass(frozen=True)
class Persona:
    email: str
    first_name: str
    last_name: str
    org: str | None
    role: str | None
    department: str | None = None
    ocm_level: str | None = None
    superuser: bool = False
    position: str = ""


def personas() -> list[Persona]:
    people: list[Persona] = []
    staff = [
        ("admin", Role.ORG_ADMIN, "Information Technology", "Systems Administrator"),
        ("editor", Role.EDITOR, "Planning", "Planning Officer III"),
        ("approver", Role.APPROVER, "Finance", "Division Chief"),
        ("viewer", Role.VIEWER, "Operations", "Administrative Aide"),
    ]
    # A real name for each demo person (one pilot organization's four people are four people).
    names = {
        "MOH": [("Aisah", "Sinsuat"), ("Farida", "Mangudadatu"), ("Omar", "Ampatuan"),
                ("Bai Sittie", "Macapagal")],
        "MOLE": [("Jamal", "Alonto"), ("Hasmin", "Pendatun"), ("Rashid", "Dimaporo"),
                 ("Sahara", "Tomawis")],
        "MAFAR": [("Norhaya", "Piang"), ("Abdulnasser", "Lucman"), ("Jehan", "Sangki"),
                  ("Rahima", "Datumanong")],
    }  # fmt: skip
    for code in PILOTS:
        for (slug, role, department, position), (first, last) in zip(
            staff, names[code], strict=True
        ):
            people.append(
                Persona(
                    email=f"{code.lower()}.{slug}@bmms.demo",
                    first_name=first,
                    last_name=last,
                    org=code,
                    role=role,
                    department=department,
                    position=position,
                )
            )
    people.append(
        Persona(
            email="ocm.analyst@bmms.demo",
            first_name="Rohaida",
            last_name="Usman",
            org=None,
            role=None,
            ocm_level=OCMAccess.Level.ANALYST,
            position="OCM Policy Analyst",
        )
    )
    people.append(
        Persona(
            email="ocm.executive@bmms.demo",
            first_name="Ismael",
            last_name="Balindong",
            org=None,
            role=None,
            ocm_level=OCMAccess.Level.EXECUTIVE,
            position="Chief of Staff",
        )
    )
    people.append(
        Persona(
            email="root@bmms.demo",
            first_name="System",
            last_name="Administrator",
            org=None,
            role=None,
            superuser=True,
        )
    )
    return people


def _ensure_departments(organization: Organization) -> dict[str, Department]:
    existing = {d.name: d for d in Department.objects.filter(organization=organization)}
    for name, code, description in DEPARTMENTS:
        if name not in existing:
            existing[name] = Department.objects.create(
                organization=organization, name=name, code=code, description=description
            )
    return existing


def _ensure_user(persona: Persona) -> tuple[User, bool]:
    user = User.objects.filter(email=persona.email).first()
    if user is not None:
        return user, False
    user = User(
        email=persona.email,
        first_name=persona.first_name,
        last_name=persona.last_name,
        position=persona.position,
        is_staff=persona.superuser,
        is_superuser=persona.superuser,
    )
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user, True


@transaction.atomic
def seed(scale: int = 0, stdout=None) -> list[Persona]:
    """Departments for the pilots, the personas, and `scale` extra staff per organization."""
    orgs = {o.code: o for o in Organization.objects.all()}
    for code in PILOTS:
        _ensure_departments(orgs[code])
    for persona in personas():
        user, _created = _ensure_user(persona)
        if persona.org:
            org = orgs[persona.org]
            department = Department.objects.get(organization=org, name=persona.department)
            Membership.objects.get_or_create(
                user=user,
                organization=org,
                defaults={
                    "role": persona.role,
                    "department": department,
                    "is_primary": True,
                    "position": persona.position,
                },
            )
        if persona.ocm_level:
            OCMAccess.objects.get_or_create(user=user, defaults={"level": persona.ocm_level})
    # The pilots are further along the rollout than everyone else.
    for code, status in (("MOH", "live"), ("MOLE", "uat"), ("MAFAR", "training")):
        Organization.objects.filter(code=code, onboarding_status="not_started").update(
            onboarding_status=status
        )
    bump_tenancy_version()  # `update()` sends no signals
    # The MOH admin also works in MOLE (as a viewer) to show the organization switcher.
    moh_admin = User.objects.get(email="moh.admin@bmms.demo")
    Membership.objects.get_or_create(
        user=moh_admin,
        organization=orgs["MOLE"],
        defaults={"role": Role.VIEWER, "is_primary": False},
    )
    if scale:
        _seed_scale(orgs, scale)
    return personas()


def _seed_scale(orgs: dict[str, Organization], scale: int) -> None:
    """`scale` staff members in every organization, spread over its departments (bulk inserts)."""
    rng = random.Random(2026)
    roles = [Role.VIEWER] * 6 + [Role.EDITOR] * 3 + [Role.APPROVER]
    existing = set(
        User.objects.filter(email__endswith="@scale.bmms.demo").values_list("email", flat=True)
    )
    users, memberships = [], []
    for code, org in orgs.items():
        departments = list(_ensure_departments(org).values())
        for n in range(scale):
            email = f"{code.lower()}.staff{n:04d}@scale.bmms.demo"
            if email in existing:
                continue
            user = User(
                email=email,
                first_name=rng.choice(FIRST_NAMES),
                last_name=rng.choice(LAST_NAMES),
                password="!",
            )  # unusable password
            users.append(user)
            memberships.append((user, org, rng.choice(roles), rng.choice(departments)))
    User.objects.bulk_create(users, batch_size=1000)
    Membership.objects.bulk_create(
        [
            Membership(user=u, organization=o, role=r, department=d, is_primary=True)
            for u, o, r, d in memberships
        ],
        batch_size=1000,
    )
    bump_tenancy_version()
