from __future__ import annotations

import pytest

from tests.bcp.factories import approve_plan, make_plan


@pytest.fixture(autouse=True)
def _own_media_root(settings, tmp_path):
    """Each bcp test stores files in its own folder: tests that check "nothing was stored"
    compare the folder before and after, and other xdist workers (the permission matrix,
    exports) write files at the same time."""
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def plan(org_a, carol, dept_a):
    return make_plan(org_a, carol, department=dept_a)


@pytest.fixture
def approved_plan(plan, carol, dave, alice):
    return approve_plan(plan, carol, [dave, alice])
