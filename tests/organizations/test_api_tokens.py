"""API tokens live in organizations (any app's API can use them) and authenticate in a
middleware in front of the portal's own: current organization and OCM read-only rule."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.backends.cache import SessionStore
from django.test import Client
from django.test.client import RequestFactory

from bcp import models as bcp_models
from core.middleware import BearerTokenMiddleware, CurrentOrganizationMiddleware
from organizations import api_tokens
from organizations.models import ApiToken
from tests.bcp.factories import make_plan

pytestmark = pytest.mark.django_db


def _token(user) -> str:
    return api_tokens.api_token_create(actor=user, user=user, name="t")[1]


def test_the_model_moved_with_its_table_and_content_type():
    assert ApiToken._meta.app_label == "organizations"
    assert ApiToken._meta.db_table == "bcp_apitoken"
    assert bcp_models.ApiToken is ApiToken  # the old import path still works
    assert ContentType.objects.get_for_model(ApiToken).app_label == "organizations"
    assert not ContentType.objects.filter(app_label="bcp", model="apitoken").exists()


def test_a_token_request_gets_the_portals_current_organization(carol, org_a):
    """The middleware stack after the token is the portal's: the primary membership's
    organization becomes the current one, as for a session without a choice."""
    token = _token(carol)
    request = RequestFactory().get(
        "/api/bcm-plans/departments", HTTP_AUTHORIZATION=f"Bearer {token}"
    )

    request.user = AnonymousUser()
    request.session = SessionStore()
    seen = {}

    def view(req):
        seen["user"], seen["organization"] = req.user, req.organization
        return "ok"

    stack = BearerTokenMiddleware(CurrentOrganizationMiddleware(view))
    assert stack(request) == "ok"
    assert seen == {"user": carol, "organization": org_a}
    assert request.api_token_auth and not request.session.modified


def test_a_token_counts_on_the_api_only(carol, org_a):
    client = Client(headers={"Authorization": f"Bearer {_token(carol)}"})
    response = client.get("/bcp/")
    assert response.status_code == 302 and "/login" in response["Location"]
    assert client.get("/api/bcm-plans/departments").status_code == 200


def test_an_ocm_session_write_on_the_api_is_refused_in_the_apis_shape(olga, org_a, carol):
    plan = make_plan(org_a, carol)
    client = Client()
    client.force_login(olga)
    response = client.post(
        f"/api/bcm-plans/department/{plan.public_id}/generate", content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json() == {"detail": "OCM access is read-only."}


def test_a_refused_token_answers_401_before_any_view(carol):
    client = Client(headers={"Authorization": "Bearer bmms_nothing"})
    response = client.get("/api/bcm-plans/departments")
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid API token."}
    assert response["WWW-Authenticate"] == 'Bearer realm="bmms"'
