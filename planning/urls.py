from __future__ import annotations

from django.urls import path

from . import views

app_name = "planning"

urlpatterns = [
    path("", views.plan_list, name="plan-list"),
    path("export.csv", views.plan_export, name="plan-export"),
    path("new/", views.plan_create, name="plan-create"),
    path("<uuid:public_id>/", views.plan_detail, name="plan-detail"),
    path("<uuid:public_id>/edit/", views.plan_edit, name="plan-edit"),
    path("<uuid:public_id>/status/<slug:action>/", views.plan_transition, name="plan-transition"),
    path("<uuid:public_id>/goals/new/", views.goal_create, name="goal-create"),
    path("goals/<uuid:public_id>/", views.goal_row, name="goal-row"),
    path("goals/<uuid:public_id>/edit/", views.goal_edit, name="goal-edit"),
    path("goals/<uuid:public_id>/delete/", views.goal_delete, name="goal-delete"),
    path("<uuid:public_id>/work-plans/new/", views.work_plan_create, name="work-plan-create"),
    path("work-plans/<uuid:public_id>/", views.work_plan_detail, name="work-plan-detail"),
    path(
        "work-plans/<uuid:public_id>/objectives/new/",
        views.objective_create,
        name="objective-create",
    ),
    path("objectives/<uuid:public_id>/", views.objective_row, name="objective-row"),
    path("objectives/<uuid:public_id>/edit/", views.objective_edit, name="objective-edit"),
    path("objectives/<uuid:public_id>/delete/", views.objective_delete, name="objective-delete"),
]
