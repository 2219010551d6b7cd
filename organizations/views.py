"""Views of the portal shell and the organizations app (thin: selectors read, services write)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, IntegerField, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.tokens import invitation_tokens
from core import audit, lockouts, outbox
from core.csvfiles import csv_response
from core.generic import confirm_view
from core.listing import Sorting, csv_export
from core.middleware import SESSION_KEY
from core.policies import is_oversight, may_manage_member, require_may_manage_member
from core.policies import members as policies
from core.search import SEARCH_MAX_LENGTH, search_text
from core.tenancy import get_for_user_or_404, require, tenancy_of
from core.web import current_organization, paginate, results_template

from . import importing, invitations, selectors, services, tasks
from .filters import AuditLogFilter, OrganizationFilter
from .forms import DepartmentForm, ImportUploadForm, LoginForm, MembershipForm, RolloutForm
from .models import Department, ImportJob, JoinInvitation, Membership, Organization, Role

LANDING_URLS = {"ocm": "ocm:dashboard", "system": "organizations:system-overview"}


def landing_url(request: HttpRequest) -> str:
    """Where a signed-in person starts (the policy layer's `landing`): OCM read-only users on
    the OCM dashboard, superusers outside any organization on the administration overview,
    members on their home ("waiting for you")."""
    from core.policies import landing

    return reverse(LANDING_URLS.get(landing(request.user), "home"))


@login_required
def home(request: HttpRequest) -> HttpResponse:
    from notifications import waiting

    target = landing_url(request)
    if target != request.path:
        return redirect(target)
    organization = request.organization
    context = {
        "summary": selectors.home_summary(organization) if organization else None,
        "waiting_groups": waiting.summary(request.user, organization),
    }
    return render(request, "home.html", context)


@login_required
@require_POST
def switch_organization(request: HttpRequest) -> HttpResponse:
    code = request.POST.get("organization", "")
    membership = next(
        (m for m in tenancy_of(request.user).memberships if m.organization.code == code), None
    )
    if membership is None:
        raise PermissionDenied("You are not a member of that organization.")
    request.session[SESSION_KEY] = code
    messages.success(request, f"You are now working in {membership.organization.name}.")
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    return redirect(target)


@login_required
def organization_list(request: HttpRequest) -> HttpResponse:
    filterset = OrganizationFilter(request.GET, queryset=selectors.organization_directory())
    page = paginate(request, filterset.qs)
    return render(
        request,
        results_template(request, "organizations/organization_list.html"),
        {"filter": filterset, "page": page},
    )


@login_required
def organization_detail(request: HttpRequest, code: str) -> HttpResponse:
    organization = get_object_or_404(
        selectors.organization_directory().select_related("attached_to"), code=code.upper()
    )
    can_see_members = policies.may_see_members(request.user, organization)
    context = {
        "organization": organization,
        "departments": selectors.departments_for(request.user, organization)
        if can_see_members
        else [],
        "attached": organization.attached_organizations.filter(is_active=True).order_by("code"),
        "can_see_members": can_see_members,
    }
    return render(request, "organizations/organization_detail.html", context)


@login_required
def department_list(request: HttpRequest) -> HttpResponse:
    organization = current_organization(request)
    departments = selectors.departments_for(request.user, organization)
    return render(
        request,
        "organizations/department_list.html",
        {
            "departments": departments,
            "can_admin": policies.may_manage_members(request.user, organization),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def department_create(request: HttpRequest) -> HttpResponse:
    organization = current_organization(request)
    require(request.user, organization.pk, "admin")
    form = DepartmentForm(request.POST or None, organization=organization)
    if request.method == "POST" and form.is_valid():
        department = services.department_create(
            actor=request.user, organization=organization, **form.cleaned_data
        )
        messages.success(request, f"Department “{department.name}” created.")
        return redirect("organizations:department-list")
    return render(request, "organizations/department_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def department_edit(request: HttpRequest, public_id) -> HttpResponse:
    department = get_for_user_or_404(Department, request.user, "admin", public_id=public_id)
    form = DepartmentForm(
        request.POST or None, instance=department, organization=department.organization
    )
    if request.method == "POST" and form.is_valid():
        services.department_update(actor=request.user, department=department, **form.cleaned_data)
        messages.success(request, f"Department “{form.cleaned_data['name']}” saved.")
        return redirect("organizations:department-list")
    return render(
        request, "organizations/department_form.html", {"form": form, "department": department}
    )


@login_required
@require_http_methods(["GET", "POST"])
def department_delete(request: HttpRequest, public_id) -> HttpResponse:
    department = get_for_user_or_404(Department, request.user, "admin", public_id=public_id)
    name = department.name
    return confirm_view(
        request,
        perform=lambda: services.department_delete(actor=request.user, department=department),
        success_message=f"Department “{name}” deleted.",
        success_url=reverse("organizations:department-list"),
        title=f"Delete department “{department}”?",
        intro=lambda: (
            f"Its {department.memberships.count()} member(s) stay in the "
            "organization without a department."
        ),
        note="This cannot be undone. The audit log keeps a record of the deletion.",
        submit_label="Yes, delete",
        danger=True,
        cancel_url=reverse("organizations:department-list"),
    )


#: The member list's sortable columns (core/listing.py): key → ORDER BY; roles in
#: the order of the ladder, not alphabetically.
MEMBER_SORT = Sorting(
    {
        "name": ("user__last_name", "user__first_name", "user__email"),
        "email": "user__email",
        "role": Case(
            *(When(role=value, then=Value(rank)) for rank, value in enumerate(Role.values)),
            output_field=IntegerField(),
        ),
        "department": "department__name",
        "position": "position",
    }
)
#: The audit log's sortable columns.
AUDIT_SORT = Sorting(
    {
        "when": "created_at",
        "who": "actor_email",
        "action": "action",
        "record": ("subject_type", "subject_repr"),
    }
)


@login_required
def member_list(request: HttpRequest) -> HttpResponse:
    organization = current_organization(request)
    search, search_error = search_text(request)
    can_admin = policies.may_manage_members(request.user, organization)
    members = selectors.members_for(request.user, organization, search)
    if can_admin:
        members = members.select_related("user__ocm_access")
    sort = MEMBER_SORT.bind(request)
    page = paginate(request, members.none() if search_error else members, sort=sort)
    if can_admin:
        # What the administrator may do on each row (the policy layer decides; no query), and
        # who is locked out of signing in now (one query for the page).
        rows = list(page.object_list)
        locked = lockouts.locked_emails([m.user.email for m in rows])
        for m in rows:
            m.manageable = may_manage_member(request.user, m)
            m.locked_out = m.user.email in locked
        page.object_list = rows  # the template iterates these very rows
    return render(
        request,
        results_template(request, "organizations/member_list.html"),
        {
            "page": page,
            "sort": sort,
            "q": search,
            "search_error": search_error,
            "search_max_length": SEARCH_MAX_LENGTH,
            "can_admin": can_admin,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_edit(request: HttpRequest, public_id) -> HttpResponse:
    membership = get_for_user_or_404(Membership, request.user, "admin", public_id=public_id)
    require_may_manage_member(request.user, membership.user, membership.organization_id)
    form = MembershipForm(request.POST or None, instance=membership, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.membership_update(
                actor=request.user,
                membership=membership,
                role=data["role"],
                department_id=data["department"].pk if data["department"] else None,
                position=data["position"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Membership of {membership.user} saved.")
            return redirect("organizations:member-list")
    return render(
        request, "organizations/member_form.html", {"form": form, "membership": membership}
    )


@login_required
def member_lockouts(request: HttpRequest) -> HttpResponse:
    """Recent failed sign-ins of the current organization's members; admins unlock them here."""
    organization = current_organization(request)
    return render(
        request,
        "organizations/member_lockouts.html",
        {
            "lockouts": lockouts.lockouts_for(request.user, organization),
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "account_limit": settings.AXES_ACCOUNT_FAILURE_LIMIT,
            "cooloff": lockouts.wait_in_words(settings.AXES_COOLOFF_TIME),
        },
    )


@login_required
@require_POST
def member_unlock(request: HttpRequest, public_id) -> HttpResponse:
    """Clear a member's failed sign-ins so they can sign in again at once."""
    membership = get_for_user_or_404(Membership, request.user, "admin", public_id=public_id)
    require_may_manage_member(request.user, membership.user, membership.organization_id)
    lockouts.membership_unlock(actor=request.user, membership=membership)
    messages.success(request, f"Sign-in of {membership.user.email} is unlocked.")
    return redirect("organizations:member-lockouts")


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    organization = current_organization(request)
    entries = selectors.audit_entries_for(request.user, organization)
    filterset = AuditLogFilter(request.GET, queryset=entries)
    sort = AUDIT_SORT.bind(request)
    page = paginate(request, filterset.qs, sort=sort)
    return render(
        request,
        results_template(request, "organizations/audit_log.html"),
        {"filter": filterset, "page": page, "sort": sort},
    )


@login_required
@require_safe
def audit_log_export(request: HttpRequest) -> HttpResponse:
    """The audit log as CSV: the same filters and order, every page (at most 10,000 rows)."""
    organization = current_organization(request)
    entries = selectors.audit_entries_for(request.user, organization)
    rows = AUDIT_SORT.bind(request).apply(AuditLogFilter(request.GET, queryset=entries).qs)
    return csv_export(
        f"{organization.code}-audit-log",
        [
            ("When", lambda e: e.created_at),
            ("Who", lambda e: e.actor_email or "system"),
            ("Action", lambda e: e.action),
            ("Record type", lambda e: e.subject_type_display),
            ("Record", lambda e: e.subject_repr),
            (
                "Changes",
                lambda e: "; ".join(f"{field}: {old} → {new}" for field, old, new in e.changes()),
            ),
            ("Request", lambda e: e.request_id),
            ("Address", lambda e: e.ip_address or ""),
        ],
        rows,
    )


# --- bulk user import ---------------------------------------------------------------------------


def _require_importer(request: HttpRequest):
    organization = current_organization(request)
    require(request.user, organization.pk, "admin")
    return organization


@login_required
@require_http_methods(["GET", "POST"])
def user_import(request: HttpRequest) -> HttpResponse:
    """Upload a CSV and see the preview: every error with its row number; nothing written."""
    organization = _require_importer(request)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["text"]
        checked = importing.preview(text, request.user)
        job = ImportJob.objects.create(
            created_by=request.user,
            organization=organization,
            filename=form.cleaned_data["file"].name[:255],
            content=text,
            total_rows=len(checked.rows),
            errors=checked.errors,
        )
        return render(
            request, "organizations/import_preview.html", {"job": job, "preview": checked}
        )
    return render(
        request, "organizations/import_form.html", {"form": form, "columns": importing.COLUMNS}
    )


@login_required
@require_POST
def user_import_commit(request: HttpRequest, public_id) -> HttpResponse:
    """Start the import of a previewed file as a background job (progress on the job page)."""
    job = selectors.import_job_for(request.user, public_id)
    if job.errors:
        messages.error(request, "This file cannot be imported (again). Upload it anew.")
    elif not importing.claim(job):
        messages.error(
            request,
            "This file is already being imported (or was imported). Nothing was done twice.",
        )
    return redirect("organizations:user-import-job", public_id=job.public_id)


@login_required
def user_import_job(request: HttpRequest, public_id) -> HttpResponse:
    job = selectors.import_job_for(request.user, public_id)
    delayed = job.status == ImportJob.Status.QUEUED and outbox.pending_count() > 0
    return render(
        request,
        results_template(request, "organizations/import_job.html", "progress"),
        {"job": job, "delayed": delayed},
    )


@login_required
def member_export(request: HttpRequest) -> HttpResponse:
    """The current organization's members as CSV, in the import's columns (formulas neutralised):
    the list's search and order (`?q=`, `?sort=`), every page."""
    organization = current_organization(request)
    search, _error = search_text(request)
    members = MEMBER_SORT.bind(request).apply(
        selectors.members_for(request.user, organization, search)
    )
    response, writer = csv_response(f"{organization.code}-members")
    writer.writerow(importing.COLUMNS)
    for m in members.iterator(chunk_size=1000):
        writer.writerow(
            [
                importing.csv_safe(v)
                for v in (
                    m.user.email,
                    m.user.first_name,
                    m.user.last_name,
                    organization.code,
                    m.role,
                    m.department.name if m.department else "",
                    m.position,
                    m.user.phone,
                )
            ]
        )
    return response


@login_required
@require_POST
def member_invite(request: HttpRequest, public_id) -> HttpResponse:
    """Send the invitation link again to a member who has not set a password yet."""
    membership = get_for_user_or_404(Membership, request.user, "admin", public_id=public_id)
    require_may_manage_member(request.user, membership.user, membership.organization_id)
    user = membership.user
    if not user.is_active:
        messages.error(request, f"{user.email}'s account is deactivated; nothing was sent.")
    elif user.has_usable_password():
        messages.info(request, f"{user.email} has already set a password; nothing was sent.")
    else:
        outbox.enqueue(tasks.send_invitations, [user.pk])
        audit.record(
            actor=request.user,
            action="user.invited",
            subject=user,
            organization=membership.organization,
        )
        messages.success(request, f"A new invitation link was sent to {user.email}.")
    return redirect("organizations:member-list")


# --- invitations to join an organization ------------------------------------------------------


@login_required
def my_invitations(request: HttpRequest) -> HttpResponse:
    """The signed-in account's open invitations to join organizations: accept or decline."""
    return render(
        request,
        "organizations/my_invitations.html",
        {
            "invitations": list(invitations.pending_for(request.user)),
            "refusal": invitations.refusal(request.user),
        },
    )


def _answer(request: HttpRequest, public_id, service, done) -> HttpResponse:
    invitation = get_object_or_404(invitations.invitations_of(request.user), public_id=public_id)
    try:
        service(actor=request.user, invitation=invitation)
    except invitations.InvitationRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done(invitation))
    return redirect("organizations:my-invitations")


