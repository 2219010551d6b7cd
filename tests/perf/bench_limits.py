"""Issue 16, class 3: the worst case each size limit allows, timed.

* the version comparison of two maximal versions: every text section at MAX_SECTION_LINES lines
  and MAX_SECTION_CHARS characters, in the patterns that are slowest to compare (repetitive
  lines, which made difflib cubic; everything changed, which gives the most rows to render):
  the diff alone and the whole page (target: under 0.5 s);
* the PDF and DOCX export of a plan at the register limits (bcp/limits.py).

`run() -> list[str]` expects Django set up on the bench database (tests/perf/bench.py does it);
`python -m tests.perf.bench_limits` runs this module alone.
"""

from __future__ import annotations

import os
import sys
import uuid


def _line(text: str, width: int) -> str:
    return (text + " " + "·" * width)[:width]


def _patterns(lines: int, width: int) -> dict[str, tuple[list[str], list[str]]]:
    return {
        "repetitive (0101… vs 000111…)": (
            [_line(str(i % 2), width) for i in range(lines)],
            [_line(str((i // 3) % 2), width) for i in range(lines)],
        ),
        "every line changed": (
            [_line(f"old {i}", width) for i in range(lines)],
            [_line(f"new {i}", width) for i in range(lines)],
        ),
        "every other line changed": (
            [_line(f"keep {i}" if i % 2 else f"old {i}", width) for i in range(lines)],
            [_line(f"keep {i}" if i % 2 else f"new {i}", width) for i in range(lines)],
        ),
        "shuffled lines": (
            [_line(f"line {i}", width) for i in range(lines)],
            [_line(f"line {(i * 7) % lines}", width) for i in range(lines)],
        ),
    }


def diff_bench() -> list[str]:
    from django.test import Client
    from django.urls import reverse

    from bcp import services
    from bcp.content import (
        MAX_SECTION_CHARS,
        MAX_SECTION_LINES,
        blank_content,
        diff_versions,
        validate_content,
    )
    from bcp.models import PlanVersion, SectionDefinition, Template
    from core.tenancy import Role
    from organizations.models import Membership, Organization, User
    from tests.perf.bench import timed

    organization = Organization.objects.get(code="MOH")
    user, _ = User.objects.get_or_create(
        email="bench-limits@bench.bmms", defaults={"first_name": "L"}
    )
    Membership.objects.get_or_create(
        user=user, organization=organization, defaults={"role": Role.EDITOR}
    )
    template = Template.objects.get(code="departmental-bcm")
    text_sections = [s for s in template.sections.all() if s.kind == SectionDefinition.Kind.TEXT]
    # Each line as long as the character limit allows at the line limit (newlines included).
    width = MAX_SECTION_CHARS // MAX_SECTION_LINES - 1
    lines = [
        f"limits: {MAX_SECTION_LINES:,} lines and {MAX_SECTION_CHARS:,} characters in each of "
        f"{len(text_sections)} text sections (lines of {width} characters)"
    ]
    client = Client()
    client.force_login(user)
    worst_diff = worst_page = 0.0
    for name, (left, right) in _patterns(MAX_SECTION_LINES, width).items():
        old, new = blank_content(template), blank_content(template)
        for section in text_sections:
            old[section.key] = "\n".join(left)
            new[section.key] = "\n".join(right)
        validate_content(template, old)  # both are allowed by the limits
        validate_content(template, new)
        diff_ms, diff_max = timed(lambda o=old, n=new: diff_versions(template, o, n), repeat=5)
        rows = sum(len(s.rows) for s in diff_versions(template, old, new))
        plan = services.plan_create(
            actor=user,
            organization=organization,
            template=template,
            title=f"Limits {uuid.uuid4().hex[:8]}",
            content=old,
        )
        # A second version next to the first (straight to the table: the bench times the page).
        first = plan.versions.get()
        PlanVersion.objects.filter(pk=first.pk).update(status="set_aside")
        services.version_create_draft(actor=user, plan=plan, content=new, change_note="bench")
        url = reverse("bcp:version-diff", args=[plan.public_id]) + "?a=1&b=2"
        assert client.get(url).status_code == 200
        page_ms, page_max = timed(lambda url=url: client.get(url), repeat=5)
        worst_diff, worst_page = max(worst_diff, diff_max), max(worst_page, page_max)
        lines.append(
            f"compare two maximal versions, {name}: diff median {diff_ms:.1f} ms "
            f"(max {diff_max:.1f}); whole page median {page_ms:.0f} ms (max {page_max:.0f}), "
            f"{rows:,} rows"
        )
    lines.append(
        f"worst case allowed by the limits: diff {worst_diff:.1f} ms, whole page "
        f"{worst_page:.0f} ms (target < 500 ms)"
    )
    return lines


def export_bench() -> list[str]:
    """A plan at every limit: maximal sections, 200 processes, risks and contacts."""
    from django.test import Client
    from django.urls import reverse

    from bcp import exports, services
    from bcp.content import MAX_SECTION_CHARS, MAX_SECTION_LINES, blank_content
    from bcp.models import Contact, CriticalProcess, Risk, SectionDefinition, Template
    from core.tenancy import Role
    from organizations.models import Membership, Organization, User
    from tests.perf.bench import timed

    organization = Organization.objects.get(code="MOH")
    user, _ = User.objects.get_or_create(
        email="bench-limits@bench.bmms", defaults={"first_name": "L"}
    )
    Membership.objects.get_or_create(
        user=user, organization=organization, defaults={"role": Role.EDITOR}
    )
    template = Template.objects.get(code="departmental-bcm")
    width = MAX_SECTION_CHARS // MAX_SECTION_LINES - 1
    content = blank_content(template)
    for section in template.sections.all():
        if section.kind == SectionDefinition.Kind.TEXT:
            content[section.key] = "\n".join(
                _line(f"Step {i}: ₱ and ñ", width) for i in range(MAX_SECTION_LINES)
            )
    plan = services.plan_create(
        actor=user,
        organization=organization,
        template=template,
        title=f"Limits export {uuid.uuid4().hex[:8]}",
        content=content,
    )
    # Straight to the tables (the services check one row at a time; the bench times reading).
    CriticalProcess.objects.bulk_create(
        CriticalProcess(
            plan=plan,
            name=_line(f"Process {n}", 200),
            priority=n % 5 + 1,
            rto_minutes=60,
            rpo_minutes=30,
            mtpd_minutes=240,
        )
        for n in range(services.MAX_PROCESSES_PER_PLAN)
    )
    Risk.objects.bulk_create(
        Risk(
            plan=plan,
            threat=_line(f"Threat {n}", 300),
            likelihood=3,
            impact=3,
            mitigation=_line("Mitigation", 1000),
        )
        for n in range(services.MAX_RISKS_PER_PLAN)
    )
    Contact.objects.bulk_create(
        Contact(plan=plan, name=f"Contact {n}", role="Officer", phone="0917")
        for n in range(services.MAX_CONTACTS_PER_PLAN)
    )
    version = plan.versions.get()
    lines = []
    for fmt in ("pdf", "docx"):
        median, worst = timed(lambda fmt=fmt: exports.render(version, fmt), repeat=3)
        size = len(exports.render(version, fmt))
        lines.append(
            f"export of a plan at every limit, {fmt.upper()}: median {median:.0f} ms "
            f"(max {worst:.0f}), {size / 1024:.0f} KiB"
        )
    median, worst = timed(lambda: exports.source_fingerprint(version, "pdf"), repeat=5)
    lines.append(f"export fingerprint (reuse check) of that plan: median {median:.0f} ms")
    client = Client()
    client.force_login(user)
    for label, url in (
        ("plan page", reverse("bcp:plan-detail", args=[plan.public_id])),
        ("readiness check", reverse("bcp:plan-readiness", args=[plan.public_id])),
    ):
        assert client.get(url).status_code == 200
        median, worst = timed(lambda url=url: client.get(url), repeat=5)
        lines.append(f"{label} of that plan: median {median:.0f} ms (max {worst:.0f})")
    return lines


def run() -> list[str]:
    return diff_bench() + export_bench()


if __name__ == "__main__":
    sys.path.insert(0, os.getcwd())
    from tests.perf.bench import setup

    setup()
    for line in run():
        print(f"  {line}")
