"""Views of the coordination app (thin: selectors read, services write).

Every partnership row reaches a view through `Partnership.objects.for_user` (directly, or through
the participant / milestone / comment querysets built on it): what the user may not see is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_http_methods, require_safe

from core import policies
from core.listing import Sorting, csv_export
from core.tenancy import get_for_user_or_404, require, tenancy_of
from core.web import current_organization, fragment_key, paginate, results_template

from . import selectors, services
from .filters import PartnershipFilter
from .forms import (
    CommentForm,
    DeclineForm,
    InviteForm,
    MilestoneForm,
    MilestoneProgressForm,
    PartnershipForm,
)
from .models import (
    Milestone,
    ParticipantState,
    Partnership,
    PartnershipParticipant,
)


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


# --- partnerships -------------------------------------------------------------------------------


#: The partnership list's sortable columns (core/listing.py): key → ORDER BY.
PARTNERSHIP_SORT = Sorting(
    {
        "title": "title",
        "lead": "organization__code",
        "type": "partnership_type",
        "status": "status",
        "dates": ("start_date", "end_date"),
        "participants": "participant_count",
        "milestones": "milestone_count",
        "progress": "progress",
    }
)


def _partnership_tabs(request: HttpRequest) -> tuple[dict[str, str], str]:
    """The tabs the reader has (403 when none) and the one asked for (the first otherwise)."""
    tabs: dict[str, str] = dict(selectors.TABS) if request.organization else {}
    if policies.is_oversight(request.user):
        tabs.update(selectors.OCM_TAB)
    if not tabs:
        current_organization(request)
    tab = request.GET.get("tab")
    if tab not in tabs:
        tab = next(iter(tabs))
    return tabs, tab


def _partnership_filter(request: HttpRequest, tab: str) -> PartnershipFilter:
    return PartnershipFilter(
        request.GET, queryset=selectors.partnership_list(request.user, request.organization, tab)
    )


@login_required
def partnership_list(request: HttpRequest) -> HttpResponse:
    """Tabs: what the current organization leads, takes part in, and is invited to.
    OCM users also get the partnerships shared with OCM."""
    organization = request.organization
    tabs, tab = _partnership_tabs(request)
    # Built only when the cached fragments are missing or stale.
    filterset = SimpleLazyObject(lambda: _partnership_filter(request, tab))
    counts = SimpleLazyObject(lambda: selectors.tab_counts(request.user, organization))
    sort = PARTNERSHIP_SORT.bind(request)
    return render(
        request,
        results_template(request, "coordination/partnership_list.html"),
        {
            "filter": filterset,
            "sort": sort,
            "page": paginate(request, lambda: filterset.qs, sort=sort),
            "tab_list": SimpleLazyObject(
                lambda: [(key, label, counts.get(key)) for key, label in tabs.items()]
            ),
            "tab": tab,
            "counts": counts,
            "can_create": policies.may_create_partnership(request.user, organization),
            "fragment_key": fragment_key(
                request, selectors.CACHE_NAMESPACE, per_organization=False
            ),
        },
    )


@login_required
@require_safe
def partnership_export(request: HttpRequest) -> HttpResponse:
    """One tab of the partnership list as CSV: the same filters and order, every page."""
    tabs, tab = _partnership_tabs(request)
    rows = PARTNERSHIP_SORT.bind(request).apply(_partnership_filter(request, tab).qs)
    who = request.organization.code if request.organization else "ocm"
    return csv_export(
        f"{who}-partnerships-{tab}",
        [
            ("Title", lambda p: p.title),
            ("Lead", lambda p: p.organization.code),
            ("Type", lambda p: p.get_partnership_type_display()),
            ("Status", lambda p: p.get_status_display()),
            ("Priority", lambda p: p.get_priority_display()),
            ("Start", lambda p: p.start_date),
            ("End", lambda p: p.end_date),
            ("Participants", lambda p: p.participant_count),
            ("Milestones", lambda p: p.milestone_count),
            ("Progress (%)", lambda p: p.progress),
        ],
        rows,
    )


@login_required
@require_http_methods(["GET", "POST"])
def partnership_create(request: HttpRequest) -> HttpResponse:
    organization = current_organization(request)
    require(request.user, organization.pk, "change")
    form = PartnershipForm(request.POST or None, organization=organization)
    if request.method == "POST" and form.is_valid():
        try:
            partnership = services.partnership_create(
                actor=request.user, organization=organization, **form.service_data()
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, f"Partnership “{partnership.title}” created. Invite the participants."
            )
            return redirect("coordination:partnership-detail", partnership.public_id)
    return render(request, "coordination/partnership_form.html", {"form": form})


@login_required
def partnership_detail(request: HttpRequest, public_id) -> HttpResponse:
    partnership = selectors.partnership_detail(request.user, public_id)
    participants = selectors.participants_of(partnership)
    accepted = {p.organization_id for p in participants if p.state == ParticipantState.ACCEPTED}
    # Invitees (org_admins of an invited organization) see the partnership to decide; the work
    # itself (milestones, comments) is for the lead, accepted participants, OCM and superusers.
    perms = policies.partnership_permissions(request.user, partnership, participants, accepted)
    milestones, comments = [], []
    if perms.sees_work:
        milestones = selectors.milestones_of(partnership)
        for milestone in milestones:
            milestone.partnership = partnership  # permission check without another query
            milestone.can_update = policies.may_update_milestone(request.user, milestone, accepted)
        comments = selectors.comments_of(partnership)
    return render(
        request,
        "coordination/partnership_detail.html",
        {
            "partnership": partnership,
            "participants": participants,
            "milestones": milestones,
            "comments": comments,
            "perms": perms,
            "comment_form": CommentForm() if perms.can_comment else None,
            "today": timezone.localdate(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def partnership_edit(request: HttpRequest, public_id) -> HttpResponse:
    partnership = get_for_user_or_404(Partnership, request.user, "change", public_id=public_id)
    form = PartnershipForm(
        request.POST or None, instance=partnership, organization=partnership.organization
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.partnership_update(
                actor=request.user,
                partnership=partnership,
                revision=form.cleaned_data.get("revision"),
                **form.service_data(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Partnership “{form.cleaned_data['title']}” saved.")
            return redirect("coordination:partnership-detail", partnership.public_id)
    return render(
        request, "coordination/partnership_form.html", {"form": form, "partnership": partnership}
    )


# --- participants and invitations ---------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def participant_invite(request: HttpRequest, public_id) -> HttpResponse:
    partnership = get_for_user_or_404(Partnership, request.user, "change", public_id=public_id)
    form = InviteForm(request.POST or None, partnership=partnership)
    if request.method == "POST" and form.is_valid():
        organization = form.cleaned_data["organization"]
        try:
            services.participant_invite(
                actor=request.user,
                partnership=partnership,
                organization=organization,
                message=form.cleaned_data["message"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, f"{organization.code} is invited. Its administrators were notified."
            )
            return redirect("coordination:partnership-detail", partnership.public_id)
    return render(
        request, "coordination/invite_form.html", {"form": form, "partnership": partnership}
    )


@login_required
@require_http_methods(["GET", "POST"])
def participant_withdraw(request: HttpRequest, public_id) -> HttpResponse:
    participant = get_for_user_or_404(
        PartnershipParticipant, request.user, "change", public_id=public_id
    )
    partnership = participant.partnership
    if request.method == "POST":
        try:
            services.participant_withdraw(actor=request.user, participant=participant)
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(
                request,
                f"{participant.organization.code} was withdrawn and no longer sees "
                "this partnership.",
            )
        return redirect("coordination:partnership-detail", partnership.public_id)
    return render(
        request,
        "coordination/confirm_action.html",
        {
            "heading": f"Withdraw {participant.organization.code} from “{partnership.title}”?",
            "consequence": f"{participant.organization.name} will no longer see this "
            "partnership, its milestones or its comments. You can invite it again later.",
            "confirm_label": "Yes, withdraw",
            "danger": True,
            "cancel_url": reverse("coordination:partnership-detail", args=[partnership.public_id]),
        },
    )


@login_required
def invitation_inbox(request: HttpRequest) -> HttpResponse:
    organization = current_organization(request)
    can_answer = policies.may_answer_invitations(request.user, organization)
    invitations = selectors.invitations_for(request.user, organization) if can_answer else None
    return render(
        request,
        "coordination/invitation_inbox.html",
        {
            "page": paginate(request, invitations) if can_answer else None,
            "can_answer": can_answer,
        },
    )


def _invitation(request: HttpRequest, public_id) -> PartnershipParticipant:
    """An invitation addressed to one of the user's organizations (404 otherwise); answering
    it takes that organization's org_admin role (403 otherwise)."""
    participant = get_object_or_404(
        PartnershipParticipant.objects.for_invited_member(request.user).select_related(
            "partnership__organization", "organization", "invited_by"
        ),
        public_id=public_id,
    )
    if not tenancy_of(request.user).can(participant.organization_id, "admin"):
        raise PermissionDenied(
            f"Only an administrator of {participant.organization.code} can answer this invitation."
        )
    return participant


