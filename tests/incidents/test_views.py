"""The pages: declaring through the form, the polled board (ETag/304), buttons by role, the
OCM board, and query counts that do not grow with the rows."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.utils import timezone

from incidents import services
from incidents.models import Incident, LogEntry
from tests.incidents.factories import approved_plan_with_people, declare

pytestmark = pytest.mark.django_db


def _declare_data(dept, **overrides):
    data = {
        "title": "Typhoon Odette: roof damage",
        "kind": "natural_hazard",
        "severity": "major",
        "started_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "location": "Regional office",
        "description": "Roof torn off the records room.",
        "commander": "",
    }
    data.update(overrides)
    return data


def test_declaring_through_the_form(client, setup, carol, dept_a):
    client.force_login(carol)
    page = client.get("/incidents/new/")
    assert page.status_code == 200 and "Declare the incident" in page.content.decode()
    response = client.post("/incidents/new/", _declare_data(dept_a, commander=carol.pk))
    incident = Incident.objects.get()
    assert (
        response.status_code == 302 and response["Location"] == f"/incidents/{incident.public_id}/"
    )
    page = client.get(response["Location"])
    body = page.content.decode()
    assert "1 plan(s) activated, 2 contact(s) being notified." in body
    assert "Typhoon Odette: roof damage" in body and "Payroll" in body


def test_bad_input_saves_nothing_and_says_why(client, setup, carol, dept_a):
    client.force_login(carol)
    future = (timezone.localtime() + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        "/incidents/new/", _declare_data(dept_a, commander=carol.pk, started_at=future)
    )
    assert response.status_code == 200
    assert "cannot be in the future" in response.content.decode()
    assert Incident.objects.count() == 0 and LogEntry.objects.count() == 0


def test_an_exercise_is_flagged_on_its_pages(client, setup, carol, org_a, now):
    client.force_login(carol)
    page = client.get("/incidents/new/?exercise=1")
    assert "Kind of exercise" in page.content.decode()
    data = _declare_data(None, commander=carol.pk, exercise_kind="tabletop", title="Drill")
    response = client.post("/incidents/new/?exercise=1", data)
    incident = Incident.objects.get()
    assert incident.is_exercise and incident.exercise_kind == "tabletop"
    body = client.get(response["Location"]).content.decode()
    assert "exercise-banner" in body and "End the exercise" in body
    assert "Exercise" in client.get("/incidents/").content.decode()


def test_viewers_see_the_board_without_buttons(client, incident, bob, carol):
    client.force_login(bob)
    body = client.get(f"/incidents/{incident.public_id}/").content.decode()
    assert "Payroll" in body and "Record call" not in body and "Stand down" not in body
    assert "Add to the log" not in body
    client.force_login(carol)
    body = client.get(f"/incidents/{incident.public_id}/").content.decode()
    assert "Record call" in body and "Stand down" in body and "Add to the log" in body


@pytest.fixture
def frozen_minute():
    """The clocks on the board move every minute (a new ETag): hold the server's clock still so
    a test never straddles a minute."""
    fixed = timezone.now()
    with mock.patch("django.utils.timezone.now", return_value=fixed):
        yield fixed


def test_the_board_answers_304_while_nothing_changes(
    client, incident, carol, django_assert_num_queries, frozen_minute
):
    client.force_login(carol)
    url = f"/incidents/{incident.public_id}/board/"
    first = client.get(url)
    etag = first["ETag"]
    assert first.status_code == 200 and etag.startswith('W/"')
    assert first["Cache-Control"] == "private, no-cache"
    with django_assert_num_queries(1):  # the signed-in user; the rest from the cache
        again = client.get(url, headers={"if-none-match": etag})
    assert again.status_code == 304 and again["ETag"] == etag
    # An update appears at the next refresh: the token changed.
    services.log_add(actor=carol, incident=incident, kind="decision", text="Evacuate floor 2")
    changed = client.get(url, headers={"if-none-match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert "Evacuate floor 2" in changed.content.decode()


def test_the_board_clock_is_the_servers(client, incident, carol, now):
    client.force_login(carol)
    url = f"/incidents/{incident.public_id}/board/"
    # Started at now - 30 min; the server's clock says 95 minutes later → 2 h 5 min.
    with mock.patch("django.utils.timezone.now", return_value=now + datetime.timedelta(minutes=95)):
        body = client.get(url).content.decode()
    assert "2 h 5 min" in body and "RTO passed" in body
    with mock.patch(
        "django.utils.timezone.now", return_value=now + datetime.timedelta(minutes=215)
    ):
        body = client.get(url).content.decode()
    assert "4 h 5 min" in body and "MTPD passed" in body


def test_the_incident_page_costs_the_same_with_more_rows(
    client, setup, org_a, carol, alice, dave, now, django_assert_num_queries, frozen_minute
):
    from core import versioned_cache
    from incidents.selectors import board_namespace

    client.force_login(carol)
    small = declare(carol, org_a, now=now)
    approved_plan_with_people(org_a, carol, [alice, dave], title="Second plan")
    approved_plan_with_people(org_a, carol, [alice, dave], title="Third plan")
    large = declare(carol, org_a, now=now)
    assert large.recovery_items.count() == 3 * small.recovery_items.count()
    for incident in (small, large):
        url = f"/incidents/{incident.public_id}/"
        client.get(url)  # warm the tenancy profile
        versioned_cache.bump(board_namespace(incident.public_id))
        # Rendered: user, incident, activations, departments + the board's 6 queries.
        with django_assert_num_queries(10):
            assert client.get(url).status_code == 200
        # The board fragment from the cache (same token and minute): the page's 4.
        with django_assert_num_queries(4):
            assert client.get(url).status_code == 200


def test_forms_pages_and_post_actions(client, incident, carol, now):
    client.force_login(carol)
    aisah = incident.call_tree_entries.get(name="Aisah Usman")
    assert client.get(f"/incidents/calls/{aisah.public_id}/").status_code == 200
    response = client.post(f"/incidents/calls/{aisah.public_id}/", {"status": "acknowledged"})
    assert response.status_code == 302
    aisah.refresh_from_db()
    assert aisah.status == "acknowledged" and aisah.acknowledged_via == "phone"
    item = incident.recovery_items.get(name="Payroll")
    page = client.get(f"/incidents/processes/{item.public_id}/")
    assert page.status_code == 200 and "Recovered at" in page.content.decode()
    bad = client.post(
        f"/incidents/processes/{item.public_id}/",
        {
            "status": "recovered",
            "disrupted_since": timezone.localtime(item.disrupted_since).strftime("%Y-%m-%dT%H:%M"),
            "recovered_at": "",
        },
    )
    assert bad.status_code == 200 and "Say when the process was recovered" in bad.content.decode()
    response = client.post(
        f"/incidents/{incident.public_id}/severity/", {"severity": "critical", "reason": "Worse"}
    )
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.severity == "critical"
    response = client.post(f"/incidents/{incident.public_id}/log/", {"kind": "action", "text": ""})
    assert response.status_code == 302
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages[-1] == "The log entry was not saved: write what was decided, done or said."


def test_the_stand_down_asks_for_confirmation(client, incident, carol):
    client.force_login(carol)
    page = client.get(f"/incidents/{incident.public_id}/stand-down/")
    body = page.content.decode()
    assert "Stand down the incident?" in body and "Not recovered yet" in body
    assert "This cannot be undone" in body
    incident.refresh_from_db()
    assert incident.is_open
    response = client.post(f"/incidents/{incident.public_id}/stand-down/", {"summary": "Done"})
    assert response.status_code == 200  # processes still down: the reason is asked for
    assert "Say why you stand down anyway" in response.content.decode()
    response = client.post(
        f"/incidents/{incident.public_id}/stand-down/",
        {"summary": "Done", "open_processes_reason": "Workarounds hold."},
    )
    assert response.status_code == 302
    incident.refresh_from_db()
    assert not incident.is_open


def test_the_report_downloads_with_its_hash(client, incident, bob):
    import hashlib

    client.force_login(bob)  # viewers may read the report
    response = client.get(f"/incidents/{incident.public_id}/report.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["X-Content-SHA256"] == hashlib.sha256(response.content).hexdigest()
    assert client.get(f"/incidents/{incident.public_id}/report.txt").status_code == 404


def test_the_ocm_board_lists_every_organization(
    client, incident, olga, alice, org_b, charlie, now, django_assert_num_queries
):
    client.force_login(alice)
    assert client.get("/incidents/ocm/").status_code == 403
    client.force_login(olga)
    client.get("/incidents/ocm/")
    with django_assert_num_queries(3):  # user, incidents (with counts), their open processes
        page = client.get("/incidents/ocm/")
    body = page.content.decode()
    assert "Flood at the main office" in body and "MOH" in body
    assert "0 of 2 acknowledged" in body
    assert "Payroll" in body  # past its RTO: started 2 h 30 ago (fixture clock)
    # More incidents, in another organization too, and an exercise: the same three queries.
    declare(charlie, org_b, now=now, title="Road blocked by armed conflict", severity="critical")
    declare(charlie, org_b, now=now, title="Drill", is_exercise=True)
    with django_assert_num_queries(3):
        body = client.get("/incidents/ocm/").content.decode()
    assert body.index("Road blocked") < body.index("Flood at the main office")  # worst first
    assert body.index("Flood at the main office") < body.index("Exercises in progress")
    tile = client.get("/incidents/ocm/summary/").content.decode()
    assert "Open incidents (1 critical)" in tile
    assert 'href="/incidents/ocm/"' in client.get("/ocm/").content.decode()


def test_the_list_shows_the_current_organization_only(client, incident, charlie, carol):
    client.force_login(charlie)
    assert "Flood at the main office" not in client.get("/incidents/").content.decode()
    assert client.get(f"/incidents/{incident.public_id}/").status_code == 404
    client.force_login(carol)
    assert "Flood at the main office" in client.get("/incidents/").content.decode()


def test_the_continuity_module_switched_off_hides_incidents(client, incident, carol, org_a):
    from waffle.models import Flag

    Flag.objects.get(name="module.bcp").scope.excluded_organizations.add(org_a)
    client.force_login(carol)
    assert 'href="/incidents/"' not in client.get("/").content.decode()
    for url in (
        "/incidents/",
        "/incidents/new/",
        f"/incidents/{incident.public_id}/",
        f"/incidents/{incident.public_id}/board/",
        f"/incidents/processes/{incident.recovery_items.first().public_id}/",
    ):
        assert client.get(url).status_code == 404, url
