"""Views of the rollout app (thin: selectors read, services write, rollout.policy decides)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from core import policies
from core.generic import confirm_view
from core.tenancy import Role, get_for_user_or_404, tenancy_of
from core.web import apply_errors, current_organization, paginate
from organizations.models import Organization

from . import announcements, certificates, golive, help, policy, selectors, services, status
from .forms import (
    AnnouncementForm,
    EnrolMemberForm,
    FeedbackForm,
    TrainingSessionForm,
    TriageForm,
    UATResultForm,
    VerifyCertificateForm,
)
from .models import (
    Certificate,
    Enrolment,
    Feedback,
    GoLiveAttempt,
    TrainingSession,
    UATRun,
    UATScript,
    Wave,
)
from .readiness import checklist, checklists

# --- the public status page --------------------------------------------------------------------


def status_page(request: HttpRequest) -> HttpResponse:
    """Public: is the portal working, and what maintenance is planned. Nothing internal."""
    facts, checked_at = status.current()
    return render(
        request,
        "rollout/status.html",
        {
            "facts": [
                ("The portal", facts["portal"]),
                ("Background work (imports, exports, notifications)", facts["background"]),
                ("E-mail", facts["email"]),
            ],
            "all_ok": all(facts.values()),
            "maintenance": announcements.public_maintenance(),
            "checked_at": checked_at,
        },
    )


# --- the rollout board -------------------------------------------------------------------------


def _require_board(request: HttpRequest) -> None:
    if not policy.can_read_board(request.user):
        raise PermissionDenied("The rollout board is for the rollout team and the OCM.")


@login_required
def board(request: HttpRequest) -> HttpResponse:
    _require_board(request)
    wave = request.GET.get("wave", "")
    organizations = Organization.objects.filter(is_active=True).order_by(
        "rollout_wave", "go_live_date", "code"
    )
    if wave.isdigit():
        organizations = organizations.filter(rollout_wave=int(wave))
    page = paginate(request, organizations)
    rows = list(page.object_list)
    lists = checklists(rows)
    completion = selectors.training_completion([o.pk for o in rows])
    summary = dict(
        Organization.objects.filter(is_active=True)
        .values("onboarding_status")
        .annotate(n=Count("pk"))
        .values_list("onboarding_status", "n")
    )
    return render(
        request,
        "rollout/board.html",
        {
            "page": page,
            "rows": [(o, lists[o.pk], completion.get(o.pk, {})) for o in rows],
            "waves": Wave.objects.all(),
            "wave": wave,
            "summary": [
                (label, summary.get(value, 0))
                for value, label in Organization.OnboardingStatus.choices
            ],
            "chart": selectors.adoption_by_wave(),
            "adoption": selectors.adoption_table(),
            "inactive": selectors.inactive_live_organizations(),
            "can_act": policy.is_rollout_team(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def board_organization(request: HttpRequest, code: str) -> HttpResponse:
    """One organization's checklist; the rollout team may run its go-live check now."""
    _require_board(request)
    organization = get_object_or_404(Organization, code=code.upper(), is_active=True)
    can_act = policy.is_rollout_team(request.user)
    if request.method == "POST":
        if not can_act:
            raise PermissionDenied("Only the rollout team takes an organization live.")
        attempt = golive.go_live(organization.pk, actor=request.user)
        if attempt is None:
            messages.info(request, f"{organization.code} is already live or has no go-live date.")
        elif attempt.outcome == GoLiveAttempt.Outcome.LIVE:
            messages.success(request, f"{organization.code} is live; its modules are switched on.")
        else:
            messages.error(
                request,
                f"{organization.code} cannot go live yet: nothing was switched on. "
                "The blocking items are listed below.",
            )
        return redirect("rollout:board-organization", code=organization.code)
    return render(
        request,
        "rollout/board_organization.html",
        {
            "organization": organization,
            "checklist": checklist(organization),
            "attempts": organization.go_live_attempts.all()[:10],
            "completion": {
                Role(role).label: n
                for role, n in selectors.training_completion([organization.pk])
                .get(organization.pk, {})
                .items()
            },
            "can_act": can_act,
            "due": organization.go_live_date is not None
            and organization.go_live_date <= timezone.localdate(),
        },
    )


# --- announcements -----------------------------------------------------------------------------


def _require_publisher(request: HttpRequest) -> None:
    if not policy.can_publish_announcements(request.user):
        raise PermissionDenied("Announcements are published by system and organization admins.")


