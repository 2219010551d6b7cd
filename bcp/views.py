"""Views of the bcp app (thin: selectors read, services write)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from organizations import policies
from organizations.search import SEARCH_MAX_LENGTH, search_text
from organizations.tenancy import get_for_user_or_404, require, tenancy_of
from organizations.web import paginate, results_template

from . import selectors, services
from .content import (
    MAX_SECTION_CHARS,
    MAX_SECTION_LINES,
    diff_versions,
    section_text_document,
    sections_of,
)
from .exports import CONTENT_TYPES
from .files import max_attachment_bytes
from .filters import PlanFilter
from .forms import (
    AttachmentForm,
    ChangeLogForm,
    ContactForm,
    DraftForm,
    ExerciseForm,
    NewDraftForm,
    PlanCreateForm,
    PlanEditForm,
    ProcessForm,
    ReviewDecisionForm,
    RiskForm,
    SubmitForm,
    VendorForm,
    VerifyFileForm,
    apply_errors,
)
from .models import (
    Attachment,
    Contact,
    CriticalProcess,
    Exercise,
    Export,
    GenerationJob,
    Plan,
    PlanVersion,
    Review,
    Risk,
    SectionDefinition,
    Vendor,
)
from .template_data import ESCALATION_LEVELS


def _current_org(request: HttpRequest):
    if request.organization is None:
        raise PermissionDenied(
            "Business continuity plans belong to an organization, and you are not a member of "
            "any. Ask your organization's administrator to add you."
        )
    return request.organization


def _plan_url(plan: Plan, anchor: str = "") -> str:
    url = reverse("bcp:plan-detail", args=[plan.public_id])
    return f"{url}#{anchor}" if anchor else url


def _form_page(request, form, title, cancel_url, *, plan=None, intro="", multipart=False):
    return render(
        request,
        "bcp/form.html",
        {
            "form": form,
            "title": title,
            "cancel_url": cancel_url,
            "plan": plan,
            "intro": intro,
            "multipart": multipart,
        },
    )


def _confirm_delete(request, obj, kind, cancel_url, consequence=""):
    return render(
        request,
        "bcp/confirm_delete.html",
        {"object": obj, "kind": kind, "cancel_url": cancel_url, "consequence": consequence},
    )


# --- plans ---------------------------------------------------------------------------------------


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    organization = _current_org(request)
    # Built only when the cached list fragment is missing or stale.
    filterset = SimpleLazyObject(
        lambda: PlanFilter(
            request.GET,
            queryset=selectors.plans_for(request.user, organization),
            organization=organization,
        )
    )
    return render(
        request,
        results_template(request, "bcp/plan_list.html"),
        {
            "filter": filterset,
            "page": paginate(request, lambda: filterset.qs),
            "today": timezone.localdate(),
            "can_change": tenancy_of(request.user).can(organization.pk, "change"),
            "pending_reviews": selectors.review_queue(request.user, organization).count(),
            "cache_token": selectors.cache_token(organization),
        },
    )


@login_required
def plan_create(request: HttpRequest) -> HttpResponse:
    organization = _current_org(request)
    require(request.user, organization.pk, "change")
    form = PlanCreateForm(request.POST or None, organization=organization)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(
                actor=request.user, organization=organization, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Plan “{plan.title}” created with a first draft.")
            return redirect(_plan_url(plan))
    return _form_page(
        request,
        form,
        f"New business continuity plan in {organization.code}",
        reverse("bcp:plan-list"),
        intro="The first draft is prefilled from the template; the escalation matrix comes "
        "with suggested levels you can adapt.",
    )


@login_required
def plan_detail(request: HttpRequest, public_id) -> HttpResponse:
    plan = selectors.plan_detail(request.user, public_id)
    profile = tenancy_of(request.user)
    version = plan.current_version
    draft = selectors.open_version(plan)
    shown = version or draft
    risks = list(plan.risks.all())
    processes = list(plan.criticalprocesss.all())
    acknowledged = None
    if version is not None:
        acknowledged = version.acknowledgments.filter(user=request.user).first()
    reviews = []
    if draft is not None:
        reviews = list(
            draft.reviews.select_related("reviewer").order_by("-round", "reviewer__last_name")
        )
    context = {
        "plan": plan,
        "version": version,
        "draft": draft,
        "sections": _sections(plan, shown),
        "shown": shown,
        "processes": processes,
        "dependency_warnings": [w for p in processes for w in p.dependency_warnings()],
        "risks": risks,
        "heat_map": selectors.heat_map(risks),
        "contacts": plan.contacts.all(),
        "vendors": sorted({v for p in processes for v in p.vendors.all()}, key=lambda v: v.name),
        "attachments": plan.attachments.all(),
        "exercises": plan.exercises.all(),
        "changes": plan.changelogentrys.all(),
        "reviews": reviews,
        "acknowledged": acknowledged,
        "is_member": profile.roles.get(plan.organization_id) is not None,
        "unacknowledged": list(selectors.unacknowledged(plan)[:50]),
        "ack_count": version.acknowledgments.count() if version else 0,
        "can_change": profile.can(plan.organization_id, "change")
        and plan.status != Plan.Status.ARCHIVED,
        "can_approve": profile.can(plan.organization_id, "approve"),
    }
    return render(request, "bcp/plan_detail.html", context)


def _sections(plan: Plan, version: PlanVersion | None) -> list[dict[str, Any]]:
    content = (version.content if version else {}) or {}
    return [
        {
            "section": s,
            "value": content.get(s.key),
            "is_matrix": s.kind == SectionDefinition.Kind.ESCALATION_MATRIX,
            # JSONB does not keep key order: show the levels from minor to critical.
            "levels": [
                (level, (content.get(s.key) or {}).get(level) or {}) for level in ESCALATION_LEVELS
            ]
            if s.kind == SectionDefinition.Kind.ESCALATION_MATRIX
            else [],
        }
        for s in sections_of(plan.template)
    ]


@login_required
def plan_edit(request: HttpRequest, public_id) -> HttpResponse:
    plan = get_for_user_or_404(Plan, request.user, "change", public_id=public_id)
    form = PlanEditForm(
        request.POST or None,
        instance=Plan.objects.get(pk=plan.pk),  # the form's copy; the service re-reads
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_update(actor=request.user, plan=plan, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Plan details saved.")
            return redirect(_plan_url(plan))
    return _form_page(request, form, f"Edit “{plan.title}”", _plan_url(plan), plan=plan)


@login_required
def plan_archive(request: HttpRequest, public_id) -> HttpResponse:
    plan = get_for_user_or_404(Plan, request.user, "approve", public_id=public_id)
    if request.method == "POST":
        try:
            services.plan_archive(actor=request.user, plan=plan)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(_plan_url(plan))
        messages.success(request, f"Plan “{plan.title}” archived.")
        return redirect("bcp:plan-list")
    return render(
        request,
        "bcp/confirm_delete.html",
        {
            "object": plan,
            "kind": "plan",
            "verb": "Archive",
            "cancel_url": _plan_url(plan),
            "consequence": "It leaves the list of active plans. Its versions, reviews and "
            "acknowledgments are kept.",
        },
    )


@login_required
def plan_readiness(request: HttpRequest, public_id) -> HttpResponse:
    plan = selectors.plan_detail(request.user, public_id)
    findings = selectors.readiness(plan)
    return render(
        request,
        "bcp/readiness.html",
        {
            "plan": plan,
            "findings": findings,
            "errors": [f for f in findings if f.severity == "error"],
            "warnings": [f for f in findings if f.severity == "warning"],
        },
    )


# --- versions ------------------------------------------------------------------------------------


@login_required
def version_list(request: HttpRequest, public_id) -> HttpResponse:
    plan = get_for_user_or_404(Plan, request.user, "view", public_id=public_id)
    versions = plan.versions.select_related("author").order_by("-version_number")
    return render(
        request,
        "bcp/version_list.html",
        {
            "plan": plan,
            "page": paginate(request, versions),
            "can_change": tenancy_of(request.user).can(plan.organization_id, "change")
            and plan.status != Plan.Status.ARCHIVED,
            "has_open": plan.versions.filter(status__in=PlanVersion.OPEN_STATUSES).exists(),
        },
    )


@login_required
def version_diff(request: HttpRequest, public_id) -> HttpResponse:
    plan = get_for_user_or_404(Plan, request.user, "view", public_id=public_id)
    versions = list(plan.versions.order_by("version_number"))
    by_number = {str(v.version_number): v for v in versions}
    if not versions:
        raise Http404("This plan has no versions.")
    default_a = versions[-2] if len(versions) > 1 else versions[-1]
    old = by_number.get(request.GET.get("a", ""), default_a)
    new = by_number.get(request.GET.get("b", ""), versions[-1])
    return render(
        request,
        "bcp/version_diff.html",
        {
            "plan": plan,
            "versions": versions,
            "old": old,
            "new": new,
            "diff": [
                (section, _diff_rows_html(section.rows))
                for section in diff_versions(plan.template, old.content, new.content)
            ],
            "max_lines": f"{MAX_SECTION_LINES:,}",
            "max_chars": f"{MAX_SECTION_CHARS:,}",
        },
    )


_INS = ("replace", "insert")
_DEL = ("replace", "delete")


def _diff_rows_html(rows) -> str:
    """The table rows of one section's comparison, built in one pass (a template loop over
    thousands of rows cost several times more than the comparison itself); every text is
    escaped."""
    parts = []
    for r in rows:
        if r.kind == "skip":
            plural = "" if r.skipped == 1 else "s"
            parts.append(
                f'<tr class="diff-skip"><td colspan="4" class="muted small">… {r.skipped} '
                f"unchanged line{plural} …</td></tr>"
            )
            continue
        left, right = escape(r.left), escape(r.right)
        if r.kind in _DEL:
            left = f"<del>{left}</del>"
        if r.kind in _INS:
            right = f"<ins>{right}</ins>"
        left_no = "" if r.left_no is None else r.left_no
        right_no = "" if r.right_no is None else r.right_no
        parts.append(
            f'<tr class="diff-{r.kind}"><td class="ln">{left_no}</td><td class="left">{left}</td>'
            f'<td class="ln">{right_no}</td><td class="right">{right}</td></tr>'
        )
    return mark_safe("".join(parts))  # noqa: S308 - built from escaped text only


@login_required
def version_text(request: HttpRequest, public_id) -> HttpResponse:
    """A version's sections as one plain-text file (to compare large sections with any tool);
    linear in the content's size, so it needs no quota."""
    version = get_for_user_or_404(PlanVersion, request.user, "view", public_id=public_id)
    plan = version.plan
    response = HttpResponse(
        section_text_document(plan.template, version.content or {}),
        content_type="text/plain; charset=utf-8",
    )
    filename = f"plan-{plan.public_id}-v{version.version_number}.txt"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def version_create(request: HttpRequest, public_id) -> HttpResponse:
    """Start a new draft from the active version."""
    plan = get_for_user_or_404(Plan, request.user, "change", public_id=public_id)
    form = NewDraftForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        base = plan.current_version
        try:
            version = services.version_create_draft(
                actor=request.user,
                plan=plan,
                content=base.content if base else {},
                change_note=form.cleaned_data["change_note"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Draft version {version.version_number} opened.")
            return redirect("bcp:version-edit", public_id=version.public_id)
    return _form_page(
        request,
        form,
        f"Revise “{plan.title}”",
        _plan_url(plan),
        plan=plan,
        intro="A new draft starts as a copy of the active version; the active version stays "
        "in force until the draft is approved.",
    )


@login_required
def version_detail(request: HttpRequest, public_id) -> HttpResponse:
    version = get_for_user_or_404(PlanVersion, request.user, "view", public_id=public_id)
    plan = version.plan
    return render(
        request,
        "bcp/version_detail.html",
        {
            "plan": plan,
            "version": version,
            "sections": _sections(plan, version),
            "reviews": version.reviews.select_related("reviewer").order_by("-round"),
            "exports": version.exports.order_by("-created_at")[:5],
        },
    )


@login_required
def version_edit(request: HttpRequest, public_id) -> HttpResponse:
    """Edit a draft (htmx posts swap the form; a stale save keeps the user's text)."""
    version = get_for_user_or_404(PlanVersion, request.user, "change", public_id=public_id)
    plan = version.plan
    if not version.is_editable:
        messages.error(
            request,
            f"Version {version.version_number} is {version.get_status_display().lower()} and "
            "can no longer be edited.",
        )
        return redirect(_plan_url(plan))
    form = DraftForm(request.POST or None, version=version)
    if request.method == "POST" and form.is_valid():
        try:
            services.version_update_draft(
                actor=request.user,
                version=version,
                content=form.to_content(),
                change_note=form.cleaned_data["change_note"],
                expected_revision=form.cleaned_data["revision"],
            )
        except services.EditConflict as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Draft version {version.version_number} saved.")
            if request.htmx:
                response = HttpResponse(status=204)
                response["HX-Redirect"] = _plan_url(plan, "sections")
                return response
            return redirect(_plan_url(plan, "sections"))
    template = "bcp/version_edit.html"
    if request.htmx and request.method == "POST":
        template += "#draft-form"
    return render(request, template, {"plan": plan, "version": version, "form": form})


@login_required
def version_submit(request: HttpRequest, public_id) -> HttpResponse:
    version = get_for_user_or_404(PlanVersion, request.user, "change", public_id=public_id)
    plan = version.plan
    form = SubmitForm(request.POST or None, version=version, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.version_submit_for_review(
                actor=request.user,
                version=version,
                reviewers=list(form.cleaned_data["reviewers"]),
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            names = ", ".join(str(u) for u in form.cleaned_data["reviewers"])
            messages.success(request, f"Version {version.version_number} sent to {names}.")
            return redirect(_plan_url(plan, "reviews"))
    return _form_page(
        request,
        form,
        f"Request reviews of version {version.version_number}",
        _plan_url(plan),
        plan=plan,
        intro="The version takes effect only when every reviewer approved it. Nobody who "
        "contributed to it or sends it can review it (segregation of duties).",
    )


@login_required
def version_acknowledge(request: HttpRequest, public_id) -> HttpResponse:
    version = get_for_user_or_404(PlanVersion, request.user, "view", public_id=public_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        services.acknowledgment_record(actor=request.user, version=version)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Thank you: you acknowledged version {version.version_number}.")
    return redirect(_plan_url(version.plan, "acknowledgments"))


# --- reviews -------------------------------------------------------------------------------------


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    organization = _current_org(request)
    page = paginate(request, selectors.review_queue(request.user, organization))
    return render(request, "bcp/review_queue.html", {"page": page})


@login_required
def review_decide(request: HttpRequest, public_id) -> HttpResponse:
    review = get_for_user_or_404(Review, request.user, "approve", public_id=public_id)
    version = review.version
    plan = version.plan
    if review.reviewer_id != request.user.pk:
        raise PermissionDenied(f"This review is assigned to {review.reviewer}.")
    if review.status == Review.Status.PENDING:
        policies.check_segregation(request.user, version)
    form = ReviewDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.review_decide(
                actor=request.user,
                review=review,
                decision=form.cleaned_data["decision"],
                notes=form.cleaned_data["notes"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Your decision was recorded.")
            return redirect("bcp:review-queue")
    previous = plan.versions.filter(status=PlanVersion.Status.ACTIVE).exclude(pk=version.pk).first()
    return render(
        request,
        "bcp/review_decide.html",
        {
            "review": review,
            "version": version,
            "plan": plan,
            "form": form,
            "sections": _sections(plan, version),
            "previous": previous,
        },
    )


# --- the plan's registers ------------------------------------------------------------------------


def _child_create(
    request, public_id, form_class, service: Callable, noun: str, anchor: str, **extra
):
    plan = get_for_user_or_404(Plan, request.user, "change", public_id=public_id)
    form = form_class(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        try:
            obj = service(actor=request.user, plan=plan, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"{noun.capitalize()} “{obj}” added.")
            _warn_dependencies(request, obj)
            return redirect(_plan_url(plan, anchor))
    return _form_page(request, form, f"Add a {noun} to “{plan.title}”", _plan_url(plan), plan=plan)


def _child_edit(request, model, public_id, form_class, service, field, noun, anchor):
    obj = get_for_user_or_404(model, request.user, "change", public_id=public_id)
    plan = obj.plan
    form = form_class(request.POST or None, instance=model.objects.get(pk=obj.pk), plan=plan)
    if request.method == "POST" and form.is_valid():
        try:
            obj = service(actor=request.user, **{field: obj}, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"{noun.capitalize()} “{obj}” saved.")
            _warn_dependencies(request, obj)
            return redirect(_plan_url(plan, anchor))
    return _form_page(request, form, f"Edit {noun} “{obj}”", _plan_url(plan, anchor), plan=plan)


def _child_delete(request, model, public_id, service, field, noun, anchor):
    obj = get_for_user_or_404(model, request.user, "change", public_id=public_id)
    plan = obj.plan
    if request.method == "POST":
        try:
            service(actor=request.user, **{field: obj})
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"{noun.capitalize()} “{obj}” deleted.")
        return redirect(_plan_url(plan, anchor))
    return _confirm_delete(request, obj, noun, _plan_url(plan, anchor))


def _warn_dependencies(request, obj) -> None:
    if isinstance(obj, CriticalProcess):
        for warning in obj.dependency_warnings():
            messages.warning(request, warning)


@login_required
def process_create(request, public_id):
    return _child_create(
        request, public_id, ProcessForm, services.process_create, "process", "processes"
    )


@login_required
def process_edit(request, public_id):
    return _child_edit(
        request,
        CriticalProcess,
        public_id,
        ProcessForm,
        services.process_update,
        "process",
        "process",
        "processes",
    )


@login_required
def process_delete(request, public_id):
    return _child_delete(
        request,
        CriticalProcess,
        public_id,
        services.process_delete,
        "process",
        "process",
        "processes",
    )


@login_required
def risk_create(request, public_id):
    return _child_create(request, public_id, RiskForm, services.risk_create, "risk", "risks")


@login_required
def risk_edit(request, public_id):
    return _child_edit(
        request, Risk, public_id, RiskForm, services.risk_update, "risk", "risk", "risks"
    )


@login_required
def risk_delete(request, public_id):
    return _child_delete(request, Risk, public_id, services.risk_delete, "risk", "risk", "risks")


@login_required
def contact_create(request, public_id):
    return _child_create(
        request, public_id, ContactForm, services.contact_create, "contact", "contacts"
    )


@login_required
def contact_edit(request, public_id):
    return _child_edit(
        request,
        Contact,
        public_id,
        ContactForm,
        services.contact_update,
        "contact",
        "contact",
        "contacts",
    )


@login_required
def contact_delete(request, public_id):
    return _child_delete(
        request, Contact, public_id, services.contact_delete, "contact", "contact", "contacts"
    )


@login_required
def exercise_create(request, public_id):
    plan = get_for_user_or_404(Plan, request.user, "change", public_id=public_id)
    plan = selectors.plan_detail(request.user, public_id)
    form = ExerciseForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in ExerciseForm.Meta.fields}
        try:
            services.exercise_record(actor=request.user, plan=plan, results=form.results(), **data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Exercise recorded.")
            return redirect(_plan_url(plan, "exercises"))
    return _form_page(
        request, form, f"Record an exercise of “{plan.title}”", _plan_url(plan), plan=plan
    )


@login_required
def exercise_detail(request, public_id):
    exercise = get_for_user_or_404(Exercise, request.user, "view", public_id=public_id)
    return render(
        request,
        "bcp/exercise_detail.html",
        {
            "exercise": exercise,
            "plan": exercise.plan,
            "results": exercise.results.select_related("process"),
        },
    )


@login_required
def attachment_upload(request, public_id):
    plan = get_for_user_or_404(Plan, request.user, "change", public_id=public_id)
    form = AttachmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        limit = max_attachment_bytes()
        # Read at most one byte more than allowed: enough to know it is too large.
        data = upload.read(limit + 1)
        try:
            attachment = services.attachment_upload(
                actor=request.user,
                plan=plan,
                name=upload.name,
                data=data,
                description=form.cleaned_data["description"],
            )
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            messages.success(request, f"“{attachment.original_name}” attached.")
            return redirect(_plan_url(plan, "attachments"))
    return _form_page(
        request,
        form,
        f"Attach a file to “{plan.title}”",
        _plan_url(plan, "attachments"),
        plan=plan,
        multipart=True,
    )


@login_required
def attachment_download(request, public_id):
    attachment = get_for_user_or_404(Attachment, request.user, "view", public_id=public_id)
    from django.core.files.storage import default_storage

    try:
        handle = default_storage.open(attachment.storage_name, "rb")
    except FileNotFoundError as exc:
        raise Http404("The file is missing from storage; tell your administrator.") from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def attachment_delete(request, public_id):
    return _child_delete(
        request,
        Attachment,
        public_id,
        services.attachment_delete,
        "attachment",
        "attachment",
        "attachments",
    )


@login_required
def changelog_create(request, public_id):
    plan = get_for_user_or_404(Plan, request.user, "change", public_id=public_id)
    form = ChangeLogForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.changelog_link(actor=request.user, plan=plan, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Change linked to the plan.")
            return redirect(_plan_url(plan, "changes"))
    return _form_page(
        request,
        form,
        f"Link a change record to “{plan.title}”",
        _plan_url(plan),
        plan=plan,
        intro="Paste the GUID of the change record (e.g. from the change-management system).",
    )


# --- vendors -------------------------------------------------------------------------------------


@login_required
def vendor_list(request):
    organization = _current_org(request)
    vendors = Vendor.objects.for_user(request.user).for_organization(organization).order_by("name")
    search, search_error = search_text(request)
    if search_error:
        vendors = vendors.none()
    elif search:
        vendors = vendors.filter(name__icontains=search)
    return render(
        request,
        "bcp/vendor_list.html",
        {
            "page": paginate(request, vendors),
            "q": search,
            "search_error": search_error,
            "search_max_length": SEARCH_MAX_LENGTH,
            "can_change": tenancy_of(request.user).can(organization.pk, "change"),
        },
    )


@login_required
def vendor_create(request):
    organization = _current_org(request)
    require(request.user, organization.pk, "change")
    form = VendorForm(request.POST or None, instance=Vendor(organization=organization))
    if request.method == "POST" and form.is_valid():
        try:
            vendor = services.vendor_create(
                actor=request.user, organization=organization, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Vendor “{vendor.name}” added to the registry.")
            return redirect("bcp:vendor-list")
    return _form_page(request, form, "Add a vendor", reverse("bcp:vendor-list"))


@login_required
def vendor_edit(request, public_id):
    vendor = get_for_user_or_404(Vendor, request.user, "change", public_id=public_id)
    form = VendorForm(request.POST or None, instance=Vendor.objects.get(pk=vendor.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.vendor_update(actor=request.user, vendor=vendor, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Vendor “{form.cleaned_data['name']}” saved.")
            return redirect("bcp:vendor-list")
    return _form_page(request, form, f"Edit vendor “{vendor}”", reverse("bcp:vendor-list"))


@login_required
def vendor_delete(request, public_id):
    vendor = get_for_user_or_404(Vendor, request.user, "change", public_id=public_id)
    if request.method == "POST":
        services.vendor_delete(actor=request.user, vendor=vendor)
        messages.success(request, f"Vendor “{vendor}” deleted.")
        return redirect("bcp:vendor-list")
    return _confirm_delete(
        request,
        vendor,
        "vendor",
        reverse("bcp:vendor-list"),
        f"{vendor.processes.count()} process(es) depend on it and will lose the link.",
    )


# --- AI drafting and exports (issue 5) -----------------------------------------------------------


@login_required
@require_POST
def plan_generate(request: HttpRequest, public_id) -> HttpResponse:
    """Ask for a generated draft; the job page shows its progress."""
    plan = get_for_user_or_404(Plan, request.user, "view", public_id=public_id)
    require(request.user, plan.organization_id, "change")
    try:
        job = services.generation_request(actor=request.user, plan=plan)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(_plan_url(plan))
    return redirect("bcp:generation-detail", public_id=job.public_id)


@login_required
def generation_detail(request: HttpRequest, public_id) -> HttpResponse:
    """A generation job's progress (the progress card alone for htmx polling)."""
    job = get_for_user_or_404(GenerationJob, request.user, "view", public_id=public_id)
    template = "bcp/generation_job.html"
    if request.htmx and not request.htmx.boosted:
        template += "#progress"
    return render(request, template, {"job": job, "plan": job.plan})


@login_required
@require_POST
def version_export(request: HttpRequest, public_id) -> HttpResponse:
    """Ask for a PDF or DOCX of a version (anyone who may read the plan)."""
    version = get_for_user_or_404(PlanVersion, request.user, "view", public_id=public_id)
    try:
        export = services.export_request(
            actor=request.user, version=version, fmt=request.POST.get("format", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("bcp:version-detail", public_id=version.public_id)
    if export.reused:
        messages.info(
            request,
            "Nothing this file shows has changed since it was exported: here is that export "
            "(it did not count against any limit).",
        )
    return redirect("bcp:export-detail", public_id=export.public_id)


@login_required
def export_detail(request: HttpRequest, public_id) -> HttpResponse:
    """An export's status, hash and download link (polled by htmx while it renders)."""
    export = get_for_user_or_404(Export, request.user, "view", public_id=public_id)
    template = "bcp/export_detail.html"
    if request.htmx and not request.htmx.boosted:
        template += "#progress"
    return render(request, template, {"export": export, "plan": export.version.plan})


@login_required
def export_download(request: HttpRequest, public_id) -> HttpResponse:
    export = get_for_user_or_404(Export, request.user, "view", public_id=public_id)
    if export.status != Export.Status.DONE:
        raise Http404("This export is not ready.")
    try:
        handle = default_storage.open(export.storage_name, "rb")
    except FileNotFoundError as exc:
        raise Http404("The exported file is no longer stored; export the version again.") from exc
    return FileResponse(
        handle,
        as_attachment=True,
        filename=export.filename,
        content_type=CONTENT_TYPES[export.format],
    )


@login_required
def export_verify(request: HttpRequest) -> HttpResponse:
    """Upload a PDF/DOCX and learn whether it is an unaltered export of a plan you may read."""
    form = VerifyFileForm(request.POST or None, request.FILES or None)
    matches = None
    digest = ""
    if request.method == "POST" and form.is_valid():
        digest = form.digest
        matches = list(
            Export.objects.for_user(request.user, "view")
            .filter(status=Export.Status.DONE, sha256=digest)
            .select_related("version__plan")
            .order_by("-created_at")[:10]
        )
    return render(
        request,
        "bcp/export_verify.html",
        {"form": form, "matches": matches, "digest": digest},
    )
