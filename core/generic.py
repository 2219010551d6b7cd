"""The portal's generic form and confirm views, after NetBox's ObjectEditView/ObjectDeleteView.

Every "fill in a form, call a service, say what happened, go back" page and every "are you sure?
then call a service" page has the same tail. The view keeps what is its own (finding the object
with the tenancy door, building the form, naming the page) and hands the rest to one of these:

    return edit_view(request, form, save=lambda data: services.risk_update(actor=..., **data),
                     title="Edit risk", cancel_url=plan_url, success_url=plan_url,
                     success_message=lambda risk: f"Risk “{risk}” saved.")

    return confirm_view(request, perform=lambda: services.risk_delete(actor=..., risk=risk),
                        title=f"Delete risk “{risk}”?", cancel_url=plan_url, ...)

Both render one template (`form.html`, `confirm.html`) with one contract, `PAGE_KEYS`:

    title         the page's title and heading
    eyebrow       a line above the heading (e.g. the plan it belongs to), linked to eyebrow_url
    flag          a label beside the eyebrow (e.g. "Exercise")
    intro         a paragraph under the heading (what the form does, or what confirming changes)
    note          a second paragraph (confirm pages: "This cannot be undone. …")
    form          the form (optional on a confirm page: a reason to give, say)
    multipart     the form uploads files
    submit_label  the button ("Save" on a form page)
    danger        the button is red (deleting, cancelling, voiding)
    cancel_url    where "Cancel" goes
    head          an app's template of stylesheets and scripts to include (e.g. "bcp/_head.html")
    width         "wide" for a wider card (long text fields)
    form_css      a class of the form element (e.g. "money-form": narrow amount inputs)

Any value may be a function without arguments, called only when the page is shown (so a count
that only the page needs costs a POST nothing). A service's ValidationError lands on the form
(`apply_errors`) or, on a confirm page without a form, in a message on the page it goes back to.
GET and other methods only render the page.

A page with a template of its own (`template=`: the incident declaration, stand-down and review
pages) takes what only it shows in `context`, outside the contract; its values may be functions
too, so a POST that redirects does not compute them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from .web import apply_errors

#: The template contract of form.html and confirm.html (see the module docstring).
PAGE_KEYS = frozenset(
    {
        "title",
        "eyebrow",
        "eyebrow_url",
        "flag",
        "intro",
        "note",
        "form",
        "multipart",
        "submit_label",
        "danger",
        "cancel_url",
        "head",
        "width",
        "form_css",
    }
)

Result = Callable[[Any], str] | str


def _resolve(value: Result, result: Any) -> str:
    return value(result) if callable(value) else value


def _page(
    request: HttpRequest,
    template: str,
    page: dict[str, Any],
    context: dict[str, Any] | None = None,
) -> HttpResponse:
    unknown = set(page) - PAGE_KEYS
    if unknown:
        raise TypeError(f"Not part of the page contract: {', '.join(sorted(unknown))}")
    values = {**(context or {}), **page}
    return render(request, template, {k: v() if callable(v) else v for k, v in values.items()})


def edit_view(
    request: HttpRequest,
    form,
    *,
    save: Callable[[dict[str, Any]], Any],
    success_url: Result,
    success_message: Result = "",
    after_save: Callable[[Any], None] | None = None,
    template: str = "form.html",
    context: dict[str, Any] | None = None,
    **page: Any,
) -> HttpResponse:
    """A form page: on a valid POST, `save(form.cleaned_data)` (the service call); its
    ValidationError goes onto the form, else the success message is shown and the browser goes
    to `success_url` (either may be a function of what `save` returned). Otherwise the page
    (`template` with the page keys, plus `context` for a template of the app's own)."""
    if request.method == "POST" and form.is_valid():
        try:
            result = save(form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            message = _resolve(success_message, result)
            if message:
                messages.success(request, message)
            if after_save is not None:
                after_save(result)
            return redirect(_resolve(success_url, result))
    page.setdefault("submit_label", "Save")
    return _page(request, template, {"form": form, **page}, context)


def confirm_view(
    request: HttpRequest,
    *,
    perform: Callable[[], Any],
    success_url: Result,
    success_message: Result = "",
    failure_url: str | None = None,
    **page: Any,
) -> HttpResponse:
    """An "are you sure?" page: on POST, `perform()` (the service call); its ValidationError
    becomes an error message on `failure_url` (default: `cancel_url`), else the success message
    is shown on `success_url`. Otherwise the page."""
    if request.method == "POST":
        try:
            result = perform()
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(failure_url or page["cancel_url"])
        message = _resolve(success_message, result)
        if message:
            messages.success(request, message)
        return redirect(_resolve(success_url, result))
    return _page(request, "confirm.html", page)
