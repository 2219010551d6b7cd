"""Issue 16, class 9: a deactivated account's invitation link sets nothing; the API schema is for
signed-in users (session or API token) only."""

from __future__ import annotations

import re

import pytest

from bcp import services as bcp_services
from organizations import importing
from organizations.invitations import invitation_link
from organizations.models import User

pytestmark = pytest.mark.django_db

HEADER = "email,first_name,last_name,organization,role,department,position,phone"


def _path(link: str) -> str:
    return re.sub(r"^https?://[^/]+", "", link)


def test_a_deactivated_users_outstanding_invitation_link_does_not_set_a_password(client, alice):
    importing.commit(f"{HEADER}\nnew.nurse@moh.gov.ph,Amina,Usman,MOH,viewer,,,\n", alice)
    user = User.objects.get(email="new.nurse@moh.gov.ph")
    path = _path(invitation_link(user))
    # The administrator deactivates the account before the link is used.
    user.is_active = False
    user.save(update_fields=["is_active"])

    response = client.get(path, follow=True)
    page = response.content.decode()
    assert "no longer works" in page
    assert "Choose the password" not in page
    # Posting a password to the link (or to the token-less form URL) changes nothing.
    uid = path.split("/")[3]
    for url in (path, f"/accounts/invite/{uid}/set-password/"):
        client.post(url, {"new_password1": "Sulu-Sea-2026!", "new_password2": "Sulu-Sea-2026!"})
    user.refresh_from_db()
    assert not user.has_usable_password()
    assert not user.check_password("Sulu-Sea-2026!")


def test_an_active_users_link_still_works(client, alice):
    importing.commit(f"{HEADER}\nnew.nurse@moh.gov.ph,Amina,Usman,MOH,viewer,,,\n", alice)
    user = User.objects.get(email="new.nurse@moh.gov.ph")
    response = client.get(_path(invitation_link(user)), follow=True)
    assert "Choose the password" in response.content.decode()


def test_the_openapi_schema_answers_only_signed_in_users(client, carol):
    response = client.get("/api/openapi.json")
    assert response.status_code == 401
    assert response.json()["detail"].startswith("Authentication required")
    assert "paths" not in response.json()

    # A wrong token is refused too.
    response = client.get("/api/openapi.json", HTTP_AUTHORIZATION="Bearer nonsense")
    assert response.status_code == 401

    # A personal API token is enough (API clients read the schema with it)...
    token = bcp_services.api_token_create(actor=carol, user=carol, name="docs")[1]
    response = client.get("/api/openapi.json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200 and "paths" in response.json()

    # ... and so is the portal session.
    client.force_login(carol)
    assert "paths" in client.get("/api/openapi.json").json()
