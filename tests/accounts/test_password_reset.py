"""Issue 17 item 4: "Forgot password?" — no enumeration, rate limits, single-use short-lived
links that only the reset kind opens, every session ended, deactivated accounts left out."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from unittest import mock

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts import tokens
from accounts.models import UserSession
from organizations.invitations import invitation_link
from organizations.models import AuditLog
from tests.factories import UserFactory

RESET = "/accounts/password/forgot/"


@pytest.fixture(autouse=True)
def _fresh_limits():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def ask(client: Client, email: str, capture, ip: str = "10.1.1.1"):
    with capture(execute=True):
        return client.post(RESET, {"email": email}, REMOTE_ADDR=ip)


def link_in(message) -> str:
    match = re.search(r"https?://\S+/accounts/password/reset/\S+/", message.body)
    assert match, message.body
    return match.group(0).split("/accounts/", 1)[1]


def test_sign_in_page_offers_forgot_password(client, db):
    page = client.get(reverse("login")).content.decode()
    assert f'href="{RESET}"' in page and "Forgot your password?" in page


def test_reset_mail_goes_to_the_account_only_with_a_link(
    client, bob, django_capture_on_commit_callbacks
):
    response = ask(client, "  BOB@test.bmms ", django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response.url == reverse("accounts:reset-done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [bob.email]
    assert "reset your password" in message.subject
    assert "works once, for 60 minutes" in message.body
    assert "/accounts/password/reset/" in message.body


@pytest.mark.parametrize("who", ["existing", "unknown", "deactivated", "never_set"])
def test_same_answer_whatever_the_address(client, bob, who, django_capture_on_commit_callbacks):
    """Status, redirect, page and template are the same for every address; only the mail
    (sent in the background) differs."""
    if who == "deactivated":
        UserFactory(email="gone@test.bmms", is_active=False)
    if who == "never_set":
        user = UserFactory(email="new@test.bmms")
        user.set_unusable_password()
        user.save()
    email = {
        "existing": bob.email,
        "unknown": "nobody@test.bmms",
        "deactivated": "gone@test.bmms",
        "never_set": "new@test.bmms",
    }[who]
    response = ask(client, email, django_capture_on_commit_callbacks)
    assert (response.status_code, response.url) == (302, reverse("accounts:reset-done"))
    done = client.get(response.url)
    assert [t.name for t in done.templates][0] == "registration/password_reset_done.html"
    assert email not in done.content.decode()
    sent_to = [m.to for m in mail.outbox]
    if who == "existing":
        assert sent_to == [[bob.email]]
    elif who == "never_set":
        # never set a password: the set-your-password invitation comes again
        assert sent_to == [["new@test.bmms"]] and "set your password" in mail.outbox[0].subject
    else:
        assert sent_to == []  # unknown and deactivated accounts get nothing


def test_the_request_itself_never_looks_the_address_up(client, bob, django_assert_num_queries):
    """The web request does the same work for every address (no user query): the lookup is
    the background task's, so response time says nothing about the address."""
    with mock.patch("accounts.views.outbox.enqueue") as enqueue:
        with django_assert_num_queries(0):
            client.post(RESET, {"email": bob.email})
        with django_assert_num_queries(0):
            client.post(RESET, {"email": "nobody@test.bmms"})
    assert enqueue.call_count == 2


@pytest.mark.parametrize(
    "payload",
    [
        {"email": "not-an-address"},
        {"email": "a" * 300 + "@x.ph"},
        {"email": "x@y.ph'; DROP TABLE organizations_user;--"},
        {"email": "a@b.ph\nBcc: victim@x.ph"},
        {"email": "\x00@evil"},
        {},
    ],
)
def test_malicious_input_is_a_form_error_not_an_error_page(client, db, payload):
    response = client.post(RESET, payload)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="field-error"' in page and "Send me a reset link" in page
    assert mail.outbox == []


def test_per_address_limit_stops_mails_silently(
    client, bob, settings, django_capture_on_commit_callbacks
):
    settings.PASSWORD_RESET_PER_ADDRESS = 2
    for n in range(4):
        response = ask(client, bob.email, django_capture_on_commit_callbacks, ip=f"10.0.0.{n}")
        assert response.status_code == 302  # the same answer, past the limit too
    assert len(mail.outbox) == 2


def test_per_client_limit_answers_429_in_plain_words(
    client, bob, settings, django_capture_on_commit_callbacks
):
    settings.PASSWORD_RESET_PER_CLIENT = 3
    for n in range(3):
        assert ask(client, f"x{n}@test.bmms", django_capture_on_commit_callbacks).status_code == 302
    response = ask(client, bob.email, django_capture_on_commit_callbacks)
    assert response.status_code == 429
    assert "Too many reset requests from your network. Try again in" in response.content.decode()
    assert mail.outbox == []
    # another client is not affected
    assert (
        ask(client, bob.email, django_capture_on_commit_callbacks, ip="10.9.9.9").status_code == 302
    )
    assert len(mail.outbox) == 1


