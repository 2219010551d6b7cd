"""The policy layer: every rule about an object beyond the role ladder, in one place.

In the manner of Zulip's `access_stream_*` and NetBox's restricted querysets, each kind of
object has one module here with its queryset scope and its object checks (may view / change /
submit / approve / review / export / share), asked by views, forms (choice querysets), services,
the API, the OCM aggregation and templates (a permissions object, `perms`, built by
`<kind>_permissions(user, obj)`):

- `base`: the role ladder asked of one object (`may`, `is_approver`, `members_who_may`);
- `segregation`: segregation of duties, one helper, one exception, one message;
- `planning`: strategic plans and annual work plans;
- `budgeting`: budget proposals, programs and their ledgers;
- `coordination`: partnerships (visibility, work, who writes for which organization);
- `bcp`: BC plans, versions, reviews and exports;
- `incidents`: incidents;
- `ocm`: what the Office of the Chief Minister reads (levels);
- `members`: an organization's people (members, invitations);
- `system`: system administration (superusers) and where `/` lands each person.

Tenancy (`core.tenancy`: `for_user`, `get_for_user_or_404`, `require`) stays the door
every row comes through; the modules here add the object's own state and the rules between
people. To add a kind (e.g. shared plans), add a module and re-export its entry points here.
"""

from __future__ import annotations

from .base import (
    is_approver,
    is_oversight,
    is_read_only,
    may,
    members_who_may,
    roles_allowing,
)
from .bcp import BCPlanPermissions, may_progress_corrective_action, require_may_decide_review
from .bcp import plan_permissions as bc_plan_permissions
from .budgeting import (
    LedgerPermissions,
    ProposalPermissions,
    ledger_permissions,
    may_close_year,
    may_create_proposal,
    may_edit_proposal,
    proposal_permissions,
)
from .coordination import (
    PartnershipPermissions,
    contributing_organization,
    may_answer_invitations,
    may_create_partnership,
    may_update_milestone,
    partnership_permissions,
    partnership_scope,
    sees_work,
    shared_with_ocm,
)
from .members import (
    MemberRefused,
    assignable_roles,
    last_admin_problem,
    may_manage_member,
    may_manage_members,
    may_see_members,
    member_refusal,
    people_scope,
    require_may_manage_member,
    role_refusal,
)
from .planning import (
    PlanPermissions,
    WorkPlanPermissions,
    may_create_plan,
    may_edit_plan,
    may_track_plan,
    plan_permissions,
    work_plan_permissions,
)
from .segregation import (
    ReviewerChoices,
    SegregationOfDuties,
    check_reviewers,
    check_segregation,
    contributor_ids,
    decide_refusal,
    may_decide,
    require_may_decide,
    reviewer_choices,
    reviewer_problem,
    segregation_message,
    segregation_problem,
)
from .sharing import (
    SHARE_PERMISSIONS,
    forget_shared_rights,
    grantee_problem,
    is_plan_member,
    may_review,
    may_review_as_shared,
    may_share,
    require_may_review,
    require_may_share,
    require_reviewer_role,
    shared_reviewers,
    shared_rights,
    sharing_open,
)
from .system import is_system_admin, landing, require_system_admin

__all__ = [
    "is_system_admin",
    "landing",
    "require_system_admin",
    "may_progress_corrective_action",
    "SHARE_PERMISSIONS",
    "forget_shared_rights",
    "grantee_problem",
    "is_plan_member",
    "may_review",
    "may_review_as_shared",
    "may_share",
    "require_may_review",
    "require_may_share",
    "require_reviewer_role",
    "shared_reviewers",
    "shared_rights",
    "sharing_open",
    "BCPlanPermissions",
    "bc_plan_permissions",
    "require_may_decide_review",
    "LedgerPermissions",
    "PartnershipPermissions",
    "PlanPermissions",
    "ProposalPermissions",
    "ReviewerChoices",
    "SegregationOfDuties",
    "WorkPlanPermissions",
    "check_reviewers",
    "check_segregation",
    "contributing_organization",
    "contributor_ids",
    "decide_refusal",
    "is_approver",
    "is_oversight",
    "is_read_only",
    "ledger_permissions",
    "may",
    "may_answer_invitations",
    "may_close_year",
    "may_create_partnership",
    "may_create_plan",
    "may_create_proposal",
    "may_decide",
    "may_edit_plan",
    "may_manage_members",
    "MemberRefused",
    "assignable_roles",
    "last_admin_problem",
    "may_manage_member",
    "member_refusal",
    "people_scope",
    "require_may_manage_member",
    "role_refusal",
    "may_see_members",
    "may_edit_proposal",
    "may_track_plan",
    "may_update_milestone",
    "members_who_may",
    "partnership_permissions",
    "partnership_scope",
    "plan_permissions",
    "proposal_permissions",
    "require_may_decide",
    "reviewer_choices",
    "reviewer_problem",
    "roles_allowing",
    "sees_work",
    "segregation_message",
    "segregation_problem",
    "shared_with_ocm",
    "work_plan_permissions",
]
