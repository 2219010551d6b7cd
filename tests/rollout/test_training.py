"""Training: places and the waiting list, enrolment rights, attendance, certificates that read
back from the PDF, verify publicly, and are revoked when attendance is corrected."""

from __future__ import annotations

import datetime
import io

import pdfplumber
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from rollout import services
from rollout.models import Certificate, Enrolment, TrainingSession
from tests.factories import MembershipFactory
from tests.rollout.factories import make_session

pytestmark = pytest.mark.django_db


def member(user):
    return user.memberships.get()


def test_full_session_waitlists_and_a_cancellation_promotes(root, alice, bob, carol, dave):
    session = make_session(root, capacity=2)
    first = services.enrolment_create(actor=alice, session=session, membership=member(alice))
    services.enrolment_create(actor=bob, session=session, membership=member(bob))
    third = services.enrolment_create(actor=carol, session=session, membership=member(carol))
    fourth = services.enrolment_create(actor=dave, session=session, membership=member(dave))
    assert (third.status, fourth.status) == ("waitlisted", "waitlisted")
    promoted = services.enrolment_cancel(actor=alice, enrolment=first)
    assert promoted == third  # first come, first served
    assert Enrolment.objects.filter(session=session, status="enrolled").count() == 2
    with pytest.raises(ValidationError):  # already on the list
        services.enrolment_create(actor=bob, session=session, membership=member(bob))


def test_who_enrols_whom(root, alice, bob, charlie):
    session = make_session(root)
    services.enrolment_create(actor=alice, session=session, membership=member(bob))  # her staff
    with pytest.raises(PermissionDenied):
        services.enrolment_create(actor=alice, session=session, membership=member(charlie))
    with pytest.raises(PermissionDenied):
        services.enrolment_create(actor=bob, session=session, membership=member(alice))


def test_audience_role_and_closed_sessions(root, bob, carol):
    session = make_session(root, role="editor")
    with pytest.raises(ValidationError, match="Editor only"):
        services.enrolment_create(actor=bob, session=session, membership=member(bob))
    services.enrolment_create(actor=carol, session=session, membership=member(carol))
    held = make_session(root, days=-1)
    with pytest.raises(ValidationError, match="started"):
        services.enrolment_create(actor=carol, session=held, membership=member(carol))


def test_only_the_team_schedules_and_bad_sessions_are_refused(root, alice):
    start = timezone.now() + datetime.timedelta(days=1)
    data = {
        "title": "x",
        "module": "bcp",
        "audience_role": "",
        "starts_at": start,
        "ends_at": start + datetime.timedelta(hours=2),
        "venue": "Hall",
        "online_link": "",
        "capacity": 10,
        "trainer": alice,
    }
    with pytest.raises(PermissionDenied):
        services.training_session_create(actor=alice, **data)
    with pytest.raises(ValidationError):
        services.training_session_create(actor=root, **{**data, "venue": ""})  # nowhere
    with pytest.raises(ValidationError):
        services.training_session_create(actor=root, **{**data, "ends_at": start})
    services.training_session_create(actor=root, **data)
    assert TrainingSession.objects.count() == 1


def enrolled_and_started(root, users):
    session = make_session(root)
    enrolments = [
        services.enrolment_create(actor=u, session=session, membership=member(u)) for u in users
    ]
    TrainingSession.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - datetime.timedelta(hours=1)
    )
    session.refresh_from_db()
    return session, enrolments


def test_attendance_before_the_start_is_refused(root, carol):
    session = make_session(root)
    enrolment = services.enrolment_create(actor=carol, session=session, membership=member(carol))
    with pytest.raises(ValidationError):
        services.attendance_record(actor=root, session=session, marks={enrolment.pk: True})


def test_only_the_trainer_takes_attendance(root, alice, carol):
    session, (enrolment,) = enrolled_and_started(root, [carol])
    with pytest.raises(PermissionDenied):
        services.attendance_record(actor=alice, session=session, marks={enrolment.pk: True})


def test_certificate_reads_back_and_verifies(root, carol, client):
    session, (enrolment,) = enrolled_and_started(root, [carol])
    assert services.attendance_record(actor=root, session=session, marks={enrolment.pk: True}) == {
        "issued": 1,
        "revoked": 0,
    }
    certificate = Certificate.objects.get()
    assert len(certificate.code) == 39 and certificate.code.count("-") == 7  # 128 bits, hex
    client.force_login(carol)
    response = client.get(
        reverse("rollout:certificate-download", kwargs={"public_id": enrolment.public_id})
    )
    assert response["Content-Type"] == "application/pdf"
    with pdfplumber.open(io.BytesIO(response.content)) as pdf:
        text = pdf.pages[0].extract_text()
    assert "Certificate of attendance" in text
    assert str(carol) in text and session.title in text and certificate.code in text
    client.logout()
    verify = reverse("rollout:certificate-verify")
    page = client.get(verify, {"code": certificate.code.lower()}).content.decode()
    assert "Valid certificate." in page and str(carol) in page
    assert carol.email not in page  # nothing beyond name, organization, training, date


def test_correcting_attendance_revokes_and_a_new_code_is_issued(root, carol, client):
    session, (enrolment,) = enrolled_and_started(root, [carol])
    services.attendance_record(actor=root, session=session, marks={enrolment.pk: True})
    old = Certificate.objects.get().code
    assert services.attendance_record(actor=root, session=session, marks={enrolment.pk: False}) == {
        "issued": 0,
        "revoked": 1,
    }
    verify = reverse("rollout:certificate-verify")
    assert "Revoked." in client.get(verify, {"code": old}).content.decode()
    client.force_login(carol)
    download = reverse("rollout:certificate-download", kwargs={"public_id": enrolment.public_id})
    assert client.get(download).status_code == 404
    services.attendance_record(actor=root, session=session, marks={enrolment.pk: True})
    new = Certificate.objects.get(revoked_at__isnull=True).code
    assert new != old
    assert "Revoked." in client.get(verify, {"code": old}).content.decode()
    assert "Valid certificate." in client.get(verify, {"code": new}).content.decode()


def test_unknown_codes_are_not_found(client, db):
    page = client.get(
        reverse("rollout:certificate-verify"), {"code": "0000-0000-0000-0000-0000-0000-0000-0000"}
    ).content.decode()
    assert "Not found." in page


def test_attendance_page_marks_and_the_list_shows_it(root, carol, dave, client):
    session, (e1, e2) = enrolled_and_started(root, [carol, dave])
    client.force_login(root)
    url = reverse("rollout:training-attendance", kwargs={"public_id": session.public_id})
    client.post(url, {"present": [str(e1.public_id)]})
    e1.refresh_from_db()
    e2.refresh_from_db()
    assert (e1.attended, e2.attended) == (True, False)
    assert Certificate.objects.filter(enrolment=e1).exists()
    assert not Certificate.objects.filter(enrolment=e2).exists()


def test_training_list_is_paginated(root, alice, client, settings):
    settings.PAGE_SIZE = 2
    for n in range(3):
        make_session(root, title=f"Session {n}", days=n + 1)
    client.force_login(alice)
    page = client.get(reverse("rollout:training-list")).content.decode()
    assert "Session 0" in page and "Session 2" not in page and "Page 1 of 2" in page


def test_org_admin_enrols_through_the_page(root, alice, org_a, client):
    staff = MembershipFactory(organization=org_a)
    session = make_session(root)
    client.force_login(alice)
    client.post(
        reverse("rollout:training-enrol", kwargs={"public_id": session.public_id}),
        {"membership": str(staff.public_id)},
    )
    assert Enrolment.objects.get().user == staff.user
