"""One waffle flag per module (with its scope), on for everyone until an administrator narrows it."""

from __future__ import annotations

from django.db import migrations

MODULES = {
    "planning": "Planning: strategic plans and work plans",
    "budgeting": "Budgets: preparation and execution",
    "coordination": "Partnerships between MOAs",
    "bcp": "Business continuity plans",
}


def create_flags(apps, schema_editor):
    Flag = apps.get_model("waffle", "Flag")
    ModuleFlagScope = apps.get_model("organizations", "ModuleFlagScope")
    for module, note in MODULES.items():
        flag, _ = Flag.objects.get_or_create(
            name=f"module.{module}", defaults={"everyone": True, "note": note}
        )
        ModuleFlagScope.objects.get_or_create(flag=flag)


class Migration(migrations.Migration):
    dependencies = [
        ("organizations", "0003_module_flags_import_jobs"),
        ("waffle", "0004_update_everyone_nullbooleanfield"),
    ]

    operations = [migrations.RunPython(create_flags, migrations.RunPython.noop)]
