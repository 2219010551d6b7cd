"""What users see on the bcp pages: messages, locking conflicts, filters, diffs, readiness."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bcp import services
from bcp.models import CriticalProcess, Plan
from tests.bcp.factories import approve_plan, full_content, make_plan, make_ready

pytestmark = pytest.mark.django_db


def _draft_post(version, marker, revision):
    data = {"revision": revision, "change_note": "note"}
    for key, value in full_content(version.plan.template, marker).items():
        if isinstance(value, dict):
            for level, row in value.items():
                for cell, text in row.items():
                    data[f"{key}__{level}__{cell}"] = text
        else:
            data[key] = value
    return data


def test_plan_creation_from_the_departmental_template(login, carol, dept_a):
    client = login(carol)
    page = client.get(reverse("bcp:plan-create"))
    assert "Departmental BCM plan" in page.content.decode()
    response = client.post(
        reverse("bcp:plan-create"),
        {
            "title": "IT plan",
            "template": page.context["form"].fields["template"].initial,
            "department": dept_a.pk,
        },
        follow=True,
    )
    html = response.content.decode()
    assert "Plan “IT plan” created with a first draft." in html
    assert "Response and escalation matrix" in html and "30 minutes" in html
    again = client.post(
        reverse("bcp:plan-create"),
        {"title": "it PLAN", "template": page.context["form"].fields["template"].initial},
    )
    assert "already has a plan with that title" in again.content.decode()


def test_two_editors_on_one_draft_the_second_save_is_refused_and_keeps_its_text(
    login, plan, carol, alice, client
):
    version = plan.versions.get()
    url = reverse("bcp:version-edit", args=[version.public_id])
    client.force_login(alice)
    assert client.post(url, _draft_post(version, " ALICE", 1)).status_code == 302
    client.force_login(carol)
    response = client.post(url, _draft_post(version, " CAROL-UNSAVED", 1))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Someone else saved version 1" in html
    assert "CAROL-UNSAVED" in html  # the user's text is still in the form
    version.refresh_from_db()
    assert "ALICE" in version.content["testing"] and version.revision == 2


def test_htmx_draft_save_swaps_the_form_on_conflict_and_redirects_on_success(login, plan, carol):
    version = plan.versions.get()
    url = reverse("bcp:version-edit", args=[version.public_id])
    client = login(carol)
    ok = client.post(url, _draft_post(version, " one", 1), HTTP_HX_REQUEST="true")
    assert ok.status_code == 204 and ok["HX-Redirect"].endswith("#sections")
    stale = client.post(url, _draft_post(version, " two", 1), HTTP_HX_REQUEST="true")
    html = stale.content.decode()
    assert html.lstrip().startswith("<form") and "Someone else saved" in html


def test_process_form_shows_rule_messages(login, plan, carol):
    url = reverse("bcp:process-create", args=[plan.public_id])
    base = {
        "name": "Payroll",
        "priority": 1,
        "impact_rating": "high",
        "impact_1h": 0,
        "impact_4h": 0,
        "impact_8h": 0,
        "impact_24h": 0,
        "impact_72h": 0,
    }
    html = login(carol).post(url, {**base, "rto_minutes": 500, "mtpd_minutes": 60}).content.decode()
    assert "The RTO cannot be longer than the MTPD" in html
    html = login(carol).post(url, {**base, "impact_1h": 4, "impact_4h": 2}).content.decode()
    assert "cannot decrease over time" in html
    html = login(carol).post(url, {**base, "rpo_minutes": -5}).content.decode()
    assert "A duration cannot be negative" in html
    html = login(carol).post(url, {**base, "rto_minutes": "soon"}).content.decode()
    assert "“soon” is not a duration" in html
    html = login(carol).post(url, {**base, "mbco_percent": 150}).content.decode()
    assert "between 0 and 100" in html
    assert not CriticalProcess.objects.exists()
    response = login(carol).post(url, {**base, "rto_minutes": 30, "mtpd_minutes": 60}, follow=True)
    assert "Process “Payroll” added." in response.content.decode()


def test_recovery_times_are_typed_and_shown_as_people_say_them(login, plan, carol):
    """Issue 21: "4h", "1 d", "2 weeks" in the form; minutes in the database; "1 d" on the page."""
    url = reverse("bcp:process-create", args=[plan.public_id])
    data = {
        "name": "Payroll",
        "priority": 1,
        "impact_rating": "high",
        **{f"impact_{h}": 0 for h in ("1h", "4h", "8h", "24h", "72h")},
        "rto_minutes": "4h",
        "rpo_minutes": "90",
        "mtpd_minutes": "1 d",
    }
    response = login(carol).post(url, data, follow=True)
    process = CriticalProcess.objects.get(name="Payroll")
    assert (process.rto_minutes, process.rpo_minutes, process.mtpd_minutes) == (240, 90, 1440)
    html = response.content.decode()
    assert '<td class="num">4 h</td><td class="num">1 h 30 min</td><td class="num">1 d</td>' in html
    edit = login(carol).get(reverse("bcp:process-edit", args=[process.public_id]))
    assert 'value="1 d"' in edit.content.decode()
    assert "Type it as you would say it" in edit.content.decode()  # the help text shows


def test_dependency_warning_is_shown_after_saving(login, plan, carol):
    slow = services.process_create(
        actor=carol, plan=plan, name="Network", rto_minutes=600, mtpd_minutes=900
    )
    url = reverse("bcp:process-create", args=[plan.public_id])
    data = {
        "name": "Payroll",
        "priority": 1,
        "impact_rating": "high",
        "impact_1h": 0,
        "impact_4h": 0,
        "impact_8h": 0,
        "impact_24h": 0,
        "impact_72h": 0,
        "rto_minutes": 60,
        "mtpd_minutes": 120,
        "depends_on": [slow.pk],
    }
    html = login(carol).post(url, data, follow=True).content.decode()
    assert "depends on “Network”, whose RTO is 10 h" in html


def test_review_flow_through_the_pages(login, plan, carol, dave, alice, client):
    version = plan.versions.get()
    client.force_login(carol)
    response = client.post(
        reverse("bcp:version-submit", args=[version.public_id]),
        {"reviewers": [dave.pk, alice.pk]},
        follow=True,
    )
    assert "sent to" in response.content.decode()
    client.force_login(dave)
    queue = client.get(reverse("bcp:review-queue")).content.decode()
    assert plan.title in queue
    review = version.reviews.get(reviewer=dave)
    url = reverse("bcp:review-decide", args=[review.public_id])
    html = client.post(url, {"decision": "changes_requested", "notes": ""}).content.decode()
    assert "Say what needs to change." in html
    client.post(url, {"decision": "changes_requested", "notes": "Add the generator."})
    html = client.get(reverse("bcp:plan-detail", args=[plan.public_id])).content.decode()
    assert "Add the generator." in html and "Changes requested" in html


def test_version_diff_shows_both_sides(approved_plan, carol, login):
    v2 = services.version_create_draft(
        actor=carol,
        plan=approved_plan,
        content=full_content(approved_plan.template, " With a generator."),
        change_note="v2",
    )
    url = reverse("bcp:version-diff", args=[approved_plan.public_id]) + "?a=1&b=2"
    html = login(carol).get(url).content.decode()
    assert "Version 1 compared with version 2" in html
    assert "<ins>Testing: what we do. With a generator.</ins>" in html
    assert "<del>Testing: what we do.</del>" in html
    assert v2.version_number == 2


def test_acknowledge_button_and_list_of_who_has_not(approved_plan, login, bob, carol):
    url = reverse("bcp:plan-detail", args=[approved_plan.public_id])
    html = login(bob).get(url).content.decode()
    assert "I have read and understood version 1" in html
    assert str(carol) in html  # listed as not acknowledged
    ack = reverse("bcp:version-acknowledge", args=[approved_plan.current_version.public_id])
    html = login(bob).post(ack, follow=True).content.decode()
    assert "you acknowledged version 1" in html
    html = login(bob).post(ack, follow=True).content.decode()
    assert "You already acknowledged version 1" in html


def test_readiness_lists_findings_then_turns_green(plan, carol, dave, alice, bob, login):
    url = reverse("bcp:plan-readiness", args=[plan.public_id])
    html = login(carol).get(url).content.decode()
    for finding in (
        "No approved version",
        "No critical processes",
        "No emergency contacts",
        "No exercise in the last 12 months",
    ):
        assert finding in html
    services.process_create(actor=carol, plan=plan, name="Intake")  # no RTO/MTPD
    assert "Process “Intake” has no RTO or no MTPD." in login(carol).get(url).content.decode()
    CriticalProcess.objects.filter(name="Intake").delete()
    make_ready(plan, carol)
    approve_plan(plan, carol, [dave, alice])
    html = login(carol).get(url).content.decode()
    assert "member(s) have not acknowledged the active version 1" in html
    for user in (alice, bob, carol, dave):
        services.acknowledgment_record(
            actor=user, version=Plan.objects.get(pk=plan.pk).current_version
        )
    html = login(carol).get(url).content.decode()
    assert "Ready: nothing an auditor would flag" in html
    Plan.objects.filter(pk=plan.pk).update(
        next_review_date=timezone.localdate() - datetime.timedelta(days=1)
    )
    assert "Review overdue since" in login(carol).get(url).content.decode()


def test_plan_list_filters_and_constant_queries(
    org_a, carol, dave, alice, dept_a, login, django_assert_num_queries
):
    approved = approve_plan(
        make_plan(org_a, carol, title="Approved", department=dept_a), carol, [dave]
    )
    make_plan(org_a, carol, title="Drafty")
    client = login(carol)
    url = reverse("bcp:plan-list")
    html = client.get(url, {"status": "approved"}).content.decode()
    assert "Approved" in html and "Drafty" not in html
    html = client.get(url, {"department": str(dept_a.public_id)}).content.decode()
    assert "Approved" in html and "Drafty" not in html
    html = client.get(url, {"overdue": "true"}).content.decode()
    assert "Drafty" in html and ">Approved</a>" not in html
    assert approved.next_review_date is not None

    client.get(url)  # warm the session and the shell's caches
    with CaptureQueriesContext(connection) as small:
        client.get(url)  # the list fragment from the cache: user and pending reviews
    assert len(small.captured_queries) == 2
    for n in range(8):  # each a write that makes the cached list stale
        make_plan(org_a, carol, title=f"Extra {n}")
    with CaptureQueriesContext(connection) as stale:
        assert "Extra 7" in client.get(url).content.decode()
    stale_count = len(stale.captured_queries)  # read now: each request resets the log
    assert stale_count <= 12
    make_plan(org_a, carol, title="One more")
    with django_assert_num_queries(stale_count):  # as many with 11 plans as with 10
        client.get(url)


def test_plan_page_query_count_does_not_grow_with_rows(
    approved_plan, carol, login, django_assert_num_queries
):
    make_ready(approved_plan, carol)
    client = login(carol)
    url = reverse("bcp:plan-detail", args=[approved_plan.public_id])
    client.get(url)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    small_count = len(small.captured_queries)  # read now: each request resets the log
    for n in range(5):
        services.process_create(
            actor=carol, plan=approved_plan, name=f"P{n}", rto_minutes=5, mtpd_minutes=10
        )
        services.risk_create(
            actor=carol, plan=approved_plan, threat=f"R{n}", likelihood=2, impact=3
        )
    client.get(url)
    with django_assert_num_queries(small_count):
        client.get(url)


def test_heat_map_counts_risks_in_their_cell(plan, carol, login):
    services.risk_create(actor=carol, plan=plan, threat="Flood", likelihood=5, impact=5)
    services.risk_create(actor=carol, plan=plan, threat="Fire", likelihood=5, impact=5)
    html = login(carol).get(reverse("bcp:plan-detail", args=[plan.public_id])).content.decode()
    assert 'title="Likelihood 5 × impact 5">2</td>' in html


def test_escalation_matrix_is_shown_from_minor_to_critical(plan, carol, login):
    html = login(carol).get(reverse("bcp:plan-detail", args=[plan.public_id])).content.decode()
    positions = [
        html.index(f'<th scope="row">{level}</th>')
        for level in ("Minor", "Moderate", "Major", "Critical")
    ]
    assert positions == sorted(positions)


def test_contact_without_alternate_is_flagged(plan, carol, login):
    services.contact_create(actor=carol, plan=plan, name="Lone", role="Lead", phone="1")
    html = login(carol).get(reverse("bcp:plan-readiness", args=[plan.public_id])).content.decode()
    assert "Contact Lone has no alternate." in html
