"""Mass assignment: no form takes every field, and posted extras change nothing."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import pytest
from django import forms
from django.urls import reverse

from organizations.models import Department, Membership

ROOT = Path(__file__).resolve().parents[2]
APPS = ["organizations", "planning", "budgeting", "coordination", "bcp", "ocm"]
FORBIDDEN = {"organization", "created_by", "is_staff", "is_superuser", "author", "owner_org"}


def project_model_forms():
    for app in APPS:
        if not (ROOT / app / "forms.py").exists():
            continue
        module = importlib.import_module(f"{app}.forms")
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.ModelForm) and cls.__module__ == module.__name__:
                yield cls


def test_no_form_uses_all_fields_or_exclude():
    checked = list(project_model_forms())
    assert len(checked) >= 3
    for form_class in checked:
        meta = form_class._meta
        assert meta.fields not in (None, "__all__"), f"{form_class} must list its fields"
        assert not meta.exclude, f"{form_class} must list fields, not exclude them"
        assert not FORBIDDEN & set(meta.fields), (
            f"{form_class} exposes {FORBIDDEN & set(meta.fields)}"
        )


def test_no_source_file_says_fields_all():
    hits = [
        str(p)
        for app in APPS
        for p in (ROOT / app).rglob("*.py")
        if '"__all__"' in p.read_text(encoding="utf-8")
        and "fields" in p.read_text(encoding="utf-8")
        and 'fields = "__all__"' in p.read_text(encoding="utf-8")
    ]
    assert hits == []


@pytest.mark.django_db
def test_posting_privileged_fields_changes_nothing(client, alice, bob, org_b):
    client.force_login(alice)
    bob_membership = Membership.objects.get(user=bob)
    client.post(
        reverse("organizations:member-edit", args=[bob_membership.public_id]),
        {
            "role": "viewer",
            "position": "Clerk",
            "organization": org_b.pk,
            "is_staff": "on",
            "is_superuser": "on",
            "user": alice.pk,
            "is_primary": "",
        },
    )
    bob_membership.refresh_from_db()
    bob.refresh_from_db()
    assert bob_membership.organization.code == "MOH" and bob_membership.user == bob
    assert bob_membership.is_primary and not bob.is_staff and not bob.is_superuser
    client.post(
        reverse("organizations:department-create"),
        {"name": "Procurement", "organization": org_b.pk, "created_by": bob.pk},
    )
    assert Department.objects.get(name="Procurement").organization.code == "MOH"
