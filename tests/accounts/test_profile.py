"""Issue 17 item 4: the profile page — details, password change, signed-in sessions."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import UserSession
from accounts.sessions import describe_user_agent
from organizations.models import AuditLog

PROFILE = "/accounts/profile/"
CHROME_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0 Safari/537.36"
)
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
)


def sign_in(user, agent: str = CHROME_WINDOWS, ip: str = "10.2.3.4") -> Client:
    """Sign in through the real form, so the session is recorded as a browser would be."""
    client = Client(HTTP_USER_AGENT=agent, REMOTE_ADDR=ip)
    response = client.post(reverse("login"), {"username": user.email, "password": "pass-word-123"})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def test_profile_shows_and_saves_details(bob):
    client = sign_in(bob)
    page = client.get(PROFILE).content.decode()
    assert bob.email in page and "MOH · Viewer" in page and "Save my details" in page
    response = client.post(
        PROFILE,
        {"first_name": "Bobby", "last_name": "Reyes", "position": "Analyst", "phone": "+63 917 1"},
    )
    assert response.status_code == 302
    bob.refresh_from_db()
    assert (bob.first_name, bob.position, bob.phone) == ("Bobby", "Analyst", "+63 917 1")
    entry = AuditLog.objects.get(action="user.profile_updated")
    assert entry.after["position"] == "Analyst" and entry.actor_id == bob.pk


def test_profile_refuses_a_bad_phone_and_keeps_the_input(bob):
    client = sign_in(bob)
    response = client.post(
        PROFILE, {"first_name": "Bobby", "last_name": "R", "position": "", "phone": "<script>"}
    )
    page = response.content.decode()
    assert response.status_code == 200 and "Use digits, spaces" in page
    assert 'value="Bobby"' in page  # nothing lost
    bob.refresh_from_db()
    assert bob.first_name != "Bobby"


def test_profile_cannot_change_the_email_or_flags(bob):
    client = sign_in(bob)
    client.post(
        PROFILE,
        {
            "first_name": "B",
            "last_name": "R",
            "position": "",
            "phone": "",
            "email": "root@test.bmms",
            "is_superuser": "on",
            "is_staff": "on",
        },
    )
    bob.refresh_from_db()
    assert bob.email == "bob@test.bmms" and not bob.is_superuser and not bob.is_staff


def test_sessions_are_listed_with_browser_address_and_current(bob):
    phone = sign_in(bob, SAFARI_IPHONE, "10.9.9.9")
    desk = sign_in(bob)
    page = desk.get(PROFILE).content.decode()
    assert "Chrome on Windows" in page and "Safari on iPhone" in page
    assert "10.9.9.9" in page and "10.2.3.4" in page
    assert page.count("This browser") == 1
    assert phone.get(PROFILE).status_code == 200


def test_sign_out_everywhere_else_keeps_this_browser(bob, carol):
    phone = sign_in(bob, SAFARI_IPHONE)
    other_person = sign_in(carol)
    desk = sign_in(bob)
    response = desk.post(reverse("accounts:sign-out-elsewhere"), follow=True)
    assert "signed out of 1 other session" in response.content.decode()
    assert phone.get(PROFILE).status_code == 302  # back to sign in
    assert desk.get(PROFILE).status_code == 200
    assert other_person.get(PROFILE).status_code == 200  # someone else's session untouched
    assert list(UserSession.objects.filter(user=bob).values_list("user_agent", flat=True)) == [
        CHROME_WINDOWS
    ]
    assert AuditLog.objects.filter(action="user.signed_out_elsewhere", actor_id=bob.pk).exists()


def test_password_change_ends_other_sessions(bob):
    phone = sign_in(bob, SAFARI_IPHONE)
    desk = sign_in(bob)
    url = reverse("accounts:password-change")
    wrong = desk.post(
        url,
        {
            "old_password": "nope",
            "new_password1": "Fresh-Pass-2026!",
            "new_password2": "Fresh-Pass-2026!",
        },
    )
    assert (
        wrong.status_code == 200
        and "old password was entered incorrectly" in wrong.content.decode()
    )
    response = desk.post(
        url,
        {
            "old_password": "pass-word-123",
            "new_password1": "Fresh-Pass-2026!",
            "new_password2": "Fresh-Pass-2026!",
        },
        follow=True,
    )
    assert "Your password is changed" in response.content.decode()
    assert desk.get(PROFILE).status_code == 200
    assert phone.get(PROFILE).status_code == 302
    assert AuditLog.objects.filter(action="user.password_changed", actor_id=bob.pk).exists()


def test_preferences_link_only_when_the_page_exists(bob, monkeypatch):
    client = sign_in(bob)
    assert "Notification preferences" not in client.get(PROFILE).content.decode() or (
        _has_preferences()
    )
    monkeypatch.setattr("accounts.views._preferences_url", lambda: "/notifications/preferences/")
    assert 'href="/notifications/preferences/"' in client.get(PROFILE).content.decode()


def _has_preferences() -> bool:
    from django.urls import NoReverseMatch, reverse

    try:
        reverse("notifications:preferences")
    except NoReverseMatch:
        return False
    return True


def test_header_links_to_the_profile(bob):
    page = sign_in(bob).get(reverse("home")).content.decode()
    assert f'href="{PROFILE}"' in page


@pytest.mark.parametrize(
    ("agent", "expected"),
    [
        (CHROME_WINDOWS, "Chrome on Windows"),
        (SAFARI_IPHONE, "Safari on iPhone"),
        (
            "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
            "Firefox on Linux",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0) AppleWebKit Chrome/120 Safari/537.36 Edg/120.0",
            "Edge on Windows",
        ),
        ("", "Unknown browser"),
        ("curl/8.0", "Unknown browser"),
    ],
)
def test_user_agents_in_plain_words(agent, expected):
    assert describe_user_agent(agent) == expected


def test_an_ocm_user_may_change_their_own_account_only(olga, bob):
    """OCM access is read-only for organizations' data, not for one's own password."""
    client = sign_in(olga)
    response = client.post(
        PROFILE, {"first_name": "Olga", "last_name": "S", "position": "Analyst", "phone": ""}
    )
    assert response.status_code == 302
    olga.refresh_from_db()
    assert olga.position == "Analyst"
    assert client.post(reverse("accounts:sign-out-elsewhere")).status_code == 302
    assert client.post(reverse("organizations:department-create"), {"name": "X"}).status_code == 403
