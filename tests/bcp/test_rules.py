"""Every rule of the bcp model, reached through the services and straight at the database."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, transaction

from bcp import services
from bcp.content import validate_content
from bcp.models import Acknowledgment, CriticalProcess, Plan, PlanVersion, Review, Risk
from core.policies import SegregationOfDuties, segregation_message
from organizations.models import AuditLog
from tests.bcp.factories import full_content

pytestmark = pytest.mark.django_db


def _messages(exc_info) -> str:
    return " ".join(exc_info.value.messages)


# --- recovery objectives -----------------------------------------------------------------------


def test_rto_longer_than_mtpd_is_refused_by_the_service_with_a_clear_message(plan, carol):
    with pytest.raises(ValidationError) as exc:
        services.process_create(
            actor=carol, plan=plan, name="Payroll", rto_minutes=500, mtpd_minutes=240
        )
    assert "RTO cannot be longer than the MTPD" in _messages(exc)
    assert not CriticalProcess.objects.exists()


def test_rto_longer_than_mtpd_is_refused_by_the_database(plan, carol):
    process = services.process_create(
        actor=carol, plan=plan, name="Payroll", rto_minutes=60, mtpd_minutes=240
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        CriticalProcess.objects.filter(pk=process.pk).update(rto_minutes=300)


@pytest.mark.parametrize("field", ["rto_minutes", "rpo_minutes", "mtpd_minutes"])
def test_negative_recovery_objectives_are_refused_by_the_database(plan, carol, field):
    process = services.process_create(actor=carol, plan=plan, name="Payroll")
    with pytest.raises(IntegrityError), transaction.atomic():
        CriticalProcess.objects.filter(pk=process.pk).update(**{field: -1})


def test_mbco_is_a_percentage(plan, carol):
    with pytest.raises(ValidationError) as exc:
        services.process_create(actor=carol, plan=plan, name="Payroll", mbco_percent=120)
    assert "percentage between 0 and 100" in _messages(exc) or "100" in _messages(exc)


def test_impact_over_time_never_decreases(plan, carol):
    with pytest.raises(ValidationError) as exc:
        services.process_create(
            actor=carol,
            plan=plan,
            name="Payroll",
            impact_1h=3,
            impact_4h=2,
            impact_8h=4,
            impact_24h=4,
            impact_72h=5,
        )
    assert "cannot decrease over time" in _messages(exc)
    process = services.process_create(
        actor=carol,
        plan=plan,
        name="Payroll",
        impact_1h=1,
        impact_4h=2,
        impact_8h=2,
        impact_24h=4,
        impact_72h=5,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        CriticalProcess.objects.filter(pk=process.pk).update(impact_72h=3)


def test_dependency_with_a_longer_rto_gives_a_warning(plan, carol, org_a):
    network = services.process_create(
        actor=carol, plan=plan, name="Network", rto_minutes=480, mtpd_minutes=960
    )
    vendor = services.vendor_create(
        actor=carol, organization=org_a, name="Telco", service="Internet", rto_offered_minutes=720
    )
    payroll = services.process_create(
        actor=carol,
        plan=plan,
        name="Payroll",
        rto_minutes=60,
        mtpd_minutes=240,
        depends_on=[network],
        vendors=[vendor],
    )
    warnings = payroll.dependency_warnings()
    assert len(warnings) == 2
    assert "depends on “Network”, whose RTO is 8 h" in warnings[0]
    assert "vendor “Telco”, which only commits to 12 h" in warnings[1]


def test_a_process_cannot_depend_on_another_plans_process(plan, carol, org_a):
    from tests.bcp.factories import make_plan

    other = make_plan(org_a, carol, title="Other plan")
    foreign = services.process_create(actor=carol, plan=other, name="Elsewhere")
    with pytest.raises(ValidationError) as exc:
        services.process_create(actor=carol, plan=plan, name="Payroll", depends_on=[foreign])
    assert "same plan" in _messages(exc)


# --- risks, contacts -----------------------------------------------------------------------------


def test_risk_rating_is_computed_by_the_database(plan, carol):
    risk = services.risk_create(actor=carol, plan=plan, threat="Flood", likelihood=4, impact=5)
    risk.refresh_from_db()
    assert risk.rating == 20 and risk.level == "critical"
    risk = services.risk_update(actor=carol, risk=risk, likelihood=1)
    assert Risk.objects.get(pk=risk.pk).rating == 5


@pytest.mark.parametrize(("likelihood", "impact"), [(0, 3), (6, 3), (3, 0), (3, 6)])
def test_risk_scales_are_one_to_five(plan, carol, likelihood, impact):
    with pytest.raises(ValidationError) as exc:
        services.risk_create(
            actor=carol, plan=plan, threat="Flood", likelihood=likelihood, impact=impact
        )
    assert "rated from 1 to 5" in _messages(exc)
    risk = services.risk_create(actor=carol, plan=plan, threat="Fire", likelihood=2, impact=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        Risk.objects.filter(pk=risk.pk).update(likelihood=likelihood, impact=impact)


def test_a_contact_needs_a_phone_or_an_email_and_an_alternate_of_the_same_plan(plan, carol):
    with pytest.raises(ValidationError) as exc:
        services.contact_create(actor=carol, plan=plan, name="Omar", role="Lead")
    assert "phone number or an e-mail" in _messages(exc)
    contact = services.contact_create(actor=carol, plan=plan, name="Omar", role="Lead", phone="1")
    with pytest.raises(ValidationError) as exc:
        services.contact_update(actor=carol, contact=contact, alternate=contact)
    assert "own alternate" in _messages(exc)


# --- versions ------------------------------------------------------------------------------------


def test_content_is_validated_against_the_template(plan, carol):
    version = plan.versions.get()
    bad = {**version.content, "testing": 42, "unknown_section": "x"}
    with pytest.raises(ValidationError) as exc:
        services.version_update_draft(
            actor=carol, version=version, content=bad, change_note="", expected_revision=1
        )
    text = _messages(exc)
    assert "Testing: 42 is not of type 'string'" in text
    assert "unknown_section" in text
    matrix = dict(version.content)
    matrix["response_and_escalation_matrix"] = {"minor": {"description": "x"}}
    with pytest.raises(ValidationError):
        validate_content(plan.template, matrix)


def test_version_numbers_are_unique_per_plan(plan):
    version = plan.versions.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanVersion.objects.create(
            plan=plan,
            version_number=version.version_number,
            author=version.author,
            status="superseded",
            approved_at=version.created_at,
        )


def test_only_one_open_draft_per_plan(approved_plan, carol):
    active = approved_plan.current_version
    services.version_create_draft(
        actor=carol, plan=approved_plan, content=active.content, change_note="a"
    )
    with pytest.raises(ValidationError) as exc:
        services.version_create_draft(
            actor=carol, plan=approved_plan, content=active.content, change_note="b"
        )
    assert "Version 2 of this plan is still draft" in _messages(exc)


def test_stale_draft_save_is_refused_and_nothing_is_lost(plan, carol, alice):
    version = plan.versions.get()
    first = full_content(plan.template, " Alice's edit.")
    second = full_content(plan.template, " Carol's edit.")
    services.version_update_draft(
        actor=alice, version=version, content=first, change_note="", expected_revision=1
    )
    with pytest.raises(services.EditConflict) as exc:
        services.version_update_draft(
            actor=carol, version=version, content=second, change_note="", expected_revision=1
        )
    assert "Someone else saved version 1" in str(exc.value)
    version.refresh_from_db()
    assert version.revision == 2 and version.content == first


def test_submitting_an_incomplete_draft_is_refused(org_a, carol, dave):
    from bcp.content import blank_content
    from tests.bcp.factories import departmental_template

    template = departmental_template()
    plan = services.plan_create(
        actor=carol,
        organization=org_a,
        template=template,
        title="Empty",
        content=blank_content(template),
    )
    with pytest.raises(ValidationError) as exc:
        services.version_submit_for_review(
            actor=carol, version=plan.versions.get(), reviewers=[dave]
        )
    assert "These sections are still empty: Critical applications" in _messages(exc)


def test_the_author_cannot_review_their_own_version(plan, carol, dave, alice):
    version = plan.versions.get()
    with pytest.raises(SegregationOfDuties) as exc:
        services.version_submit_for_review(actor=carol, version=version, reviewers=[carol])
    assert str(exc.value) == segregation_message("You", "BC plan version")
    # A review smuggled in for the author (e.g. by the admin) still cannot be approved.
    version.author = dave
    version.save()
    services.version_submit_for_review(actor=carol, version=version, reviewers=[alice])
    smuggled = Review.objects.create(version=version, round=99, reviewer=dave, requested_by=carol)
    with pytest.raises(SegregationOfDuties) as exc:
        services.review_decide(actor=dave, review=smuggled, decision="approved")
    assert str(exc.value) == segregation_message("You", "BC plan version")


def test_reviewers_must_be_approvers(plan, carol, bob):
    with pytest.raises(ValidationError) as exc:
        services.version_submit_for_review(
            actor=carol, version=plan.versions.get(), reviewers=[bob]
        )
    assert "not an approver" in _messages(exc)


def test_approval_needs_every_reviewer_and_supersedes_the_active_version(plan, carol, dave, alice):
    version = plan.versions.get()
    first, second = services.version_submit_for_review(
        actor=carol, version=version, reviewers=[dave, alice]
    )
    services.review_decide(actor=dave, review=first, decision="approved")
    version.refresh_from_db()
    assert version.status == "in_review"
    services.review_decide(actor=alice, review=second, decision="approved")
    version.refresh_from_db()
    plan.refresh_from_db()
    assert version.status == "active" and plan.current_version == version
    assert (
        plan.status == Plan.Status.APPROVED and plan.next_review_date > version.approved_at.date()
    )

    v2 = services.version_create_draft(
        actor=carol, plan=plan, content=full_content(plan.template, " v2"), change_note="v2"
    )
    for review in services.version_submit_for_review(actor=carol, version=v2, reviewers=[dave]):
        services.review_decide(actor=dave, review=review, decision="approved")
    version.refresh_from_db()
    v2.refresh_from_db()
    assert (version.status, v2.status) == ("superseded", "active")
    assert PlanVersion.objects.filter(plan=plan, status="active").count() == 1


def test_only_the_assigned_reviewer_decides(plan, carol, dave, alice):
    (review,) = services.version_submit_for_review(
        actor=carol, version=plan.versions.get(), reviewers=[dave]
    )
    with pytest.raises(PermissionDenied):
        services.review_decide(actor=alice, review=review, decision="approved")


def test_changes_requested_sends_the_draft_back_and_a_new_round_starts(plan, carol, dave, alice):
    version = plan.versions.get()
    first, second = services.version_submit_for_review(
        actor=carol, version=version, reviewers=[dave, alice]
    )
    with pytest.raises(ValidationError) as exc:
        services.review_decide(actor=dave, review=first, decision="changes_requested", notes=" ")
    assert "Say what needs to change" in _messages(exc)
    services.review_decide(
        actor=dave, review=first, decision="changes_requested", notes="Add the generator."
    )
    version.refresh_from_db()
    second.refresh_from_db()
    assert version.status == "draft" and second.status == "withdrawn"
    with pytest.raises(ValidationError):
        services.review_decide(actor=alice, review=second, decision="approved")
    services.version_update_draft(
        actor=carol,
        version=version,
        content=full_content(plan.template, " Generator."),
        change_note="Generator added",
        expected_revision=version.revision,
    )
    reviews = services.version_submit_for_review(
        actor=carol, version=version, reviewers=[dave, alice]
    )
    assert {r.round for r in reviews} == {2}
    for review in reviews:
        services.review_decide(actor=review.reviewer, review=review, decision="approved")
    version.refresh_from_db()
    assert version.status == "active"


def test_approved_versions_are_immutable_in_services_and_in_the_database(approved_plan, carol):
    active = approved_plan.current_version
    with pytest.raises(ValidationError) as exc:
        services.version_update_draft(
            actor=carol,
            version=active,
            content=active.content,
            change_note="sneaky",
            expected_revision=active.revision,
        )
    assert "can no longer be edited" in _messages(exc)
    with pytest.raises(IntegrityError, match="immutable"), transaction.atomic():
        PlanVersion.objects.filter(pk=active.pk).update(content={"hacked": True})
    with pytest.raises(IntegrityError, match="immutable"), transaction.atomic():
        PlanVersion.objects.filter(pk=active.pk).update(status="draft")
    with pytest.raises(DatabaseError, match="Cannot delete"), transaction.atomic():
        PlanVersion.objects.filter(pk=active.pk).delete()
    active.refresh_from_db()
    assert active.status == "active" and "hacked" not in active.content


# --- acknowledgments ------------------------------------------------------------------------------


def test_acknowledgment_once_per_version_and_only_of_the_active_one(approved_plan, plan, bob):
    active = approved_plan.current_version
    services.acknowledgment_record(actor=bob, version=active)
    with pytest.raises(ValidationError) as exc:
        services.acknowledgment_record(actor=bob, version=active)
    assert "You already acknowledged version 1" in _messages(exc)
    with pytest.raises(IntegrityError), transaction.atomic():
        Acknowledgment.objects.create(version=active, user=bob)
    assert Acknowledgment.objects.filter(version=active).count() == 1


def test_drafts_cannot_be_acknowledged(plan, bob):
    with pytest.raises(ValidationError) as exc:
        services.acknowledgment_record(actor=bob, version=plan.versions.get())
    assert "Only the active" in _messages(exc)


# --- permissions and audit ------------------------------------------------------------------------


def test_viewers_cannot_edit_and_other_organizations_cannot_touch(plan, bob, charlie):
    with pytest.raises(PermissionDenied):
        services.risk_create(actor=bob, plan=plan, threat="x", likelihood=1, impact=1)
    with pytest.raises(PermissionDenied):
        services.process_create(actor=charlie, plan=plan, name="x")


def test_every_step_is_in_the_audit_log(approved_plan, bob):
    services.acknowledgment_record(actor=bob, version=approved_plan.current_version)
    actions = set(
        AuditLog.objects.filter(organization=approved_plan.organization).values_list(
            "action", flat=True
        )
    )
    assert {
        "bcp.plan.created",
        "bcp.version.drafted",
        "bcp.version.submitted",
        "bcp.review.approved",
        "bcp.version.approved",
        "bcp.version.acknowledged",
    } <= actions
