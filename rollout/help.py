"""In-app help: the user guides of docs/ rendered with the portal's look, and a search index.

The guides are files of the release, so they are parsed once per process (`lru_cache`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from django.utils.text import slugify

from .markup import help_html

#: slug → (file in docs/, title). The order is the index's order.
GUIDES: dict[str, tuple[str, str]] = {
    "rollout": ("rollout.md", "Getting started, rollout, training and feedback"),
    "planning-budgeting": ("planning-budgeting.md", "Planning and budgets"),
    "coordination": ("coordination.md", "Partnerships"),
    "bcp": ("bcp.md", "Continuity plans"),
    "operations": ("operations.md", "Operations (system administrators)"),
}
#: URL namespace of the page → (guide, section anchor) its "Help" link opens.
PAGE_SECTIONS: dict[str, tuple[str, str]] = {
    "planning": ("planning-budgeting", ""),
    "budgeting": ("planning-budgeting", ""),
    "coordination": ("coordination", ""),
    "bcp": ("bcp", ""),
    "ocm": ("rollout", "for-the-office-of-the-chief-minister"),
    "organizations": ("rollout", "members-and-departments"),
    "rollout": ("rollout", ""),
}


@dataclass(frozen=True)
class Section:
    guide: str
    anchor: str
    title: str
    text: str


@dataclass(frozen=True)
class Guide:
    slug: str
    title: str
    html: str
    sections: tuple[Section, ...]


def _docs_dir() -> Path:
    return Path(settings.BASE_DIR) / "docs"


def _anchor(title: str) -> str:
    return slugify(re.sub(r"[`*_]", "", title))


@cache
def guide(slug: str) -> Guide | None:
    if slug not in GUIDES:
        return None
    filename, title = GUIDES[slug]
    path = _docs_dir() / filename
    if not path.exists():
        return None
    source = path.read_text(encoding="utf-8")
    # Give each ## and ### heading an id, so a link can open the section.
    lines, sections, current, body = [], [], None, []
    for line in source.splitlines():
        match = re.match(r"^(#{2,3})\s+(.*)$", line)
        if match:
            if current:
                sections.append(Section(slug, current[0], current[1], "\n".join(body)))
            heading = match.group(2).strip()
            current, body = (_anchor(heading), heading), []
        elif current:
            body.append(line)
        lines.append(line)
    if current:
        sections.append(Section(slug, current[0], current[1], "\n".join(body)))
    html = help_html("\n".join(lines))

    def add_id(m: re.Match) -> str:
        return f'<{m.group(1)} id="{_anchor(_strip_tags(m.group(2)))}">{m.group(2)}</{m.group(1)}>'

    html = re.sub(r"<(h[23])>(.*?)</\1>", add_id, html)
    return Guide(slug, title, html, tuple(sections))


def _strip_tags(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


def guides() -> list[Guide]:
    return [g for g in (guide(slug) for slug in GUIDES) if g is not None]


def search(query: str, limit: int = 20) -> list[tuple[Section, str]]:
    """Sections containing every word of the query, with a short excerpt around the first."""
    words = [w.lower() for w in re.findall(r"\w+", query)][:8]
    if not words:
        return []
    found = []
    for g in guides():
        for section in g.sections:
            haystack = f"{section.title}\n{section.text}".lower()
            if all(w in haystack for w in words):
                plain = re.sub(r"[`*_#|>\[\]]", "", section.text)
                at = max(0, plain.lower().find(words[0]) - 60)
                excerpt = " ".join(plain[at : at + 220].split())
                found.append((section, excerpt))
    return found[:limit]


def section_for(request) -> tuple[str, str]:
    """(guide, anchor) the page's "Help" link opens."""
    match = getattr(request, "resolver_match", None)
    app = match.app_name if match else ""
    return PAGE_SECTIONS.get(app, ("rollout", ""))