@login_required
@require_POST
def invitation_accept(request: HttpRequest, public_id) -> HttpResponse:
    return _answer(
        request,
        public_id,
        invitations.invitation_accept,
        lambda i: f"You are now a member of {i.organization.name} ({i.get_role_display()}).",
    )


@login_required
@require_POST
def invitation_decline(request: HttpRequest, public_id) -> HttpResponse:
    return _answer(
        request,
        public_id,
        invitations.invitation_decline,
        lambda i: f"You declined the invitation of {i.organization.name}.",
    )


@login_required
def invitation_list(request: HttpRequest) -> HttpResponse:
    """The invitations the current organization sent (org admins): status, revoke."""
    organization = current_organization(request)
    require(request.user, organization.pk, "admin")
    page = paginate(request, selectors.invitations_sent(request.user, organization))
    return render(request, "organizations/invitation_list.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def invitation_revoke(request: HttpRequest, public_id) -> HttpResponse:
    invitation = get_for_user_or_404(JoinInvitation, request.user, "admin", public_id=public_id)
    if request.method == "POST":
        try:
            invitations.invitation_revoke(actor=request.user, invitation=invitation)
        except invitations.InvitationRefused as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"The invitation of {invitation.email} is revoked.")
        return redirect("organizations:invitation-list")
    return render(request, "organizations/invitation_revoke.html", {"invitation": invitation})


