"""Built into every template (settings TEMPLATES builtins): formats and the icon set.

    {{ amount|peso }}           ₱140,210,000.00
    {{ amount|peso_short }}     ₱140.2M, exact figure in `title` and for screen readers
    {{ minutes|duration }}      4 h 30 min · 1 d · 2 w
    {{ value|when }}            2 Dec 2026 14:05 (Philippine time); dates: {{ d|date }}
    {% icon "bell" %}           an inline SVG from templates/icons/bell.svg (decorative)
    {% icon "bell" label="Notifications" %}   the same, announced as an image with that name
    {% url ... %}               Django's tag, with each reversed path remembered by the process

Every filter is a few string operations on one value: cheap enough for any page.
"""

from __future__ import annotations

import functools
import re
import uuid
from pathlib import Path

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.urls import get_script_prefix, get_urlconf
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import mark_safe

from core import formats

register = template.Library()


@register.filter
def peso(value) -> str:
    return formats.peso(value)


@register.filter
def peso_short(value):
    """A compact amount that never hides the exact one (hover title, screen-reader text)."""
    short = formats.peso_compact(value)
    exact = formats.peso(value)
    if short == exact or short == formats.DASH:
        return short
    return format_html(
        '<span class="amount" title="{}"><span aria-hidden="true">{}</span>'
        '<span class="visually-hidden">{}</span></span>',
        exact,
        short,
        exact,
    )


@register.filter
def duration(minutes) -> str:
    return formats.duration(minutes)


@register.filter
def when(value) -> str:
    return formats.datetime(value)


# ---------------------------------------------------------------------------------------------
# Lists: the sortable header cell (core/listing.py, docs/ui.md "Lists").
# ---------------------------------------------------------------------------------------------


@register.inclusion_tag("includes/sort_header.html", takes_context=True)
def sort_th(context, key: str, label: str, css: str = "") -> dict:
    """`{% sort_th "title" "Title" %}`: a header cell whose link sorts the list by that column
    (ascending first, then descending), keeping the filters and starting at page 1; the sorted
    column says so (`aria-sort`, an arrow). Needs `sort` (a BoundSorting) in the context."""
    sort = context["sort"]
    if key not in sort.sorting.columns:
        raise template.TemplateSyntaxError(f"{key!r} is not a sortable column of this list")
    query = context["request"].GET.copy()
    query.pop("page", None)
    query["sort"] = sort.next_value(key)
    return {
        "key": key,
        "label": label,
        "css": css,
        "state": sort.state(key),
        "query": query.urlencode(),
    }


@register.inclusion_tag("includes/sort_link.html", takes_context=True)
def sort_link(context, key: str, label: str) -> dict:
    """`{% sort_link "started" "Started" %}`: the same as `sort_th` for a list that is not a
    table (cards): a link in a "Sort by" bar."""
    return sort_th(context, key, label)


# ---------------------------------------------------------------------------------------------
# Icons: templates/icons/<name>.svg, 24×24 stroke icons drawn with currentColor.
# ---------------------------------------------------------------------------------------------
_NAME = re.compile(r"^[a-z0-9-]+$")


def _icon_dir() -> Path:
    return Path(settings.BASE_DIR) / "templates" / "icons"


@functools.lru_cache(maxsize=64)
def _icon_body(name: str) -> str:
    if not _NAME.match(name):
        raise template.TemplateSyntaxError(f"bad icon name {name!r}")
    path = _icon_dir() / f"{name}.svg"
    if not path.exists():
        raise template.TemplateSyntaxError(f"no icon templates/icons/{name}.svg")
    svg = path.read_text(encoding="utf-8")
    # The drawing only: the tag writes its own <svg> element.
    return svg[svg.index(">", svg.index("<svg")) + 1 : svg.rindex("</svg>")].strip()


@register.simple_tag
def icon(name: str, label: str = "", size: int = 20, css: str = ""):
    body = _icon_body(name)
    classes = f"icon icon-{name} {css}".strip()
    if label:
        a11y = f'role="img" aria-label="{escape(label)}"'
    else:
        a11y = 'aria-hidden="true" focusable="false"'
    return mark_safe(  # noqa: S308 - the drawing comes from our own files, the label is escaped
        f'<svg class="{escape(classes)}" width="{int(size)}" height="{int(size)}" '
        f'viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" '
        f'stroke-linecap="round" stroke-linejoin="round" {a11y}>{body}</svg>'
    )


# --- {% url %}, remembered --------------------------------------------------------------------
# Reversing a name walks the URL resolver: about 20 {% url %} in the header alone cost a page
# about 1 ms of CPU (docs/performance.md). The path of a name and its arguments never changes
# while the URLconf stays the same, so each process remembers it, keyed by everything reverse()
# reads: the name, the arguments, the current app, the script prefix and the URLconf; a changed
# ROOT_URLCONF (tests override it) forgets every remembered path.

_REVERSED: dict[tuple, str] = {}
_REVERSED_MAX = 20_000  # paths remembered per process before starting over
_PLAIN = (str, int, uuid.UUID)


@receiver(setting_changed)
def _forget_paths(*, setting: str, **kwargs) -> None:
    if setting == "ROOT_URLCONF":
        _REVERSED.clear()


class RememberedURLNode(URLNode):
    def render(self, context):
        args = tuple(arg.resolve(context) for arg in self.args)
        kwargs = tuple(sorted((k, v.resolve(context)) for k, v in self.kwargs.items()))
        values = args + tuple(v for _, v in kwargs)
        if not all(type(v) in _PLAIN for v in values):  # model instances etc.: as Django does
            return super().render(context)
        try:
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        view_name = self.view_name.resolve(context)
        urlconf = get_urlconf() or settings.ROOT_URLCONF
        key = (view_name, args, kwargs, current_app, get_script_prefix(), str(urlconf))
        path = _REVERSED.get(key)
        if path is None:
            path = self.render_path(view_name, args, kwargs, current_app)
            if path is None:  # no match with {% url ... as var %}: nothing remembered
                path = ""
            else:
                if len(_REVERSED) >= _REVERSED_MAX:
                    _REVERSED.clear()
                _REVERSED[key] = path
        if self.asvar:
            context[self.asvar] = path
            return ""
        return conditional_escape(path) if context.autoescape else path

    def render_path(self, view_name, args, kwargs, current_app):
        from django.urls import NoReverseMatch, reverse

        try:
            return reverse(view_name, args=args, kwargs=dict(kwargs), current_app=current_app)
        except NoReverseMatch:
            if self.asvar is None:
                raise
            return None


@register.tag
def url(parser, token):
    """Django's {% url %} (same syntax, same errors), remembering each reversed path."""
    node = django_url(parser, token)
    return RememberedURLNode(node.view_name, node.args, node.kwargs, node.asvar)
