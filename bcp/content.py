"""Plan content: the JSON schema a template implies, validation, blank content and diffs."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from jsonschema import Draft202012Validator

from .models import SectionDefinition, Template, content_section_text
from .template_data import ESCALATION_LEVELS

MAX_SECTION_CHARS = 20_000

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
    if messages:
        raise ValidationError(messages)


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


@dataclass
class DiffRow:
    kind: str  # equal, replace, delete, insert
    left: str
    right: str
    left_no: int | None
    right_no: int | None


@dataclass
class SectionDiff:
    title: str
    changed: bool
    rows: list[DiffRow]


def _lines(value: Any) -> list[str]:
    return [line.rstrip() for line in content_section_text(value).splitlines()]


def diff_versions(template: Template, old: dict, new: dict) -> list[SectionDiff]:
    """Side-by-side, line-by-line differences of two versions' content, section by section."""
    result = []
    for section in sections_of(template):
        left, right = _lines(old.get(section.key)), _lines(new.get(section.key))
        rows: list[DiffRow] = []
        matcher = difflib.SequenceMatcher(a=left, b=right, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            span = max(i2 - i1, j2 - j1)
            for k in range(span):
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
        result.append(
            SectionDiff(
                title=section.title, changed=any(r.kind != "equal" for r in rows), rows=rows
            )
        )
    return result
