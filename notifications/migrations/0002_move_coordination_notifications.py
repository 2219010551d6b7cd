"""Move the partnership notifications of coordination's former Notification model into the one
notification service (issue 17): same people, texts, links, read and e-mailed times."""

from django.db import migrations

VERBS = {
    "invited": "partnership.invited",
    "accepted": "partnership.accepted",
    "declined": "partnership.declined",
    "withdrawn": "partnership.withdrawn",
    "milestone_overdue": "partnership.milestone_overdue",
    "milestone_updated": "partnership.milestone_updated",
}


def forwards(apps, schema_editor):
    Old = apps.get_model("coordination", "Notification")
    New = apps.get_model("notifications", "Notification")
    rows = [
        New(
            public_id=old.public_id,
            recipient_id=old.recipient_id,
            category="partnerships",
            verb=VERBS.get(old.verb, f"partnership.{old.verb}"),
            text=old.text,
            url=old.url,
            event_key=old.event_key,
            # Only what was e-mailed counts as "at once"; the rest stays in the bell (no burst
            # of old e-mails after the upgrade).
            delivery="immediate" if old.emailed_at else "in_app",
            read_at=old.read_at,
            emailed_at=old.emailed_at,
        )
        for old in Old.objects.iterator(chunk_size=2000)
    ]
    New.objects.bulk_create(rows, batch_size=2000)
    # created_at is auto_now_add: keep the original times.
    for old in Old.objects.only("public_id", "created_at").iterator(chunk_size=2000):
        New.objects.filter(public_id=old.public_id).update(created_at=old.created_at)


def backwards(apps, schema_editor):
    Old = apps.get_model("coordination", "Notification")
    New = apps.get_model("notifications", "Notification")
    reverse_verbs = {v: k for k, v in VERBS.items()}
    Old.objects.bulk_create(
        [
            Old(
                public_id=n.public_id,
                recipient_id=n.recipient_id,
                verb=reverse_verbs[n.verb],
                text=n.text,
                url=n.url,
                event_key=n.event_key,
                read_at=n.read_at,
                emailed_at=n.emailed_at,
            )
            for n in New.objects.filter(verb__in=reverse_verbs)
        ]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
        ("coordination", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
