"""In-app help: the guides of docs/ rendered safely, a Help link per page, a search."""

from __future__ import annotations

import pytest
from django.urls import reverse

from rollout import help
from rollout.markup import help_html

pytestmark = pytest.mark.django_db


def test_every_guide_renders_from_docs(alice, client):
    client.force_login(alice)
    for slug in help.GUIDES:
        response = client.get(reverse("rollout:help-page", kwargs={"slug": slug}))
        assert response.status_code == 200, slug
    page = client.get(reverse("rollout:help-page", kwargs={"slug": "rollout"})).content.decode()
    assert '<h2 id="training-sessions-and-certificates">' in page
    assert "<table>" in page  # the checklist table of docs/rollout.md


def test_help_link_points_to_the_section_of_the_page(alice, client):
    client.force_login(alice)
    page = client.get(reverse("organizations:department-list")).content.decode()
    assert 'href="/rollout/help/rollout/#members-and-departments">Help</a>' in page
    guide = help.guide("rollout")
    assert "members-and-departments" in {s.anchor for s in guide.sections}
    for guide_slug, anchor in help.PAGE_SECTIONS.values():
        if anchor:
            assert anchor in {s.anchor for s in help.guide(guide_slug).sections}, anchor


def test_search_finds_sections(alice, client):
    client.force_login(alice)
    page = client.get(reverse("rollout:help-index"), {"q": "waiting list"}).content.decode()
    assert "Training sessions and certificates" in page
    page = client.get(reverse("rollout:help-index"), {"q": "xyzzy-nothing"}).content.decode()
    assert "Nothing matches" in page


def test_raw_html_in_a_guide_is_shown_as_text():
    html = help_html("# Title\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1))")
    assert "<script>" not in html and 'href="javascript' not in html


def test_unknown_guide_is_404(alice, client):
    client.force_login(alice)
    assert client.get(reverse("rollout:help-page", kwargs={"slug": "nope"})).status_code == 404
