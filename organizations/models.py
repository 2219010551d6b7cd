"""Organizations (the MOAs), their departments, users, memberships, OCM access and the audit log."""

from __future__ import annotations

import datetime
import re
import uuid

import pgtrigger
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from waffle.models import Flag

from core.tenancy import OrgOwnedModel, OrgQuerySet, Role

from .fulltext import trigram_index
from .modelbases import CreatedModel, PublicIdModel, TimestampedModel


class Organization(TimestampedModel):
    """A Ministry, Office or Agency of the Bangsamoro government (from a shipped data file)."""

    class Category(models.TextChoices):
        MINISTRY = "ministry", "Ministry"
        OFFICE = "office", "Office"
        AGENCY = "agency", "Agency"
        SPECIAL_BODY = "special_body", "Special body"
        COMMISSION = "commission", "Commission"

    class OnboardingStatus(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        TRAINING = "training", "Training"
        UAT = "uat", "User acceptance testing"
        LIVE = "live", "Live"

    code = models.SlugField(
        max_length=20, unique=True, help_text="Short official code, e.g. MOH. Used in URLs."
    )
    name = models.CharField(max_length=200, unique=True)
    acronym = models.CharField(max_length=20, blank=True)
    category = models.CharField(max_length=20, choices=Category.choices)
    attached_to = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="attached_organizations",
        help_text="The office this organization is attached to, if any.",
    )
    is_active = models.BooleanField(default=True)
    is_pilot = models.BooleanField(default=False)
    rollout_wave = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Rollout wave; pilots are wave 1."
    )
    onboarding_status = models.CharField(
        max_length=20, choices=OnboardingStatus.choices, default=OnboardingStatus.NOT_STARTED
    )
    onboarding_date = models.DateField(null=True, blank=True)
    go_live_date = models.DateField(null=True, blank=True)
    head_official = models.CharField(max_length=200, blank=True)
    head_title = models.CharField(max_length=120, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    address = models.CharField(max_length=300, blank=True)
    mandate = models.TextField(blank=True)

    class Meta:
        ordering = ["code"]
        indexes = [trigram_index("name", name="org_name_trgm", upper=True)]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(attached_to=models.F("id")),
                name="organization_not_self_attached",
            ),
            models.CheckConstraint(
                condition=models.Q(go_live_date__isnull=True)
                | models.Q(onboarding_date__isnull=True)
                | models.Q(go_live_date__gte=models.F("onboarding_date")),
                name="organization_go_live_after_onboarding",
                violation_error_message="The go-live date cannot be before the onboarding date.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"

    @property
    def display_acronym(self) -> str:
        return self.acronym or self.code


class Department(OrgOwnedModel, PublicIdModel, TimestampedModel):
    """An organizational unit inside an organization (Finance, HR, IT, Operations, ...)."""

    name = models.CharField(max_length=120)
    code = models.CharField(max_length=20, blank=True)
    description = models.TextField(blank=True)
    head = models.CharField(max_length=200, blank=True, help_text="Name of the department head.")

    class Meta:
        ordering = ["organization__code", "name"]
        constraints = [
            models.UniqueConstraint(
                "organization", Lower("name"), name="department_name_unique_per_organization"
            )
        ]

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager):
    """Users log in with their e-mail address, compared without regard to case."""

    use_in_migrations = True

    def get_by_natural_key(self, username: str):
        return self.get(email__iexact=username)

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A person who signs in to the portal. The e-mail address is the login."""

    username = None
    email = models.EmailField("e-mail address", unique=True)
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    position = models.CharField(max_length=120, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    invited_at = models.DateTimeField(
        null=True, blank=True, help_text="When the last invitation to set a password was sent."
    )
    #: Rows per page of every list, the reader's choice (core/listing.py); none chosen: the
    #: portal's default (settings.PAGE_SIZE).
    page_size = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        choices=[(25, "25"), (50, "50"), (100, "100")],
        help_text="Rows per page of the portal's lists (empty: the portal's default).",
    )

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        ordering = ["last_name", "first_name", "email"]
        indexes = [
            trigram_index("first_name", name="user_first_name_trgm", upper=True),
            trigram_index("last_name", name="user_last_name_trgm", upper=True),
            trigram_index("email", name="user_email_trgm", upper=True),
        ]
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def save(self, *args, **kwargs):
        self.email = (self.email or "").strip().lower()
        super().save(*args, **kwargs)


class Membership(OrgOwnedModel, PublicIdModel, TimestampedModel):
    """A user's role in one organization. At most one membership per user is primary."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.VIEWER)
    department = models.ForeignKey(
        Department, on_delete=models.SET_NULL, null=True, blank=True, related_name="memberships"
    )
    position = models.CharField(max_length=120, blank=True)
    is_primary = models.BooleanField(default=False)

    objects = OrgQuerySet.as_manager()

    class Meta:
        ordering = ["organization__code", "user__last_name", "user__first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization"], name="membership_unique_user_organization"
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(is_primary=True),
                name="membership_one_primary_per_user",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organization.code} · {self.get_role_display()}"


