"""The project's {% url %} (organizations/templatetags/ui.py) remembers reversed paths: it must
answer exactly what Django's tag answers, and never a path of another URLconf."""

from __future__ import annotations

import uuid

import pytest
from django.template import engines
from django.template.defaulttags import URLNode
from django.test import override_settings
from django.urls import NoReverseMatch, path

from organizations.templatetags import ui


def render(source: str, **context) -> str:
    return engines["django"].from_string(source).render(context)


def test_the_builtin_url_tag_is_the_remembering_one():
    template = engines["django"].from_string("{% url 'home' %}")
    (node,) = template.template.nodelist
    assert isinstance(node, ui.RememberedURLNode) and isinstance(node, URLNode)


def test_same_paths_as_django_and_remembered():
    ui._REVERSED.clear()
    pid = uuid.UUID(int=7)
    first = render("{% url 'bcp:plan-detail' pid %} {% url 'bcp:plan-list' %}", pid=pid)
    assert first == f"/bcp/{pid}/ /bcp/"
    assert len(ui._REVERSED) == 2
    assert render("{% url 'bcp:plan-detail' pid %} {% url 'bcp:plan-list' %}", pid=pid) == first
    assert len(ui._REVERSED) == 2  # the second render reversed nothing new


def test_no_match_raises_or_sets_empty_as_django_does():
    with pytest.raises(NoReverseMatch):
        render("{% url 'no-such-page' %}")
    assert render("{% url 'no-such-page' as link %}[{{ link }}]") == "[]"


def test_keyword_arguments_and_asvar():
    pid = uuid.UUID(int=9)
    out = render("{% url 'bcp:plan-detail' public_id=pid as link %}<{{ link }}>", pid=pid)
    assert out == f"</bcp/{pid}/>"


urlpatterns = [path("elsewhere/", lambda request: None, name="home")]


def test_another_urlconf_is_never_served_a_remembered_path():
    assert render("{% url 'home' %}") == "/"
    with override_settings(ROOT_URLCONF=__name__):
        assert render("{% url 'home' %}") == "/elsewhere/"
    assert render("{% url 'home' %}") == "/"
