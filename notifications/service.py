"""The notification service: `emit()` in a request, `fan_out()` in the worker, then e-mail.

A request that causes an event calls `emit(verb, obj, actor=...)`: it queues one background task
through the outbox (core/outbox.py) and bumps the organization's "waiting for you"
counts: a constant number of queries, whatever the size of the audience. The worker computes the
audience (notifications/events.py), keeps only those who can open the object
(notifications/audience.py), writes one notification each in one INSERT, and queues the e-mails
of those who want them at once. A mail server that is down leaves `emailed_at` empty: the
notification is in the bell all the same and `retry_emails` (beat) sends it later.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import uuid
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import get_connection, send_mail
from django.db import transaction
from django.db.models import F, Model
from django.utils import timezone

from core import outbox, versioned_cache

from . import audience as who
from .events import EVENTS, Event
from .models import DEFAULT_DELIVERY, Delivery, Notification, Preference

logger = logging.getLogger(__name__)

#: E-mails of one event are queued in tasks of this many notifications.
EMAIL_BATCH = 200
#: A notification's e-mail is tried this many times before it is left in the bell only.
MAX_EMAIL_ATTEMPTS = 5


def waiting_namespace(organization_id: int | None) -> str:
    return f"waiting:{organization_id or 0}"


#: Set by `muted()`: events are not announced (the demo data loader: it builds a state, and its
#: addresses are not real mailboxes).
_muted: contextvars.ContextVar[bool] = contextvars.ContextVar("notifications_muted", default=False)


@contextlib.contextmanager
def muted():
    """Within the block, `emit()` announces nothing."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def emit(
    verb: str,
    target: Model,
    *,
    actor: Any = None,
    recipients: Iterable[int] | None = None,
    text: str = "",
    url: str = "",
    key: str = "",
    organization_id: int | None = None,
) -> None:
    """Announce an event about `target` (after the current transaction commits).

    `recipients` names the audience for events whose service computes it (partnerships);
    `text`/`url` replace the event's own title and link; `key` makes the event idempotent
    (a second emit with the same key notifies nobody twice)."""
    if verb not in EVENTS:
        raise ValueError(f"Unknown notification event {verb!r}")
    if _muted.get():
        return
    payload = {
        "verb": verb,
        "model": target._meta.label_lower,
        "pk": target.pk,
        "actor_id": getattr(actor, "pk", None),
        "recipients": sorted(set(recipients or [])),
        "text": text,
        "url": url,
        "key": key or f"{verb}:{target.pk}:{uuid.uuid4().hex[:12]}",
    }
    from .tasks import fan_out_task

    outbox.enqueue(fan_out_task, payload)
    if organization_id is None:
        try:
            organization_id = EVENTS[verb].organization(target)
        except Exception:  # noqa: BLE001 - an unsaved path; the fan-out bumps again anyway
            organization_id = None
    versioned_cache.bump(waiting_namespace(organization_id))


def deliveries(user_ids: Iterable[int], category: str) -> dict[int, str]:
    """Each user's delivery for a category (one query)."""
    chosen = dict(
        Preference.objects.filter(user_id__in=list(user_ids), category=category).values_list(
            "user_id", "delivery"
        )
    )
    default = DEFAULT_DELIVERY[category]
    return {pk: chosen.get(pk, default) for pk in user_ids}


