"""AI drafting against a real local chat-completions server, and the built-in fallback."""

from __future__ import annotations

import copy

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from bcp import generation, services
from bcp.models import GenerationJob, PlanVersion
from tests.bcp.factories import approve_plan
from tests.llm_stub import Reply, start_stub

MODEL = "llama-3.3-70b-versatile"


@pytest.fixture
def stub():
    server = start_stub()
    yield server
    server.close()


@pytest.fixture
def ai(settings, stub):
    """The portal configured for the stub: short timeout, no client retries unless a test asks."""
    settings.LLM_BASE_URL = stub.base_url
    settings.LLM_MODEL = MODEL
    settings.LLM_TIMEOUT_SECONDS = 1.0
    settings.LLM_MAX_RETRIES = 0
    return stub


@pytest.fixture
def rich_plan(plan, carol, org_a):
    org_a.mandate = "Protect the health of the Bangsamoro people."
    org_a.save()
    vendor = services.vendor_create(
        actor=carol,
        organization=org_a,
        name="Mindanao Telecom",
        service="Leased line",
        rto_offered_minutes=480,
    )
    services.process_create(
        actor=carol,
        plan=plan,
        name="Payroll of health workers",
        priority=1,
        rto_minutes=240,
        rpo_minutes=60,
        mtpd_minutes=1440,
        vendors=[vendor],
    )
    services.process_create(
        actor=carol, plan=plan, name="Medicine procurement", priority=2, rto_minutes=2880
    )
    services.risk_create(actor=carol, plan=plan, threat="Typhoon flooding", likelihood=4, impact=5)
    services.contact_create(
        actor=carol, plan=plan, name="Amina Salik", role="BCM coordinator", phone="0917 000 0000"
    )
    return plan


def good_answer(plan, marker="AI-WRITTEN") -> dict:
    content = generation.builtin_plan(plan.template, generation.facts_of(plan))
    return {k: f"{marker}: {v}" if isinstance(v, str) else v for k, v in content.items()}


def run_job(plan, user) -> GenerationJob:
    job = services.generation_request(actor=user, plan=plan, enqueue=False)
    return services.generation_run(job.pk)


def test_without_endpoint_the_builtin_generator_writes_a_department_specific_draft(
    rich_plan, carol
):
    before = rich_plan.versions.get()
    job = run_job(rich_plan, carol)
    assert job.status == "done"
    version = job.version
    assert version.status == "draft"
    assert version.generated_by == "built-in"
    assert version.generation_fallback is True
    assert len(version.prompt_sha256) == 64
    text = version.content["recovery_objectives_and_prioritized_activities"]
    assert "Payroll of health workers: RTO 4 h, RPO 1 h, MTPD 1 day" in text
    assert "Mindanao Telecom" in version.content["critical_resources_and_assets"]
    assert "Typhoon flooding" in version.content["testing"]
    assert "Amina Salik" in version.content["roles_and_responsibilities"]
    assert generation.answer_problems(rich_plan.template, version.content) == []
    # The draft that was open is kept as a record, with its text, not lost.
    before.refresh_from_db()
    assert before.status == "set_aside"
    assert before.content["testing"].startswith("Testing: what we do")


def test_builtin_plans_differ_between_departments_and_are_deterministic(rich_plan, carol, org_a):
    from tests.bcp.factories import make_plan

    other = make_plan(org_a, carol, title="Records plan")
    facts = generation.facts_of(rich_plan)
    first = generation.builtin_plan(rich_plan.template, facts)
    assert first == generation.builtin_plan(rich_plan.template, facts)
    assert first != generation.builtin_plan(other.template, generation.facts_of(other))


