"""Root URLs. The permission matrix test (tests/test_permission_matrix.py) walks every one."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from health_check.views import HealthCheckView

from bcp.api import api as bcp_api
from organizations.search_views import search
from organizations.views import InvitationAcceptView, LoginView, home
from rollout.views import status_page

from .health import health_checks, live

admin.site.site_header = "BMMS administration"
admin.site.site_title = "BMMS admin"
admin.site.index_title = "Bangsamoro Ministries Management System"

urlpatterns = [
    path("", home, name="home"),
    path("search/", search, name="search"),
    path(
        "accounts/login/",
        LoginView.as_view(),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/invite/<uidb64>/<token>/",
        InvitationAcceptView.as_view(),
        name="invitation-accept",
    ),
    path("accounts/", include("accounts.urls")),
    path("org/", include("organizations.urls")),
    path("bcp/", include("bcp.urls")),
    path("incidents/", include("incidents.urls")),
    path("coordination/", include("coordination.urls")),
    path("notifications/", include("notifications.urls")),
    path("planning/", include("planning.urls")),
    path("budgeting/", include("budgeting.urls")),
    path("ocm/", include("ocm.urls")),
    path("rollout/", include("rollout.urls")),
    path("status/", status_page, name="status"),
    path("api/", bcp_api.urls),
    path("healthz/live/", live, name="healthz-live"),
    path("healthz/", HealthCheckView.as_view(checks=health_checks()), name="healthz"),
    path("admin/", admin.site.urls),
]
