from __future__ import annotations

from django.urls import path

from . import views

app_name = "budgeting"

urlpatterns = [
    path("", views.proposal_list, name="proposal-list"),
    path("export.csv", views.proposal_export, name="proposal-export"),
    path("new/", views.proposal_create, name="proposal-create"),
    path("<uuid:public_id>/", views.proposal_detail, name="proposal-detail"),
    path("<uuid:public_id>/edit/", views.proposal_edit, name="proposal-edit"),
    path("<uuid:public_id>/submit/", views.proposal_submit, name="proposal-submit"),
    path("<uuid:public_id>/review/", views.proposal_review, name="proposal-review"),
    path("<uuid:public_id>/approve/", views.proposal_approve, name="proposal-approve"),
    path("<uuid:public_id>/return/", views.proposal_return, name="proposal-return"),
    path("<uuid:public_id>/programs/new/", views.program_create, name="program-create"),
    path("programs/<uuid:public_id>/edit/", views.program_edit, name="program-edit"),
    path("programs/<uuid:public_id>/delete/", views.program_delete, name="program-delete"),
    path("programs/<uuid:public_id>/lines/", views.program_items, name="program-items"),
    path("programs/<uuid:public_id>/lines/new/", views.line_item_create, name="line-item-create"),
    path("lines/<uuid:public_id>/edit/", views.line_item_edit, name="line-item-edit"),
    path("lines/<uuid:public_id>/delete/", views.line_item_delete, name="line-item-delete"),
    path("execution/", views.execution_dashboard, name="execution-dashboard"),
    path("programs/<uuid:public_id>/ledger/", views.program_ledger, name="program-ledger"),
    path("programs/<uuid:public_id>/ledger.csv", views.ledger_export, name="ledger-export"),
    path(
        "programs/<uuid:public_id>/allotments/new/",
        views.allotment_create,
        name="allotment-create",
    ),
    path("allotments/<uuid:public_id>/cancel/", views.allotment_cancel, name="allotment-cancel"),
    path(
        "allotments/<uuid:public_id>/obligations/new/",
        views.obligation_create,
        name="obligation-create",
    ),
    path(
        "obligations/<uuid:public_id>/cancel/",
        views.obligation_cancel,
        name="obligation-cancel",
    ),
    path(
        "obligations/<uuid:public_id>/pay/",
        views.disbursement_create,
        name="disbursement-create",
    ),
    path(
        "obligations/<uuid:public_id>/adjust/",
        views.obligation_adjust,
        name="obligation-adjust",
    ),
    path(
        "obligations/<uuid:public_id>/delivery/",
        views.obligation_deliver,
        name="obligation-deliver",
    ),
    path("reports/saaodb/", views.report, {"kind": "saaodb"}, name="saaodb"),
    path(
        "reports/saaodb.xlsx", views.report, {"kind": "saaodb", "fmt": "xlsx"}, name="saaodb-xlsx"
    ),
    path("reports/saaodb.pdf", views.report, {"kind": "saaodb", "fmt": "pdf"}, name="saaodb-pdf"),
    path("reports/far1a/", views.report, {"kind": "far1a"}, name="far1a"),
    path("reports/far1a.xlsx", views.report, {"kind": "far1a", "fmt": "xlsx"}, name="far1a-xlsx"),
    path("reports/far1a.pdf", views.report, {"kind": "far1a", "fmt": "pdf"}, name="far1a-pdf"),
    path("reports/raod/<str:allotment_class>/", views.registry, name="raod"),
    path(
        "reports/raod/<str:allotment_class>.xlsx",
        views.registry,
        {"fmt": "xlsx"},
        name="raod-xlsx",
    ),
    path("reports/raod/<str:allotment_class>.pdf", views.registry, {"fmt": "pdf"}, name="raod-pdf"),
    path("year-end/", views.year_end, name="year-end"),
    path(
        "payments/<uuid:public_id>/<slug:action>/",
        views.disbursement_status,
        name="disbursement-status",
    ),
]
