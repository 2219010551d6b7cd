"""Issue 16, class 3: every user-triggered computation of the bcp app has a bound.

The version comparison compares at most MAX_SECTION_LINES lines / MAX_SECTION_CHARS characters
a section (the content limits are the same numbers, so only data written before the limits can
exceed them, and that is shown as "too large to compare" with downloads of both versions).
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from bcp import services
from bcp.content import (
    DIFF_CONTEXT_LINES,
    MAX_SECTION_CHARS,
    MAX_SECTION_LINES,
    diff_versions,
    validate_content,
)
from bcp.models import PlanVersion
from tests.bcp.factories import full_content

pytestmark = pytest.mark.django_db

SECTION = "roles_and_responsibilities"


def _draft(plan) -> PlanVersion:
    return plan.versions.get(status="draft")


def _with(plan, text: str) -> dict:
    content = full_content(plan.template)
    content[SECTION] = text
    return content


def test_the_line_limit_is_what_the_content_rules_allow(plan):
    validate_content(plan.template, _with(plan, "\n".join(["x"] * MAX_SECTION_LINES)))
    with pytest.raises(ValidationError) as caught:
        validate_content(plan.template, _with(plan, "\n".join(["x"] * (MAX_SECTION_LINES + 1))))
    assert f"too many lines ({MAX_SECTION_LINES + 1:,}; at most {MAX_SECTION_LINES:,})" in str(
        caught.value
    )
    # Two thousand short lines (the example) fit in the character limit, not the lines.
    assert len("\n".join(["x"] * 2000)) < MAX_SECTION_CHARS
    with pytest.raises(ValidationError):
        validate_content(plan.template, _with(plan, "\n".join(["x"] * 2000)))


def test_the_edit_form_refuses_too_many_lines_and_saves_nothing(plan, carol, login):
    draft = _draft(plan)
    url = reverse("bcp:version-edit", args=[draft.public_id])
    data = {"revision": draft.revision, "change_note": "long"}
    for key, value in _with(plan, "x\r\n" * 2000).items():
        if isinstance(value, dict):
            for level, row in value.items():
                for cell, text in row.items():
                    data[f"{key}__{level}__{cell}"] = text
        else:
            data[key] = value
    html = login(carol).post(url, data).content.decode()
    assert "too many lines (2,000; at most" in html
    assert _draft(plan).revision == draft.revision
    data[SECTION] = "y" * (MAX_SECTION_CHARS + 1)
    html = login(carol).post(url, data).content.decode()
    assert f"Too long: at most {MAX_SECTION_CHARS:,} characters" in html
    assert "Ensure this value" not in html


def test_a_section_beyond_the_limits_is_not_compared_and_both_versions_can_be_downloaded(
    approved_plan, carol, login
):
    v2 = services.version_create_draft(
        actor=carol,
        plan=approved_plan,
        content=full_content(approved_plan.template),
        change_note="2",
    )
    # Written before the limits existed (straight to the database, no validation).
    legacy = "\n".join(f"step {i % 2}" for i in range(3000))
    PlanVersion.objects.filter(pk=v2.pk).update(content=_with(approved_plan, legacy))
    url = reverse("bcp:version-diff", args=[approved_plan.public_id]) + "?a=1&b=2"
    html = login(carol).get(url).content.decode()
    assert "too large to compare on screen" in html
    assert "step 1" not in html  # the section was not diffed
    old_text = reverse("bcp:version-text", args=[approved_plan.current_version.public_id])
    new_text = reverse("bcp:version-text", args=[v2.public_id])
    assert old_text in html and new_text in html
    response = login(carol).get(new_text)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    body = response.content.decode()
    assert "step 1\nstep 0" in body and "Roles and responsibilities" in body


def test_the_comparison_folds_unchanged_lines_and_stays_exact(plan):
    left = [f"line {i}" for i in range(MAX_SECTION_LINES)]
    right = list(left)
    right[200] = "changed"
    result = diff_versions(
        plan.template, _with(plan, "\n".join(left)), _with(plan, "\n".join(right))
    )
    (section,) = [s for s in result if s.changed]
    kinds = [r.kind for r in section.rows]
    assert kinds.count("replace") == 1
    assert kinds.count("equal") == 2 * DIFF_CONTEXT_LINES
    assert [r.skipped for r in section.rows if r.kind == "skip"] == [
        200 - DIFF_CONTEXT_LINES,
        MAX_SECTION_LINES - 201 - DIFF_CONTEXT_LINES,
    ]


def test_a_maximal_repetitive_section_is_compared_exactly(plan):
    """The input that makes difflib cubic: both sides rebuild from the rows."""
    left = [str(i % 2) for i in range(MAX_SECTION_LINES)]
    right = [str((i // 3) % 2) for i in range(MAX_SECTION_LINES)]
    result = diff_versions(
        plan.template, _with(plan, "\n".join(left)), _with(plan, "\n".join(right))
    )
    (section,) = [s for s in result if s.changed]
    rows = section.rows
    rebuilt_left = [r.left for r in rows if r.left_no is not None]
    rebuilt_right = [r.right for r in rows if r.right_no is not None]
    skipped = sum(r.skipped for r in rows)
    assert len(rebuilt_left) + skipped == len(left)
    assert len(rebuilt_right) + skipped == len(right)
    assert [r.left_no for r in rows if r.left_no] == sorted(r.left_no for r in rows if r.left_no)


def test_a_full_register_refuses_one_more_row_with_a_clear_message(monkeypatch, plan, carol):
    monkeypatch.setattr(services.registers, "MAX_RISKS_PER_PLAN", 2)
    for threat in ("Flood", "Fire"):
        services.risk_create(actor=carol, plan=plan, threat=threat, likelihood=1, impact=1)
    with pytest.raises(ValidationError) as caught:
        services.risk_create(actor=carol, plan=plan, threat="Quake", likelihood=1, impact=1)
    assert "A plan can have at most 2 risks, and this one has 2." in caught.value.messages[0]
    assert plan.risks.count() == 2


def test_the_vendor_registry_is_bounded(monkeypatch, org_a, carol):
    monkeypatch.setattr(services.registers, "MAX_VENDORS_PER_ORGANIZATION", 1)
    services.vendor_create(actor=carol, organization=org_a, name="Telco", service="Internet")
    with pytest.raises(ValidationError, match="at most 1 vendors"):
        services.vendor_create(actor=carol, organization=org_a, name="Power", service="Power")


def test_a_plan_over_the_limits_is_not_exported(monkeypatch, approved_plan, carol, bob, login):
    for name in ("Payroll", "Supplies"):
        services.process_create(actor=carol, plan=approved_plan, name=name, rto_minutes=1)
    monkeypatch.setattr(
        services.registers, "MAX_PROCESSES_PER_PLAN", 1
    )  # older data beyond today's limit
    version = approved_plan.current_version
    response = login(bob).post(
        reverse("bcp:version-export", args=[version.public_id]), {"format": "pdf"}, follow=True
    )
    assert "too large to export: it has 2 critical processes (at most 1)" in (
        response.content.decode()
    )
    assert not version.exports.exists()


def test_attachments_and_linked_changes_are_bounded_per_plan(monkeypatch, plan, carol):
    import uuid

    from tests.bcp.factories import PDF_BYTES

    monkeypatch.setattr(services.registers, "MAX_ATTACHMENTS_PER_PLAN", 1)
    monkeypatch.setattr(services.registers, "MAX_CHANGES_PER_PLAN", 1)
    services.attachment_upload(actor=carol, plan=plan, name="a.pdf", data=PDF_BYTES)
    with pytest.raises(ValidationError, match="at most 1 attachments"):
        services.attachment_upload(actor=carol, plan=plan, name="b.pdf", data=PDF_BYTES)
    services.changelog_link(actor=carol, plan=plan, change_guid=uuid.uuid4())
    with pytest.raises(ValidationError, match="at most 1 linked changes"):
        services.changelog_link(actor=carol, plan=plan, change_guid=uuid.uuid4())
    assert plan.attachments.count() == 1 and plan.changelogentrys.count() == 1


def test_the_comparison_rows_are_escaped(approved_plan, carol, login):
    services.version_create_draft(
        actor=carol,
        plan=approved_plan,
        content=_with(approved_plan, "<script>alert(1)</script>\n& more"),
        change_note="2",
    )
    url = reverse("bcp:version-diff", args=[approved_plan.public_id]) + "?a=1&b=2"
    html = login(carol).get(url).content.decode()
    assert "<ins>&lt;script&gt;alert(1)&lt;/script&gt;</ins>" in html
    assert "<ins>&amp; more</ins>" in html and "<script>alert" not in html
