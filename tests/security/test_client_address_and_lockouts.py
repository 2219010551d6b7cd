"""Issue 16, class 7: behind the reverse proxy, lockouts and the audit log see the real client.

The client address comes from X-Forwarded-For only when the request came from a trusted proxy
(TRUSTED_PROXIES, TRUSTED_PROXY_COUNT); sign-in failures lock a username *and* client address
pair, with a much higher limit for one username from everywhere; organization administrators
see and clear their own members' lockouts."""

from __future__ import annotations

import logging

import pytest
from axes.models import AccessAttempt
from django.test import RequestFactory, override_settings
from django.urls import reverse

from core.client import client_ip
from organizations.models import AuditLog, Membership

pytestmark = pytest.mark.django_db

PROXY = "127.0.0.1"
BEHIND_PROXY = override_settings(TRUSTED_PROXIES=[PROXY], TRUSTED_PROXY_COUNT=1)
LOCKED_TEXT = "Too many failed sign-ins. Try again in 15 minutes."


def _request(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


# --- the one function that says who the client is ----------------------------------------------


@override_settings(TRUSTED_PROXIES=[], TRUSTED_PROXY_COUNT=1)
def test_without_trusted_proxies_the_header_is_ignored():
    assert client_ip(_request("203.0.113.7", "198.51.100.1")) == "203.0.113.7"


@BEHIND_PROXY
def test_through_the_trusted_proxy_the_client_is_the_address_the_proxy_appended():
    # The client forged "10.9.9.9"; the proxy appended the real address last.
    assert client_ip(_request(PROXY, "10.9.9.9, 203.0.113.7")) == "203.0.113.7"
    assert client_ip(_request(PROXY, "203.0.113.7")) == "203.0.113.7"
    # A direct connection from elsewhere cannot choose its address with the header.
    assert client_ip(_request("198.51.100.20", "203.0.113.7")) == "198.51.100.20"
    # The proxy itself, without a header (a health check): the proxy's address.
    assert client_ip(_request(PROXY)) == PROXY
    # Garbage in the header is never taken for an address.
    assert client_ip(_request(PROXY, "not-an-address")) == PROXY


@override_settings(TRUSTED_PROXIES=["10.0.0.0/8", PROXY], TRUSTED_PROXY_COUNT=2)
def test_two_proxies_in_a_row():
    # load balancer 10.0.0.5 → nginx on loopback → gunicorn
    assert client_ip(_request(PROXY, "6.6.6.6, 203.0.113.7, 10.0.0.5")) == "203.0.113.7"
    # Only TRUSTED_PROXY_COUNT hops are walked, whatever the client prepends.
    assert client_ip(_request(PROXY, "10.1.1.1, 10.0.0.5")) == "10.1.1.1"
    # A hop that is not a trusted proxy is the client.
    assert client_ip(_request(PROXY, "6.6.6.6, 203.0.113.7")) == "203.0.113.7"


@override_settings(TRUSTED_PROXIES=["not a network"])
def test_a_wrong_setting_is_refused_with_a_clear_message():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXIES"):
        client_ip(_request(PROXY, "203.0.113.7"))


# --- the audit log and the request log use it ---------------------------------------------------


@BEHIND_PROXY
def test_the_audit_log_records_the_real_client(client, alice):
    client.force_login(alice)
    response = client.post(
        reverse("organizations:department-create"),
        {"name": "Procurement", "code": "", "head": "", "description": ""},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.7",
    )
    assert response.status_code == 302
    entry = AuditLog.objects.get(action="department.created")
    assert entry.ip_address == "203.0.113.7"


@BEHIND_PROXY
def test_the_request_log_records_the_real_client(client, alice, caplog):
    client.force_login(alice)
    with caplog.at_level(logging.INFO, logger="bmms.request"):
        client.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.7")
    records = [r for r in caplog.records if r.name == "bmms.request"]
    assert records and records[-1].client_ip == "203.0.113.7"


# --- lockouts ----------------------------------------------------------------------------------


def _sign_in(client, email, password, address):
    return client.post(
        reverse("login"),
        {"username": email, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=address,
    )


@BEHIND_PROXY
def test_an_attacker_elsewhere_cannot_lock_a_user_out(client, alice):
    for _ in range(5):
        response = _sign_in(client, alice.email, "wrong", "203.0.113.66")
    assert response.status_code == 429
    page = response.content.decode()
    assert LOCKED_TEXT in page and "PT15M" not in page
    # The attacker stays locked out, even with the right password...
    assert _sign_in(client, alice.email, "pass-word-123", "203.0.113.66").status_code == 429
    # ... but alice, from her own address behind the same proxy, signs in.
    response = _sign_in(client, alice.email, "pass-word-123", "198.51.100.9")
    assert response.status_code == 302 and response.url == "/"


@BEHIND_PROXY
@override_settings(AXES_ACCOUNT_FAILURE_LIMIT=12)
def test_a_massive_attack_on_one_account_is_still_throttled(client, alice):
    # At most four failures from each of three addresses: below the per-address limit of five...
    for address, tries in (("203.0.113.1", 4), ("203.0.113.2", 4), ("203.0.113.3", 3)):
        for _ in range(tries):
            assert _sign_in(client, alice.email, "wrong", address).status_code == 200
    # ... but the twelfth for one account pauses sign-in from everywhere.
    assert _sign_in(client, alice.email, "wrong", "203.0.113.3").status_code == 429
    response = _sign_in(client, alice.email, "pass-word-123", "198.51.100.9")
    assert response.status_code == 429
    assert LOCKED_TEXT in response.content.decode()


@BEHIND_PROXY
def test_varying_the_case_of_the_address_counts_as_the_same_account(client, alice):
    for variant in ("alice@test.bmms", "ALICE@test.bmms", " Alice@Test.bmms", "aLiCe@test.bmms"):
        _sign_in(client, variant, "wrong", "203.0.113.66")
    response = _sign_in(client, "ALICE@TEST.BMMS", "wrong", "203.0.113.66")
    assert response.status_code == 429
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {"alice@test.bmms"}


# --- organization administrators see and clear their members' lockouts --------------------------


def _lock(client, email, address="203.0.113.66"):
    with BEHIND_PROXY:
        for _ in range(5):
            _sign_in(client, email, "wrong", address)


def test_an_org_admin_sees_and_clears_a_members_lockout(client, alice, bob, charlie):
    _lock(client, bob.email)
    _lock(client, charlie.email)
    client.force_login(alice)
    page = client.get(reverse("organizations:member-lockouts")).content.decode()
    assert bob.email in page and "203.0.113.66" in page
    assert charlie.email not in page  # another organization's member
    membership = Membership.objects.get(user=bob)
    response = client.post(
        reverse("organizations:member-unlock", args=[membership.public_id]), follow=True
    )
    assert response.status_code == 200
    assert f"Sign-in of {bob.email} is unlocked." in response.content.decode()
    assert not AccessAttempt.objects.filter(username=bob.email).exists()
    assert AccessAttempt.objects.filter(username=charlie.email).exists()
    entry = AuditLog.objects.get(action="user.unlocked")
    assert entry.actor == alice and entry.organization == membership.organization
    assert entry.before == {"failures": 5, "addresses": ["203.0.113.66"]}
    # bob signs in again at once.
    client.post(reverse("logout"))
    with BEHIND_PROXY:
        response = _sign_in(client, bob.email, "pass-word-123", "203.0.113.66")
    assert response.status_code == 302


def test_another_organizations_member_cannot_be_unlocked_and_a_viewer_cannot_unlock(
    client, alice, bob, charlie
):
    _lock(client, charlie.email)
    _lock(client, bob.email)
    client.force_login(alice)
    charlie_membership = Membership.objects.get(user=charlie)
    response = client.post(
        reverse("organizations:member-unlock", args=[charlie_membership.public_id])
    )
    assert response.status_code == 404
    assert AccessAttempt.objects.filter(username=charlie.email).exists()
    client.force_login(bob)
    assert client.get(reverse("organizations:member-lockouts")).status_code == 403
    bob_membership = Membership.objects.get(user=bob)
    assert (
        client.post(
            reverse("organizations:member-unlock", args=[bob_membership.public_id])
        ).status_code
        == 403
    )
    assert AccessAttempt.objects.filter(username=bob.email).exists()
