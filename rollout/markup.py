"""A small, safe Markdown: announcements (a subset) and the help pages (the docs).

Raw HTML in the source is never passed through (markdown-it's `html` option is off, so it is
shown as text), and the result is sanitized again with nh3 against a short allow-list, so a
script tag or a javascript: link can never reach a page."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

ANNOUNCEMENT_TAGS = {"p", "strong", "em", "a", "ul", "ol", "li", "code", "br"}
HELP_TAGS = ANNOUNCEMENT_TAGS | {
    "h1", "h2", "h3", "h4", "pre", "table", "thead", "tbody", "tr", "th", "td", "blockquote", "hr",
}  # fmt: skip

_announcement_md = MarkdownIt("zero", {"html": False, "linkify": False, "breaks": True}).enable(
    ["emphasis", "link", "list", "backticks", "newline"]
)
_help_md = MarkdownIt("commonmark", {"html": False}).enable("table")


def _clean(html: str, tags: set[str], extra_attributes: dict | None = None) -> str:
    attributes = {"a": {"href", "title"}, **(extra_attributes or {})}
    return nh3.clean(
        html,
        tags=tags,
        attributes=attributes,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


def announcement_html(text: str) -> str:
    return _clean(_announcement_md.render(text or ""), ANNOUNCEMENT_TAGS)


def help_html(text: str) -> str:
    return _clean(
        _help_md.render(text or ""),
        HELP_TAGS,
        {"h2": {"id"}, "h3": {"id"}, "th": {"align"}, "td": {"align"}},
    )