@login_required
def announcement_list(request: HttpRequest) -> HttpResponse:
    _require_publisher(request)
    page = paginate(request, selectors.announcements_managed_by(request.user))
    return render(request, "rollout/announcement_list.html", {"page": page, "now": timezone.now()})


def _announcement_data(form) -> dict:
    data = dict(form.cleaned_data)
    data.setdefault("wave", None)
    return data


@login_required
@require_http_methods(["GET", "POST"])
def announcement_create(request: HttpRequest) -> HttpResponse:
    _require_publisher(request)
    form = AnnouncementForm(
        request.POST or None, admin_of=policy.announcement_organizations(request.user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.announcement_create(actor=request.user, **_announcement_data(form))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Announcement published.")
            return redirect("rollout:announcement-list")
    return render(request, "rollout/form.html", {"form": form, "title": "New announcement"})


@login_required
@require_http_methods(["GET", "POST"])
def announcement_edit(request: HttpRequest, public_id) -> HttpResponse:
    announcement = get_object_or_404(
        selectors.announcements_visible_to(request.user), public_id=public_id
    )
    if not policy.can_manage_announcement(request.user, announcement):
        raise PermissionDenied("You may not change this announcement.")
    form = AnnouncementForm(
        request.POST or None,
        instance=announcement,
        admin_of=policy.announcement_organizations(request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.announcement_update(
                actor=request.user, announcement=announcement, **_announcement_data(form)
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Announcement saved.")
            return redirect("rollout:announcement-list")
    return render(
        request, "rollout/form.html", {"form": form, "title": f"Edit “{announcement.title}”"}
    )


@login_required
@require_http_methods(["GET", "POST"])
def announcement_delete(request: HttpRequest, public_id) -> HttpResponse:
    announcement = get_object_or_404(
        selectors.announcements_visible_to(request.user), public_id=public_id
    )
    if not policy.can_manage_announcement(request.user, announcement):
        raise PermissionDenied("You may not delete this announcement.")
    return confirm_view(
        request,
        perform=lambda: services.announcement_delete(actor=request.user, announcement=announcement),
        success_message=f"Announcement “{announcement.title}” deleted.",
        success_url=reverse("rollout:announcement-list"),
        title=f"Delete announcement “{announcement}”?",
        intro="It disappears from every banner and the status page at once.",
        note="This cannot be undone. The audit log keeps a record of the deletion.",
        submit_label="Yes, delete",
        danger=True,
        cancel_url=reverse("rollout:announcement-list"),
    )


# --- feedback ----------------------------------------------------------------------------------


def _safe_next(request: HttpRequest, url: str) -> str:
    ok = url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return url if ok and url.startswith("/") else "/"


@login_required
@require_http_methods(["GET", "POST"])
def feedback_create(request: HttpRequest) -> HttpResponse:
    """ "Report a problem / suggest", from any page (the page it came from is remembered)."""
    form = FeedbackForm(
        request.POST or None,
        request.FILES or None,
        initial={"page_url": _safe_next(request, request.GET.get("page", ""))},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data.get("screenshot")
        screenshot = None
        if upload:
            if upload.size > 2 * 1024 * 1024 * 1024:
                form.add_error("screenshot", "This file is far too large.")
            else:
                screenshot = (upload.name, upload.read())
        if not form.errors:
            try:
                feedback = services.feedback_create(
                    actor=request.user,
                    organization=request.organization,
                    kind=data["kind"],
                    summary=data["summary"],
                    description=data["description"],
                    page_url=data["page_url"],
                    user_agent=request.headers.get("User-Agent", ""),
                    screenshot=screenshot,
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(
                    request,
                    "Thank you: your report was sent to the rollout team. You will get an "
                    "e-mail when its status changes.",
                )
                return redirect("rollout:feedback-detail", public_id=feedback.public_id)
    return render(request, "rollout/feedback_form.html", {"form": form})


@login_required
def feedback_list(request: HttpRequest) -> HttpResponse:
    if policies.is_read_only(request.user):
        raise PermissionDenied("The OCM reads the rollout's aggregates, not individual reports.")
    wanted = request.GET.get("status", "")
    if wanted not in Feedback.Status.values:
        wanted = ""
    page = paginate(request, selectors.feedback_for(request.user, wanted))
    return render(
        request,
        "rollout/feedback_list.html",
        {
            "page": page,
            "status": wanted,
            "statuses": Feedback.Status.choices,
            "is_team": policy.is_rollout_team(request.user),
        },
    )


def _readable_feedback(request: HttpRequest, public_id) -> Feedback:
    if policy.is_rollout_team(request.user):  # the team reads every organization's reports
        return get_object_or_404(Feedback, public_id=public_id)
    feedback = get_for_user_or_404(Feedback, request.user, "view", public_id=public_id)
    if not policy.can_read_feedback(request.user, feedback):
        raise PermissionDenied("Reports are read by their reporter, their admins and the team.")
    return feedback


@login_required
@require_http_methods(["GET", "POST"])
def feedback_detail(request: HttpRequest, public_id) -> HttpResponse:
    feedback = _readable_feedback(request, public_id)
    can_triage = policy.can_triage_feedback(request.user)
    form = None
    if can_triage:
        form = TriageForm(
            request.POST or None,
            feedback=feedback,
            initial={
                "status": feedback.status,
                "owner": feedback.owner_id,
                "duplicate_of": feedback.duplicate_of.public_id if feedback.duplicate_of else None,
            },
        )
    if request.method == "POST":
        if not can_triage:
            raise PermissionDenied("Only the rollout team triages feedback.")
        if form.is_valid():
            try:
                services.feedback_triage(actor=request.user, feedback=feedback, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "Saved; the reporter is notified.")
                return redirect("rollout:feedback-detail", public_id=feedback.public_id)
    return render(
        request,
        "rollout/feedback_detail.html",
        {"feedback": feedback, "form": form, "notifications": feedback.notifications.all()},
    )


@login_required
def feedback_screenshot(request: HttpRequest, public_id) -> HttpResponse:
    feedback = _readable_feedback(request, public_id)
    if not feedback.screenshot_storage:
        raise Http404("This report has no screenshot.")
    response = FileResponse(
        default_storage.open(feedback.screenshot_storage, "rb"),
        content_type=feedback.screenshot_type,
    )
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- UAT ---------------------------------------------------------------------------------------


@login_required
def uat_list(request: HttpRequest) -> HttpResponse:
    organization = current_organization(request, "UAT records")
    runs = {
        r.script_id: r
        for r in UATRun.objects.for_user(request.user, "view")
        .filter(organization=organization)
        .select_related("signed_off_by")
        .annotate(
            passed=Count("results", filter=Q(results__outcome="pass")),
            failed=Count("results", filter=Q(results__outcome="fail")),
        )
    }
    scripts = [(s, runs.get(s.pk)) for s in UATScript.objects.all()]
    return render(
        request,
        "rollout/uat_list.html",
        {
            "scripts": scripts,
            "can_test": tenancy_of(request.user).can(organization.pk, "change"),
        },
    )


@login_required
@require_POST
def uat_start(request: HttpRequest, module: str) -> HttpResponse:
    organization = current_organization(request, "UAT records")
    script = get_object_or_404(UATScript, module=module)
    if not tenancy_of(request.user).can(organization.pk, "change"):
        raise PermissionDenied("Testers are the organization's editors, approvers and admins.")
    run = services.uat_run_start(actor=request.user, organization=organization, script=script)
    return redirect("rollout:uat-run", public_id=run.public_id)


@login_required
@require_http_methods(["GET", "POST"])
def uat_run(request: HttpRequest, public_id) -> HttpResponse:
    run = get_for_user_or_404(UATRun, request.user, "view", public_id=public_id)
    if policies.is_read_only(request.user):
        raise PermissionDenied("The OCM reads the rollout's aggregates, not UAT records.")
    form = UATResultForm(request.POST or None)
    if request.method == "POST":
        if not policy.can_record_uat(request.user, run):
            raise PermissionDenied("Testers are the organization's editors, approvers and admins.")
        if not form.is_valid():
            messages.error(request, "Choose pass or fail for the step.")
        else:
            try:
                services.uat_result_record(actor=request.user, run=run, **form.cleaned_data)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, f"Step {form.cleaned_data['step'] + 1} recorded.")
        return redirect("rollout:uat-run", public_id=run.public_id)
    results = {r.step: r for r in run.results.select_related("tester")}
    steps = [(i, s, results.get(i)) for i, s in enumerate(run.script.steps)]
    return render(
        request,
        "rollout/uat_run.html",
        {
            "run": run,
            "steps": steps,
            "can_test": policy.can_record_uat(request.user, run) and not run.signed_off_at,
            "sign_off_refusal": policy.sign_off_refusal(request.user, run, results),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def uat_sign_off(request: HttpRequest, public_id) -> HttpResponse:
    run = get_for_user_or_404(UATRun, request.user, "admin", public_id=public_id)
    if request.method == "POST":
        try:
            services.uat_sign_off(actor=request.user, run=run)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"UAT of {run.script.title} signed off.")
        return redirect("rollout:uat-run", public_id=run.public_id)
    return render(
        request,
        "rollout/confirm.html",
        {
            "title": f"Sign off “{run.script.title}” for {run.organization.code}?",
            "consequence": "Signing off records that your organization accepts this module. "
            "Results can no longer be changed, and the sign-off counts for go-live.",
            "button": "Sign off",
            "cancel": ("rollout:uat-run", run.public_id),
        },
    )


# --- training ----------------------------------------------------------------------------------


@login_required
def training_list(request: HttpRequest) -> HttpResponse:
    show = request.GET.get("show", "upcoming")
    now = timezone.now()
    sessions = TrainingSession.objects.select_related("trainer").annotate(
        taken=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.ENROLLED)),
        waiting=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.WAITLISTED)),
    )
    sessions = (
        sessions.filter(ends_at__gte=now).order_by("starts_at")
        if show != "past"
        else sessions.filter(ends_at__lt=now).order_by("-starts_at")
    )
    page = paginate(request, sessions)
    mine = {
        e.session_id: e
        for e in Enrolment.objects.filter(user=request.user).exclude(
            status=Enrolment.Status.CANCELLED
        )
    }
    return render(
        request,
        "rollout/training_list.html",
        {
            "page": page,
            "show": show,
            "mine": mine,
            "can_manage": policy.can_manage_training(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def training_create(request: HttpRequest) -> HttpResponse:
    if not policy.can_manage_training(request.user):
        raise PermissionDenied("Only the rollout team schedules training sessions.")
    form = TrainingSessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            session = services.training_session_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Session “{session.title}” scheduled.")
            return redirect("rollout:training-detail", public_id=session.public_id)
    return render(request, "rollout/form.html", {"form": form, "title": "New training session"})


@login_required
def training_detail(request: HttpRequest, public_id) -> HttpResponse:
    session = get_object_or_404(
        TrainingSession.objects.select_related("trainer"), public_id=public_id
    )
    organization = request.organization
    own = (
        Enrolment.objects.filter(session=session, user=request.user)
        .exclude(status=Enrolment.Status.CANCELLED)
        .first()
    )
    can_enrol_others = organization is not None and policy.can_enrol_others(
        request.user, organization.pk
    )
    return render(
        request,
        "rollout/training_detail.html",
        {
            "session": session,
            "enrolments": selectors.enrolments_visible(request.user, session),
            "own": own,
            "open": session.starts_at > timezone.now(),
            "taken": session.enrolments.filter(status=Enrolment.Status.ENROLLED).count(),
            "can_self_enrol": request.membership is not None and own is None,
            "enrol_form": EnrolMemberForm(organization=organization) if can_enrol_others else None,
            "can_take_attendance": policy.can_take_attendance(request.user, session),
        },
    )


@login_required
@require_POST
def training_enrol(request: HttpRequest, public_id) -> HttpResponse:
    session = get_object_or_404(TrainingSession, public_id=public_id)
    organization = current_organization(request, "Enrolments")
    if request.POST.get("membership"):
        if not policy.can_enrol_others(request.user, organization.pk):
            raise PermissionDenied("Org admins enrol the members of their own organization.")
        form = EnrolMemberForm(request.POST, organization=organization)
        if not form.is_valid():
            messages.error(request, "Choose a member of your organization.")
            return redirect("rollout:training-detail", public_id=session.public_id)
        membership = form.cleaned_data["membership"]
    else:
        membership = request.membership
    try:
        enrolment = services.enrolment_create(
            actor=request.user, session=session, membership=membership
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        who = "You are" if membership.user_id == request.user.pk else f"{membership.user} is"
        if enrolment.status == Enrolment.Status.WAITLISTED:
            messages.warning(request, f"The session is full: {who.lower()} on the waiting list.")
        else:
            messages.success(request, f"{who} enrolled in “{session.title}”.")
    return redirect("rollout:training-detail", public_id=session.public_id)


@login_required
@require_http_methods(["GET", "POST"])
def enrolment_cancel(request: HttpRequest, public_id) -> HttpResponse:
    enrolment = get_for_user_or_404(Enrolment, request.user, "view", public_id=public_id)
    if enrolment.user_id != request.user.pk and not policy.can_enrol_others(
        request.user, enrolment.organization_id
    ):
        raise PermissionDenied("Only the person or their org admin cancels an enrolment.")
    if request.method == "POST":
        try:
            promoted = services.enrolment_cancel(actor=request.user, enrolment=enrolment)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            note = f" {promoted.user} moved up from the waiting list." if promoted else ""
            messages.success(request, "The place is cancelled." + note)
        return redirect("rollout:training-detail", public_id=enrolment.session.public_id)
    return render(
        request,
        "rollout/confirm.html",
        {
            "title": f"Cancel the place of {enrolment.user} in “{enrolment.session.title}”?",
            "consequence": "The place goes to the first person on the waiting list.",
            "button": "Cancel the place",
            "cancel": ("rollout:training-detail", enrolment.session.public_id),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def training_attendance(request: HttpRequest, public_id) -> HttpResponse:
    session = get_object_or_404(TrainingSession, public_id=public_id)
    if not policy.can_take_attendance(request.user, session):
        raise PermissionDenied("Only the trainer or the rollout team takes attendance.")
    enrolled = list(
        session.enrolments.filter(status=Enrolment.Status.ENROLLED)
        .select_related("user", "organization")
        .order_by("organization__code", "user__last_name")
    )
    if request.method == "POST":
        present = set(request.POST.getlist("present"))
        marks = {e.pk: str(e.public_id) in present for e in enrolled}
        try:
            counts = services.attendance_record(actor=request.user, session=session, marks=marks)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                f"Attendance saved: {counts['issued']} certificate(s) issued, "
                f"{counts['revoked']} revoked.",
            )
        return redirect("rollout:training-attendance", public_id=session.public_id)
    return render(
        request,
        "rollout/training_attendance.html",
        {
            "session": session,
            "enrolled": enrolled,
            "started": session.starts_at <= timezone.now(),
        },
    )


@login_required
def certificate_download(request: HttpRequest, public_id) -> HttpResponse:
    """The attendee's PDF (also for their org admin and the rollout team)."""
    enrolment = get_for_user_or_404(Enrolment, request.user, "view", public_id=public_id)
    allowed = (
        enrolment.user_id == request.user.pk
        or policy.can_enrol_others(request.user, enrolment.organization_id)
        or policy.can_take_attendance(request.user, enrolment.session)
    )
    if not allowed:
        raise PermissionDenied("A certificate is for its holder and their organization's admins.")
    certificate = Certificate.objects.filter(enrolment=enrolment, revoked_at__isnull=True).first()
    if certificate is None:
        raise Http404("There is no valid certificate for this place.")
    response = HttpResponse(certificates.render_pdf(certificate), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="certificate-{certificate.code[:9]}.pdf"'
    )
    return response


def certificate_verify(request: HttpRequest) -> HttpResponse:
    """Public: is this code a valid certificate? Shows holder, training and date, no more."""
    form = VerifyCertificateForm(request.GET or None)
    certificate = None
    checked = False
    if form.is_valid():
        checked = True
        certificate = (
            Certificate.objects.select_related(
                "enrolment__user", "enrolment__session", "enrolment__organization"
            )
            .filter(code=form.cleaned_data["code"])
            .first()
        )
    return render(
        request,
        "rollout/certificate_verify.html",
        {"form": form, "certificate": certificate, "checked": checked},
    )


# --- help --------------------------------------------------------------------------------------


@login_required
def help_index(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    return render(
        request,
        "rollout/help_index.html",
        {"guides": help.guides(), "q": query, "results": help.search(query) if query else None},
    )


@login_required
def help_page(request: HttpRequest, slug: str) -> HttpResponse:
    guide = help.guide(slug)
    if guide is None:
        raise Http404("No such guide.")
    return render(request, "rollout/help_page.html", {"guide": guide, "guides": help.guides()})


# --- the member-facing home of the rollout -----------------------------------------------------


@login_required
def my_rollout(request: HttpRequest) -> HttpResponse:
    """What the rollout asks of me: my training, my reports, my organization's UAT."""
    mine = (
        Enrolment.objects.filter(user=request.user)
        .exclude(status=Enrolment.Status.CANCELLED)
        .select_related("session")
        .prefetch_related("certificates")
        .order_by("-session__starts_at")[: settings.PAGE_SIZE]
    )
    reports = Feedback.objects.filter(reporter=request.user).order_by("-created_at")[:10]
    return render(
        request,
        "rollout/my_rollout.html",
        {"enrolments": mine, "reports": reports},
    )
