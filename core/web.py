"""Small helpers every portal view uses: the current organization, pagination, htmx partials,
service errors onto forms, and the key of every cached page part (`fragment_key`)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from . import versioned_cache
from .tenancy import tenancy_of


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


def paginate(request: HttpRequest, queryset, *, sort=None) -> Page:
    """One page of a list (or of what a callable returns), `?page=`: the reader's page size
    (25, 50 or 100 rows: `listing.page_size`), in the order `sort` (a `listing.BoundSorting`)
    asks for, ended by a tiebreaker so pages never overlap.

    Lazy: nothing is built, counted or fetched until the page is used, so a template fragment
    served from the cache (``{% cache %}``) costs no query and no query building."""
    from .listing import page_size

    number = request.GET.get("page")
    size = page_size(request)

    def build() -> Page:
        rows = queryset() if callable(queryset) else queryset
        if sort is not None:
            rows = sort.apply(rows)
        return Paginator(rows, size).get_page(number)

    return SimpleLazyObject(build)


def is_inline(request: HttpRequest) -> bool:
    """An htmx request that swaps part of the page (not a boosted full-page navigation)."""
    return bool(request.htmx) and not request.htmx.boosted


def results_template(request: HttpRequest, name: str, partial: str = "results") -> str:
    """The full page normally; only its partial for htmx requests (search as you type)."""
    return f"{name}#{partial}" if is_inline(request) else name


def apply_errors(form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: each message on its field when the form has
    that field, else on the form as a whole (the one way every view does it)."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.error_dict.items():
        target = field if field in form.fields else None
        for error in errors:
            form.add_error(target, error)


def fragment_key(request: HttpRequest, namespace: str, *, per_organization: bool = True) -> str:
    """The key of a cached page part (``{% cache 300 name fragment_key %}`` or a key a view builds).

    It always holds what decides what the reader sees, so no cached fragment can forget it: the
    current version token of `namespace` (writes bump it: see versioned_cache; with
    `per_organization`, the current organization's namespace of the module), the current
    organization, the reader's access key (their roles, OCM level and modules), their page size
    and the full path (filters, sort, page). Add what else the fragment shows (the date, say)
    after it in the tag. One cache round trip (the token), no query."""
    from .listing import page_size

    organization = getattr(request, "organization", None)
    organization_id = organization.pk if organization is not None else 0
    if per_organization:
        token = versioned_cache.organization_token(namespace, organization_id)
    else:
        token = versioned_cache.tokens(namespace)
    return "|".join(
        [
            namespace,
            str(token),
            str(organization_id),
            tenancy_of(request.user).access_key,
            str(page_size(request)),
            request.get_full_path(),
        ]
    )
