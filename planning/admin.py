"""Admin of the planning app (superusers; rules that matter live in the services)."""

from __future__ import annotations

from django.contrib import admin

from .models import AnnualWorkPlan, StrategicGoal, StrategicPlan, WorkPlanObjective


@admin.register(StrategicPlan)
class StrategicPlanAdmin(admin.ModelAdmin):
    list_display = ["title", "organization", "start_year", "end_year", "status", "revision"]
    list_filter = ["status", "organization"]
    search_fields = ["title", "vision", "mission", "organization__code"]
    readonly_fields = ["public_id", "revision", "created_at", "updated_at"]


@admin.register(StrategicGoal)
class StrategicGoalAdmin(admin.ModelAdmin):
    list_display = ["title", "plan", "priority", "target_metric", "current_value", "target_value"]
    list_filter = ["priority", "plan__organization"]
    search_fields = ["title", "target_metric", "plan__title"]
    list_select_related = ["plan"]


@admin.register(AnnualWorkPlan)
class AnnualWorkPlanAdmin(admin.ModelAdmin):
    list_display = ["year", "plan", "title"]
    list_filter = ["year", "plan__organization"]
    search_fields = ["title", "plan__title"]
    list_select_related = ["plan"]


@admin.register(WorkPlanObjective)
class WorkPlanObjectiveAdmin(admin.ModelAdmin):
    list_display = ["title", "work_plan", "goal", "status", "current_value", "target_value"]
    list_filter = ["status", "work_plan__year"]
    search_fields = ["title", "indicator", "goal__title"]
    list_select_related = ["work_plan__plan", "goal"]
