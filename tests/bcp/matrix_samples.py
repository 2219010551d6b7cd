"""Permission-matrix samples for every URL of the bcp app (attachment download included)."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.utils import timezone

from bcp import services
from bcp.models import Export, GenerationJob, Plan
from bcp.services import sharing, strategies
from tests.bcp.factories import PDF_BYTES, approve_plan, make_plan
from tests.matrix import Sample


def _k(name: str):
    return lambda w: {"public_id": w[name].public_id}


def _obj(name: str, write: bool = False, ok: tuple[int, ...] = (200,)) -> Sample:
    return Sample(kwargs=_k(name), foreign=True, write=write, ok=ok)


def _draft_body(world: dict) -> dict:
    draft = world["bcp_draft"]
    return {"content": draft.content, "revision": draft.revision}


def _api(name: str, kwarg: str, **options: Any) -> Sample:
    """A JSON API URL naming an org-A object: anonymous → 401, charlie → 404."""
    options.setdefault("anon_status", 401)
    return Sample(kwargs=lambda w: {kwarg: w[name].public_id}, foreign=True, **options)


SAMPLES: dict[str, Sample] = {
    "bcp:plan-list": Sample(),
    "bcp:plan-export": Sample(),
    "bcp:plan-create": Sample(write=True),
    "bcp:review-queue": Sample(),
    "bcp:review-decide": _obj("bcp_review", write=True),
    "bcp:vendor-list": Sample(),
    "bcp:vendor-create": Sample(write=True),
    "bcp:vendor-edit": _obj("bcp_vendor", write=True),
    "bcp:vendor-delete": _obj("bcp_vendor", write=True),
    "bcp:version-detail": _obj("bcp_active"),
    "bcp:version-edit": _obj("bcp_draft", write=True),
    "bcp:version-submit": _obj("bcp_draft", write=True),
    # Every member may acknowledge (viewers too), so it is not a "write" of the matrix.
    "bcp:version-acknowledge": _obj("bcp_active", ok=(405,)),
    "bcp:process-edit": _obj("bcp_process", write=True),
    "bcp:process-delete": _obj("bcp_process", write=True),
    "bcp:risk-edit": _obj("bcp_risk", write=True),
    "bcp:risk-delete": _obj("bcp_risk", write=True),
    "bcp:contact-edit": _obj("bcp_contact", write=True),
    "bcp:contact-delete": _obj("bcp_contact", write=True),
    "bcp:exercise-detail": _obj("bcp_exercise"),
    # Issue 18: the programme cycle. Organization pages use the current organization.
    "bcp:coverage": Sample(),
    "bcp:compare": Sample(),
    "bcp:exercise-calendar": Sample(),
    "bcp:campaign-list": Sample(),
    "bcp:campaign-create": Sample(write=True),
    "bcp:campaign-detail": _obj("bcp_campaign"),
    "bcp:exercise-schedule": _obj("bcp_plan", write=True),
    "bcp:exercise-edit": _obj("bcp_planned_exercise", write=True),
    "bcp:exercise-conduct": _obj("bcp_planned_exercise", write=True),
    "bcp:exercise-cancel": _obj("bcp_planned_exercise", write=True),
    "bcp:action-create": _obj("bcp_exercise", write=True),
    # The owner (carol) or an editor; bob (viewer, not the owner) is refused.
    "bcp:action-edit": _obj("bcp_action", write=True),
    "bcp:attachment-download": _obj("bcp_attachment"),
    "bcp:attachment-delete": _obj("bcp_attachment", write=True),
    # A grant sends sam from the plan's page to its shared page (rule 7).
    "bcp:plan-detail": Sample(
        kwargs=_k("bcp_plan"), foreign=True, shared=(302,), shared_post=(302,)
    ),
    "bcp:plan-edit": _obj("bcp_plan", write=True),
    "bcp:plan-archive": _obj("bcp_plan", write=True),
    "bcp:plan-readiness": _obj("bcp_plan"),
    "bcp:version-list": _obj("bcp_plan"),
    "bcp:version-diff": _obj("bcp_plan"),
    "bcp:version-text": _obj("bcp_active"),
    "bcp:version-create": _obj("bcp_plan", write=True),
    "bcp:process-create": _obj("bcp_plan", write=True),
    "bcp:risk-create": _obj("bcp_plan", write=True),
    "bcp:contact-create": _obj("bcp_plan", write=True),
    "bcp:exercise-create": _obj("bcp_plan", write=True),
    "bcp:attachment-upload": _obj("bcp_plan", write=True),
    "bcp:changelog-create": _obj("bcp_plan", write=True),
    # Issue 5: generation and exports. Generating needs "change" (POST only); exporting and
    # verifying only need to be able to read the plan, so viewers may (not "writes").
    "bcp:plan-generate": _obj("bcp_plan", write=True, ok=(405,)),
    "bcp:generation-detail": _obj("bcp_generation_job"),
    "bcp:version-export": _obj("bcp_active", ok=(405,)),
    "bcp:export-detail": _obj("bcp_export"),
    "bcp:export-download": _obj("bcp_export"),
    "bcp:export-verify": Sample(),
    # The JSON API (/api/): anonymous → 401; the schema is public (it describes, reveals nothing).
    "api:openapi-json": Sample(anon_status=401),  # signed-in users and token holders only
    "api:api-root": Sample(public=True, anon_ok=(404,), ok=(404,)),
    "api:department-plans": Sample(anon_status=401),
    # GET and POST share this path: POSTs carry a valid body so they reach the tenancy checks.
    "api:department-plan": _api("bcp_plan", "plan_id", json_body=_draft_body),
    "api:department-plan-update": _api("bcp_plan", "plan_id", write=True, json_body=_draft_body),
    # POST only: a GET answers 405 before authentication, whoever asks.
    "api:department-plan-generate": _api(
        "bcp_plan", "plan_id", write=True, ok=(405,), anon_status=405
    ),
    # Exports are requested with POST (viewers may: not a "write") and listed with GET.
    "api:department-plan-export": _api("bcp_plan", "plan_id", json_body=lambda w: {}),
    "api:department-plan-exports": _api("bcp_plan", "plan_id", json_body=lambda w: {}),
    # Issue 18 item 7: strategies, the register, the dependency map.
    "bcp:process-register": Sample(),
    "bcp:dependency-map": Sample(),
    "bcp:process-detail": _obj("bcp_process"),
    "bcp:strategy-create": _obj("bcp_process", write=True),
    "bcp:strategy-edit": _obj("bcp_strategy", write=True),
    "bcp:strategy-delete": _obj("bcp_strategy", write=True),
    # Issue 18 item 6: sharing. Sam holds a comment grant on bcp_plan and a review grant on the
    # plan in review (rule 7): the shared pages open for him, org A's own pages stay 404.
    "bcp:shared-list": Sample(),
    "bcp:shared-plan": Sample(
        kwargs=_k("bcp_plan"), foreign=True, ok=(302,), shared=(200,), shared_post=(200,)
    ),
    "bcp:shared-review": Sample(
        kwargs=_k("bcp_shared_review"),
        foreign=True,
        reader="sam",
        shared=(200,),
        shared_post=(200,),  # an empty decision: the form answers with its errors
    ),
    "bcp:plan-sharing": _obj("bcp_plan", write=True),
    "bcp:share-revoke": _obj("bcp_share", write=True),
    # Members who read the plan may comment (viewers too), and so may sam (comment grant).
    "bcp:plan-comment": Sample(kwargs=_k("bcp_plan"), foreign=True, ok=(405,), shared_post=(302,)),
    "api:job": _api("bcp_generation_job", "job_id", get_only=True),
    "api:export": _api("bcp_export", "export_id", get_only=True),
    "api:export-download": _api("bcp_export", "export_id", get_only=True),
}


def build_world(world: dict[str, Any], personas: dict[str, Any]) -> None:
    """Org A (MOH): an approved plan with one of everything and an open draft; a second plan
    in review with a review assigned to alice."""
    alice, carol, dave = personas["alice"], personas["carol"], personas["dave"]
    organization = alice.memberships.get().organization
    plan = make_plan(organization, carol, title="Matrix plan", department=world["dept_a"])
    vendor = services.vendor_create(
        actor=carol, organization=organization, name="Matrix Telecom", service="Internet"
    )
    process = services.process_create(
        actor=carol, plan=plan, name="Payroll", rto_minutes=60, mtpd_minutes=240, vendors=[vendor]
    )
    strategy = strategies.strategy_create(
        actor=carol, process=process, kind="manual_procedure", title="Paper payroll"
    )
    risk = services.risk_create(actor=carol, plan=plan, threat="Flood", likelihood=3, impact=4)
    contact = services.contact_create(actor=carol, plan=plan, name="Omar", role="Lead", phone="1")
    attachment = services.attachment_upload(
        actor=carol, plan=plan, name="call-tree.pdf", data=PDF_BYTES
    )
    exercise = services.exercise_record(
        actor=carol,
        plan=plan,
        kind="tabletop",
        held_on=plan.created_at.date(),
        scenario="Flood",
        results={process: 50},
    )
    planned = services.exercise_schedule(
        actor=carol, plan=plan, kind="functional", held_on=timezone.localdate(), scenario="Fire"
    )
    action = services.action_create(
        actor=carol,
        exercise=exercise,
        description="Train a second operator",
        owner=carol,
        due_date=timezone.localdate(),
    )
    campaign = services.campaign_create(
        actor=alice,
        organization=organization,
        title="Matrix campaign",
        starts_on=timezone.localdate(),
        due_date=timezone.localdate(),
    )
    services.changelog_link(actor=carol, plan=plan, change_guid=uuid.uuid4(), summary="CR-1")
    plan = approve_plan(plan, carol, [alice, dave])
    active = plan.current_version
    services.acknowledgment_record(actor=carol, version=active)
    draft = services.version_create_draft(
        actor=carol, plan=plan, content=active.content, change_note="Yearly revision"
    )
    other = make_plan(organization, carol, title="Matrix plan in review")
    in_review = other.versions.get()
    sam = personas.get("sam")
    reviewers = [alice]
    if sam is not None:  # the "shared with" persona (rule 7 of tests/matrix.py)
        last_day = datetime.date.today() + datetime.timedelta(days=30)
        share = sharing.share_grant(
            actor=alice, plan=plan, grantee=sam, right="comment", last_day=last_day, reason="M"
        )
        sharing.share_grant(
            actor=alice, plan=other, grantee=sam, right="review", last_day=last_day, reason="M"
        )
        reviewers.append(sam)
    review, *shared_review = services.version_submit_for_review(
        actor=carol, version=in_review, reviewers=reviewers
    )
    if sam is not None:
        world.update(bcp_share=share, bcp_shared_review=shared_review[0])
    # An export of the draft: nothing exists yet of the active version (a GET must not make one).
    export = services.export_request(actor=carol, version=draft, fmt="pdf")
    services.export_run(export.pk)
    generated = make_plan(organization, carol, title="Matrix generated plan")
    job = services.generation_request(actor=carol, plan=generated, enqueue=False)
    services.generation_run(job.pk)
    services.api_token_create(actor=carol, user=carol, name="Matrix token")
    world.update(
        bcp_export=Export.objects.get(pk=export.pk),
        bcp_generation_job=GenerationJob.objects.get(pk=job.pk),
        bcp_plan=Plan.objects.get(pk=plan.pk),
        bcp_active=active,
        bcp_draft=draft,
        bcp_vendor=vendor,
        bcp_process=process,
        bcp_strategy=strategy,
        bcp_risk=risk,
        bcp_contact=contact,
        bcp_attachment=attachment,
        bcp_exercise=exercise,
        bcp_planned_exercise=planned,
        bcp_action=action,
        bcp_campaign=campaign,
        bcp_review=review,
    )
