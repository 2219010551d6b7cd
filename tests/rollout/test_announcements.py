"""Announcements: the safe Markdown subset, audiences, who publishes, and a banner that costs
no query on a warm cache."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from organizations.models import AuditLog
from rollout import announcements, services
from rollout.markup import announcement_html
from rollout.models import Announcement

pytestmark = pytest.mark.django_db


def publish(actor, **kwargs):
    now = timezone.now()
    data = {
        "title": "Portal news",
        "body": "Read **this**.",
        "severity": "info",
        "audience": "everyone",
        "wave": None,
        "organization": None,
        "starts_at": now - datetime.timedelta(minutes=5),
        "ends_at": now + datetime.timedelta(hours=2),
    }
    data.update(kwargs)
    return services.announcement_create(actor=actor, **data)


# --- the Markdown subset --------------------------------------------------------------------


def test_a_script_tag_never_renders():
    html = announcement_html('<script>alert("x")</script> **bold** <img src=x onerror=alert(1)>')
    assert "<script" not in html and "<img" not in html and "onerror=alert(1)>" not in html
    assert "&lt;script&gt;" in html  # shown as text
    assert "<strong>bold</strong>" in html


def test_links_keep_safe_schemes_only():
    html = announcement_html("[ok](https://bmms.gov.ph) [bad](javascript:alert(1))")
    assert 'href="https://bmms.gov.ph"' in html
    assert 'href="javascript' not in html and html.count("<a ") == 1  # shown as text
    assert 'rel="noopener noreferrer"' in html


def test_headings_and_tables_are_not_in_the_subset():
    html = announcement_html("# Big\n\n| a |\n|---|\n| b |")
    assert "<h1>" not in html and "<table>" not in html


def test_script_in_an_announcement_never_reaches_a_page(root, alice, client):
    publish(root, title="<script>alert(1)</script>", body="<script>steal()</script>")
    client.force_login(alice)
    page = client.get(reverse("home")).content.decode()
    assert "<script>alert(1)</script>" not in page and "<script>steal()</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# --- audiences and publishers ---------------------------------------------------------------


def test_audiences_reach_the_right_people(root, alice, charlie, org_a, client):
    org_a.rollout_wave = 2
    org_a.save()
    publish(root, title="For everyone")
    publish(root, title="For wave two", audience="wave", wave=2)
    publish(root, title="For MOH", audience="organization", organization=org_a)
    client.force_login(alice)
    page = client.get(reverse("home")).content.decode()
    assert all(t in page for t in ("For everyone", "For wave two", "For MOH"))
    client.force_login(charlie)  # MOLE, another wave
    page = client.get(reverse("home")).content.decode()
    assert "For everyone" in page
    assert "For wave two" not in page and "For MOH" not in page


def test_past_and_future_announcements_are_not_in_the_banner(root, alice, client):
    now = timezone.now()
    publish(root, title="Over", starts_at=now - datetime.timedelta(days=2),
            ends_at=now - datetime.timedelta(days=1))  # fmt: skip
    publish(
        root,
        title="Upgrade window",
        severity="maintenance",
        starts_at=now + datetime.timedelta(days=2),
        ends_at=now + datetime.timedelta(days=2, hours=1),
    )
    client.force_login(alice)
    page = client.get(reverse("organizations:department-list")).content.decode()
    assert "Over" not in page and "Upgrade window" not in page  # not current
    home = client.get(reverse("home")).content.decode()
    assert "Planned maintenance" in home and "Upgrade window" in home  # shown ahead


def test_org_admins_publish_to_their_own_organization_only(alice, bob, org_a, org_b):
    publish(alice, audience="organization", organization=org_a)
    with pytest.raises(PermissionDenied):
        publish(alice)  # everyone
    with pytest.raises(PermissionDenied):
        publish(alice, audience="organization", organization=org_b)
    with pytest.raises(PermissionDenied):
        publish(bob, audience="organization", organization=org_a)
    assert Announcement.objects.count() == 1
    assert AuditLog.objects.filter(action="announcement.published").count() == 1


def test_inconsistent_audience_and_times_are_refused(root, org_a):
    now = timezone.now()
    with pytest.raises(ValidationError):
        publish(root, audience="wave", wave=None)
    with pytest.raises(ValidationError):
        publish(root, starts_at=now, ends_at=now - datetime.timedelta(hours=1))
    assert not Announcement.objects.exists()


def test_create_through_the_form_and_delete_with_confirmation(alice, org_a, client):
    client.force_login(alice)
    start = timezone.localtime() - datetime.timedelta(minutes=1)
    response = client.post(
        reverse("rollout:announcement-create"),
        {
            "title": "Team meeting",
            "body": "",
            "severity": "info",
            "audience": "organization",
            "organization": org_a.pk,
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + datetime.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    announcement = Announcement.objects.get()
    url = reverse("rollout:announcement-delete", kwargs={"public_id": announcement.public_id})
    assert "Yes, delete" in client.get(url).content.decode()
    assert Announcement.objects.exists()  # the GET only asks
    client.post(url)
    assert not Announcement.objects.exists()


def test_a_dismissed_announcement_leaves_the_banner_only(root, alice, client):
    shown = publish(root, title="Dismiss me")
    client.force_login(alice)
    url = reverse("organizations:department-list")
    assert "Dismiss me" in client.get(url).content.decode()
    client.cookies[announcements.DISMISS_COOKIE] = shown.public_id.hex[:12]
    assert "Dismiss me" not in client.get(url).content.decode()
    assert "Dismiss me" in client.get(reverse("home")).content.decode()  # still listed there


# --- the cost of the banner -----------------------------------------------------------------


PAGES = ["home", "organizations:department-list", "organizations:member-list"]


@pytest.mark.parametrize("name", PAGES)
def test_the_banner_adds_no_query_on_a_warm_cache(
    name, root, alice, client, django_assert_num_queries, django_assert_max_num_queries
):
    client.force_login(alice)
    url = reverse(name)
    client.get(url)  # warm
    with django_assert_max_num_queries(50) as without:
        page = client.get(url).content.decode()
    baseline = len(without)  # read now: the next capture resets Django's query log
    assert "Banner news" not in page and baseline > 0
    publish(root, title="Banner news")
    client.get(url)  # the first page after a change reads the list once
    with django_assert_num_queries(baseline):
        page = client.get(url).content.decode()
    assert "Banner news" in page


def test_the_cached_list_is_replaced_when_an_announcement_changes(root):
    first = publish(root, title="First")
    assert [a.title for a in announcements.all_relevant()] == ["First"]
    services.announcement_update(actor=root, announcement=first, title="Renamed")
    assert [a.title for a in announcements.all_relevant()] == ["Renamed"]
    services.announcement_delete(actor=root, announcement=Announcement.objects.get())
    assert announcements.all_relevant() == []


def test_a_cache_hit_queries_nothing(root, django_assert_num_queries):
    publish(root)
    announcements.all_relevant()
    with django_assert_num_queries(0):
        assert len(announcements.all_relevant()) == 1