def test_per_client_limit_sees_the_real_client_behind_the_proxy(
    client, bob, settings, django_capture_on_commit_callbacks
):
    settings.PASSWORD_RESET_PER_CLIENT = 1
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(
            RESET, {"email": bob.email}, HTTP_X_FORWARDED_FOR="203.0.113.5", **proxy
        )
        other = client.post(
            RESET, {"email": bob.email}, HTTP_X_FORWARDED_FOR="203.0.113.6", **proxy
        )
        again = client.post(
            RESET, {"email": bob.email}, HTTP_X_FORWARDED_FOR="203.0.113.5", **proxy
        )
    assert (first.status_code, other.status_code, again.status_code) == (302, 302, 429)


def _reset_with(client: Client, path: str, password: str = "Fresh-Pass-2026!"):
    first = client.get("/accounts/" + path)
    assert first.status_code == 302  # Django moves the token into the session
    return client.post(first.url, {"new_password1": password, "new_password2": password})


def test_the_link_resets_once_ends_every_session_and_signs_in(
    client, bob, django_capture_on_commit_callbacks
):
    elsewhere = Client()
    elsewhere.force_login(bob)
    assert UserSession.objects.filter(user=bob).count() == 1
    ask(client, bob.email, django_capture_on_commit_callbacks)
    path = link_in(mail.outbox[0])
    response = _reset_with(client, path)
    assert response.status_code == 302 and response.url == reverse("home")
    bob.refresh_from_db()
    assert bob.check_password("Fresh-Pass-2026!")
    # the other browser is signed out, this one is signed in
    assert elsewhere.get(reverse("home")).status_code == 302
    assert client.get(reverse("home")).status_code == 200
    sessions = [s.get_decoded().get(SESSION_KEY) for s in Session.objects.all()]
    assert sessions.count(str(bob.pk)) == 1
    assert AuditLog.objects.filter(
        action="user.password_reset", subject_id=str(bob.public_id)
    ).exists()
    # single use: the same link again is refused, with a way forward
    again = Client().get("/accounts/" + path, follow=True)
    assert "This reset link no longer works" in again.content.decode()
    assert "Ask for a new link" in again.content.decode()


def test_the_link_expires_after_the_timeout(
    client, bob, settings, django_capture_on_commit_callbacks
):
    settings.PASSWORD_RESET_TIMEOUT = 3600
    ask(client, bob.email, django_capture_on_commit_callbacks)
    path = link_in(mail.outbox[0])
    later = datetime.now() + timedelta(seconds=3601)
    with mock.patch.object(tokens.reset_tokens, "_now", return_value=later):
        page = Client().get("/accounts/" + path, follow=True).content.decode()
    assert "This reset link no longer works" in page
    soon = datetime.now() + timedelta(seconds=3500)
    with mock.patch.object(tokens.reset_tokens, "_now", return_value=soon):
        assert _reset_with(Client(), path).status_code == 302


def test_a_deactivated_accounts_link_sets_nothing(client, bob, django_capture_on_commit_callbacks):
    ask(client, bob.email, django_capture_on_commit_callbacks)
    path = link_in(mail.outbox[0])
    bob.is_active = False
    bob.save()
    page = client.get("/accounts/" + path, follow=True).content.decode()
    assert "This reset link no longer works" in page
    bob.refresh_from_db()
    assert not bob.check_password("Fresh-Pass-2026!")


def test_reset_and_invitation_links_do_not_open_each_other(client, bob, settings):
    """An invitation link lives 7 days: it must not work as a reset link, nor the reverse."""
    uid_token = invitation_link(bob).split("/accounts/invite/", 1)[1]
    page = client.get(f"/accounts/password/reset/{uid_token}", follow=True).content.decode()
    assert "This reset link no longer works" in page
    from accounts.services import reset_link

    reset_path = reset_link(bob).split("/accounts/password/reset/", 1)[1]
    page = client.get(f"/accounts/invite/{reset_path}", follow=True).content.decode()
    assert "This invitation link no longer works" in page


@pytest.mark.parametrize(
    "path",
    [
        "password/reset/MQ/bad-token/",
        "password/reset/%00%00/x-y/",
        "password/reset/" + "A" * 500 + "/1-2/",
        "password/reset/ZGVsZXRl/zzzzzzzzzzzzzz-zzzzzzzzzz/",
    ],
)
def test_garbage_links_answer_the_expired_page(client, db, path):
    response = client.get("/accounts/" + path, follow=True)
    assert response.status_code == 200
    assert "This reset link no longer works" in response.content.decode()
