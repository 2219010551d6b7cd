"""Permission-matrix samples for the notification service: everything is the signed-in
person's own. The world: a notification of alice's (charlie, of another organization, gets 404
for it, like everyone who is not alice)."""

from __future__ import annotations

from typing import Any

from notifications.models import Category, Notification
from tests.matrix import Sample

SAMPLES: dict[str, Sample] = {
    "notifications:list": Sample(),
    "notifications:bell": Sample(),
    "notifications:waiting": Sample(),
    # Everyone's own preferences: a viewer may save theirs (OCM writes are refused as ever).
    "notifications:preferences": Sample(),
    # POST only; a user reads only their own notifications (others' are 404, bob's included).
    "notifications:read": Sample(
        kwargs=lambda w: {"public_id": w["notification"].public_id}, foreign=True, ok=(405,)
    ),
    "notifications:read-all": Sample(ok=(405,)),
}


def build_world(world: dict[str, Any], personas: dict[str, Any]) -> None:
    world["notification"] = Notification.objects.create(
        recipient=personas["alice"],
        category=Category.PARTNERSHIPS,
        verb="partnership.invited",
        text="MAFAR invites MOH.",
        url="/",
    )
