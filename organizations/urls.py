from __future__ import annotations

from django.urls import path

from . import people_views, system_views, views

app_name = "organizations"

urlpatterns = [
    path("switch/", views.switch_organization, name="switch"),
    path("directory/", views.organization_list, name="organization-list"),
    path("directory/<slug:code>/", views.organization_detail, name="organization-detail"),
    path("departments/", views.department_list, name="department-list"),
    path("departments/new/", views.department_create, name="department-create"),
    path("departments/<uuid:public_id>/edit/", views.department_edit, name="department-edit"),
    path("departments/<uuid:public_id>/delete/", views.department_delete, name="department-delete"),
    path("members/", views.member_list, name="member-list"),
    path("members/<uuid:public_id>/edit/", views.member_edit, name="member-edit"),
    path("members/new/", people_views.member_add, name="member-add"),
    path(
        "members/<uuid:public_id>/deactivate/",
        people_views.member_deactivate,
        name="member-deactivate",
    ),
    path(
        "members/deactivated/", people_views.member_deactivated_list, name="member-deactivated-list"
    ),
    path(
        "members/deactivated/<uuid:public_id>/reactivate/",
        people_views.member_reactivate,
        name="member-reactivate",
    ),
    path("members/export.csv", views.member_export, name="member-export"),
    path("members/lockouts/", views.member_lockouts, name="member-lockouts"),
    path("members/<uuid:public_id>/unlock/", views.member_unlock, name="member-unlock"),
    path("members/<uuid:public_id>/invite/", views.member_invite, name="member-invite"),
    path("members/import/", views.user_import, name="user-import"),
    path("members/import/<uuid:public_id>/", views.user_import_job, name="user-import-job"),
    path(
        "members/import/<uuid:public_id>/commit/",
        views.user_import_commit,
        name="user-import-commit",
    ),
    path("members/invitations/", views.invitation_list, name="invitation-list"),
    path(
        "members/invitations/<uuid:public_id>/revoke/",
        views.invitation_revoke,
        name="invitation-revoke",
    ),
    path("invitations/", views.my_invitations, name="my-invitations"),
    path("invitations/<uuid:public_id>/accept/", views.invitation_accept, name="invitation-accept"),
    path(
        "invitations/<uuid:public_id>/decline/",
        views.invitation_decline,
        name="invitation-decline",
    ),
    path("audit/", views.audit_log, name="audit-log"),
    path("audit/export.csv", views.audit_log_export, name="audit-log-export"),
    path("rollout/", views.rollout, name="rollout"),
    path("system/", system_views.system_overview, name="system-overview"),
    path("system/modules/", system_views.module_switch_list, name="module-switches"),
    path(
        "system/modules/<slug:module>/waves/<int:wave>/<slug:state>/",
        system_views.module_wave_switch,
        name="module-wave-switch",
    ),
    path(
        "system/modules/<slug:module>/<slug:code>/<slug:state>/",
        system_views.module_switch,
        name="module-switch",
    ),
    path("rollout/<slug:code>/", views.rollout_edit, name="rollout-edit"),
]
