# The API token model moves from bcp to organizations (so a budgeting API would not import bcp).
# State only: the table `bcp_apitoken` and its rows stay where they are (Meta.db_table); the
# content type is renamed so admin permissions and generic references follow the model.
import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def rename_content_type(apps, schema_editor, old="bcp", new="organizations"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label=new, model="apitoken").exists():
        ContentType.objects.filter(app_label=old, model="apitoken").update(app_label=new)


def restore_content_type(apps, schema_editor):
    rename_content_type(apps, schema_editor, old="organizations", new="bcp")


class Migration(migrations.Migration):
    dependencies = [
        ("organizations", "0007_merge_contributions_join_invitations"),
        ("bcp", "0005_export_source_fingerprint"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ApiToken",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "public_id",
                            models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
                        ),
                        (
                            "name",
                            models.CharField(
                                help_text="What the token is for, e.g. 'HR sync'.", max_length=100
                            ),
                        ),
                        (
                            "token_sha256",
                            models.CharField(editable=False, max_length=64, unique=True),
                        ),
                        ("prefix", models.CharField(editable=False, max_length=12)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("last_used_at", models.DateTimeField(blank=True, null=True)),
                        ("revoked", models.BooleanField(default=False)),
                        ("revoked_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="api_tokens",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "API token",
                        "db_table": "bcp_apitoken",
                        "ordering": ["-created_at"],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("token_sha256__regex", "^[0-9a-f]{64}$")),
                                name="bcp_api_token_sha256_hex",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("revoked", False),
                                    ("revoked_at__isnull", False),
                                    _connector="OR",
                                ),
                                name="bcp_api_token_revoked_has_time",
                            ),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(rename_content_type, restore_content_type),
    ]