@login_required
@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, public_id) -> HttpResponse:
    participant = _invitation(request, public_id)
    partnership = participant.partnership
    if request.method == "POST":
        try:
            services.invitation_accept(actor=request.user, participant=participant)
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
            return redirect("coordination:invitation-inbox")
        messages.success(
            request, f"{participant.organization.code} now takes part in “{partnership.title}”."
        )
        return redirect("coordination:partnership-detail", partnership.public_id)
    return render(
        request,
        "coordination/invitation_answer.html",
        {"participant": participant, "partnership": partnership, "accept": True},
    )


@login_required
@require_http_methods(["GET", "POST"])
def invitation_decline(request: HttpRequest, public_id) -> HttpResponse:
    participant = _invitation(request, public_id)
    partnership = participant.partnership
    form = DeclineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_decline(
                actor=request.user, participant=participant, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(
                request, f"{participant.organization.code} declined “{partnership.title}”."
            )
        return redirect("coordination:invitation-inbox")
    return render(
        request,
        "coordination/invitation_answer.html",
        {"participant": participant, "partnership": partnership, "accept": False, "form": form},
    )


# --- milestones and comments --------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def milestone_create(request: HttpRequest, public_id) -> HttpResponse:
    partnership = get_for_user_or_404(Partnership, request.user, "change", public_id=public_id)
    accepted = services.accepted_org_ids(partnership)
    form = MilestoneForm(request.POST or None, partnership=partnership, accepted=accepted)
    if request.method == "POST" and form.is_valid():
        try:
            services.milestone_create(
                actor=request.user, partnership=partnership, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Milestone “{form.cleaned_data['title']}” added.")
            return redirect("coordination:partnership-detail", partnership.public_id)
    return render(
        request, "coordination/milestone_form.html", {"form": form, "partnership": partnership}
    )


@login_required
@require_http_methods(["GET", "POST"])
def milestone_edit(request: HttpRequest, public_id) -> HttpResponse:
    milestone = get_object_or_404(
        Milestone.objects.for_user(request.user).select_related(
            "partnership__organization", "responsible_organization"
        ),
        public_id=public_id,
    )
    partnership = milestone.partnership
    accepted = services.accepted_org_ids(partnership)
    if not policies.may_update_milestone(request.user, milestone, accepted):
        raise PermissionDenied("Your role does not allow you to update this milestone.")
    is_lead_editor = policies.may(request.user, partnership.organization_id, "change")
    if is_lead_editor:
        form = MilestoneForm(
            request.POST or None, instance=milestone, partnership=partnership, accepted=accepted
        )
    else:
        form = MilestoneProgressForm(request.POST or None, instance=milestone)
    if request.method == "POST" and form.is_valid():
        try:
            services.milestone_update(actor=request.user, milestone=milestone, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Milestone “{milestone.title}” updated.")
            return redirect("coordination:partnership-detail", partnership.public_id)
    return render(
        request,
        "coordination/milestone_form.html",
        {"form": form, "partnership": partnership, "milestone": milestone},
    )


@login_required
@require_http_methods(["GET", "POST"])
def comment_create(request: HttpRequest, public_id) -> HttpResponse:
    partnership = get_object_or_404(
        Partnership.objects.for_user(request.user, "view", include_invitations=False),
        public_id=public_id,
    )
    detail = reverse("coordination:partnership-detail", args=[partnership.public_id])
    if request.method != "POST":
        return redirect(f"{detail}#comments")
    form = CommentForm(request.POST)
    if not form.is_valid():
        if not policies.contributing_organization(
            request.user, partnership, services.accepted_org_ids(partnership)
        ):
            raise PermissionDenied("Your role does not allow you to comment on this partnership.")
        messages.error(request, "Your comment was empty or too long (5000 characters at most).")
        return redirect(f"{detail}#comments")
    body = form.cleaned_data["body"]
    services.comment_add(actor=request.user, partnership=partnership, body=body)
    messages.success(request, "Comment posted.")
    return redirect(f"{detail}#comments")