@transaction.atomic
def fan_out(payload: dict[str, Any]) -> int:
    """The worker's half of `emit`: write the notifications and queue their e-mails. Returns
    how many notifications were written. Idempotent: the event key makes a rerun write none."""
    event_type = EVENTS[payload["verb"]]
    model = apps.get_model(payload["model"])
    target = model._default_manager.filter(pk=payload["pk"]).first()
    if target is None:
        return 0
    event = Event(
        verb=payload["verb"],
        target=target,
        actor_id=payload.get("actor_id"),
        recipients=payload.get("recipients") or [],
        text=payload.get("text") or "",
        url=payload.get("url") or "",
    )
    candidates = set(event_type.audience(target, event)) - {None, event.actor_id}
    if not candidates:
        return 0
    key = payload["key"]
    already = set(
        Notification.objects.filter(event_key=key, recipient_id__in=candidates).values_list(
            "recipient_id", flat=True
        )
    )
    users = who.openers(target, candidates - already)
    if not users:
        return 0
    text = (event.text or event_type.title(target))[:300]
    url = event.url or event_type.url(target)
    organization_id = event_type.organization(target)
    chosen = deliveries([u.pk for u in users], event_type.category)
    rows = [
        Notification(
            recipient_id=user.pk,
            organization_id=organization_id,
            category=event_type.category,
            verb=event.verb,
            text=text,
            url=url,
            actor_id=event.actor_id,
            event_key=key,
            delivery=chosen[user.pk] if user.email else Delivery.IN_APP,
        )
        for user in users
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    mail_now = list(
        Notification.objects.filter(
            event_key=key,
            recipient_id__in=[r.recipient_id for r in rows],
            delivery=Delivery.IMMEDIATE,
            emailed_at__isnull=True,
        ).values_list("pk", flat=True)
    )
    from .tasks import send_emails_task

    for start in range(0, len(mail_now), EMAIL_BATCH):
        outbox.enqueue(send_emails_task, mail_now[start : start + EMAIL_BATCH])
    # Everyone told has something new waiting, in every organization they work in.
    namespaces = {waiting_namespace(organization_id)} | {
        waiting_namespace(m.organization_id)
        for user in users
        for m in user._tenancy_profile.memberships
    }
    for namespace in namespaces:
        versioned_cache.bump(namespace)
    return len(rows)


# --- e-mail ------------------------------------------------------------------------------------


def _link(url: str) -> str:
    if not url:
        return ""
    return getattr(settings, "PORTAL_BASE_URL", "").rstrip("/") + url


def send_emails(notification_ids: list[int]) -> int:
    """E-mail notifications not yet e-mailed: a title and a link, nothing else. The batch's rows
    are locked (a concurrent run skips them) and marked in one UPDATE, over one mail connection;
    a mail server error leaves a row for `retry_emails`. Returns how many were sent."""
    sent: list[int] = []
    failed: list[int] = []
    with transaction.atomic():
        rows = list(
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient")
            .filter(pk__in=notification_ids, emailed_at__isnull=True)
            .exclude(delivery=Delivery.IN_APP)
            .order_by("pk")
        )
        due = [n for n in rows if n.recipient.email and n.recipient.is_active]
        connection = get_connection(fail_silently=False)
        try:
            # One session for the batch: a connection that is not open yet would open and
            # close an SMTP session for every message.
            connection.open()
        except OSError as exc:  # the mail server is down: every row waits for a retry
            logger.warning("Notifications not e-mailed, mail server unreachable: %s", exc)
            failed = [n.pk for n in due]
            due = []
        try:
            for notification in due:
                try:
                    send_mail(
                        subject=f"[BMMS] {notification.label}",
                        message=_message([notification]),
                        from_email=None,
                        recipient_list=[notification.recipient.email],
                        connection=connection,
                    )
                except OSError as exc:  # smtplib errors are OSErrors
                    logger.warning("Notification %s not e-mailed: %s", notification.pk, exc)
                    failed.append(notification.pk)
                    continue
                sent.append(notification.pk)
        finally:
            connection.close()
        attempt = F("email_attempts") + 1
        if sent:
            Notification.objects.filter(pk__in=sent).update(
                emailed_at=timezone.now(), email_attempts=attempt
            )
        if failed:
            Notification.objects.filter(pk__in=failed).update(email_attempts=attempt)
    return len(sent)


def _message(notifications: list[Notification]) -> str:
    lines = []
    for n in notifications:
        lines.append(f"- {n.text}")
        if n.url:
            lines.append(f"  {_link(n.url)}")
    preferences = _link("/notifications/preferences/")
    return (
        "\n".join(lines)
        + "\n\nOpen the links above in the BMMS portal (sign in first)."
        + f"\nChoose which e-mails you receive: {preferences}\n"
    )


def retry_emails(now=None) -> int:
    """Beat: queue again the immediate e-mails that failed (a mail server that was down)."""
    now = now or timezone.now()
    ids = list(
        Notification.objects.filter(
            delivery=Delivery.IMMEDIATE,
            emailed_at__isnull=True,
            email_attempts__gt=0,
            email_attempts__lt=MAX_EMAIL_ATTEMPTS,
            created_at__gte=now - timezone.timedelta(days=2),
        ).values_list("pk", flat=True)[:1000]
    )
    if ids:
        return send_emails(ids)
    return 0


def send_digests(now=None) -> int:
    """Beat (daily): one e-mail per person with their digest notifications not yet e-mailed.
    Idempotent: the rows are locked and marked, so a second run sends nothing."""
    now = now or timezone.now()
    sent = 0
    with transaction.atomic():
        pending = list(
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient")
            .filter(delivery=Delivery.DIGEST, emailed_at__isnull=True, created_at__lte=now)
            .order_by("recipient_id", "created_at")
        )
        by_user: dict[Any, list[Notification]] = defaultdict(list)
        for n in pending:
            by_user[n.recipient].append(n)
        for user, notes in by_user.items():
            if not user.email or not user.is_active:
                continue
            try:
                send_mail(
                    subject=f"[BMMS] Your daily digest: {len(notes)} notification(s)",
                    message=_message(notes),
                    from_email=None,
                    recipient_list=[user.email],
                )
            except OSError as exc:
                logger.warning("Digest for %s not e-mailed (tried again tomorrow): %s", user, exc)
                continue
            Notification.objects.filter(pk__in=[n.pk for n in notes]).update(emailed_at=now)
            sent += 1
    return sent


# --- reading ---------------------------------------------------------------------------------


@transaction.atomic
def mark_read(*, actor: Any, notification: Notification) -> None:
    """Mark one of the actor's own notifications as read."""
    if notification.recipient_id != actor.pk:
        raise PermissionDenied("This notification is not yours.")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])


@transaction.atomic
def mark_all_read(*, actor: Any) -> int:
    """Mark all of the actor's notifications as read; returns how many changed."""
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@transaction.atomic
def preferences_save(*, actor: Any, choices: dict[str, str]) -> None:
    """Store the actor's delivery per category (a choice equal to the default stores nothing)."""
    for category, delivery in choices.items():
        if delivery == DEFAULT_DELIVERY[category]:
            Preference.objects.filter(user=actor, category=category).delete()
        else:
            Preference.objects.update_or_create(
                user=actor, category=category, defaults={"delivery": delivery}
            )
