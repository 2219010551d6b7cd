from __future__ import annotations

from django.urls import path

from . import views

app_name = "coordination"

urlpatterns = [
    path("", views.partnership_list, name="partnership-list"),
    path("export.csv", views.partnership_export, name="partnership-export"),
    path("new/", views.partnership_create, name="partnership-create"),
    path("<uuid:public_id>/", views.partnership_detail, name="partnership-detail"),
    path("<uuid:public_id>/edit/", views.partnership_edit, name="partnership-edit"),
    path("<uuid:public_id>/invite/", views.participant_invite, name="participant-invite"),
    path("<uuid:public_id>/milestones/new/", views.milestone_create, name="milestone-create"),
    path("<uuid:public_id>/comments/", views.comment_create, name="comment-create"),
    path(
        "participants/<uuid:public_id>/withdraw/",
        views.participant_withdraw,
        name="participant-withdraw",
    ),
    path("milestones/<uuid:public_id>/edit/", views.milestone_edit, name="milestone-edit"),
    path("invitations/", views.invitation_inbox, name="invitation-inbox"),
    path("invitations/<uuid:public_id>/accept/", views.invitation_accept, name="invitation-accept"),
    path(
        "invitations/<uuid:public_id>/decline/",
        views.invitation_decline,
        name="invitation-decline",
    ),
]
