"""The JSON API (/api/): authentication, tenancy, optimistic locking, generation, exports."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.management import call_command
from django.test import Client
from waffle.models import Flag

from bcp import services
from bcp.models import ApiToken, Export, GenerationJob, PlanVersion
from organizations.models import AuditLog
from tests.bcp.factories import make_plan


def _token(user, name="test") -> str:
    return services.api_token_create(actor=user, user=user, name=name)[1]


def bearer(user) -> Client:
    """A client that authenticates with a fresh API token of `user` (no session)."""
    return Client(headers={"Authorization": f"Bearer {_token(user)}"})


def plan_url(plan, suffix: str = "") -> str:
    return f"/api/bcm-plans/department/{plan.public_id}{suffix}"


def post_export(client: Client, plan, **body):
    """Request an export (POST; a GET of the same path only lists)."""
    return client.post(plan_url(plan, "/export"), body, content_type="application/json")


def draft_of(plan) -> PlanVersion:
    return plan.versions.get(status=PlanVersion.Status.DRAFT)


def edited(plan, marker: str) -> dict:
    content = dict(draft_of(plan).content)
    content["roles_and_responsibilities"] = f"Edited over the API {marker}"
    return content


@pytest.fixture
def foreign_plan(org_b, charlie, dept_b):
    return make_plan(org_b, charlie, title="MOLE finance plan", department=dept_b)


# --- schema and authentication -------------------------------------------------------------------


def test_the_openapi_schema_lists_every_endpoint_and_there_is_no_cdn_docs_page(client, carol):
    client.force_login(carol)
    schema = client.get("/api/openapi.json").json()
    assert set(schema["paths"]) == {
        "/api/bcm-plans/departments",
        "/api/bcm-plans/department/{plan_id}",
        "/api/bcm-plans/department/{plan_id}/generate",
        "/api/bcm-plans/department/{plan_id}/export",
        "/api/jobs/{job_id}",
        "/api/exports/{export_id}",
        "/api/exports/{export_id}/download",
    }
    assert {"get", "post"} <= set(schema["paths"]["/api/bcm-plans/department/{plan_id}"])
    # Exports are requested with POST and listed with GET (no GET creates anything).
    export_path = schema["paths"]["/api/bcm-plans/department/{plan_id}/export"]
    assert set(export_path) == {"get", "post"}
    assert "requestBody" in export_path["post"] and "requestBody" not in export_path["get"]
    assert set(schema["components"]["securitySchemes"]) == {"BearerToken", "Session"}
    assert client.get("/api/docs").status_code == 404


def test_a_token_is_stored_only_as_its_hash(carol):
    api_token, token = services.api_token_create(actor=carol, user=carol, name="HR sync")
    api_token.refresh_from_db()
    assert token.startswith("bmms_") and len(token) > 40
    assert api_token.token_sha256 == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(ApiToken.objects.filter(pk=api_token.pk).values().get())
    assert AuditLog.objects.filter(action="bcp.api_token.created", actor=carol).exists()


def test_only_a_superuser_issues_tokens_for_someone_else(carol, bob, root):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.api_token_create(actor=carol, user=bob, name="x")
    assert services.api_token_create(actor=root, user=bob, name="x")[0].user == bob


def test_the_command_prints_a_working_token_once(carol, plan):
    out = io.StringIO()
    call_command("create_api_token", carol.email, "--name", "HR sync", stdout=out)
    token = out.getvalue().strip().splitlines()[-1]
    client = Client(headers={"Authorization": f"Bearer {token}"})
    response = client.get("/api/bcm-plans/departments")
    assert response.status_code == 200
    assert [p["title"] for p in response.json()["results"]] == [plan.title]
    assert ApiToken.objects.get(name="HR sync").last_used_at is not None


def test_anonymous_requests_get_401_with_a_clear_message(client, plan):
    response = client.get("/api/bcm-plans/departments")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "Authorization: Bearer" in response.json()["detail"]
    assert client.post(plan_url(plan, "/generate")).status_code == 401


def test_revoked_wrong_and_deactivated_tokens_get_401(carol, plan):
    api_token, token = services.api_token_create(actor=carol, user=carol, name="x")
    client = Client(headers={"Authorization": f"Bearer {token}"})
    assert client.get(plan_url(plan)).status_code == 200
    services.api_token_revoke(actor=carol, api_token=api_token)
    response = client.get(plan_url(plan))
    assert response.status_code == 401
    assert response.json()["detail"] == "This API token has been revoked."

    wrong = Client(headers={"Authorization": f"Bearer {token}x"})
    assert wrong.get(plan_url(plan)).json()["detail"] == "Invalid API token."

    client = bearer(carol)
    carol.is_active = False
    carol.save()
    assert client.get(plan_url(plan)).status_code == 401


def test_a_bad_token_is_refused_even_with_a_valid_session(carol, plan):
    client = Client(headers={"Authorization": "Bearer nope"})
    client.force_login(carol)
    assert client.get(plan_url(plan)).status_code == 401


def test_session_auth_enforces_csrf_on_writes(carol, plan):
    client = Client(enforce_csrf_checks=True)
    client.force_login(carol)
    detail = client.get(plan_url(plan))
    assert detail.status_code == 200
    body = {"content": edited(plan, "1"), "revision": detail.json()["open_version"]["revision"]}
    refused = client.post(plan_url(plan), body, content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]

    client.get("/")  # sets the CSRF cookie, as the portal page would
    token = client.cookies["csrftoken"].value
    accepted = client.post(
        plan_url(plan), body, content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert accepted.status_code == 200
    assert accepted.json()["open_version"]["content"]["roles_and_responsibilities"].endswith("1")


# --- reads and tenancy ---------------------------------------------------------------------------


def test_the_list_shows_departmental_plans_of_the_users_organizations(
    carol, olga, org_a, plan, foreign_plan
):
    make_plan(org_a, carol, title="Whole-ministry plan")  # no department: not listed
    data = bearer(carol).get("/api/bcm-plans/departments").json()
    assert data["count"] == 1
    (row,) = data["results"]
    assert row["id"] == str(plan.public_id)
    assert row["organization"] == "MOH" and row["department"] == "Finance"
    assert row["open_version_number"] == 1 and row["current_version_number"] is None
    # OCM reads every organization's plans; filters narrow them down.
    ocm = bearer(olga)
    assert ocm.get("/api/bcm-plans/departments").json()["count"] == 2
    assert ocm.get("/api/bcm-plans/departments?organization=MOLE").json()["count"] == 1
    assert ocm.get("/api/bcm-plans/departments?search=mole").json()["count"] == 1
    assert ocm.get("/api/bcm-plans/departments?page=0").status_code == 422


def test_the_list_paginates_with_a_fixed_number_of_queries(
    settings, carol, org_a, dept_a, django_assert_num_queries
):
    settings.PAGE_SIZE = 3
    client = bearer(carol)
    make_plan(org_a, carol, title="Plan 0", department=dept_a)
    client.get("/api/bcm-plans/departments")  # warm up (last_used_at written once a minute)
    # token, count, page (memberships, OCM access and module flags come from the cache; the
    # module check reads the profile's flags, it no longer evaluates the flags of the token
    # owner's organization on each request: 4 queries before issue 16)
    with django_assert_num_queries(3):
        assert client.get("/api/bcm-plans/departments").json()["count"] == 1
    for i in range(1, 7):
        make_plan(org_a, carol, title=f"Plan {i}", department=dept_a)
    with django_assert_num_queries(3):
        data = client.get("/api/bcm-plans/departments?page=2").json()
    assert (data["count"], data["pages"], len(data["results"])) == (7, 3, 3)
    assert client.get("/api/bcm-plans/departments?page=9").json()["results"] == []


def test_the_detail_has_the_versions_sections_and_schema(carol, dave, alice, plan):
    from tests.bcp.factories import approve_plan

    approve_plan(plan, carol, [dave, alice])
    services.version_create_draft(
        actor=carol, plan=plan, content=plan.current_version.content, change_note="Revision"
    )
    login = Client()
    login.force_login(carol)
    data = login.get(plan_url(plan)).json()
    assert data["current_version"]["number"] == 1
    assert data["current_version"]["status"] == "active"
    assert data["open_version"]["number"] == 2
    assert data["open_version"]["revision"] == 1
    assert len(data["sections"]) == 8
    assert data["content_schema"]["required"] == [s["key"] for s in data["sections"]]


def test_another_organizations_objects_are_404(charlie, plan, carol):
    client = bearer(charlie)
    job = services.generation_request(actor=carol, plan=plan, enqueue=False)
    export = services.export_request(actor=carol, version=draft_of(plan), fmt="pdf")
    body = {"content": edited(plan, "x"), "revision": 1}
    assert client.get(plan_url(plan)).status_code == 404
    assert client.post(plan_url(plan), body, content_type="application/json").status_code == 404
    assert client.post(plan_url(plan, "/generate")).status_code == 404
    assert client.get(plan_url(plan, "/export")).status_code == 404
    assert client.get(f"/api/jobs/{job.public_id}").status_code == 404
    assert client.get(f"/api/exports/{export.public_id}").status_code == 404
    assert client.get(f"/api/exports/{export.public_id}/download").status_code == 404
    assert draft_of(plan).content != body["content"]


def test_a_switched_off_module_is_404(carol, org_a, plan):
    client = bearer(carol)
    Flag.objects.get(name="module.bcp").scope.excluded_organizations.add(org_a)
    response = client.get(plan_url(plan))
    assert response.status_code == 404
    assert "not switched on" in response.json()["detail"]
    assert client.get("/api/bcm-plans/departments").status_code == 404


def _member_of_both(org_a, org_b, primary, email):
    """An editor of MOH and of MOLE whose primary organization is `primary`."""
    from core.tenancy import Role
    from organizations.models import Membership
    from tests.factories import UserFactory

    user = UserFactory(email=email)
    for org in (org_a, org_b):
        Membership.objects.create(
            user=user, organization=org, role=Role.EDITOR, is_primary=org == primary
        )
    return user


def test_the_module_switch_of_the_plans_organization_decides_not_the_token_owners(
    org_a, org_b, plan, foreign_plan
):
    """bcp off for MOH only: MOH's plan is a 404 even for a token whose primary organization
    (MOLE) has the module on; MOLE's plan stays reachable for a token whose primary
    organization (MOH) has it off."""
    Flag.objects.get(name="module.bcp").scope.excluded_organizations.add(org_a)
    mole_first = bearer(_member_of_both(org_a, org_b, org_b, "mia@test.bmms"))
    assert mole_first.get(plan_url(plan)).status_code == 404
    assert post_export(mole_first, plan).status_code == 404
    listed = mole_first.get("/api/bcm-plans/departments").json()
    assert [p["id"] for p in listed["results"]] == [str(foreign_plan.public_id)]
    moh_first = bearer(_member_of_both(org_a, org_b, org_a, "moh-first@test.bmms"))
    assert moh_first.get(plan_url(plan)).status_code == 404
    assert moh_first.get(plan_url(foreign_plan)).status_code == 200
    assert not Export.objects.exists()


# --- updating the draft --------------------------------------------------------------------------


def test_an_editor_updates_the_draft_through_the_service(carol, plan):
    client = bearer(carol)
    body = {"content": edited(plan, "v2"), "revision": 1, "change_note": "From the HR system"}
    response = client.post(plan_url(plan), body, content_type="application/json")
    assert response.status_code == 200
    draft = draft_of(plan)
    assert draft.revision == 2
    assert draft.content["roles_and_responsibilities"] == "Edited over the API v2"
    assert draft.change_note == "From the HR system"
    assert response.json()["open_version"]["revision"] == 2
    entry = AuditLog.objects.get(action="bcp.version.edited")
    assert entry.actor == carol and entry.after["revision"] == 2


def test_a_stale_revision_is_409_and_saves_nothing(carol, plan):
    client = bearer(carol)
    first = {"content": edited(plan, "A"), "revision": 1}
    assert client.post(plan_url(plan), first, content_type="application/json").status_code == 200
    stale = {"content": edited(plan, "B"), "revision": 1}
    response = client.post(plan_url(plan), stale, content_type="application/json")
    assert response.status_code == 409
    data = response.json()
    assert data["current_revision"] == 2
    assert "Stale revision: you sent revision 1" in data["detail"]
    assert draft_of(plan).content["roles_and_responsibilities"] == "Edited over the API A"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"revision": 1}, "Field required"),
        ({"content": {}, "revision": "one"}, "valid integer"),
        ({"content": {"roles_and_responsibilities": 5}, "revision": 1}, "is not of type 'string'"),
        ({"content": {"nonsense": "x"}, "revision": 1}, "required field"),
    ],
)
def test_invalid_content_is_422_with_messages(carol, plan, body, message):
    before = draft_of(plan)
    response = bearer(carol).post(plan_url(plan), body, content_type="application/json")
    assert response.status_code == 422
    assert message in str(response.json()["detail"])
    after = draft_of(plan)
    assert (after.revision, after.content) == (before.revision, before.content)


def test_nul_characters_are_422_not_a_server_error(carol, plan):
    body = {"content": edited(plan, "\x00"), "revision": 1}
    response = bearer(carol).post(plan_url(plan), body, content_type="application/json")
    assert response.status_code == 422


def test_a_viewer_cannot_write(bob, plan):
    client = bearer(bob)
    assert client.get(plan_url(plan)).status_code == 200
    body = {"content": edited(plan, "x"), "revision": 1}
    response = client.post(plan_url(plan), body, content_type="application/json")
    assert response.status_code == 403
    assert "role does not allow" in response.json()["detail"]
    assert client.post(plan_url(plan, "/generate")).status_code == 403
    assert not GenerationJob.objects.exists()


def test_ocm_tokens_read_but_never_write(olga, plan):
    client = bearer(olga)
    assert client.get(plan_url(plan)).status_code == 200
    body = {"content": edited(plan, "x"), "revision": 1}
    response = client.post(plan_url(plan), body, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["detail"] == "OCM access is read-only."
    assert client.post(plan_url(plan, "/generate")).status_code == 403
    # OCM users cannot request exports either (they may list and fetch existing ones).
    assert post_export(client, plan).status_code == 403
    assert client.get(plan_url(plan, "/export")).json() == {"results": []}
    assert draft_of(plan).revision == 1 and not Export.objects.exists()


def test_a_plan_without_an_open_draft_is_409(carol, dave, alice, plan):
    from tests.bcp.factories import approve_plan

    approve_plan(plan, carol, [dave, alice])
    body = {"content": plan.current_version.content, "revision": 1}
    response = bearer(carol).post(plan_url(plan), body, content_type="application/json")
    assert response.status_code == 409
    assert "no open draft" in response.json()["detail"]


# --- generation and exports ----------------------------------------------------------------------


def test_generate_returns_a_job_that_can_be_polled(carol, plan, django_capture_on_commit_callbacks):
    client = bearer(carol)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(plan_url(plan, "/generate"))
    assert response.status_code == 202
    job_id = response.json()["id"]
    job = client.get(f"/api/jobs/{job_id}").json()
    assert job["status"] == "done" and job["progress"] == 100
    assert job["version_number"] == 2
    version = PlanVersion.objects.get(public_id=job["version_id"])
    assert version.status == "draft" and version.generated_by == "built-in"
    assert AuditLog.objects.filter(action="bcp.generation.requested", actor=carol).exists()


def test_generation_is_rate_limited_with_a_clear_message(settings, carol, org_a, dept_a, plan):
    settings.BCP_GENERATIONS_PER_HOUR = 1
    client = bearer(carol)
    assert client.post(plan_url(plan, "/generate")).status_code == 202
    other = make_plan(org_a, carol, title="HR plan", department=dept_a)
    response = client.post(plan_url(other, "/generate"))
    assert response.status_code == 429
    assert "has reached its limit of generated drafts (1 an hour)" in response.json()["detail"]
    assert GenerationJob.objects.count() == 1


def test_export_is_requested_then_reused_and_downloaded(
    bob, plan, django_capture_on_commit_callbacks
):
    client = bearer(bob)  # viewers may export, as in the portal
    # A GET lists and never creates.
    assert client.get(plan_url(plan, "/export?format=docx")).json() == {"results": []}
    assert not Export.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        first = post_export(client, plan, format="docx")
    assert first.status_code == 202
    assert first.json()["status"] == "queued" and first.json()["download_url"] is None
    again = post_export(client, plan, format="docx")
    assert again.status_code == 200
    data = again.json()
    assert data["id"] == first.json()["id"]  # the identical export is reused, not re-rendered
    assert Export.objects.count() == 1
    listed = client.get(plan_url(plan, "/export?format=docx")).json()["results"]
    assert [e["id"] for e in listed] == [data["id"]]
    download = client.get(data["download_url"])
    assert download.status_code == 200
    assert hashlib.sha256(b"".join(download.streaming_content)).hexdigest() == data["sha256"]
    assert post_export(client, plan, format="odt").status_code == 422
    assert post_export(client, plan, version=7).status_code == 404


def test_new_exports_are_rate_limited_but_reuse_is_not(
    settings, bob, plan, django_capture_on_commit_callbacks
):
    settings.BCP_EXPORTS_PER_HOUR = 1
    client = bearer(bob)
    with django_capture_on_commit_callbacks(execute=True):
        assert post_export(client, plan, format="pdf").status_code == 202
    assert post_export(client, plan, format="pdf").status_code == 200  # reused
    response = post_export(client, plan, format="docx")
    assert response.status_code == 429
    assert "has reached its limit of exports (1 an hour)" in response.json()["detail"]
    assert Export.objects.count() == 1


def test_an_edited_draft_is_exported_again(carol, plan, django_capture_on_commit_callbacks):
    client = bearer(carol)
    with django_capture_on_commit_callbacks(execute=True):
        first = post_export(client, plan).json()
    body = {"content": edited(plan, "new"), "revision": 1}
    client.post(plan_url(plan), body, content_type="application/json")
    second = post_export(client, plan).json()
    assert second["id"] != first["id"] and second["status"] == "queued"
