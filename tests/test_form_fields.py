"""The one form-field include (templates/includes/form_fields.html): a field's help text is the
element its input's aria-describedby names, and it may hold a list (the password rules)."""

from __future__ import annotations

import re

from django import forms
from django.template.loader import render_to_string


class _Form(forms.Form):
    password = forms.CharField(
        help_text="<ul><li>At least 8 characters.</li><li>Not only digits.</li></ul>"
    )


def test_help_text_is_the_element_the_input_is_described_by():
    html = render_to_string("includes/form_fields.html", {"form": _Form()})
    (described_by,) = re.findall(r'aria-describedby="([^"]+)"', html)
    assert f'id="{described_by}"' in html
    # a list inside a paragraph is invalid HTML (the browser closes the paragraph before it)
    assert not re.search(r"<p[^>]*>\s*<ul>", html)
