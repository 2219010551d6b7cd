from __future__ import annotations

from django.urls import path

from . import views

app_name = "incidents"

urlpatterns = [
    path("", views.incident_list, name="incident-list"),
    path("export.csv", views.incident_export, name="incident-export"),
    path("new/", views.incident_declare, name="incident-declare"),
    path("ocm/", views.ocm_board, name="ocm-board"),
    path("ocm/summary/", views.ocm_summary, name="ocm-summary"),
    path("ack/<uuid:public_id>/<str:token>/", views.acknowledge, name="ack"),
    path("calls/<uuid:public_id>/", views.call_update, name="call-update"),
    path("processes/<uuid:public_id>/", views.item_update, name="item-update"),
    path("vendors/<uuid:public_id>/", views.vendor_update, name="vendor-update"),
    path("actions/<uuid:public_id>/", views.action_update, name="action-update"),
    path("<uuid:public_id>/", views.incident_detail, name="incident-detail"),
    path("<uuid:public_id>/board/", views.incident_board, name="incident-board"),
    path("<uuid:public_id>/log/", views.log_add, name="log-add"),
    path("<uuid:public_id>/severity/", views.severity_change, name="severity-change"),
    path("<uuid:public_id>/stand-down/", views.incident_close, name="incident-close"),
    path("<uuid:public_id>/review/", views.review_edit, name="review"),
    path("<uuid:public_id>/review/actions/", views.action_create, name="action-create"),
    path("<uuid:public_id>/review/plan-draft/", views.plan_draft, name="plan-draft"),
    path("<uuid:public_id>/report.<str:fmt>", views.incident_report, name="report"),
]
