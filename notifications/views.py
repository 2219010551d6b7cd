"""The bell, the notification list, marking read (POST only) and each person's preferences.
Everything here is the signed-in person's own: nobody reads another's notifications (404)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from core.listing import Sorting
from core.web import paginate

from . import selectors, service, waiting
from .filters import NotificationFilter
from .forms import PreferencesForm
from .models import Preference

#: The list's sort choices (core/listing.py): key → ORDER BY.
NOTIFICATION_SORT = Sorting({"date": "created_at", "category": "category", "read": "read_at"})
NOTIFICATION_SORT_LINKS = [("date", "Date"), ("category", "Category"), ("read", "Read")]


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    filterset = NotificationFilter(request.GET, queryset=selectors.notifications_for(request.user))
    sort = NOTIFICATION_SORT.bind(request)
    page = paginate(request, lambda: filterset.qs, sort=sort)
    return render(
        request,
        "notifications/notification_list.html",
        {
            "page": page,
            "filter": filterset,
            "sort": sort,
            "sort_links": NOTIFICATION_SORT_LINKS,
            "unread": selectors.unread_count(request.user),
        },
    )


@login_required
def bell(request: HttpRequest) -> HttpResponse:
    """The header bell (an htmx fragment): the unread count, refreshed now and then."""
    return render(
        request,
        "notifications/_bell_count.html",
        {"unread": selectors.unread_count(request.user)},
    )


@login_required
@require_POST
def mark_read(request: HttpRequest, public_id) -> HttpResponse:
    notification = get_object_or_404(selectors.notifications_for(request.user), public_id=public_id)
    service.mark_read(actor=request.user, notification=notification)
    target = notification.url or reverse("notifications:list")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("notifications:list")
    return redirect(target)


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = service.mark_all_read(actor=request.user)
    messages.success(request, f"{count} notification(s) marked as read.")
    return redirect("notifications:list")


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    current = dict(Preference.objects.filter(user=request.user).values_list("category", "delivery"))
    form = PreferencesForm(request.POST or None, current=current)
    if request.method == "POST" and form.is_valid():
        service.preferences_save(actor=request.user, choices=form.cleaned_data)
        messages.success(request, "Your notification preferences are saved.")
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})


@login_required
def waiting_list(request: HttpRequest) -> HttpResponse:
    """Everything waiting for the person (the home page shows the same, first items only)."""
    organization = getattr(request, "organization", None)
    groups = waiting.compute(request.user, organization, listed=waiting.PAGE_LISTED)
    return render(request, "notifications/waiting.html", {"waiting_groups": groups})
