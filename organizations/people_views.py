"""The people page's actions for organization administrators: add one member,
deactivate (after a confirmation), the deactivated members and their reactivation. The list,
editing, invitations and lockouts are in organizations/views.py."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from core.policies import MemberRefused, require_may_manage_member
from core.search import SEARCH_MAX_LENGTH, search_text
from core.tenancy import get_for_user_or_404, require
from core.web import current_organization, paginate, results_template

from . import people, selectors
from .forms import MemberAddForm
from .models import FormerMembership, Membership


@login_required
@require_http_methods(["GET", "POST"])
def member_add(request: HttpRequest) -> HttpResponse:
    organization = current_organization(request)
    require(request.user, organization.pk, "admin")
    form = MemberAddForm(request.POST or None, actor=request.user, organization=organization)
    if request.method == "POST" and form.is_valid():
        try:
            added = people.member_add(
                actor=request.user, organization=organization, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            # The same words whether or not the address had an account (no enumeration).
            messages.success(request, f"An invitation was sent to {added.email}.")
            return redirect("organizations:member-list")
    return render(request, "organizations/member_add.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def member_deactivate(request: HttpRequest, public_id) -> HttpResponse:
    membership = get_for_user_or_404(Membership, request.user, "admin", public_id=public_id)
    require_may_manage_member(request.user, membership.user, membership.organization_id)
    if request.method == "POST":
        try:
            former = people.member_deactivate(actor=request.user, membership=membership)
        except MemberRefused as exc:
            messages.error(request, exc.message)
            return redirect("organizations:member-list")
        text = f"{former.user} is deactivated in {former.organization.code}"
        text += (
            "; their account is switched off."
            if former.account_deactivated
            else "; their other access to the portal stays."
        )
        messages.success(request, text)
        if former.user_id == request.user.pk:
            return redirect("home")
        return redirect("organizations:member-list")
    return render(
        request,
        "organizations/member_deactivate.html",
        {"membership": membership, "self": membership.user_id == request.user.pk},
    )


@login_required
def member_deactivated_list(request: HttpRequest) -> HttpResponse:
    organization = current_organization(request)
    require(request.user, organization.pk, "admin")
    search, search_error = search_text(request)
    formers = selectors.former_members_for(request.user, organization, search)
    page = paginate(request, formers.none() if search_error else formers)
    return render(
        request,
        results_template(request, "organizations/member_deactivated_list.html"),
        {
            "page": page,
            "q": search,
            "search_error": search_error,
            "search_max_length": SEARCH_MAX_LENGTH,
        },
    )


@login_required
@require_POST
def member_reactivate(request: HttpRequest, public_id) -> HttpResponse:
    former = get_for_user_or_404(FormerMembership, request.user, "admin", public_id=public_id)
    try:
        membership = people.member_reactivate(actor=request.user, former=former)
    except MemberRefused as exc:
        messages.error(request, exc.message)
        return redirect("organizations:member-deactivated-list")
    except PermissionDenied:
        raise
    messages.success(
        request, f"{membership.user} is a member again ({membership.get_role_display()})."
    )
    return redirect("organizations:member-deactivated-list")