class OCMAccess(models.Model):
    """Read-only access to every organization for staff of the Office of the Chief Minister.

    Read-only is the rule, memberships or not (`TenancyProfile.is_ocm_only`): only when a
    superuser ticks `also_member` in the admin do the user's memberships let them write, and
    only then may they accept an invitation to join an organization."""

    class Level(models.TextChoices):
        VIEWER = "viewer", "Viewer (dashboard)"
        ANALYST = "analyst", "Analyst (drill-downs and CSV)"
        EXECUTIVE = "executive", "Executive (everything, PDF briefing)"

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="ocm_access")
    level = models.CharField(max_length=20, choices=Level.choices, default=Level.VIEWER)
    is_active = models.BooleanField(default=True)
    also_member = models.BooleanField(
        "also a member of organizations",
        default=False,
        help_text="Only for a user who must both read every organization as OCM staff and work "
        "in their own organization. Unticked (the rule), OCM access is read-only everywhere, "
        "whatever memberships the user has, and they cannot accept invitations to join.",
    )
    granted_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = "OCM access"
        verbose_name_plural = "OCM access"

    def __str__(self) -> str:
        return f"{self.user} · OCM {self.get_level_display()}"


class JoinInvitation(OrgOwnedModel, PublicIdModel, CreatedModel):
    """An invitation for an existing account to join an organization, which only the account
    holder accepts or declines, signed in (organizations/invitations.py).

    An organization administrator never attaches an account that is not already theirs: an
    import row naming one creates this instead. `public_id` is the unguessable token of the
    invitation's links; it works only for the invited account, until `expires_at`."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        REVOKED = "revoked", "Revoked"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="join_invitations")
    email = models.EmailField(help_text="The address the administrator wrote (shown to them).")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.VIEWER)
    department = models.ForeignKey(
        Department, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    position = models.CharField(max_length=120, blank=True)
    invited_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    expires_at = models.DateTimeField()
    responded_at = models.DateTimeField(null=True, blank=True)

    objects = OrgQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization"],
                condition=models.Q(status="pending"),
                name="join_invitation_one_pending_per_user_organization",
            )
        ]

    def __str__(self) -> str:
        return f"Invitation of {self.email} to {self.organization.code}"


class AuditLog(PublicIdModel):
    """Append-only record of every change made through services.

    The database refuses UPDATE and DELETE on this table (a trigger). Nothing here points at its
    subject by foreign key, so deleting the subject (or the actor) never removes or alters entries.
    """

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        User,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_email = models.CharField(max_length=254, blank=True)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(max_length=60, db_index=True)
    subject_type = models.CharField(max_length=100, db_index=True)
    subject_id = models.CharField(max_length=64, blank=True)
    subject_repr = models.CharField(max_length=300, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "-created_at"])]
        triggers = [
            pgtrigger.Protect(
                name="audit_log_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            )
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_email or 'system'} {self.action}"

    @property
    def subject_type_display(self) -> str:
        """ "bcp.plan" → "BC plan" (the model's verbose name), or the raw label if unknown."""
        return record_type_label(self.subject_type)

    def changes(self) -> list[tuple[str, str, str]]:
        """(field, before, after) for every field that differs, in plain words:
        [("Head", "—", "Dr Ana Reyes"), ("Status", "draft", "submitted")]."""
        before = self.before if isinstance(self.before, dict) else {}
        after = self.after if isinstance(self.after, dict) else {}
        if not before and not after:
            return []
        rows = []
        for key in list(dict.fromkeys([*before, *after])):
            old, new = before.get(key), after.get(key)
            if key in before and key in after and old == new:
                continue
            rows.append(
                (
                    str(key).replace("_", " ").capitalize(),
                    _plain(old) if key in before else "—",
                    _plain(new) if key in after else "—",
                )
            )
        return rows


def _plain(value) -> str:
    """A JSON value as a person reads it: lists joined, None as "—", long text shortened."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_plain(item) for item in value) or "—"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_plain(v)}" for k, v in value.items()) or "—"
    text = str(value)
    if _ISO_DATE.match(text):  # dates and times as the rest of the portal writes them
        from core import formats

        try:
            moment = datetime.datetime.fromisoformat(text)
        except ValueError:
            pass
        else:
            return formats.date(moment.date()) if len(text) == 10 else formats.datetime(moment)
    return text if len(text) <= 200 else text[:199] + "…"


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}.*)?$")


#: Project apps whose models can be the subject of an audit entry.
AUDITED_APPS = (
    "organizations",
    "planning",
    "budgeting",
    "coordination",
    "bcp",
    "incidents",
    "ocm",
    "rollout",
)


def record_type_label(label_lower: str) -> str:
    from django.apps import apps

    try:
        model = apps.get_model(label_lower)
    except (LookupError, ValueError):
        return label_lower
    return str(model._meta.verbose_name)[:1].upper() + str(model._meta.verbose_name)[1:]


def record_type_choices() -> list[tuple[str, str]]:
    """Every audited model as a (label, "Verbose name (app)") choice, sorted by name."""
    from django.apps import apps

    choices = [
        (
            model._meta.label_lower,
            f"{record_type_label(model._meta.label_lower)} ({model._meta.app_config.verbose_name})",
        )
        for model in apps.get_models()
        if model._meta.app_label in AUDITED_APPS
    ]
    return sorted(choices, key=lambda choice: choice[1].lower())


class ModuleFlagScope(models.Model):
    """Extends a django-waffle flag named `module.<app>` with organizations and rollout waves.

    Evaluation for a user working in an organization: excluded organizations → off; listed
    organizations or rollout waves → on; otherwise the waffle flag's `everyone` decides (on when
    True, off when False or unset). See `core.modules`.
    """

    flag = models.OneToOneField(Flag, on_delete=models.CASCADE, related_name="scope")
    organizations = models.ManyToManyField(
        Organization,
        blank=True,
        related_name="enabled_module_flags",
        help_text="Switch this module on for these organizations.",
    )
    waves = ArrayField(
        models.PositiveSmallIntegerField(),
        blank=True,
        default=list,
        help_text="Switch this module on for organizations in these rollout waves (e.g. 1,2).",
    )
    excluded_organizations = models.ManyToManyField(
        Organization,
        blank=True,
        related_name="disabled_module_flags",
        help_text="Switch this module off for these organizations, whatever else says.",
    )

    class Meta:
        verbose_name = "module scope"

    def __str__(self) -> str:
        return f"Scope of {self.flag.name}"


class ImportJob(PublicIdModel, CreatedModel):
    """One bulk user import: the uploaded CSV, its preview, and the progress of its commit."""

    class Status(models.TextChoices):
        PREVIEWED = "previewed", "Previewed"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="import_jobs"
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="import_jobs",
        help_text="The organization the importer worked in (empty for a superuser's import).",
    )
    filename = models.CharField(max_length=255)
    content = models.TextField(help_text="The uploaded CSV text (never contains passwords).")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PREVIEWED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    result = models.JSONField(default=dict, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, round(100 * self.processed_rows / self.total_rows))


class OutboxMessage(models.Model):
    """A Celery task to publish, written in the same transaction as the change that needs it.

    If the broker (Redis) is down when the transaction commits, the row waits here and the relay
    (`organizations.tasks.relay_outbox`, every minute by beat) publishes it once Redis is back:
    nothing the user saved waits on the queue, and no queued work is lost.
    """

    task_name = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    kwargs = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.task_name} ({'sent' if self.sent_at else 'pending'})"


class Contribution(models.Model):
    """Who contributed to (or submitted) content that someone will decide on.

    The subject is the thing decided: a BC plan version (its sections) or a BC plan (its
    registers), a strategic plan (with its goals, work plans and objectives), a budget proposal
    (with its programs and line items). Services write a row on every content save through
    `core.contributions.record()`; `core.policies` reads them to apply
    segregation of duties. One row per subject, person and kind; `last_at` moves on each save.
    """

    class Kind(models.TextChoices):
        CONTENT = "content", "Saved content"
        SUBMITTED = "submitted", "Submitted for a decision"

    subject_type = models.CharField(max_length=100)
    subject_id = models.BigIntegerField()
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="contributions")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.CONTENT)
    first_at = models.DateTimeField()
    last_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id", "user", "kind"],
                name="organizations_contribution_once_per_kind",
            )
        ]
        indexes = [models.Index(fields=["subject_type", "subject_id", "last_at"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {self.subject_type}#{self.subject_id}"


class ApiToken(models.Model):
    """A personal token for the JSON API (`Authorization: Bearer <token>`).

    Only the SHA-256 of the token is stored: the token itself is shown once, when it is created,
    so a database leak does not hand out API access. A token acts as its user, with exactly the
    user's rights; revoking it (or deactivating the user) ends it at the next request.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. 'HR sync'.")
    token_sha256 = models.CharField(max_length=64, unique=True, editable=False)
    # The first characters of the token, so a user can tell their tokens apart (not a secret).
    prefix = models.CharField(max_length=12, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # Moved from bcp (so a budgeting API would not import bcp): the table keeps its name.
        db_table = "bcp_apitoken"
        ordering = ["-created_at"]
        verbose_name = "API token"
        constraints = [
            models.CheckConstraint(
                condition=Q(token_sha256__regex=r"^[0-9a-f]{64}$"), name="bcp_api_token_sha256_hex"
            ),
            models.CheckConstraint(
                condition=Q(revoked=False) | Q(revoked_at__isnull=False),
                name="bcp_api_token_revoked_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class FormerMembership(OrgOwnedModel):
    """A membership an organization administrator deactivated (organizations/people.py).

    Deactivating *removes* the membership, so that everything that reads memberships (roles,
    reviewers, recipients, counts, in every module) treats the person as no longer a member
    with no exception to remember; this row keeps what is needed to reactivate it as it was,
    under the same public id. The person's account, history and authorship stay untouched
    (documents point at the user, never at the membership). `account_deactivated` says whether
    this deactivation also deactivated the account (it was the person's only access), so that
    reactivating undoes exactly that and never revives an account a system administrator
    deactivated."""

    public_id = models.UUIDField(unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="former_memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    department = models.ForeignKey(
        Department, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    position = models.CharField(max_length=120, blank=True)
    was_primary = models.BooleanField(default=False)
    member_since = models.DateTimeField()
    deactivated_at = models.DateTimeField(auto_now_add=True)
    deactivated_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    account_deactivated = models.BooleanField(default=False)

    objects = OrgQuerySet.as_manager()

    class Meta:
        ordering = ["organization__code", "user__last_name", "user__first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization"], name="former_membership_unique_user_organization"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organization.code} · deactivated"