class LoginView(auth_views.LoginView):
    """Sign-in: to `?next=` when it is safe (Django's check), else straight to the person's
    landing page (no extra hop through `/`)."""

    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        if self.next_page:
            return super().get_default_redirect_url()
        return landing_url(self.request)


class InvitationAcceptView(auth_views.PasswordResetConfirmView):
    """A new user sets their own password from the one-time, expiring invitation link."""

    template_name = "registration/invitation_accept.html"
    token_generator = invitation_tokens
    success_url = reverse_lazy("login")
    post_reset_login = False

    def get_user(self, uidb64):
        """A deactivated account's outstanding link works no more: it sets no password."""
        user = super().get_user(uidb64)
        return user if user is not None and user.is_active else None

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, "Your password is set. Sign in with your e-mail address.")
        return response


# --- rollout ------------------------------------------------------------------------------------


def _require_rollout_reader(request: HttpRequest) -> None:
    if not is_oversight(request.user):
        raise PermissionDenied("The rollout overview is for system administrators and the OCM.")


@login_required
def rollout(request: HttpRequest) -> HttpResponse:
    _require_rollout_reader(request)
    organizations = list(selectors.rollout_overview())
    statuses = Organization.OnboardingStatus
    summary = {
        label: sum(1 for o in organizations if o.onboarding_status == value)
        for value, label in statuses.choices
    }
    return render(
        request,
        "organizations/rollout.html",
        {
            "organizations": organizations,
            "summary": summary,
            "can_edit": request.user.is_superuser,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def rollout_edit(request: HttpRequest, code: str) -> HttpResponse:
    _require_rollout_reader(request)
    if not request.user.is_superuser:
        raise PermissionDenied("Only system administrators move organizations through rollout.")
    organization = get_object_or_404(Organization, code=code.upper())
    form = RolloutForm(request.POST or None, instance=organization)
    if request.method == "POST" and form.is_valid():
        services.organization_rollout_update(
            actor=request.user, organization=organization, **form.cleaned_data
        )
        messages.success(request, f"{organization.code}: rollout updated.")
        return redirect("organizations:rollout")
    return render(
        request, "organizations/rollout_form.html", {"form": form, "organization": organization}
    )
