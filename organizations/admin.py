"""Django admin for the organizations app. Admin changes are written to the audit log too."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from waffle.admin import FlagAdmin
from waffle.models import Flag

from core import audit

from . import api_tokens, services
from .models import (
    ApiToken,
    AuditLog,
    Department,
    ImportJob,
    JoinInvitation,
    Membership,
    ModuleFlagScope,
    OCMAccess,
    Organization,
    OutboxMessage,
    User,
)


class AuditedAdmin(admin.ModelAdmin):
    """Records every admin save and delete in the audit log, with before/after values."""

    def save_model(self, request, obj, form, change):
        before = None
        if change and obj.pk:
            before = audit.snapshot(type(obj).objects.get(pk=obj.pk))
        super().save_model(request, obj, form, change)
        action = f"{obj._meta.model_name}.admin_{'changed' if change else 'added'}"
        audit.record(
            actor=request.user,
            action=action,
            subject=obj,
            before=before,
            after=audit.snapshot(obj),
            organization=_organization_of(obj),
        )

    def delete_model(self, request, obj):
        audit.record(
            actor=request.user,
            action=f"{obj._meta.model_name}.admin_deleted",
            subject=obj,
            before=audit.snapshot(obj),
            organization=_organization_of(obj),
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


def _organization_of(obj):
    if isinstance(obj, Organization):
        return obj
    return getattr(obj, "organization", None)


@admin.register(Organization)
class OrganizationAdmin(AuditedAdmin):
    list_display = [
        "code",
        "name",
        "category",
        "attached_to",
        "is_pilot",
        "rollout_wave",
        "onboarding_status",
        "is_active",
    ]
    list_filter = ["category", "is_pilot", "rollout_wave", "onboarding_status", "is_active"]
    search_fields = ["code", "name", "acronym", "head_official"]
    autocomplete_fields = ["attached_to"]
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "code",
                    "name",
                    "acronym",
                    "category",
                    "attached_to",
                    "is_active",
                    "mandate",
                ]
            },
        ),
        (
            "Rollout",
            {
                "fields": [
                    "is_pilot",
                    "rollout_wave",
                    "onboarding_status",
                    "onboarding_date",
                    "go_live_date",
                ]
            },
        ),
        (
            "Head and contacts",
            {"fields": ["head_official", "head_title", "email", "phone", "address"]},
        ),
        ("Record", {"fields": ["created_at", "updated_at"]}),
    ]
    actions = ["move_to_training", "move_to_uat", "move_to_live"]

    def _move(self, request, queryset, status):
        for organization in queryset:
            services.organization_rollout_update(
                actor=request.user, organization=organization, onboarding_status=status
            )
        self.message_user(request, f"{queryset.count()} organization(s) moved.")

    @admin.action(description="Move to training")
    def move_to_training(self, request, queryset):
        self._move(request, queryset, Organization.OnboardingStatus.TRAINING)

    @admin.action(description="Move to user acceptance testing")
    def move_to_uat(self, request, queryset):
        self._move(request, queryset, Organization.OnboardingStatus.UAT)

    @admin.action(description="Move to live")
    def move_to_live(self, request, queryset):
        self._move(request, queryset, Organization.OnboardingStatus.LIVE)


@admin.register(Department)
class DepartmentAdmin(AuditedAdmin):
    list_display = ["name", "organization", "code", "head"]
    list_filter = ["organization__category", "organization"]
    search_fields = ["name", "code", "organization__code", "organization__name"]
    autocomplete_fields = ["organization"]
    list_select_related = ["organization"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["organization", "department"]
    fields = ["organization", "role", "department", "position", "is_primary"]


class OCMAccessInline(admin.StackedInline):
    model = OCMAccess
    extra = 0
    can_delete = True


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = [
        "email",
        "first_name",
        "last_name",
        "position",
        "is_active",
        "is_staff",
        "last_login",
    ]
    list_filter = [
        "is_active",
        "is_staff",
        "is_superuser",
        "memberships__organization__is_pilot",
        "memberships__role",
    ]
    search_fields = ["email", "first_name", "last_name", "memberships__organization__code"]
    readonly_fields = ["last_login", "date_joined", "public_id"]
    fieldsets = [
        (None, {"fields": ["email", "password", "public_id"]}),
        ("Person", {"fields": ["first_name", "last_name", "position", "phone"]}),
        (
            "Permissions",
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "first_name", "last_name", "password1", "password2"],
            },
        ),
    ]
    inlines = [MembershipInline, OCMAccessInline]


@admin.register(Membership)
class MembershipAdmin(AuditedAdmin):
    list_display = ["user", "organization", "role", "department", "is_primary"]
    list_filter = ["role", "is_primary", "organization__is_pilot", "organization"]
    search_fields = ["user__email", "user__first_name", "user__last_name", "organization__code"]
    autocomplete_fields = ["user", "organization", "department"]
    list_select_related = ["user", "organization", "department"]


@admin.register(OCMAccess)
class OCMAccessAdmin(AuditedAdmin):
    list_display = ["user", "level", "is_active", "also_member", "granted_at"]
    list_filter = ["level", "is_active", "also_member"]
    search_fields = ["user__email", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user"]
    list_select_related = ["user"]


@admin.register(JoinInvitation)
class JoinInvitationAdmin(admin.ModelAdmin):
    """Invitations to join are answered by the invitee and revoked by the organization's
    administrator in the portal; here they are only read."""

    list_display = ["email", "organization", "role", "status", "created_at", "expires_at"]
    list_filter = ["status", "role", "organization"]
    search_fields = ["email", "user__email", "organization__code"]
    list_select_related = ["organization"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    """Read-only: the audit log is append-only, in the admin as in the database."""

    list_display = [
        "created_at",
        "actor_email",
        "organization",
        "action",
        "subject_type",
        "subject_repr",
        "request_id",
    ]
    list_filter = ["action", "subject_type", "organization"]
    search_fields = ["actor_email", "action", "subject_repr", "subject_id", "request_id"]
    date_hierarchy = "created_at"
    list_select_related = ["organization"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ModuleFlagScopeInline(admin.StackedInline):
    model = ModuleFlagScope
    can_delete = False
    filter_horizontal = ["organizations", "excluded_organizations"]
    verbose_name_plural = "Module scope: organizations and rollout waves"


admin.site.unregister(Flag)


@admin.register(Flag)
class ModuleFlagAdmin(FlagAdmin):
    """Waffle's flag admin, with the module scope (organizations, waves, exclusions) inline."""

    inlines = [ModuleFlagScopeInline]


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = [
        "filename",
        "organization",
        "created_by",
        "status",
        "total_rows",
        "processed_rows",
        "created_at",
    ]
    list_filter = ["status", "organization"]
    search_fields = ["filename", "created_by__email", "organization__code"]
    list_select_related = ["organization", "created_by"]
    readonly_fields = [
        "public_id",
        "created_by",
        "organization",
        "filename",
        "status",
        "total_rows",
        "processed_rows",
        "errors",
        "result",
        "created_at",
        "finished_at",
        "content",
    ]

    def has_add_permission(self, request):
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """Background work waiting for the broker (normally empty or all sent)."""

    list_display = ["task_name", "created_at", "attempts", "sent_at", "last_error"]
    list_filter = [("sent_at", admin.EmptyFieldListFilter), "task_name"]
    readonly_fields = [
        "task_name",
        "args",
        "kwargs",
        "created_at",
        "attempts",
        "last_error",
        "sent_at",
    ]

    def has_add_permission(self, request):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued by `manage.py create_api_token` (shown once); here they are revoked."""

    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked"]
    list_filter = ["revoked"]
    search_fields = ["name", "user__email", "prefix"]
    exclude = ["token_sha256"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Revoke the selected API tokens")
    def revoke(self, request, queryset):
        for api_token in queryset.filter(revoked=False):
            api_tokens.api_token_revoke(actor=request.user, api_token=api_token)
        self.message_user(request, "The selected tokens are revoked.")
