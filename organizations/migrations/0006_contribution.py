"""Contributions (segregation of duties), with the contributors already on record backfilled:
BC plan version authors and the people who sent versions to review, strategic plan creators,
budget proposal creators and submitters. Edits made before this migration were not recorded
per person, so they cannot be backfilled (the audit log keeps them)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def backfill(apps, schema_editor):
    Contribution = apps.get_model("organizations", "Contribution")
    rows = {}

    def add(subject_type, subject_id, user_id, kind, at):
        if user_id is None:
            return
        key = (subject_type, subject_id, user_id, kind)
        first, last = rows.get(key, (at, at))
        rows[key] = (min(first, at), max(last, at))

    PlanVersion = apps.get_model("bcp", "PlanVersion")
    for pk, author, at in PlanVersion.objects.values_list("pk", "author_id", "created_at"):
        add("bcp.planversion", pk, author, "content", at)
    Review = apps.get_model("bcp", "Review")
    for version, requester, at in Review.objects.values_list(
        "version_id", "requested_by_id", "requested_at"
    ):
        add("bcp.planversion", version, requester, "submitted", at)
    StrategicPlan = apps.get_model("planning", "StrategicPlan")
    for pk, creator, at in StrategicPlan.objects.values_list("pk", "created_by_id", "created_at"):
        add("planning.strategicplan", pk, creator, "content", at)
    BudgetProposal = apps.get_model("budgeting", "BudgetProposal")
    for pk, creator, submitter, created, submitted in BudgetProposal.objects.values_list(
        "pk", "created_by_id", "submitted_by_id", "created_at", "submitted_at"
    ):
        add("budgeting.budgetproposal", pk, creator, "content", created)
        add("budgeting.budgetproposal", pk, submitter, "submitted", submitted or created)
    Contribution.objects.bulk_create(
        [
            Contribution(
                subject_type=t, subject_id=i, user_id=u, kind=k, first_at=first, last_at=last
            )
            for (t, i, u, k), (first, last) in rows.items()
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("organizations", "0005_outbox"),
        ("bcp", "0004_api_token"),
        ("planning", "0001_initial"),
        ("budgeting", "0002_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="Contribution",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("subject_type", models.CharField(max_length=100)),
                ("subject_id", models.BigIntegerField()),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("content", "Saved content"),
                            ("submitted", "Submitted for a decision"),
                        ],
                        default="content",
                        max_length=20,
                    ),
                ),
                ("first_at", models.DateTimeField()),
                ("last_at", models.DateTimeField()),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="contributions",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(
                        fields=["subject_type", "subject_id", "last_at"],
                        name="organizatio_subject_775a3e_idx",
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("subject_type", "subject_id", "user", "kind"),
                        name="organizations_contribution_once_per_kind",
                    )
                ],
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
