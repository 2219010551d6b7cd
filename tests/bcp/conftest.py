from __future__ import annotations

import pytest

from tests.bcp.factories import approve_plan, make_plan


@pytest.fixture
def plan(org_a, carol, dept_a):
    return make_plan(org_a, carol, department=dept_a)


@pytest.fixture
def approved_plan(plan, carol, dave, alice):
    return approve_plan(plan, carol, [dave, alice])
