"""The acknowledgment link: no sign-in, one row, one use, expires with the incident, reveals
nothing, cannot be guessed."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.db import connection

from incidents import services, tokens
from incidents.models import CallTreeEntry, LogEntry

pytestmark = pytest.mark.django_db


def _link(address: str) -> str:
    message = next(m for m in mail.outbox if m.to == [address])
    return re.search(r"https?://\S+/incidents/ack/\S+/", message.body).group(0)


def _path(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def test_the_emailed_link_acknowledges_without_signing_in(incident, client):
    path = _path(_link("aisah@example.gov.ph"))
    page = client.get(path)
    assert page.status_code == 200
    assert "I acknowledge" in page.content.decode()
    assert page["Cache-Control"] == "no-store" and page["Referrer-Policy"] == "same-origin"
    entry = CallTreeEntry.objects.get(incident=incident, name="Aisah Usman")
    assert entry.status == "notified"  # GET writes nothing (link scanners, previews)
    done = client.post(path)
    assert done.status_code == 200 and "thank you" in done.content.decode()
    entry.refresh_from_db()
    assert (entry.status, entry.acknowledged_via) == ("acknowledged", "link")
    assert LogEntry.objects.filter(
        incident=incident, text="Aisah Usman acknowledged (link)."
    ).exists()


def test_the_link_works_once(incident, client):
    path = _path(_link("aisah@example.gov.ph"))
    client.post(path)
    again = client.post(path)
    assert again.status_code == 200 and "Already acknowledged" in again.content.decode()
    assert (
        LogEntry.objects.filter(incident=incident, text__contains="acknowledged (link)").count()
        == 1
    )


def test_a_token_acknowledges_only_its_own_row(incident, client):
    aisah = CallTreeEntry.objects.get(incident=incident, name="Aisah Usman")
    bai = CallTreeEntry.objects.get(incident=incident, name="Bai Guiamel")
    forged = f"/incidents/ack/{bai.public_id}/{tokens.ack_token(aisah)}/"
    response = client.post(forged)
    assert response.status_code == 404
    bai.refresh_from_db()
    aisah.refresh_from_db()
    assert bai.status == aisah.status == "notified"


def test_a_wrong_token_reveals_nothing(incident, client):
    aisah = CallTreeEntry.objects.get(incident=incident, name="Aisah Usman")
    token = tokens.ack_token(aisah)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    for path in (
        f"/incidents/ack/{aisah.public_id}/{tampered}/",
        f"/incidents/ack/{aisah.public_id}/x/",
        "/incidents/ack/00000000-0000-0000-0000-000000000000/x/",
    ):
        for response in (client.get(path), client.post(path)):
            body = response.content.decode()
            assert response.status_code == 404
            assert "Flood" not in body and "Aisah" not in body and "MOH" not in body
    aisah.refresh_from_db()
    assert aisah.status == "notified"


def test_the_link_expires_when_the_incident_is_stood_down(incident, client, carol, now):
    path = _path(_link("aisah@example.gov.ph"))
    services.incident_close(
        actor=carol,
        incident=incident,
        summary="Water receded.",
        open_processes_reason="Drill ended early",
        now=now,
    )
    assert client.get(path).status_code == 404
    assert client.post(path).status_code == 404
    assert CallTreeEntry.objects.get(incident=incident, name="Aisah Usman").status == "notified"


def test_tokens_are_long_random_and_never_stored(incident):
    rows = list(CallTreeEntry.objects.filter(incident=incident, status="notified"))
    made = [tokens.ack_token(r) for r in rows]
    assert len(set(made)) == len(made)
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{43}", t) for t in made)  # 256 bits
    assert all(len(r.ack_nonce) == 64 for r in rows)  # 256 random bits behind each
    with connection.cursor() as cursor:
        cursor.execute("SELECT row_to_json(t)::text FROM incidents_calltreeentry t")
        stored = " ".join(row[0] for row in cursor.fetchall())
        cursor.execute("SELECT row_to_json(t)::text FROM incidents_notification t")
        stored += " ".join(row[0] for row in cursor.fetchall())
    assert not any(t in stored for t in made)


def test_a_standby_row_has_no_working_link_until_it_is_called(incident, client):
    omar = CallTreeEntry.objects.get(incident=incident, name="Omar Sema")
    assert omar.ack_nonce == ""
    assert (
        client.post(f"/incidents/ack/{omar.public_id}/{tokens.ack_token(omar)}/").status_code == 404
    )
