"""Views of the budgeting app (thin: selectors read, services write)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_http_methods, require_safe

from config.db_router import reads_from_replica
from core import policies
from core.csvfiles import csv_response
from core.generic import confirm_view, edit_view
from core.listing import Sorting, csv_export
from core.tenancy import get_for_user_or_404, require
from core.web import (
    apply_errors,
    current_organization,
    fragment_key,
    paginate,
    results_template,
)
from organizations.importing import csv_safe

from . import selectors, services
from .filters import ProposalFilter
from .forms import (
    AdjustmentForm,
    AllotmentForm,
    ApprovalForm,
    DeliveryForm,
    DisbursementForm,
    LineItemForm,
    ObligationForm,
    ProgramForm,
    ProposalForm,
    ReportPeriodForm,
    ReturnForm,
)
from .models import (
    Allotment,
    BudgetLineItem,
    BudgetProposal,
    Disbursement,
    ExpenseClass,
    Obligation,
    ProgramBudget,
)


def _page(**page) -> dict:
    """A budgeting form or confirm page's contract (core/generic.py): the app's
    stylesheet and narrow amount inputs."""
    return {"head": "budgeting/_head.html", "form_css": "money-form", **page}


def _form_page(request: HttpRequest, form, heading: str, cancel_url: str, **extra) -> HttpResponse:
    """The form page, for views whose POST does more than one service call (see edit_view)."""
    return render(
        request, "form.html", _page(form=form, title=heading, cancel_url=cancel_url, **extra)
    )


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _proposal_url(proposal: BudgetProposal) -> str:
    return reverse("budgeting:proposal-detail", args=[proposal.public_id])


def _ledger_url(program: ProgramBudget) -> str:
    return reverse("budgeting:program-ledger", args=[program.public_id])


# --- proposals -----------------------------------------------------------------------------------


#: The proposal list's sortable columns (core/listing.py): key → ORDER BY.
PROPOSAL_SORT = Sorting(
    {
        "year": "fiscal_year",
        "title": "title",
        "status": "status",
        "programs": "program_count",
        "requested": "requested_total",
        "approved": "approved_total",
        "prepared_by": ("created_by__last_name", "created_by__first_name"),
    }
)


def _proposal_filter(request: HttpRequest, organization) -> ProposalFilter:
    return ProposalFilter(request.GET, queryset=selectors.proposals_for(request.user, organization))


@login_required
def proposal_list(request: HttpRequest) -> HttpResponse:
    organization = current_organization(request, "Budgets")
    # Built only when the cached list fragment is missing or stale.
    filterset = SimpleLazyObject(lambda: _proposal_filter(request, organization))
    sort = PROPOSAL_SORT.bind(request)
    return render(
        request,
        results_template(request, "budgeting/proposal_list.html"),
        {
            "filter": filterset,
            "sort": sort,
            "page": paginate(request, lambda: filterset.qs, sort=sort),
            "can_create": policies.may_create_proposal(request.user, organization),
            "fragment_key": fragment_key(
                request, selectors.EXECUTION_CACHE, per_organization=False
            ),
        },
    )


@login_required
@require_safe
def proposal_export(request: HttpRequest) -> HttpResponse:
    """The proposal list as CSV: the same filters and order, every page."""
    organization = current_organization(request, "Budgets")
    rows = PROPOSAL_SORT.bind(request).apply(_proposal_filter(request, organization).qs)
    return csv_export(
        f"{organization.code}-budget-proposals",
        [
            ("Fiscal year", lambda p: p.fiscal_year),
            ("Title", lambda p: p.title),
            ("Status", lambda p: p.get_status_display()),
            ("Programs", lambda p: p.program_count),
            ("Requested (PHP)", lambda p: p.requested_total),
            ("Approved (PHP)", lambda p: p.approved_total if p.status == "approved" else ""),
            ("Prepared by", lambda p: p.created_by or ""),
            ("Last changed", lambda p: p.updated_at),
        ],
        rows,
    )


@login_required
@require_http_methods(["GET", "POST"])
def proposal_create(request: HttpRequest) -> HttpResponse:
    organization = current_organization(request, "Budgets")
    require(request.user, organization.pk, "change")
    form = ProposalForm(request.POST or None, organization=organization)
    if request.method == "POST" and form.is_valid():
        try:
            proposal = services.proposal_create(
                actor=request.user, organization=organization, **form.service_data()
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Proposal for FY {proposal.fiscal_year} created.")
            return redirect(_proposal_url(proposal))
    return _form_page(
        request,
        form,
        f"New budget proposal for {organization.code}",
        reverse("budgeting:proposal-list"),
    )


@login_required
def proposal_detail(request: HttpRequest, public_id) -> HttpResponse:
    proposal = selectors.proposal_for(request.user, public_id)
    perms = policies.proposal_permissions(request.user, proposal)
    programs = selectors.programs_of(proposal)
    return render(
        request,
        "budgeting/proposal_detail.html",
        {
            "proposal": proposal,
            "programs": programs,
            "requested_total": sum(p.requested_amount for p in programs),
            "approved_total": sum(p.approved_amount or 0 for p in programs),
            "problems": services.submission_problems(proposal) if perms.can_edit else [],
            "perms": perms,
        },
    )


@login_required
def program_items(request: HttpRequest, public_id) -> HttpResponse:
    """Every line item of one program, a page at a time (the proposal page shows the first few)."""
    program = selectors.program_for(request.user, public_id)
    proposal = program.proposal
    return render(
        request,
        "budgeting/program_items.html",
        {
            "program": program,
            "proposal": proposal,
            "page": paginate(request, selectors.line_items_of(program)),
            "perms": policies.proposal_permissions(request.user, proposal),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def proposal_edit(request: HttpRequest, public_id) -> HttpResponse:
    proposal = get_for_user_or_404(BudgetProposal, request.user, "change", public_id=public_id)
    form = ProposalForm(request.POST or None, instance=proposal, organization=proposal.organization)
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        data["strategic_plan_id"] = (
            data.pop("strategic_plan").pk if data["strategic_plan"] else None
        )
        try:
            services.proposal_update(
                actor=request.user,
                proposal=proposal,
                revision=form.cleaned_data.get("revision"),
                **data,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Proposal saved.")
            return redirect(_proposal_url(proposal))
    return _form_page(
        request, form, f"Edit the FY {proposal.fiscal_year} proposal", _proposal_url(proposal)
    )


@login_required
@require_http_methods(["POST"])
def proposal_submit(request: HttpRequest, public_id) -> HttpResponse:
    proposal = get_for_user_or_404(BudgetProposal, request.user, "change", public_id=public_id)
    try:
        services.proposal_submit(actor=request.user, proposal=proposal)
    except ValidationError as exc:
        messages.error(request, "The proposal was not submitted. Fix these first:")
        for problem in exc.messages:
            messages.error(request, problem)
    else:
        messages.success(request, "Proposal submitted for approval.")
    return redirect(_proposal_url(proposal))


@login_required
@require_http_methods(["POST"])
def proposal_review(request: HttpRequest, public_id) -> HttpResponse:
    proposal = get_for_user_or_404(BudgetProposal, request.user, "approve", public_id=public_id)
    try:
        services.proposal_start_review(actor=request.user, proposal=proposal)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, "The proposal is now under review.")
    return redirect(_proposal_url(proposal))


@login_required
@require_http_methods(["GET", "POST"])
def proposal_approve(request: HttpRequest, public_id) -> HttpResponse:
    proposal = get_for_user_or_404(BudgetProposal, request.user, "approve", public_id=public_id)
    policies.require_may_decide(request.user, proposal)  # 403 with the reason
    programs = list(proposal.programs.order_by("code", "name"))
    form = ApprovalForm(request.POST or None, programs=programs)
    if request.method == "POST" and form.is_valid():
        try:
            services.proposal_approve(
                actor=request.user, proposal=proposal, approved_amounts=form.approved_amounts()
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"FY {proposal.fiscal_year} proposal approved.")
            return redirect(_proposal_url(proposal))
    return _form_page(
        request,
        form,
        f"Approve the FY {proposal.fiscal_year} proposal",
        _proposal_url(proposal),
        intro="Set the approved amount of each program (at most its request). The proposal "
        "then becomes read-only and allotments can be released.",
        submit_label="Approve",
    )


@login_required
@require_http_methods(["GET", "POST"])
def proposal_return(request: HttpRequest, public_id) -> HttpResponse:
    proposal = get_for_user_or_404(BudgetProposal, request.user, "approve", public_id=public_id)
    policies.require_may_decide(request.user, proposal)  # 403 with the reason
    form = ReturnForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.proposal_return(
                actor=request.user, proposal=proposal, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "The proposal was returned to its preparers.")
            return redirect(_proposal_url(proposal))
    return _form_page(
        request,
        form,
        f"Return the FY {proposal.fiscal_year} proposal for changes",
        _proposal_url(proposal),
        submit_label="Return it",
    )


# --- programs and line items ---------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def program_create(request: HttpRequest, public_id) -> HttpResponse:
    proposal = get_for_user_or_404(BudgetProposal, request.user, "change", public_id=public_id)
    form = ProgramForm(request.POST or None, proposal=proposal)
    if request.method == "POST" and form.is_valid():
        try:
            program = services.program_create(
                actor=request.user, proposal=proposal, **form.service_data()
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Program “{program.name}” added. Now cost it.")
            return redirect(_proposal_url(proposal))
    return _form_page(request, form, "New program", _proposal_url(proposal))


@login_required
@require_http_methods(["GET", "POST"])
def program_edit(request: HttpRequest, public_id) -> HttpResponse:
    program = get_for_user_or_404(ProgramBudget, request.user, "change", public_id=public_id)
    proposal = program.proposal
    form = ProgramForm(request.POST or None, instance=program, proposal=proposal)
    if request.method == "POST" and form.is_valid():
        try:
            services.program_update(actor=request.user, program=program, **form.service_data())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Program “{form.cleaned_data['name']}” saved.")
            return redirect(_proposal_url(proposal))
    return _form_page(request, form, f"Edit “{program.name}”", _proposal_url(proposal))


@login_required
@require_http_methods(["GET", "POST"])
def program_delete(request: HttpRequest, public_id) -> HttpResponse:
    program = get_for_user_or_404(ProgramBudget, request.user, "change", public_id=public_id)
    proposal = program.proposal
    return confirm_view(
        request,
        perform=lambda: services.program_delete(actor=request.user, program=program),
        success_message=f"Program “{program.name}” deleted.",
        success_url=_proposal_url(proposal),
        **_page(
            title=f"Delete the program “{program.name}”?",
            intro=lambda: f"Its {program.line_items.count()} line item(s) are deleted with it.",
            submit_label="Yes, delete",
            danger=True,
            cancel_url=_proposal_url(proposal),
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def line_item_create(request: HttpRequest, public_id) -> HttpResponse:
    program = get_for_user_or_404(ProgramBudget, request.user, "change", public_id=public_id)
    form = LineItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.line_item_create(
                actor=request.user, program=program, **form.service_data()
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, f"Line “{item.description}” added ({_peso(item.total_cost)})."
            )
            return redirect(_proposal_url(program.proposal))
    return _form_page(
        request, form, f"New line item of “{program.name}”", _proposal_url(program.proposal)
    )


@login_required
@require_http_methods(["GET", "POST"])
def line_item_edit(request: HttpRequest, public_id) -> HttpResponse:
    item = get_for_user_or_404(BudgetLineItem, request.user, "change", public_id=public_id)
    proposal = item.program.proposal
    form = LineItemForm(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        try:
            services.line_item_update(actor=request.user, item=item, **form.service_data())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Line item saved.")
            return redirect(_proposal_url(proposal))
    return _form_page(request, form, f"Edit “{item.description}”", _proposal_url(proposal))


@login_required
@require_http_methods(["GET", "POST"])
def line_item_delete(request: HttpRequest, public_id) -> HttpResponse:
    item = get_for_user_or_404(BudgetLineItem, request.user, "change", public_id=public_id)
    proposal = item.program.proposal
    return confirm_view(
        request,
        perform=lambda: services.line_item_delete(actor=request.user, item=item),
        success_message=f"Line “{item.description}” deleted.",
        success_url=_proposal_url(proposal),
        **_page(
            title=f"Delete the line “{item.description}”?",
            intro=f"The program's costed total drops by {_peso(item.total_cost)}.",
            submit_label="Yes, delete",
            danger=True,
            cancel_url=_proposal_url(proposal),
        ),
    )


def _peso(value) -> str:
    from .templatetags.money import peso

    return peso(value)


# --- execution -----------------------------------------------------------------------------------


@login_required
def execution_dashboard(request: HttpRequest) -> HttpResponse:
    """The organization's budget execution for one fiscal year (a fixed number of queries)."""
    organization = current_organization(request, "Budgets")
    years = selectors.cached_execution_years(organization)
    try:
        year = int(request.GET.get("year") or 0)
    except ValueError:
        year = 0
    if year not in years:
        current = timezone.localdate().year
        year = current if current in years or not years else years[0]
    return render(
        request,
        "budgeting/dashboard.html",
        {
            "year": year,
            "years": years,
            **selectors.year_summary(organization, year),
            # Built only when the cached programs fragment is missing or stale.
            "page": paginate(
                request, lambda: selectors.executed_programs(request.user, organization, year)
            ),
            "fragment_key": fragment_key(
                request, selectors.EXECUTION_CACHE, per_organization=False
            ),
        },
    )


