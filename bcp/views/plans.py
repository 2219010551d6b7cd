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
from django.views.decorators.http import require_safe

from core import policies
from core.generic import confirm_view, edit_view
from core.listing import Sorting, csv_export
from core.policies import bcp as bcp_policies
from core.tenancy import get_for_user_or_404, require
from core.web import (
    apply_errors,
    current_organization,
    fragment_key,
    paginate,
    results_template,
)

from .. import selectors, services
from ..content import MAX_SECTION_CHARS, MAX_SECTION_LINES, diff_versions, section_text_document
from ..filters import PlanFilter
from ..forms import DraftForm, NewDraftForm, PlanCreateForm, PlanEditForm
from ..models import Plan, PlanVersion
from ._common import BC_PLANS, _page, _plan_url, _sections
from .continuity import shared_plan_redirect, sharing_context

# --- plans ---------------------------------------------------------------------------------------


#: The plan list's sortable columns (core/listing.py): key → ORDER BY.
PLAN_SORT = Sorting(
    {
        "title": "title",
        "department": "department__name",
        "status": "status",
        "version": ("current_version__version_number", "current_version__approved_at"),
        "next_review": "next_review_date",
        "processes": "process_count",
        "risks": "risk_count",
    }
)


def _plan_filter(request: HttpRequest, organization) -> PlanFilter:
    return PlanFilter(
        request.GET,
        queryset=selectors.plans_for(request.user, organization),
        organization=organization,
    )


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    organization = current_organization(request, BC_PLANS)
    # Built only when the cached list fragment is missing or stale.
    filterset = SimpleLazyObject(lambda: _plan_filter(request, organization))
    sort = PLAN_SORT.bind(request)
    return render(
        request,
        results_template(request, "bcp/plan_list.html"),
        {
            "filter": filterset,
            "sort": sort,
            "page": paginate(request, lambda: filterset.qs, sort=sort),
            "today": timezone.localdate(),
            "can_change": bcp_policies.may_change_plans(request.user, organization),
            "pending_reviews": selectors.review_queue(request.user, organization).count(),
            "fragment_key": fragment_key(request, selectors.CACHE_MODULE),
        },
    )


@login_required
@require_safe
def plan_export(request: HttpRequest) -> HttpResponse:
    """The plan list as CSV: the same filters and order, every page."""
    organization = current_organization(request, BC_PLANS)
    rows = PLAN_SORT.bind(request).apply(_plan_filter(request, organization).qs)
    return csv_export(
        f"{organization.code}-bc-plans",
        [
            ("Plan", lambda p: p.title),
            ("Template", lambda p: p.template.name if p.template else ""),
            ("Department", lambda p: p.department.name if p.department else "Whole organization"),
            ("Status", lambda p: p.get_status_display()),
            (
                "Active version",
                lambda p: p.current_version.version_number if p.current_version else "",
            ),
            ("Approved", lambda p: p.current_version.approved_at if p.current_version else ""),
            ("Next review", lambda p: p.next_review_date),
            ("Owner", lambda p: p.owner or ""),
            ("Processes", lambda p: p.process_count),
            ("Risks", lambda p: p.risk_count),
        ],
        rows,
    )


@login_required
def plan_create(request: HttpRequest) -> HttpResponse:
    organization = current_organization(request, BC_PLANS)
    require(request.user, organization.pk, "change")
    form = PlanCreateForm(request.POST or None, organization=organization)
    return edit_view(
        request,
        form,
        save=lambda data: services.plan_create(
            actor=request.user, organization=organization, **data
        ),
        success_message=lambda plan: f"Plan “{plan.title}” created with a first draft.",
        success_url=_plan_url,
        **_page(
            title=f"New business continuity plan in {organization.code}",
            cancel_url=reverse("bcp:plan-list"),
            intro="The first draft is prefilled from the template; the escalation matrix comes "
            "with suggested levels you can adapt.",
        ),
    )


@login_required
def plan_detail(request: HttpRequest, public_id) -> HttpResponse:
    try:
        plan = selectors.plan_detail(request.user, public_id)
    except Http404:
        # A person the plan is shared with goes to its shared page; anyone else: 404.
        return shared_plan_redirect(request, public_id)
    version = plan.current_version
    draft = selectors.open_version(plan)
    shown = version or draft
    risks = list(plan.risks.all())
    processes = list(plan.critical_processes.all())
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
        "changes": plan.change_log_entries.all(),
        "reviews": reviews,
        "acknowledged": acknowledged,
        "unacknowledged": list(selectors.unacknowledged(plan)[:50]),
        "ack_count": version.acknowledgments.count() if version else 0,
        "perms": policies.bc_plan_permissions(request.user, plan),
        **sharing_context(request.user, plan),
    }
    return render(request, "bcp/plan_detail.html", context)


@login_required
def plan_edit(request: HttpRequest, public_id) -> HttpResponse:
    plan = get_for_user_or_404(Plan, request.user, "change", public_id=public_id)
    form = PlanEditForm(
        request.POST or None,
        instance=Plan.objects.get(pk=plan.pk),  # the form's copy; the service re-reads
    )
    return edit_view(
        request,
        form,
        save=lambda data: services.plan_update(actor=request.user, plan=plan, **data),
        success_message="Plan details saved.",
        success_url=_plan_url(plan),
        **_page(plan, title=f"Edit “{plan.title}”", cancel_url=_plan_url(plan)),
    )


@login_required
def plan_archive(request: HttpRequest, public_id) -> HttpResponse:
    plan = get_for_user_or_404(Plan, request.user, "approve", public_id=public_id)
    return confirm_view(
        request,
        perform=lambda: services.plan_archive(actor=request.user, plan=plan),
        success_message=f"Plan “{plan.title}” archived.",
        success_url=reverse("bcp:plan-list"),
        **_page(
            title=f"Archive plan “{plan}”?",
            intro="It leaves the list of active plans. Its versions, reviews and "
            "acknowledgments are kept.",
            submit_label="Yes, archive",
            danger=True,
            cancel_url=_plan_url(plan),
            width="",
        ),
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
            # Only those who may change the plan are offered the "Fix" links (edit pages).
            "perms": bcp_policies.plan_permissions(request.user, plan),
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
            "can_change": bcp_policies.may_change_plan(request.user, plan),
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
    return edit_view(
        request,
        form,
        save=lambda data: services.version_create_draft(
            actor=request.user,
            plan=plan,
            content=plan.current_version.content if plan.current_version else {},
            change_note=data["change_note"],
        ),
        success_message=lambda version: f"Draft version {version.version_number} opened.",
        success_url=lambda version: reverse("bcp:version-edit", args=[version.public_id]),
        **_page(
            plan,
            title=f"Revise “{plan.title}”",
            cancel_url=_plan_url(plan),
            intro="A new draft starts as a copy of the active version; the active version stays "
            "in force until the draft is approved.",
        ),
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
