"""The recovery board: times, clocks computed on the server, breaches, dependencies."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from incidents import selectors, services
from incidents.models import LogEntry, RecoveryItem

pytestmark = pytest.mark.django_db

MIN = datetime.timedelta(minutes=1)


def _item(incident, name):
    return incident.recovery_items.get(name=name)


def test_recovered_with_the_achieved_time_logged(incident, carol, now):
    item = services.item_update(
        actor=carol,
        item=_item(incident, "Payroll"),
        status="recovered",
        recovered_at=now + 20 * MIN,
        now=now + 25 * MIN,
    )
    assert item.elapsed_minutes(now + 999 * MIN) == 50  # stops at recovery
    entry = LogEntry.objects.filter(incident=incident, kind="status").last()
    assert "Payroll: recovered at" in entry.text
    assert "achieved 50 min; RTO 1 h met" in entry.text


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"status": "recovered"}, "Say when"),
        ({"status": "recovered", "recovered_at_offset": 90}, "cannot be in the future"),
        ({"status": "recovered", "recovered_at_offset": -40}, "before disrupted since"),
        ({"status": "workaround", "disrupted_offset": -45}, "before the incident started"),
        ({"status": "workaround", "disrupted_offset": 60}, "cannot be in the future"),
        ({"status": "gone"}, "Choose"),
    ],
)
def test_times_that_cannot_be_are_refused(incident, carol, now, kwargs, message):
    item = _item(incident, "Payroll")
    args = {"status": kwargs["status"]}
    if "recovered_at_offset" in kwargs:
        args["recovered_at"] = now + kwargs["recovered_at_offset"] * MIN
    if "disrupted_offset" in kwargs:
        args["disrupted_since"] = now + kwargs["disrupted_offset"] * MIN
    with pytest.raises(ValidationError, match=message):
        services.item_update(actor=carol, item=item, now=now, **args)
    item.refresh_from_db()
    assert (item.status, item.recovered_at) == ("disrupted", None)


def test_the_database_refuses_recovery_before_disruption(incident):
    item = _item(incident, "Payroll")
    with pytest.raises(IntegrityError), transaction.atomic():
        RecoveryItem.objects.filter(pk=item.pk).update(
            status="recovered", recovered_at=item.disrupted_since - MIN
        )


def test_viewers_cannot_update_the_board(incident, bob, now):
    with pytest.raises(PermissionDenied):
        services.item_update(actor=bob, item=_item(incident, "Payroll"), status="workaround")


def test_breaches_are_computed_from_the_server_clock(incident, now):
    # Started 30 minutes before `now`; Payroll RTO 1 h, MTPD 4 h.
    def breach_at(minutes_after_now):
        board = selectors.board(incident, now + minutes_after_now * MIN)
        return {r.item.name: (r.elapsed, r.breach) for r in board.items}

    assert breach_at(0)["Payroll"] == (30, "")
    assert breach_at(31)["Payroll"] == (61, "rto")
    assert breach_at(211)["Payroll"] == (241, "mtpd")
    assert breach_at(211)["Disbursement vouchers"] == (241, "rto")


def test_a_process_shows_the_dependencies_still_down(incident, carol, now):
    board = selectors.board(incident, now)
    waiting = {r.item.name: r.waiting_for for r in board.items}
    assert waiting["Disbursement vouchers"] == ["Payroll (process, disrupted)"]
    assert waiting["Payroll"] == []
    vendor = incident.vendor_statuses.get()
    services.vendor_set(actor=carol, vendor_status=vendor, is_down=True, now=now)
    board = selectors.board(incident, now)
    assert {r.item.name: r.waiting_for for r in board.items}["Payroll"] == [
        "Mindanao Telecom (vendor, down)"
    ]
    services.item_update(
        actor=carol, item=_item(incident, "Payroll"), status="recovered", recovered_at=now, now=now
    )
    board = selectors.board(incident, now)
    assert {r.item.name: r.waiting_for for r in board.items}["Disbursement vouchers"] == []


def test_the_board_reads_a_constant_number_of_queries(
    setup, org_a, carol, alice, dave, now, django_assert_num_queries
):
    from tests.incidents.factories import approved_plan_with_people, declare

    small = declare(carol, org_a, now=now)
    with django_assert_num_queries(6):
        selectors.board(small, now)
    approved_plan_with_people(org_a, carol, [alice, dave], title="Second plan")
    approved_plan_with_people(org_a, carol, [alice, dave], title="Third plan")
    large = declare(carol, org_a, now=now)
    assert large.recovery_items.count() == 3 * small.recovery_items.count()
    with django_assert_num_queries(6):
        selectors.board(large, now)
