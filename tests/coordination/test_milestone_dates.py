"""Partnership milestones are due inside the partnership's period."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from coordination import services

pytestmark = pytest.mark.django_db


def test_a_milestone_is_due_inside_the_partnership(partnership, carol, org_a):
    partnership.start_date = datetime.date(2026, 1, 1)
    partnership.end_date = datetime.date(2026, 6, 30)
    partnership.save()
    data = {"title": "Screening round", "responsible_organization": org_a}
    with pytest.raises(ValidationError) as caught:
        services.milestone_create(
            actor=carol, partnership=partnership, due_date=datetime.date(2026, 7, 1), **data
        )
    assert caught.value.message_dict["due_date"] == [
        "The partnership runs 1 Jan 2026 – 30 Jun 2026: the milestone must be due inside it, "
        "not on 1 Jul 2026."
    ]
    milestone = services.milestone_create(
        actor=carol, partnership=partnership, due_date=datetime.date(2026, 6, 30), **data
    )
    with pytest.raises(ValidationError, match="must be due inside it"):
        services.milestone_update(
            actor=carol, milestone=milestone, due_date=datetime.date(2025, 12, 31)
        )
