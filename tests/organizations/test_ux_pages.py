"""Issue 21: pages read plainly (audit log changes, record types, filter defaults, tiles)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from organizations import services
from organizations.models import AuditLog, record_type_choices

pytestmark = pytest.mark.django_db


def test_audit_log_shows_changes_as_field_before_after(login, alice, dept_a):
    services.department_update(actor=alice, department=dept_a, head="Dr Ana Reyes")
    entry = AuditLog.objects.filter(action="department.updated").latest("id")
    assert ("Head", "—", "Dr Ana Reyes") in entry.changes() or any(
        field == "Head" and new == "Dr Ana Reyes" for field, _old, new in entry.changes()
    )
    page = login(alice).get(reverse("organizations:audit-log")).content.decode()
    assert '<span class="change-field">Head</span>:' in page
    assert "<ins>Dr Ana Reyes</ins>" in page
    assert "{&#x27;" not in page and "{'" not in page  # no raw Python dicts
    assert "(Department)" in page  # the record type in words, not "organizations.department"


def test_audit_changes_only_list_what_changed():
    entry = AuditLog(
        before={"status": "draft", "title": "Plan", "tags": ["a"], "ok": False},
        after={"status": "submitted", "title": "Plan", "tags": ["a", "b"], "ok": True},
    )
    assert entry.changes() == [
        ("Status", "draft", "submitted"),
        ("Tags", "a", "a, b"),
        ("Ok", "no", "yes"),
    ]
    assert AuditLog(before=None, after=None).changes() == []
    # ISO dates and times read as the portal writes them (Philippine time).
    stamped = AuditLog(after={"due": "2027-01-01", "recovered_at": "2026-12-02T10:57:14+00:00"})
    assert stamped.changes() == [
        ("Due", "—", "1 Jan 2027"),
        ("Recovered at", "—", "2 Dec 2026 18:57"),
    ]


def test_audit_record_type_is_a_choice(login, alice, dept_a):
    services.department_update(actor=alice, department=dept_a, head="Dr Ana Reyes")
    labels = dict(record_type_choices())
    assert labels["organizations.department"] == "Department (Organizations)"
    assert labels["bcp.plan"].endswith(")")
    client = login(alice)
    page = client.get(reverse("organizations:audit-log")).content.decode()
    assert re.search(
        r'<select name="subject_type"[^>]*>\s*<option value="" selected>Any record type', page
    )
    assert '<option value="organizations.department">Department (Organizations)</option>' in page
    shown = client.get(reverse("organizations:audit-log"), {"subject_type": "bcp.plan"})
    assert "Dr Ana Reyes" not in shown.content.decode()
    shown = client.get(
        reverse("organizations:audit-log"), {"subject_type": "organizations.department"}
    )
    assert "Dr Ana Reyes" in shown.content.decode()


def test_filters_start_at_any_never_dashes_or_unknown(login, alice):
    client = login(alice)
    for name in ("bcp:plan-list", "organizations:organization-list", "planning:plan-list"):
        page = client.get(reverse(name)).content.decode()
        assert "---------" not in page, name
        assert ">Unknown<" not in page, name
    bcp = client.get(reverse("bcp:plan-list")).content.decode()
    assert '<option value="" selected>Overdue or not</option>' in bcp
    assert "All departments" in bcp


def test_demo_people_have_distinct_names():
    from organizations.demo import personas

    people = personas()
    names = [f"{p.first_name} {p.last_name}" for p in people]
    assert len(set(names)) == len(names)
    assert not any("(" in name for name in names)  # no "Sinsuat (editor)"