@login_required
def program_ledger(request: HttpRequest, public_id) -> HttpResponse:
    program = selectors.program_with_utilization(request.user, public_id)
    return render(
        request,
        "budgeting/program_ledger.html",
        {
            "program": program,
            "allotments": selectors.allotments_of(program),
            "obligations": selectors.obligations_of(program),
            "disbursements": selectors.disbursements_of(program),
            "perms": policies.ledger_permissions(request.user, program),
        },
    )


@login_required
@reads_from_replica
def ledger_export(request: HttpRequest, public_id) -> HttpResponse:
    """The program's ledger as CSV (cells a spreadsheet would run as formulas are neutralised)."""
    program = get_for_user_or_404(ProgramBudget, request.user, "view", public_id=public_id)
    response, writer = csv_response(f"ledger-{program.code or program.public_id}")
    writer.writerow(
        [
            "type",
            "date",
            "quarter",
            "reference",
            "payee_or_cost_centres",
            "amount",
            "status",
            "allotment_class",
            "ors_or_dv_number",
            "object_code",
        ]
    )

    def row(*values):
        writer.writerow([csv_safe(v) for v in values])

    for a in selectors.allotments_of(program):
        row(
            "allotment",
            a.release_date,
            a.get_quarter_display(),
            a.release_reference,
            "",
            a.amount,
            a.status,
            a.allotment_class,
            "",
            "",
        )
    for o in selectors.obligations_of(program):
        row(
            "obligation",
            o.obligated_on,
            o.allotment.get_quarter_display(),
            o.reference,
            o.payee,
            o.net_amount,
            o.status,
            o.allotment.allotment_class,
            o.ors_number,
            o.object_code.code if o.object_code else "",
        )
    for d in selectors.disbursements_of(program):
        centres = "; ".join(f"{li.cost_centre}: {li.amount}" for li in d.line_items.all())
        row(
            "disbursement",
            d.disbursed_on,
            d.obligation.allotment.get_quarter_display(),
            d.reference,
            centres,
            d.amount,
            d.status,
            d.obligation.allotment.allotment_class,
            d.dv_number,
            "",
        )
    return response


