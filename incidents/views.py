"""Views of the incidents app (thin: selectors read, services write, `policy` decides).

GET never writes. Forms that fail validation save nothing and show the form again with the
reasons; POST-only actions answer with a message on the incident page.
"""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.generic import edit_view
from core.listing import Sorting, csv_export
from core.modules import enabled_modules
from core.policies import incidents as policy
from core.tenancy import get_for_user_or_404, tenancy_of, tenant_organization_id
from core.web import current_organization, paginate
from ocm.access import require_ocm

from . import selectors, services
from .forms import (
    ActionForm,
    ActionStatusForm,
    CallForm,
    CloseForm,
    DeclareForm,
    ItemForm,
    LogForm,
    PlanDraftForm,
    ReviewForm,
    SeverityForm,
)
from .models import CallTreeEntry, CorrectiveAction, Incident, RecoveryItem, VendorStatus

POLL_SECONDS = 10


def _url(incident: Incident, anchor: str = "") -> str:
    url = reverse("incidents:incident-detail", args=[incident.public_id])
    return f"{url}#{anchor}" if anchor else url


def _page(incident: Incident, **page) -> dict:
    """An incident's form page contract (core/generic.py): the app's stylesheet, the
    incident above the heading (flagged when it is an exercise), back to the incident."""
    return {
        "head": "incidents/_head.html",
        "width": "wide",
        "eyebrow": incident.title,
        "eyebrow_url": _url(incident),
        "flag": "Exercise" if incident.is_exercise else "",
        "cancel_url": _url(incident),
        **page,
    }


def _organization(request: HttpRequest):
    """The current organization, when the Continuity plans module (incidents are part of it)
    is switched on there; 404 otherwise, like every URL of a module that is off."""
    organization = current_organization(request, "Incidents")
    if "bcp" not in enabled_modules(request):
        raise Http404("The Continuity plans module is not switched on for your organization.")
    return organization


def _get(request, model, action: str = "view", **lookup):
    """`get_for_user_or_404`, and 404 too where the module is off for the object's
    organization."""
    obj = get_for_user_or_404(model, request.user, action, **lookup)
    if not policy.module_on(request.user, tenant_organization_id(obj)):
        raise Http404("The Continuity plans module is not switched on there.")
    return obj


def _incident(request, public_id) -> Incident:
    incident = selectors.incident_for(request.user, public_id)
    if not policy.module_on(request.user, incident.organization_id):
        raise Http404("The Continuity plans module is not switched on there.")
    return incident


def _errors(request, exc: ValidationError) -> None:
    messages.error(request, " ".join(exc.messages))


# --- list and declaration ------------------------------------------------------------------------


#: The incident list's sort choices (core/listing.py): key → ORDER BY. Severity in
#: the order of the escalation matrix, not alphabetically.
INCIDENT_SORT = Sorting(
    {
        "started": "started_at",
        "title": "title",
        "severity": Case(
            *(
                When(severity=value, then=Value(rank))
                for rank, value in enumerate(Incident.Severity.values)
            ),
            output_field=IntegerField(),
        ),
        "status": "status",
        "disrupted": "disrupted",
    }
)
#: What the sort bar offers, in its order.
INCIDENT_SORT_LINKS = [
    ("started", "Started"),
    ("severity", "Severity"),
    ("title", "Title"),
    ("status", "Status"),
    ("disrupted", "Not recovered"),
]


@login_required
@require_safe
def incident_list(request: HttpRequest) -> HttpResponse:
    organization = _organization(request)
    sort = INCIDENT_SORT.bind(request)
    return render(
        request,
        "incidents/incident_list.html",
        {
            "organization": organization,
            "sort": sort,
            "sort_links": INCIDENT_SORT_LINKS,
            "page": paginate(
                request, selectors.incidents_for(request.user, organization), sort=sort
            ),
            "can_declare": policy.can_declare(request.user, organization),
        },
    )


@login_required
@require_safe
def incident_export(request: HttpRequest) -> HttpResponse:
    """The incident list as CSV, in the list's order, every page."""
    organization = _organization(request)
    rows = INCIDENT_SORT.bind(request).apply(selectors.incidents_for(request.user, organization))
    return csv_export(
        f"{organization.code}-incidents",
        [
            ("Title", lambda i: i.title),
            ("Exercise", lambda i: "yes" if i.is_exercise else "no"),
            ("Type", lambda i: i.get_kind_display()),
            ("Severity", lambda i: i.get_severity_display()),
            ("Status", lambda i: i.get_status_display()),
            ("Location", lambda i: i.location),
            ("Started", lambda i: i.started_at),
            ("Stood down", lambda i: i.closed_at),
            ("Processes not recovered", lambda i: i.disrupted),
        ],
        rows,
    )


