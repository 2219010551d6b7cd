"""Load the 44 organizations from the shipped data file (idempotent upsert by code)."""

from __future__ import annotations

from django.db import migrations


def load(apps, schema_editor):
    from organizations.loader import load_organizations

    load_organizations(apps.get_model("organizations", "Organization"))


class Migration(migrations.Migration):
    dependencies = [("organizations", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