def test_a_good_ai_answer_becomes_a_new_draft_with_model_tokens_and_prompt_facts(
    ai, rich_plan, carol
):
    ai.script(Reply(content=good_answer(rich_plan)))
    job = run_job(rich_plan, carol)
    version = job.version
    assert job.status == "done"
    assert version.generated_by == MODEL
    assert version.generation_fallback is False
    assert (version.prompt_tokens, version.completion_tokens) == (100, 50)
    assert version.content["testing"].startswith("AI-WRITTEN")
    assert version.version_number == 2
    prompt = ai.requests[0]["messages"][1]["content"]
    for fact in (
        "Protect the health of the Bangsamoro people.",
        "Finance",
        "Payroll of health workers",
        "Mindanao Telecom",
        "Typhoon flooding",
    ):
        assert fact in prompt
    assert ai.requests[0]["model"] == MODEL


@pytest.mark.parametrize(
    ("replies", "calls", "reason"),
    [
        ([Reply(status=500)], 1, "HTTP 500"),
        ([Reply(content={}, delay=3)], 1, "did not answer within 1 s"),
        ([Reply(content="this is not {json")], 2, "answered twice with an invalid plan"),
    ],
    ids=["http-500", "timeout", "malformed-json"],
)
def test_ai_failures_fall_back_to_the_builtin_generator_keeping_the_old_draft(
    ai, rich_plan, carol, replies, calls, reason
):
    old = rich_plan.versions.get()
    ai.script(*replies)
    job = run_job(rich_plan, carol)
    assert job.status == "done"
    assert job.version.generation_fallback is True
    assert job.version.generated_by == "built-in"
    assert reason in job.version.change_note
    assert reason in job.stage
    assert len(ai.requests) == calls
    old.refresh_from_db()
    assert old.status == "set_aside" and old.content["testing"].startswith("Testing: what we do")
    assert rich_plan.versions.count() == 2


def test_client_retries_a_server_error_with_backoff_then_uses_the_answer(
    ai, settings, rich_plan, carol
):
    settings.LLM_MAX_RETRIES = 2
    ai.script(Reply(status=500), Reply(status=503), Reply(content=good_answer(rich_plan)))
    job = run_job(rich_plan, carol)
    assert len(ai.requests) == 3
    assert job.version.generation_fallback is False


def test_an_answer_missing_a_section_is_retried_once_with_the_errors(ai, rich_plan, carol):
    incomplete = good_answer(rich_plan)
    del incomplete["testing"]
    ai.script(Reply(content=incomplete), Reply(content=good_answer(rich_plan, "FIXED")))
    job = run_job(rich_plan, carol)
    assert job.version.generation_fallback is False
    assert job.version.content["testing"].startswith("FIXED")
    feedback = ai.requests[1]["messages"][-1]["content"]
    assert "'testing' is a required field" in feedback
    assert (job.version.prompt_tokens, job.version.completion_tokens) == (200, 100)


def test_an_answer_missing_a_section_twice_falls_back(ai, rich_plan, carol):
    incomplete = good_answer(rich_plan)
    del incomplete["testing"]
    ai.script(Reply(content=incomplete))
    job = run_job(rich_plan, carol)
    assert len(ai.requests) == 2
    assert job.version.generation_fallback is True
    assert job.version.content["testing"]  # the built-in text fills every section


def test_escalation_times_must_shorten_with_severity(rich_plan):
    content = good_answer(rich_plan)
    assert generation.answer_problems(rich_plan.template, content) == []
    wrong = copy.deepcopy(content)
    wrong["response_and_escalation_matrix"]["critical"]["response_time"] = "8 hours"
    assert any(
        "shorter with severity" in p for p in generation.answer_problems(rich_plan.template, wrong)
    )
    vague = copy.deepcopy(content)
    vague["response_and_escalation_matrix"]["minor"]["response_time"] = "soon"
    assert any("not a duration" in p for p in generation.answer_problems(rich_plan.template, vague))
    assert generation.duration_minutes("1.5 hours") == 90
    assert generation.parse_answer('```json\n{"a": 1}\n```') == {"a": 1}


def test_an_approved_version_is_never_overwritten(rich_plan, carol, dave, alice):
    approve_plan(rich_plan, carol, [dave, alice])
    rich_plan.refresh_from_db()
    active = rich_plan.current_version
    content = copy.deepcopy(active.content)
    job = run_job(rich_plan, carol)
    active.refresh_from_db()
    assert active.status == "active" and active.content == content
    assert job.version.version_number == active.version_number + 1
    assert job.version.based_on == active
    assert job.version.status == "draft"