@login_required
def incident_declare(request: HttpRequest) -> HttpResponse:
    organization = _organization(request)
    if not policy.can_declare(request.user, organization):
        raise PermissionDenied("Editors and above declare incidents.")
    exercise = request.GET.get("exercise") == "1"
    form = DeclareForm(
        request.POST or None, organization=organization, user=request.user, exercise=exercise
    )

    def declared(incident: Incident) -> str:
        calls = incident.call_tree_entries.filter(status="notified").count()
        what = "Exercise started" if exercise else "Incident declared"
        return (
            f"{what}: {incident.activations.count()} plan(s) activated, "
            f"{calls} contact(s) being notified."
        )

    title = "Run an exercise as a simulated incident" if exercise else "Declare an incident"
    intro = (
        "Everything works as in a real incident (call tree, recovery clock, log), flagged as an "
        "exercise everywhere; when it ends, its results are recorded as an exercise of each "
        "activated plan."
        if exercise
        else "Declaring activates the approved plans of the affected departments, notifies the "
        "call tree by e-mail and SMS and starts the recovery clock."
    )
    return edit_view(
        request,
        form,
        save=lambda data: services.incident_declare(
            actor=request.user, organization=organization, is_exercise=exercise, **data
        ),
        success_message=declared,
        success_url=_url,
        template="incidents/declare.html",
        context={"exercise": exercise},
        title=title,
        intro=intro,
    )


# --- the incident page and its polled board ------------------------------------------------------


def _board_html(request, incident: Incident, now, can_change: bool) -> str:
    data = selectors.board(incident, now)
    return render_to_string(
        "incidents/_board.html",
        {
            "board": data,
            "incident": incident,
            "perms": policy.permissions(request.user, incident),
            "poll_seconds": POLL_SECONDS,
        },
    )


