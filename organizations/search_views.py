"""The portal search page (the header's search box sends here): organizations/site_search.py."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core.search import SEARCH_MAX_LENGTH

from . import site_search


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """Results grouped by kind: the first few of each with its count and a link to all of them
    (`?kind=`), or one kind up to the cap. Every kind is scoped to what the user may see."""
    text = " ".join(request.GET.get("q", "").split())
    kind = site_search.BY_KEY.get(request.GET.get("kind", ""))
    problem = site_search.problem(text) if text else ""
    results = []
    if text and not problem:
        results = site_search.search(request.user, text, [kind] if kind else site_search.KINDS)
    found = [r for r in results if r.hits]
    return render(
        request,
        "organizations/search.html",
        {
            "q": text,
            "kind": kind,
            "problem": problem,
            "found": found,
            "empty": [r for r in results if not r.hits],
            "searched": bool(results),
            "per_kind": site_search.PER_KIND,
            "cap": site_search.CAP,
            "min_length": site_search.MIN_LENGTH,
            "search_max_length": SEARCH_MAX_LENGTH,
        },
    )
