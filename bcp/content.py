"""Plan content: the JSON schema a template implies, validation, blank content and diffs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from jsonschema import Draft202012Validator
from rapidfuzz.distance import Indel

from .models import SectionDefinition, Template, content_section_text
from .template_data import ESCALATION_LEVELS

#: The size limits of one text section. They are what the version comparison can handle: the
#: diff of two versions at these limits in every section stays well under half a second of CPU
#: (`make bench`, tests/perf/bench_limits.py); a section beyond them (only data written before
#: the limits existed) is shown as "too large to compare", never diffed.
MAX_SECTION_CHARS = 20_000
MAX_SECTION_LINES = 400
#: Unchanged lines shown around each change in a comparison; longer unchanged runs are folded.
DIFF_CONTEXT_LINES = 3

_LEVEL_SCHEMA = {
    "type": "object",
    "properties": {
        "description": {"type": "string", "maxLength": 1000},
        "response_time": {"type": "string", "maxLength": 100},
        "escalation_level": {"type": "string", "maxLength": 300},
    },
    "required": ["description", "response_time", "escalation_level"],
    "additionalProperties": False,
}

KIND_SCHEMAS: dict[str, dict[str, Any]] = {
    SectionDefinition.Kind.TEXT: {"type": "string", "maxLength": MAX_SECTION_CHARS},
    SectionDefinition.Kind.ESCALATION_MATRIX: {
        "type": "object",
        "properties": dict.fromkeys(ESCALATION_LEVELS, _LEVEL_SCHEMA),
        "required": ESCALATION_LEVELS,
        "additionalProperties": False,
    },
}


def sections_of(template: Template) -> list[SectionDefinition]:
    """The template's sections in order (uses the prefetch cache when there is one)."""
    return sorted(template.sections.all(), key=lambda s: s.order)


def schema_for(template: Template) -> dict[str, Any]:
    """JSON Schema of a plan's content: one property per section, nothing else allowed."""
    sections = sections_of(template)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {s.key: KIND_SCHEMAS[s.kind] for s in sections},
        "required": [s.key for s in sections],
        "additionalProperties": False,
    }


def validate_content(template: Template, content: Any) -> None:
    """Raise ValidationError (one readable message per problem) if content breaks the schema."""
    validator = Draft202012Validator(schema_for(template))
    titles = {s.key: s.title for s in sections_of(template)}
    messages = []
    for error in sorted(validator.iter_errors(content), key=lambda e: list(e.path)):
        where = titles.get(str(error.path[0]), str(error.path[0])) if error.path else "Content"
        if error.validator == "maxLength":
            messages.append(f"{where}: too long (at most {error.validator_value} characters).")
        elif error.validator == "required":
            messages.append(f"{where}: {error.message.replace('property', 'field')}.")
        else:
            messages.append(f"{where}: {error.message}.")
    for section in sections_of(template):
        value = content.get(section.key) if isinstance(content, dict) else None
        if section.kind == SectionDefinition.Kind.TEXT and isinstance(value, str):
            lines = line_count(value)
            if lines > MAX_SECTION_LINES:
                messages.append(
                    f"{section.title}: too many lines ({lines:,}; at most {MAX_SECTION_LINES:,})."
                )
    if messages:
        raise ValidationError(messages)


def line_count(text: str) -> int:
    """Lines of a text as the comparison counts them (without reading them one by one)."""
    text = text.replace("\r\n", "\n")
    return text.count("\n") + (0 if not text or text.endswith("\n") else 1)


def missing_sections(template: Template, content: dict[str, Any]) -> list[str]:
    """Titles of required sections that are still empty (a plan cannot go to review so)."""
    missing = []
    for section in sections_of(template):
        if not section.required:
            continue
        value = content.get(section.key)
        if section.kind == SectionDefinition.Kind.ESCALATION_MATRIX:
            empty = not isinstance(value, dict) or any(
                not str(cell).strip()
                for level in ESCALATION_LEVELS
                for cell in (value.get(level) or {"x": ""}).values()
            )
        else:
            empty = not str(value or "").strip()
        if empty:
            missing.append(section.title)
    return missing


def blank_content(template: Template) -> dict[str, Any]:
    """Content of a new plan: each section's default (the escalation matrix comes prefilled)."""
    content: dict[str, Any] = {}
    for section in sections_of(template):
        if section.kind == SectionDefinition.Kind.ESCALATION_MATRIX:
            default = section.default or {}
            content[section.key] = {
                level: {
                    "description": (default.get(level) or {}).get("description", ""),
                    "response_time": (default.get(level) or {}).get("response_time", ""),
                    "escalation_level": (default.get(level) or {}).get("escalation_level", ""),
                }
                for level in ESCALATION_LEVELS
            }
        else:
            content[section.key] = section.default or ""
    return content