def test_running_the_same_job_twice_creates_one_draft(rich_plan, carol):
    job = services.generation_request(actor=carol, plan=rich_plan, enqueue=False)
    first = services.generation_run(job.pk)
    second = services.generation_run(job.pk)
    assert first.version == second.version
    assert PlanVersion.objects.filter(plan=rich_plan, status="draft").count() == 1
    assert rich_plan.versions.count() == 2


def test_a_redelivery_while_the_first_run_is_generating_creates_one_draft(rich_plan, carol):
    """acks_late re-delivers a task whose worker seemed lost: both runs generate, one writes."""
    job = services.generation_request(actor=carol, plan=rich_plan, enqueue=False)

    def slow_generate(plan):
        result = generation.generate(plan)
        services.generation_run(job.pk)  # the duplicate delivery finishes first
        return result

    services.generation_run(job.pk, generate=slow_generate)
    job.refresh_from_db()
    assert job.status == "done" and job.attempts == 2
    assert rich_plan.versions.count() == 2  # the first draft, set aside, and one generated


def test_the_celery_task_runs_the_job(rich_plan, carol, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.generation_request(actor=carol, plan=rich_plan)
    job.refresh_from_db()
    assert job.status == "done" and job.progress == 100
    assert "ready for review" in job.stage


def test_a_plan_in_review_cannot_be_generated(rich_plan, carol, dave):
    services.version_submit_for_review(
        actor=carol, version=rich_plan.versions.get(), reviewers=[dave]
    )
    with pytest.raises(ValidationError, match="is in review"):
        services.generation_request(actor=carol, plan=rich_plan, enqueue=False)


def test_viewers_cannot_ask_for_a_draft(rich_plan, bob):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.generation_request(actor=bob, plan=rich_plan, enqueue=False)


def test_requests_are_rate_limited_per_organization(settings, rich_plan, carol, org_a):
    from tests.bcp.factories import make_plan

    settings.BCP_GENERATIONS_PER_HOUR = 2
    run_job(rich_plan, carol)
    run_job(rich_plan, carol)
    other = make_plan(org_a, carol, title="Another plan")
    with pytest.raises(
        services.RateLimited, match="reached its limit of generated drafts \\(2 an hour\\)"
    ):
        services.generation_request(actor=carol, plan=other, enqueue=False)


def test_a_second_request_while_one_is_pending_returns_the_same_job(rich_plan, carol):
    first = services.generation_request(actor=carol, plan=rich_plan, enqueue=False)
    again = services.generation_request(actor=carol, plan=rich_plan, enqueue=False)
    assert first.pk == again.pk


def test_generate_draft_from_the_plan_page(
    login, rich_plan, carol, django_capture_on_commit_callbacks
):
    client = login(carol)
    page = client.get(reverse("bcp:plan-detail", args=[rich_plan.public_id])).content.decode()
    assert "Generate draft" in page and "version 1 will be set aside" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("bcp:plan-generate", args=[rich_plan.public_id]))
    job = GenerationJob.objects.get()
    assert response["Location"] == reverse("bcp:generation-detail", args=[job.public_id])
    page = client.get(response["Location"]).content.decode()
    assert "Open draft version 2" in page and "by the built-in generator" in page
    fragment = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<div id="generation-progress"')
    assert "hx-trigger" not in fragment  # finished: polling stops
    version = client.get(reverse("bcp:version-detail", args=[job.version.public_id]))
    assert "Generated by built-in" in version.content.decode()


def test_a_running_job_keeps_polling(login, rich_plan, carol):
    job = services.generation_request(actor=carol, plan=rich_plan, enqueue=False)
    fragment = login(carol).get(
        reverse("bcp:generation-detail", args=[job.public_id]), headers={"HX-Request": "true"}
    )
    assert 'hx-trigger="every 1s"' in fragment.content.decode()