@login_required
@require_http_methods(["GET", "POST"])
def allotment_create(request: HttpRequest, public_id) -> HttpResponse:
    program = get_for_user_or_404(ProgramBudget, request.user, "approve", public_id=public_id)
    form = AllotmentForm(
        request.POST or None,
        initial={"release_date": timezone.localdate()},
        room=services.allotment_room(program),
    )
    if request.method == "POST" and form.is_valid():
        try:
            allotment = services.allotment_release(
                actor=request.user, program=program, **form.service_data()
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                f"{allotment.get_quarter_display()} {allotment.allotment_class} allotment of "
                f"{_peso(allotment.amount)} released.",
            )
            return redirect(_ledger_url(program))
    return _form_page(
        request, form, f"Release an allotment for “{program.name}”", _ledger_url(program)
    )


@login_required
@require_http_methods(["GET", "POST"])
def allotment_cancel(request: HttpRequest, public_id) -> HttpResponse:
    allotment = get_for_user_or_404(Allotment, request.user, "approve", public_id=public_id)
    program = allotment.program
    return confirm_view(
        request,
        perform=lambda: services.allotment_cancel(actor=request.user, allotment=allotment),
        success_message="Allotment cancelled: its money no longer counts.",
        success_url=_ledger_url(program),
        **_page(
            title=f"Cancel the allotment {allotment.release_reference}?",
            intro=f"Its {_peso(allotment.amount)} is returned to the program's "
            "unallotted balance. Cancelled rows stay in the ledger.",
            submit_label="Yes, cancel it",
            danger=True,
            cancel_url=_ledger_url(program),
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def obligation_create(request: HttpRequest, public_id) -> HttpResponse:
    allotment = get_for_user_or_404(Allotment, request.user, "change", public_id=public_id)
    program = allotment.program
    form = ObligationForm(
        request.POST or None, initial={"obligated_on": timezone.localdate()}, allotment=allotment
    )
    if request.method == "POST" and form.is_valid():
        try:
            obligation = services.obligation_create(
                actor=request.user, allotment=allotment, **form.service_data()
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                f"ORS {obligation.ors_number}: {_peso(obligation.amount)} obligated to "
                f"{obligation.payee}.",
            )
            return redirect(_ledger_url(program))
    return _form_page(
        request,
        form,
        f"Obligate against {allotment.allotment_class} {allotment.get_quarter_display()} "
        f"allotment {allotment.release_reference} ({_peso(allotment.amount)})",
        _ledger_url(program),
    )


@login_required
@require_http_methods(["GET", "POST"])
def obligation_cancel(request: HttpRequest, public_id) -> HttpResponse:
    obligation = get_for_user_or_404(Obligation, request.user, "change", public_id=public_id)
    program = obligation.allotment.program
    return confirm_view(
        request,
        perform=lambda: services.obligation_cancel(actor=request.user, obligation=obligation),
        success_message="Obligation cancelled: its money is free to obligate again.",
        success_url=_ledger_url(program),
        **_page(
            title=f"Cancel the obligation to {obligation.payee}?",
            intro=f"Its {_peso(obligation.amount)} returns to the allotment.",
            submit_label="Yes, cancel it",
            danger=True,
            cancel_url=_ledger_url(program),
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def disbursement_create(request: HttpRequest, public_id) -> HttpResponse:
    obligation = get_for_user_or_404(Obligation, request.user, "change", public_id=public_id)
    program = obligation.allotment.program
    form = DisbursementForm(request.POST or None, initial={"disbursed_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            disbursement = services.disbursement_create(
                actor=request.user, obligation=obligation, **form.service_data()
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                f"DV {disbursement.dv_number}: payment of {_peso(disbursement.amount)} recorded "
                "(processing).",
            )
            return redirect(_ledger_url(program))
    return _form_page(
        request,
        form,
        f"Pay {obligation.payee} (ORS {obligation.ors_number or '—'}, "
        f"{_peso(obligation.net_amount)})",
        _ledger_url(program),
    )


@login_required
@require_http_methods(["GET", "POST"])
def disbursement_status(request: HttpRequest, public_id, action: str) -> HttpResponse:
    needed = services.DISBURSEMENT_MOVES.get(action, (None, None, "change"))[2]
    disbursement = get_for_user_or_404(Disbursement, request.user, needed, public_id=public_id)
    program = disbursement.obligation.allotment.program
    label = "Void" if action == "void" else "Mark as paid"
    return confirm_view(
        request,
        perform=lambda: services.disbursement_set_status(
            actor=request.user, disbursement=disbursement, action=action
        ),
        success_message=f"Payment {disbursement.reference or ''} updated.",
        success_url=_ledger_url(program),
        **_page(
            title=f"{label}: payment {disbursement.reference} of {_peso(disbursement.amount)}?",
            intro="A void payment stops counting, for good."
            if action == "void"
            else "The payment is recorded as paid.",
            submit_label=f"Yes, {label.lower()}",
            danger=action == "void",
            cancel_url=_ledger_url(program),
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def obligation_adjust(request: HttpRequest, public_id) -> HttpResponse:
    obligation = get_for_user_or_404(Obligation, request.user, "change", public_id=public_id)
    program = obligation.allotment.program
    form = AdjustmentForm(request.POST or None, initial={"adjusted_on": timezone.localdate()})
    return edit_view(
        request,
        form,
        save=lambda _: services.obligation_adjust(
            actor=request.user, obligation=obligation, **form.service_data()
        ),
        success_message=f"Obligation {obligation.ors_number} adjusted.",
        success_url=_ledger_url(program),
        **_page(
            title=f"Adjust obligation {obligation.ors_number or ''} to {obligation.payee} "
            f"(stands at {_peso(obligation.net_amount)})",
            cancel_url=_ledger_url(program),
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def obligation_deliver(request: HttpRequest, public_id) -> HttpResponse:
    obligation = get_for_user_or_404(Obligation, request.user, "change", public_id=public_id)
    program = obligation.allotment.program
    form = DeliveryForm(request.POST or None, initial={"delivered_on": timezone.localdate()})
    return edit_view(
        request,
        form,
        save=lambda _: services.obligation_record_delivery(
            actor=request.user, obligation=obligation, **form.service_data()
        ),
        success_message=f"Delivery recorded: {obligation.ors_number} is due and demandable.",
        success_url=_ledger_url(program),
        **_page(
            title=f"Record delivery for obligation {obligation.ors_number or ''} to "
            f"{obligation.payee}",
            cancel_url=_ledger_url(program),
        ),
    )


# --- reports -------------------------------------------------------------------------------------


def _period(request: HttpRequest) -> tuple[int, int]:
    from .reports import default_period

    form = ReportPeriodForm(request.GET or None)
    if form.is_valid():
        return form.cleaned_data["year"], form.cleaned_data["quarter"]
    return default_period()


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def report(request: HttpRequest, kind: str, fmt: str = "html") -> HttpResponse:
    """SAAODB (FAR No. 1) or FAR No. 1-A of the current organization, as a page, XLSX or PDF."""
    from . import report_exports, reports

    organization = current_organization(request, "Budgets")
    year, quarter = _period(request)
    build = reports.saaodb if kind == "saaodb" else reports.far1a
    result = build(organization, year, quarter)
    if fmt != "html":
        sheet = report_exports.report_sheet(result)
        name = f"{kind}-{organization.code}-{year}-Q{quarter}".lower()
        if fmt == "xlsx":
            return _download(report_exports.render_xlsx(sheet), XLSX, f"{name}.xlsx")
        return _download(report_exports.render_pdf(sheet), "application/pdf", f"{name}.pdf")
    return render(
        request,
        "budgeting/report.html",
        {
            "report": result,
            "kind": kind,
            "year": year,
            "quarter": quarter,
            "years": selectors.cached_execution_years(organization),
            "query": f"year={year}&quarter={quarter}",
            "raod_classes": ExpenseClass.choices,
        },
    )


@login_required
def registry(request: HttpRequest, allotment_class: str, fmt: str = "html") -> HttpResponse:
    """The RAOD of one allotment class (or one object code: ?code=) as a page, XLSX or PDF."""
    from django.http import Http404

    from . import report_exports, reports
    from .models import ObjectCode

    organization = current_organization(request, "Budgets")
    if allotment_class not in ExpenseClass.values:
        raise Http404("No such allotment class.")
    year, quarter = _period(request)
    code = None
    if request.GET.get("code"):
        code = ObjectCode.objects.filter(
            code=request.GET["code"], allotment_class=allotment_class
        ).first()
    result = reports.raod(organization, year, quarter, allotment_class, code)
    if fmt != "html":
        sheet = report_exports.registry_sheet(result)
        name = f"raod-{allotment_class}-{organization.code}-{year}-Q{quarter}".lower()
        if code:
            name += f"-{code.code}"
        if fmt == "xlsx":
            return _download(report_exports.render_xlsx(sheet), XLSX, f"{name}.xlsx")
        return _download(report_exports.render_pdf(sheet), "application/pdf", f"{name}.pdf")
    query = f"year={year}&quarter={quarter}" + (f"&code={code.code}" if code else "")
    return render(
        request,
        "budgeting/registry.html",
        {
            "registry": result,
            "year": year,
            "quarter": quarter,
            "years": selectors.cached_execution_years(organization),
            "raod_classes": ExpenseClass.choices,
            "codes": ObjectCode.objects.filter(allotment_class=allotment_class).order_by("code"),
            "query": query,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def year_end(request: HttpRequest) -> HttpResponse:
    """What the close of a fiscal year reverts and what continues; approvers close it."""
    organization = current_organization(request, "Budgets")
    try:
        year = int(request.GET.get("year") or request.POST.get("year") or 0)
    except ValueError:
        year = 0
    if not 2000 <= year <= 2100:
        year = timezone.localdate().year - 1
    if request.method == "POST":
        require(request.user, organization.pk, "approve")
        try:
            close = services.year_end_close(
                actor=request.user, organization=organization, fiscal_year=year
            )
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(
                request,
                f"FY {year} closed: {_peso(close.reverted_total)} of unobligated allotments "
                "reverted.",
            )
        return redirect(f"{reverse('budgeting:year-end')}?year={year}")
    return render(
        request,
        "budgeting/year_end.html",
        {
            "year": year,
            "preview": services.year_end_preview(organization, year),
            "can_close": policies.may_close_year(
                request.user, organization, year, timezone.localdate()
            ),
            "query": f"year={year}&quarter=4",
            "raod_classes": ExpenseClass.choices,
        },
    )
