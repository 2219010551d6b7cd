"""Public pages are public on purpose (tests/unscoped_urls.py) and reveal nothing internal."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.matrix import ADMIN_FIXED, project_samples
from tests.unscoped_urls import DELIBERATELY_PUBLIC


def test_every_public_sample_is_registered_as_deliberately_public():
    public = {k for k, s in {**project_samples(), **ADMIN_FIXED}.items() if s.public}
    assert public == DELIBERATELY_PUBLIC
    assert {"status", "rollout:certificate-verify"} <= public


@pytest.mark.django_db
def test_public_pages_show_no_portal_navigation_or_people(client, alice, root):
    for name in ("status", "rollout:certificate-verify"):
        page = client.get(reverse(name)).content.decode()
        assert "Sign out" not in page and "Directory" not in page
        assert alice.email not in page and root.email not in page
        assert "Report a problem" not in page  # only for signed-in users