def _board(request, incident: Incident, now) -> tuple[str, str | None]:
    can_change = tenancy_of(request.user).can(incident.organization_id, "change")
    _organization_id, token = selectors.board_state(incident.public_id)
    etag = selectors.board_etag(token, int(now.timestamp() // 60), str(int(can_change)))
    html = selectors.cached_fragment(etag) if etag else None
    if html is None:
        html = _board_html(request, incident, now, can_change)
        if etag:
            selectors.store_fragment(etag, html)
    return html, etag


@login_required
@require_safe
def incident_detail(request: HttpRequest, public_id) -> HttpResponse:
    incident = _incident(request, public_id)
    now = timezone.now()
    board_html, _etag = _board(request, incident, now)
    perms = policy.permissions(request.user, incident)
    review = getattr(incident, "review", None) if not incident.is_open else None
    return render(
        request,
        "incidents/incident_detail.html",
        {
            "incident": incident,
            "board_html": board_html,
            "perms": perms,
            "activations": incident.activations.select_related("plan", "version", "exercise"),
            "departments": incident.departments.all(),
            "review": review,
            "log_form": LogForm() if perms.respond else None,
            "severity_form": SeverityForm(initial={"severity": incident.severity})
            if perms.respond
            else None,
        },
    )


@login_required
@require_safe
def incident_board(request: HttpRequest, public_id) -> HttpResponse:
    """The board fragment htmx polls every 10 s. Unchanged (same token, minute and buttons):
    304 from the cache, without reading the incident."""
    organization_id, token = selectors.board_state(public_id)
    profile = tenancy_of(request.user)
    if (
        organization_id is None
        or not profile.can(organization_id, "view")
        or not policy.module_on(request.user, organization_id)
    ):
        raise Http404("No such incident.")
    now = timezone.now()
    can_change = profile.can(organization_id, "change")
    etag = selectors.board_etag(token, int(now.timestamp() // 60), str(int(can_change)))
    if etag and etag in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
    else:
        html = selectors.cached_fragment(etag) if etag else None
        if html is None:
            incident = _incident(request, public_id)
            html = _board_html(request, incident, now, can_change)
            if etag:
                selectors.store_fragment(etag, html)
        response = HttpResponse(html)
    if etag:
        response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    return response


# --- responding ----------------------------------------------------------------------------------


def _respondable(request, public_id) -> Incident:
    incident = _get(request, Incident, "change", public_id=public_id)
    return incident


@login_required
@require_POST
def log_add(request: HttpRequest, public_id) -> HttpResponse:
    incident = _respondable(request, public_id)
    form = LogForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, "The log entry was not saved: write what was decided, done or said."
        )
        return redirect(_url(incident, "log"))
    try:
        services.log_add(actor=request.user, incident=incident, **form.cleaned_data)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, "Added to the log.")
    return redirect(_url(incident, "log"))


@login_required
@require_POST
def severity_change(request: HttpRequest, public_id) -> HttpResponse:
    incident = _respondable(request, public_id)
    form = SeverityForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Severity not changed: choose a level and say why.")
        return redirect(_url(incident))
    try:
        incident = services.severity_change(
            actor=request.user, incident=incident, **form.cleaned_data
        )
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, f"Severity is now {incident.get_severity_display()}.")
    return redirect(_url(incident))


@login_required
def call_update(request: HttpRequest, public_id) -> HttpResponse:
    entry = _get(request, CallTreeEntry, "change", public_id=public_id)
    incident = entry.incident
    form = CallForm(request.POST or None)
    return edit_view(
        request,
        form,
        save=lambda data: services.call_update(actor=request.user, entry=entry, **data),
        success_message=lambda saved: f"{saved.name}: {saved.get_status_display().lower()}.",
        success_url=_url(incident, "call-tree"),
        **_page(
            incident,
            title=f"Call tree: {entry.name}",
            intro=f"{entry.role} · {entry.phone or 'no phone'} · {entry.email or 'no e-mail'}. "
            f"Now: {entry.get_status_display().lower()}.",
        ),
    )


@login_required
def item_update(request: HttpRequest, public_id) -> HttpResponse:
    item = _get(request, RecoveryItem, "change", public_id=public_id)
    incident = item.incident
    initial = {
        "status": item.status,
        "disrupted_since": timezone.localtime(item.disrupted_since).strftime("%Y-%m-%dT%H:%M"),
        "recovered_at": timezone.localtime(item.recovered_at or timezone.now()).strftime(
            "%Y-%m-%dT%H:%M"
        ),
    }
    form = ItemForm(request.POST or None, initial=initial)
    return edit_view(
        request,
        form,
        save=lambda data: services.item_update(actor=request.user, item=item, **data),
        success_message=lambda saved: f"{saved.name}: {saved.get_status_display().lower()}.",
        success_url=_url(incident, "recovery"),
        **_page(
            incident,
            title=f"Recovery of {item.name}",
            intro="Times are server times in the portal's time zone; none can be in the future.",
        ),
    )


@login_required
def vendor_update(request: HttpRequest, public_id) -> HttpResponse:
    row = _get(request, VendorStatus, "change", public_id=public_id)
    incident = row.incident
    if request.method == "POST":
        try:
            row = services.vendor_set(
                actor=request.user, vendor_status=row, is_down=request.POST.get("is_down") == "1"
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, f"{row.name} is marked {'down' if row.is_down else 'up'}.")
        return redirect(_url(incident, "recovery"))
    return render(request, "incidents/vendor_form.html", {"row": row, "incident": incident})


@login_required
def incident_close(request: HttpRequest, public_id) -> HttpResponse:
    incident = _respondable(request, public_id)
    if not incident.is_open:
        messages.error(request, "This incident has already been stood down.")
        return redirect(_url(incident))
    return edit_view(
        request,
        CloseForm(request.POST or None),
        save=lambda data: services.incident_close(actor=request.user, incident=incident, **data),
        success_message=(
            "Exercise ended and recorded." if incident.is_exercise else "Incident stood down."
        ),
        success_url=_url(incident),
        template="incidents/close.html",
        context={
            "incident": incident,
            "still_down": lambda: list(
                incident.recovery_items.exclude(status=RecoveryItem.Status.RECOVERED)
            ),
        },
    )


# --- after-action review -------------------------------------------------------------------------


@login_required
def review_edit(request: HttpRequest, public_id) -> HttpResponse:
    incident = _incident(request, public_id)
    review = getattr(incident, "review", None)
    perms = policy.permissions(request.user, incident)
    if request.method == "POST":
        policy.require_change(request.user, incident.organization_id)
        if not perms.review:
            messages.error(request, "Stand the incident down before writing its review.")
            return redirect(_url(incident))
    context = {
        "incident": incident,
        "review": review,
        "perms": perms,
        "board": lambda: selectors.board(incident, incident.closed_at or timezone.now()),
        "actions": review.actions.select_related("owner") if review else [],
        "action_form": ActionForm(organization_id=incident.organization_id)
        if review and perms.review
        else None,
        "draft_form": PlanDraftForm(incident=incident) if review and perms.review else None,
        "drafts": review.plan_drafts.select_related("plan") if review else [],
        "action_statuses": CorrectiveAction.Status.choices,
    }
    if not perms.review:  # an open incident: the page without the form
        context.update(form=None, board=context["board"]())
        return render(request, "incidents/review.html", context)
    initial = (
        {"what_worked": review.what_worked, "what_failed": review.what_failed} if review else {}
    )
    return edit_view(
        request,
        ReviewForm(request.POST or None, initial=initial),
        save=lambda data: services.review_save(actor=request.user, incident=incident, **data),
        success_message="After-action review saved.",
        success_url=reverse("incidents:review", args=[incident.public_id]),
        template="incidents/review.html",
        context=context,
    )


@login_required
@require_POST
def action_create(request: HttpRequest, public_id) -> HttpResponse:
    incident = _respondable(request, public_id)
    review = getattr(incident, "review", None)
    if review is None:
        messages.error(request, "Write the after-action review first.")
        return redirect(_url(incident))
    form = ActionForm(request.POST, organization_id=incident.organization_id)
    if not form.is_valid():
        problems = "; ".join(
            f"{form.fields[f].label or f}: {' '.join(e)}" for f, e in form.errors.items()
        )
        messages.error(request, f"The action was not added. {problems}")
    else:
        try:
            services.action_add(actor=request.user, review=review, **form.cleaned_data)
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, "Corrective action added.")
    return redirect("incidents:review", public_id=incident.public_id)


