"""The incident log: append-only in the database; concurrent writers lose nothing."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, connections, transaction

from incidents import services
from incidents.models import LogEntry
from tests.incidents.factories import approved_plan_with_people, declare

pytestmark = pytest.mark.django_db


def test_the_database_refuses_to_change_or_delete_log_entries(incident):
    entry = LogEntry.objects.filter(incident=incident).first()
    with pytest.raises(DatabaseError, match="Cannot update or delete rows"), transaction.atomic():
        LogEntry.objects.filter(pk=entry.pk).update(text="tampered")
    with pytest.raises(DatabaseError), transaction.atomic():
        LogEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM incidents_logentry")
    entry.refresh_from_db()
    assert entry.text.startswith("Incident declared")


def test_entries_need_text_a_manual_kind_and_a_responder(incident, carol, bob):
    with pytest.raises(ValidationError, match="Write what"):
        services.log_add(actor=carol, incident=incident, kind="decision", text="  ")
    with pytest.raises(ValidationError, match="Choose"):
        services.log_add(actor=carol, incident=incident, kind="escalation", text="Forged")
    with pytest.raises(PermissionDenied):
        services.log_add(actor=bob, incident=incident, kind="decision", text="Evacuate")
    entry = services.log_add(actor=carol, incident=incident, kind="decision", text="Evacuate")
    assert (entry.author, entry.author_name) == (carol, carol.get_full_name() or carol.email)


@pytest.mark.django_db(transaction=True)
def test_responders_writing_at_the_same_time_lose_no_entry(org_a, carol, alice, dave):
    approved_plan_with_people(org_a, carol, [alice, dave])
    incident = declare(carol, org_a)
    before = LogEntry.objects.filter(incident=incident).count()
    writers, per_writer = 4, 15
    barrier = threading.Barrier(writers)
    errors: list[Exception] = []

    def write(number: int) -> None:
        try:
            barrier.wait()
            for i in range(per_writer):
                services.log_add(
                    actor=carol, incident=incident, kind="message", text=f"writer {number} #{i}"
                )
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    texts = set(
        LogEntry.objects.filter(incident=incident, kind="message").values_list("text", flat=True)
    )
    assert texts == {f"writer {n} #{i}" for n in range(writers) for i in range(per_writer)}
    assert LogEntry.objects.filter(incident=incident).count() == before + writers * per_writer
