"""The project's URLs plus one deliberately unscoped view, to prove the matrix catches it."""

from __future__ import annotations

from django.urls import path

from config.urls import urlpatterns as project_urlpatterns
from tests.test_permission_matrix import _unscoped_department

#: URL names that are public on purpose (answer without signing in). A matrix sample marked
#: `public=True` whose name is not here fails tests/rollout/test_public_pages.py: making a page
#: public is a decision written down here, with a test of what the page reveals.
DELIBERATELY_PUBLIC = {
    "login",
    "logout",
    "healthz",
    "invitation-accept",
    "admin:login",
    "admin:logout",
    "api:api-root",
    # issue 22: the service status and the training-certificate check (tests/rollout)
    "status",
    "rollout:certificate-verify",
    # issue 19: a call-tree contact's one-time acknowledgment link (tests/incidents)
    "incidents:ack",
    # issue 23: the load balancer's liveness probe (no database, no session)
    "healthz-live",
    # issue 17: "Forgot password?" — asking for a link and using it (tests/accounts)
    "accounts:reset",
    "accounts:reset-done",
    "accounts:reset-confirm",
}

urlpatterns = [
    *project_urlpatterns,
    path("unscoped/<uuid:public_id>/", _unscoped_department, name="unscoped-department"),
]