@login_required
@require_POST
def action_update(request: HttpRequest, public_id) -> HttpResponse:
    action = _get(request, CorrectiveAction, "change", public_id=public_id)
    incident = action.review.incident
    form = ActionStatusForm(request.POST)
    if form.is_valid():
        try:
            services.action_update(actor=request.user, action=action, **form.cleaned_data)
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, "Corrective action updated.")
    else:
        messages.error(request, "Choose open, in progress or done.")
    return redirect("incidents:review", public_id=incident.public_id)


@login_required
@require_POST
def plan_draft(request: HttpRequest, public_id) -> HttpResponse:
    incident = _respondable(request, public_id)
    form = PlanDraftForm(request.POST, incident=incident)
    if not form.is_valid():
        messages.error(request, "Choose a plan this incident activated.")
        return redirect("incidents:review", public_id=incident.public_id)
    try:
        version = services.plan_draft_from_review(
            actor=request.user, incident=incident, plan=form.cleaned_data["plan"]
        )
    except ValidationError as exc:
        _errors(request, exc)
        return redirect("incidents:review", public_id=incident.public_id)
    messages.success(
        request,
        f"Draft version {version.version_number} of “{version.plan.title}” opened; its change "
        "note cites this incident.",
    )
    return redirect("bcp:version-detail", public_id=version.public_id)


# --- report --------------------------------------------------------------------------------------


@login_required
@require_safe
def incident_report(request: HttpRequest, public_id, fmt: str) -> HttpResponse:
    from . import report

    incident = _incident(request, public_id)
    if fmt not in report.CONTENT_TYPES:
        raise Http404("Reports are PDF or DOCX.")
    data = report.render(incident, fmt)
    response = HttpResponse(data, content_type=report.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{report.filename(incident, fmt)}"'
    response["X-Content-SHA256"] = hashlib.sha256(data).hexdigest()
    return response


# --- the acknowledgment link (no sign-in) --------------------------------------------------------


@require_http_methods(["GET", "POST"])
def acknowledge(request: HttpRequest, public_id, token: str) -> HttpResponse:
    """The link in a contact's e-mail or SMS. GET shows a button (link scanners and previews
    must not acknowledge for the person); POST acknowledges, once."""
    if request.method == "POST":
        outcome, entry = services.acknowledge_by_link(entry_public_id=public_id, token=token)
    else:
        outcome, entry = services.check_ack_link(public_id, token)
    response = render(
        request,
        "incidents/acknowledge.html",
        {"outcome": outcome, "entry": entry, "posted": request.method == "POST"},
        status=404 if outcome == services.AckOutcome.INVALID else 200,
    )
    response["Cache-Control"] = "no-store"
    # The token never leaves the site in a Referer header ("no-referrer" would make the browser
    # send "Origin: null" with the form, which the CSRF check rightly refuses).
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex"
    return response


# --- OCM -----------------------------------------------------------------------------------------


@require_ocm("viewer")
@require_safe
def ocm_board(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    return render(
        request, "incidents/ocm_board.html", {"data": selectors.ocm_board(now), "now": now}
    )


@require_ocm("viewer")
@require_safe
def ocm_summary(request: HttpRequest) -> HttpResponse:
    """The incident tile of the OCM dashboard (loaded by htmx, so the dashboard itself keeps
    its query count)."""
    return render(
        request,
        "incidents/_ocm_tile.html",
        {"summary": selectors.ocm_summary(timezone.now())},
    )