def section_text_document(template: Template, content: dict) -> str:
    """Every section of a version as plain text, each under its title."""
    parts = []
    for section in sections_of(template):
        parts.append(f"{section.title}\n{'=' * len(section.title)}\n")
        parts.append(content_section_text(content.get(section.key)).replace("\r\n", "\n"))
        parts.append("\n\n")
    return "".join(parts)


@dataclass
class DiffRow:
    kind: str  # equal, replace, delete, insert, skip (folded unchanged lines)
    left: str
    right: str
    left_no: int | None
    right_no: int | None
    #: For a "skip" row: how many unchanged lines it stands for.
    skipped: int = 0


@dataclass
class SectionDiff:
    title: str
    changed: bool
    rows: list[DiffRow] = field(default_factory=list)
    #: Beyond the section limits on either side: not compared (see `too_large`).
    too_large: bool = False
    #: Lines of each side (for the "too large" message).
    sizes: tuple[int, int] = (0, 0)


def _within_limits(text: str) -> bool:
    return len(text) <= MAX_SECTION_CHARS and line_count(text) <= MAX_SECTION_LINES


def _opcodes(left: list[str], right: list[str]) -> list[tuple[str, int, int, int, int]]:
    """Line opcodes from a longest common subsequence (rapidfuzz's bit-parallel Indel distance:
    O(n·m/64) in C++, so two maximal sections compare in a few milliseconds, whatever their
    content; difflib's matcher is cubic on repetitive text). A deletion next to an insertion is
    shown as one replaced block, side by side."""
    merged: list[list[Any]] = []
    for op in Indel.opcodes(left, right):
        tag, i1, i2, j1, j2 = op.tag, op.src_start, op.src_end, op.dest_start, op.dest_end
        if merged and tag != "equal" and merged[-1][0] in ("delete", "insert", "replace"):
            last = merged[-1]
            last[0] = "replace" if last[0] != tag else tag
            last[2], last[4] = i2, j2
            continue
        merged.append([tag, i1, i2, j1, j2])
    return [tuple(m) for m in merged]


def _rows(left: list[str], right: list[str]) -> list[DiffRow]:
    rows: list[DiffRow] = []
    opcodes = _opcodes(left, right)
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            # Keep a few lines of context next to each change and fold the rest.
            head = DIFF_CONTEXT_LINES if index > 0 else 0
            tail = DIFF_CONTEXT_LINES if index < len(opcodes) - 1 else 0
            length = i2 - i1
            if length > head + tail + 1:
                keep = [*range(head), None, *range(length - tail, length)]
            else:
                keep = list(range(length))
            for k in keep:
                if k is None:
                    skipped = length - head - tail
                    rows.append(DiffRow("skip", "", "", None, None, skipped=skipped))
                    continue
                rows.append(DiffRow("equal", left[i1 + k], right[j1 + k], i1 + k + 1, j1 + k + 1))
            continue
        for k in range(max(i2 - i1, j2 - j1)):
            li, rj = i1 + k, j1 + k
            rows.append(
                DiffRow(
                    kind=tag,
                    left=left[li] if li < i2 else "",
                    right=right[rj] if rj < j2 else "",
                    left_no=li + 1 if li < i2 else None,
                    right_no=rj + 1 if rj < j2 else None,
                )
            )
    return rows


def diff_versions(template: Template, old: dict, new: dict) -> list[SectionDiff]:
    """Side-by-side, line-by-line differences of two versions' content, section by section.

    Bounded work: a section over the limits (MAX_SECTION_CHARS, MAX_SECTION_LINES) on either
    side is reported as too large and not compared; the others are compared in O(n·m/64)."""
    result = []
    for section in sections_of(template):
        old_text = content_section_text(old.get(section.key))
        new_text = content_section_text(new.get(section.key))
        if old_text == new_text:
            result.append(SectionDiff(title=section.title, changed=False))
            continue
        if not (_within_limits(old_text) and _within_limits(new_text)):
            result.append(
                SectionDiff(
                    title=section.title,
                    changed=True,
                    too_large=True,
                    sizes=(line_count(old_text), line_count(new_text)),
                )
            )
            continue
        left = [line.rstrip() for line in old_text.splitlines()]
        right = [line.rstrip() for line in new_text.splitlines()]
        rows = _rows(left, right)
        result.append(
            SectionDiff(
                title=section.title,
                changed=any(r.kind not in ("equal", "skip") for r in rows),
                rows=rows,
            )
        )
    return result
