"""Small helpers every portal view uses: the current organization, pagination, htmx partials."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def current_organization(request: HttpRequest, what: str = "This page"):
    """The organization the user works in now; 403 with a clear reason when there is none.

    `what` names the records, e.g. "Budgets", so the message says what needs an organization.
    """
    if request.organization is None:
        verb = "belongs" if what == "This page" else "belong"
        raise PermissionDenied(
            f"{what} {verb} to an organization, and you are not a member of any. "
            "Ask your organization's administrator to add you."
        )
    return request.organization


def paginate(request: HttpRequest, queryset) -> Page:
    """One page (settings.PAGE_SIZE rows) of a list (or of what a callable returns), `?page=`.

    Lazy: nothing is built, counted or fetched until the page is used, so a template fragment
    served from the cache (``{% cache %}``) costs no query and no query building."""
    number = request.GET.get("page")

    def build() -> Page:
        rows = queryset() if callable(queryset) else queryset
        return Paginator(rows, settings.PAGE_SIZE).get_page(number)

    return SimpleLazyObject(build)


def is_inline(request: HttpRequest) -> bool:
    """An htmx request that swaps part of the page (not a boosted full-page navigation)."""
    return bool(request.htmx) and not request.htmx.boosted


def results_template(request: HttpRequest, name: str, partial: str = "results") -> str:
    """The full page normally; only its partial for htmx requests (search as you type)."""
    return f"{name}#{partial}" if is_inline(request) else name
