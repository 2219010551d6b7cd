"""Ship the two plan templates as data (departmental BCM plan, organization BC plan)."""

from django.db import migrations


def load(apps, schema_editor):
    from bcp.template_data import load_templates

    load_templates(apps.get_model("bcp", "Template"), apps.get_model("bcp", "SectionDefinition"))


class Migration(migrations.Migration):
    dependencies = [("bcp", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
