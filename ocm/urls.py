from __future__ import annotations

from django.urls import path

from . import views

app_name = "ocm"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("organizations/<slug:code>/", views.organization_detail, name="organization-detail"),
    path("export/<slug:table>.csv", views.export_csv, name="export"),
    path("export/briefing.pdf", views.briefing_pdf, name="briefing"),
]
