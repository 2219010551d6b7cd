"""Loading the organizations from the data file that ships with the app (upsert by code).

Used by the data migration (with historical models) and by `manage.py load_organizations`.
Re-running it on unchanged data changes nothing.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DATA_FILE = Path(__file__).resolve().parent / "data" / "organizations.csv"
CATEGORIES = {"ministry", "office", "agency", "special_body", "commission"}


@dataclass
class LoadResult:
    created: list[str] = field(default_factory=list)
    updated: dict[str, dict[str, tuple[Any, Any]]] = field(default_factory=dict)
    unchanged: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def read_rows(path: Path = DATA_FILE) -> list[dict[str, Any]]:
    """Parse and validate the data file; raise ValueError naming the bad line."""
    rows = []
    seen: set[str] = set()
    with path.open(newline="", encoding="utf-8") as handle:
        for line_no, raw in enumerate(csv.DictReader(handle), start=2):
            code = (raw.get("code") or "").strip().upper()
            if not code:
                raise ValueError(f"{path.name} line {line_no}: code is empty")
            if code in seen:
                raise ValueError(f"{path.name} line {line_no}: duplicate code {code}")
            seen.add(code)
            category = (raw.get("category") or "").strip()
            if category not in CATEGORIES:
                raise ValueError(f"{path.name} line {line_no}: unknown category {category!r}")
            wave = (raw.get("rollout_wave") or "").strip()
            rows.append(
                {
                    "code": code,
                    "name": raw["name"].strip(),
                    "acronym": (raw.get("acronym") or code).strip(),
                    "category": category,
                    "attached_to": (raw.get("attached_to") or "").strip().upper() or None,
                    "is_pilot": (raw.get("is_pilot") or "").strip().lower() == "true",
                    "rollout_wave": int(wave) if wave else None,
                }
            )
    known = {row["code"] for row in rows}
    for row in rows:
        if row["attached_to"] and row["attached_to"] not in known:
            raise ValueError(f"{row['code']} is attached to unknown code {row['attached_to']}")
    return rows


def load_organizations(organization_model: Any, path: Path = DATA_FILE) -> LoadResult:
    """Upsert every organization of the data file by code; return what changed."""
    rows = read_rows(path)
    result = LoadResult()
    existing = {org.code: org for org in organization_model.objects.all()}
    simple_fields = ("name", "acronym", "category", "is_pilot", "rollout_wave")
    for row in rows:
        org = existing.get(row["code"])
        if org is None:
            org = organization_model.objects.create(
                code=row["code"], **{f: row[f] for f in simple_fields}
            )
            existing[org.code] = org
            result.created.append(org.code)
            continue
        diff = {f: (getattr(org, f), row[f]) for f in simple_fields if getattr(org, f) != row[f]}
        if diff:
            for name, (_old, new) in diff.items():
                setattr(org, name, new)
            org.save(update_fields=[*diff, "updated_at"])
            result.updated[org.code] = diff
    # Second pass: attachments, once every code exists.
    for row in rows:
        org = existing[row["code"]]
        parent = existing[row["attached_to"]] if row["attached_to"] else None
        parent_id = parent.pk if parent else None
        if org.attached_to_id != parent_id:
            if org.code not in result.created:
                result.updated.setdefault(org.code, {})["attached_to"] = (
                    org.attached_to_id,
                    parent_id,
                )
            org.attached_to_id = parent_id
            org.save(update_fields=["attached_to", "updated_at"])
    result.unchanged = [
        row["code"]
        for row in rows
        if row["code"] not in result.created and row["code"] not in result.updated
    ]
    return result