def test_the_rate_limit_is_a_clear_message_on_the_plan_page(login, settings, rich_plan, carol):
    settings.BCP_GENERATIONS_PER_HOUR = 1
    run_job(rich_plan, carol)
    response = login(carol).post(
        reverse("bcp:plan-generate", args=[rich_plan.public_id]), follow=True
    )
    assert "reached its limit of generated drafts (1 an hour)" in response.content.decode()
    assert GenerationJob.objects.count() == 1


def test_generation_pages_respect_tenancy(login, rich_plan, carol, bob, charlie):
    job = run_job(rich_plan, carol)
    url = reverse("bcp:plan-generate", args=[rich_plan.public_id])
    assert login(bob).post(url).status_code == 403
    assert login(charlie).post(url).status_code == 404
    detail = reverse("bcp:generation-detail", args=[job.public_id])
    assert login(charlie).get(detail).status_code == 404
    assert login(bob).get(detail).status_code == 200


def test_the_batch_command_drafts_every_departmental_plan_with_a_progress_bar(
    rich_plan, carol, org_a, org_b, charlie, dept_b
):
    from io import StringIO

    from django.core.management import call_command

    from organizations.models import Department
    from tests.bcp.factories import make_plan

    records = Department.objects.create(organization=org_a, name="Records")
    make_plan(org_a, carol, title="Records plan", department=records)
    make_plan(org_a, carol, title="Organization-wide plan")  # no department: not in the batch
    foreign = make_plan(org_b, charlie, title="MOLE finance plan", department=dept_b)
    out = StringIO()
    call_command("generate_bcm_plans", "--org", "MOH", stdout=out)
    output = out.getvalue()
    assert "[" + "#" * 30 + "] 2/2 plans" in output
    assert "Drafted 2 plan(s) (2 by the built-in generator)" in output
    assert GenerationJob.objects.filter(status="done").count() == 2
    assert not foreign.versions.filter(generated_by="built-in").exists()
    call_command("generate_bcm_plans", "--all", stdout=StringIO())
    assert foreign.versions.filter(generated_by="built-in", status="draft").exists()


def test_the_batch_command_creates_plans_for_departments_without_one(
    rich_plan, carol, alice, org_a, dept_a
):
    from io import StringIO

    from django.core.management import CommandError, call_command

    from bcp.models import Plan
    from organizations.models import Department

    records = Department.objects.create(organization=org_a, name="Records")
    out = StringIO()
    call_command("generate_bcm_plans", "--org", "MOH", stdout=out)
    assert "1 department(s) have no BC plan and are not drafted" in out.getvalue()
    assert not Plan.objects.filter(department=records).exists()
    with pytest.raises(CommandError, match="--create-missing needs --as EMAIL"):
        call_command("generate_bcm_plans", "--org", "MOH", "--create-missing")

    out = StringIO()
    call_command(
        "generate_bcm_plans", "--org", "MOH", "--create-missing", "--as", alice.email, stdout=out
    )
    output = out.getvalue()
    assert "Created 1 departmental plan(s)" in output
    assert "Drafted 2 plan(s)" in output
    plan = Plan.objects.get(department=records)
    assert plan.title == "Records business continuity plan" and plan.owner == alice
    assert plan.template.code == "departmental-bcm"
    # Version 1 (empty draft) set aside, version 2 the generated draft, mentioning the department.
    draft = plan.versions.get(status="draft")
    assert draft.generated_by == "built-in" and "Records" in str(draft.content)
    assert Plan.objects.filter(department=dept_a).count() == 1  # the existing plan is reused
    out = StringIO()
    call_command(
        "generate_bcm_plans", "--org", "MOH", "--create-missing", "--as", alice.email, stdout=out
    )
    assert "Created 0 departmental plan(s)" in out.getvalue()


def test_the_batch_command_says_what_is_wrong(db):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="--org CODE"):
        call_command("generate_bcm_plans")
    with pytest.raises(CommandError, match="No organization with code NOPE"):
        call_command("generate_bcm_plans", "--org", "NOPE")
