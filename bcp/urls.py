from __future__ import annotations

from django.urls import path

from . import views

app_name = "bcp"

urlpatterns = [
    path("", views.plan_list, name="plan-list"),
    path("new/", views.plan_create, name="plan-create"),
    path("reviews/", views.review_queue, name="review-queue"),
    path("reviews/<uuid:public_id>/", views.review_decide, name="review-decide"),
    # The BC programme cycle (issue 18): the organization's pages, then objects'.
    path("coverage/", views.coverage_board, name="coverage"),
    path("compare/", views.compare, name="compare"),
    path("exercises/", views.exercise_calendar, name="exercise-calendar"),
    path("campaigns/", views.campaign_list, name="campaign-list"),
    path("campaigns/new/", views.campaign_create, name="campaign-create"),
    path("campaigns/<uuid:public_id>/", views.campaign_detail, name="campaign-detail"),
    path("exercises/<uuid:public_id>/edit/", views.exercise_edit, name="exercise-edit"),
    path(
        "exercises/<uuid:public_id>/conduct/",
        views.exercise_conduct,
        name="exercise-conduct",
    ),
    path("exercises/<uuid:public_id>/cancel/", views.exercise_cancel, name="exercise-cancel"),
    path(
        "exercises/<uuid:public_id>/actions/new/",
        views.action_create,
        name="action-create",
    ),
    path("actions/<uuid:public_id>/", views.action_edit, name="action-edit"),
    path(
        "<uuid:public_id>/exercises/schedule/",
        views.exercise_schedule,
        name="exercise-schedule",
    ),
    path("vendors/", views.vendor_list, name="vendor-list"),
    path("vendors/new/", views.vendor_create, name="vendor-create"),
    path("vendors/<uuid:public_id>/edit/", views.vendor_edit, name="vendor-edit"),
    path("vendors/<uuid:public_id>/delete/", views.vendor_delete, name="vendor-delete"),
    path("generation/<uuid:public_id>/", views.generation_detail, name="generation-detail"),
    path("exports/verify/", views.export_verify, name="export-verify"),
    path("exports/<uuid:public_id>/", views.export_detail, name="export-detail"),
    path("exports/<uuid:public_id>/download/", views.export_download, name="export-download"),
    path("versions/<uuid:public_id>/", views.version_detail, name="version-detail"),
    path("versions/<uuid:public_id>/export/", views.version_export, name="version-export"),
    path("versions/<uuid:public_id>/text/", views.version_text, name="version-text"),
    path("versions/<uuid:public_id>/edit/", views.version_edit, name="version-edit"),
    path("versions/<uuid:public_id>/submit/", views.version_submit, name="version-submit"),
    path(
        "versions/<uuid:public_id>/acknowledge/",
        views.version_acknowledge,
        name="version-acknowledge",
    ),
    path("processes/<uuid:public_id>/edit/", views.process_edit, name="process-edit"),
    path("processes/<uuid:public_id>/delete/", views.process_delete, name="process-delete"),
    path("risks/<uuid:public_id>/edit/", views.risk_edit, name="risk-edit"),
    path("risks/<uuid:public_id>/delete/", views.risk_delete, name="risk-delete"),
    path("contacts/<uuid:public_id>/edit/", views.contact_edit, name="contact-edit"),
    path("contacts/<uuid:public_id>/delete/", views.contact_delete, name="contact-delete"),
    path("exercises/<uuid:public_id>/", views.exercise_detail, name="exercise-detail"),
    path(
        "attachments/<uuid:public_id>/download/",
        views.attachment_download,
        name="attachment-download",
    ),
    path("attachments/<uuid:public_id>/delete/", views.attachment_delete, name="attachment-delete"),
    path("<uuid:public_id>/", views.plan_detail, name="plan-detail"),
    path("<uuid:public_id>/edit/", views.plan_edit, name="plan-edit"),
    path("<uuid:public_id>/generate/", views.plan_generate, name="plan-generate"),
    path("<uuid:public_id>/archive/", views.plan_archive, name="plan-archive"),
    path("<uuid:public_id>/readiness/", views.plan_readiness, name="plan-readiness"),
    path("<uuid:public_id>/versions/", views.version_list, name="version-list"),
    path("<uuid:public_id>/versions/diff/", views.version_diff, name="version-diff"),
    path("<uuid:public_id>/versions/new/", views.version_create, name="version-create"),
    path("<uuid:public_id>/processes/new/", views.process_create, name="process-create"),
    path("<uuid:public_id>/risks/new/", views.risk_create, name="risk-create"),
    path("<uuid:public_id>/contacts/new/", views.contact_create, name="contact-create"),
    path("<uuid:public_id>/exercises/new/", views.exercise_create, name="exercise-create"),
    path("<uuid:public_id>/attachments/new/", views.attachment_upload, name="attachment-upload"),
    path("<uuid:public_id>/changes/new/", views.changelog_create, name="changelog-create"),
]
