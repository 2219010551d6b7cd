"""Plan and version pages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.html import escape
from django.utils.safestring import mark_safe

from organizations.tenancy import get_for_user_or_404, require, tenancy_of
from organizations.web import paginate, results_template

from .. import selectors, services
from ..content import MAX_SECTION_CHARS, MAX_SECTION_LINES, diff_versions, section_text_document
from ..filters import PlanFilter
from ..forms import DraftForm, NewDraftForm, PlanCreateForm, PlanEditForm, apply_errors
from ..models import Plan, PlanVersion
from ._common import _current_org, _form_page, _plan_url, _sections

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
            "critical": [f for f in findings if f.critical],
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
