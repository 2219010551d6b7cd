from __future__ import annotations

from django.urls import path

from . import views

app_name = "rollout"

urlpatterns = [
    path("", views.my_rollout, name="mine"),
    path("board/", views.board, name="board"),
    path("board/<slug:code>/", views.board_organization, name="board-organization"),
    path("announcements/", views.announcement_list, name="announcement-list"),
    path("announcements/new/", views.announcement_create, name="announcement-create"),
    path(
        "announcements/<uuid:public_id>/edit/",
        views.announcement_edit,
        name="announcement-edit",
    ),
    path(
        "announcements/<uuid:public_id>/delete/",
        views.announcement_delete,
        name="announcement-delete",
    ),
    path("feedback/", views.feedback_list, name="feedback-list"),
    path("feedback/new/", views.feedback_create, name="feedback-create"),
    path("feedback/<uuid:public_id>/", views.feedback_detail, name="feedback-detail"),
    path(
        "feedback/<uuid:public_id>/screenshot/",
        views.feedback_screenshot,
        name="feedback-screenshot",
    ),
    path("uat/", views.uat_list, name="uat-list"),
    path("uat/start/<slug:module>/", views.uat_start, name="uat-start"),
    path("uat/<uuid:public_id>/", views.uat_run, name="uat-run"),
    path("uat/<uuid:public_id>/sign-off/", views.uat_sign_off, name="uat-sign-off"),
    path("training/", views.training_list, name="training-list"),
    path("training/new/", views.training_create, name="training-create"),
    path("training/<uuid:public_id>/", views.training_detail, name="training-detail"),
    path("training/<uuid:public_id>/enrol/", views.training_enrol, name="training-enrol"),
    path(
        "training/<uuid:public_id>/attendance/",
        views.training_attendance,
        name="training-attendance",
    ),
    path("enrolments/<uuid:public_id>/cancel/", views.enrolment_cancel, name="enrolment-cancel"),
    path(
        "enrolments/<uuid:public_id>/certificate.pdf",
        views.certificate_download,
        name="certificate-download",
    ),
    path("certificates/verify/", views.certificate_verify, name="certificate-verify"),
    path("help/", views.help_index, name="help-index"),
    path("help/<slug:slug>/", views.help_page, name="help-page"),
]
