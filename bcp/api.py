"""The JSON API of business continuity plans, with django-ninja, mounted at /api/.

OpenAPI at /api/openapi.json, for signed-in users and token holders only (no docs page: ninja's
loads Swagger UI from a CDN, which the CSP forbids). Authentication is the portal session (CSRF
enforced on unsafe methods) or a personal token, `Authorization: Bearer <token>`
(`manage.py create_api_token EMAIL`), authenticated by `BearerTokenMiddleware`
(core/middleware.py) in front of the portal's own middleware stack.

The rules are the portal's, through the same doors: the current organization and the OCM
read-only rule come from the portal's middleware (an OCM read-only user's write answers 403);
objects come from `for_user` / `get_for_user_or_404` (another organization's plan → 404, a role
too low → 403); an object of an organization where the module is switched off
answers 404 (whatever the token owner's organization), and every write goes through
bcp/services.py (validation, locking, audit log).
"""

from __future__ import annotations

import datetime
import functools
import uuid
from typing import Any, Literal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import EmptyPage, Paginator
from django.db.models import OuterRef, Q, Subquery
from django.http import FileResponse, Http404, HttpRequest, JsonResponse
from django.urls import reverse
from ninja import Field, NinjaAPI, Query, Schema, Status
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer, SessionAuth
from pydantic import field_validator

from core.modules import MODULES
from core.policies import bcp as policies
from core.search import SEARCH_MAX_LENGTH
from core.tenancy import get_for_user_or_404, require

from . import selectors, services
from .content import schema_for, sections_of
from .exports import CONTENT_TYPES
from .models import Export, GenerationJob, Plan, PlanVersion

MAX_INT = 2_147_483_647
NO_NUL = r"^[^\x00]*$"


class ApiError(Exception):
    """An answer other than success, with a message a client developer can act on."""

    def __init__(self, status: int, detail: Any, **extra: Any):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.extra = extra


# --- authentication -------------------------------------------------------------------------------


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>`: a personal API token. `BearerTokenMiddleware`
    (core/middleware.py) has already authenticated it, in front of the portal's
    current-organization and OCM read-only middleware, or answered 401; this class only tells
    ninja (and the OpenAPI schema) that the request came in by token."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return request.user if getattr(request, "api_token_auth", False) else None


class Session(SessionAuth):
    """The portal session. CSRF is checked for signed-in users only, so an anonymous request
    gets 401 (sign in) rather than 403 (CSRF)."""

    def __call__(self, request: HttpRequest) -> Any:
        if not request.user.is_authenticated:
            return None
        return super().__call__(request)


UNAUTHENTICATED_DETAIL = (
    "Authentication required: sign in to the portal, or send 'Authorization: Bearer <token>'."
)


def _unauthenticated_response(detail: str | None = None) -> JsonResponse:
    response = JsonResponse({"detail": detail or UNAUTHENTICATED_DETAIL}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="bmms"'
    return response


def signed_in_only(view):
    """The schema (and any docs page) answers the portal session or a valid API token only:
    it maps every operation of the API, which is nobody else's business."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any):
        if not request.user.is_authenticated:  # a bad token has had its 401 already
            return _unauthenticated_response()
        return view(request, *args, **kwargs)

    return wrapped


api = NinjaAPI(
    title="BMMS business continuity plans API",
    version="1.0.0",
    description=(
        "Departmental BCM plans: read, update the open draft (optimistic locking with "
        "`revision`), request AI-generated drafts and PDF/DOCX exports. Authenticate with the "
        "portal session (send the CSRF token on POST) or `Authorization: Bearer <token>` "
        "(`manage.py create_api_token EMAIL`)."
    ),
    urls_namespace="api",
    docs_url=None,
    docs_decorator=signed_in_only,
    auth=[BearerToken(), Session()],
)


@api.exception_handler(ApiError)
def _api_error(request, exc: ApiError):
    return api.create_response(request, {"detail": exc.detail, **exc.extra}, status=exc.status)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc: AuthenticationError):
    detail = exc.message if exc.message != "Unauthorized" else None
    response = api.create_response(
        request,
        {"detail": detail or UNAUTHENTICATED_DETAIL},
        status=401,
    )
    response["WWW-Authenticate"] = 'Bearer realm="bmms"'
    return response


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc: PermissionDenied):
    return api.create_response(request, {"detail": str(exc) or "You may not do this."}, status=403)


@api.exception_handler(Http404)
def _not_found(request, exc: Http404):
    # get_object_or_404's message names the model and nothing else: keep it generic.
    return api.create_response(request, {"detail": "Not found."}, status=404)


def _actor(request: HttpRequest) -> Any:
    """The authenticated user, when the module is on for at least one of their organizations
    (or they oversee every organization). Which objects they reach is then decided per object,
    by the organization that owns it: `for_user` leaves out the rows of organizations where the
    module is off, so such an object is a 404 whichever organization the user works in."""
    if not policies.may_use_module(request.user):
        raise ApiError(
            404, f"The {MODULES['bcp']} module is not switched on for your organization."
        )
    return request.user


def _errors(exc: ValidationError, field: str) -> list[dict[str, Any]]:
    """A service's ValidationError in the shape of ninja's own 422 answers."""
    return [{"loc": ["body", field], "msg": m, "type": "value_error"} for m in exc.messages]


# --- schemas --------------------------------------------------------------------------------------


class ErrorOut(Schema):
    detail: str


class ValidationErrorOut(Schema):
    detail: list[dict[str, Any]]


class ConflictOut(Schema):
    detail: str
    current_revision: int | None = None


class SectionOut(Schema):
    key: str
    title: str
    kind: str
    required: bool


class VersionOut(Schema):
    id: uuid.UUID
    number: int
    status: str
    revision: int
    change_note: str
    author: str
    generated_by: str
    generation_fallback: bool
    content: dict[str, Any]
    created_at: datetime.datetime
    updated_at: datetime.datetime
    approved_at: datetime.datetime | None


class PlanSummaryOut(Schema):
    id: uuid.UUID
    title: str
    organization: str
    department: str
    status: str
    current_version_number: int | None
    open_version_number: int | None
    next_review_date: datetime.date | None
    updated_at: datetime.datetime
    url: str


class PlanOut(PlanSummaryOut):
    template: str
    sections: list[SectionOut]
    content_schema: dict[str, Any]
    current_version: VersionOut | None
    open_version: VersionOut | None


class PlanPageOut(Schema):
    count: int
    page: int
    pages: int
    page_size: int
    results: list[PlanSummaryOut]


class DraftUpdateIn(Schema):
    content: dict[str, Any] = Field(description="Every section of the template (see sections).")
    revision: int = Field(
        ge=1, le=MAX_INT, description="The open draft's `revision` you read (optimistic lock)."
    )
    change_note: str | None = Field(
        None, max_length=2000, description="Left unchanged when omitted."
    )

    @field_validator("change_note")
    @classmethod
    def _no_nul(cls, value: str | None) -> str | None:
        if value is not None and "\x00" in value:
            raise ValueError("must not contain NUL characters")
        return value


class JobOut(Schema):
    id: uuid.UUID
    plan: uuid.UUID
    status: str
    progress: int
    stage: str
    error: str
    version_id: uuid.UUID | None
    version_number: int | None
    created_at: datetime.datetime
    started_at: datetime.datetime | None
    finished_at: datetime.datetime | None
    url: str


class ExportOut(Schema):
    id: uuid.UUID
    plan: uuid.UUID
    version_number: int
    format: str
    status: str
    sha256: str
    size_bytes: int | None
    error: str
    created_at: datetime.datetime
    finished_at: datetime.datetime | None
    url: str
    download_url: str | None


# --- serialization --------------------------------------------------------------------------------


def _summary(plan: Plan, open_number: int | None) -> dict[str, Any]:
    return {
        "id": plan.public_id,
        "title": plan.title,
        "organization": plan.organization.code,
        "department": plan.department.name if plan.department_id else "",
        "status": plan.status,
        "current_version_number": plan.current_version.version_number
        if plan.current_version_id
        else None,
        "open_version_number": open_number,
        "next_review_date": plan.next_review_date,
        "updated_at": plan.updated_at,
        "url": reverse("api:department-plan", args=[plan.public_id]),
    }


def _version(version: PlanVersion | None) -> dict[str, Any] | None:
    if version is None:
        return None
    return {
        "id": version.public_id,
        "number": version.version_number,
        "status": version.status,
        "revision": version.revision,
        "change_note": version.change_note,
        "author": version.author.email,
        "generated_by": version.generated_by,
        "generation_fallback": version.generation_fallback,
        "content": version.content,
        "created_at": version.created_at,
        "updated_at": version.updated_at,
        "approved_at": version.approved_at,
    }


def _plan(plan: Plan) -> dict[str, Any]:
    open_version = selectors.open_version(plan)
    return {
        **_summary(plan, open_version.version_number if open_version else None),
        "template": plan.template.code,
        "sections": [
            {"key": s.key, "title": s.title, "kind": s.kind, "required": s.required}
            for s in sections_of(plan.template)
        ],
        "content_schema": schema_for(plan.template),
        "current_version": _version(plan.current_version),
        "open_version": _version(open_version),
    }


def _job(job: GenerationJob) -> dict[str, Any]:
    return {
        "id": job.public_id,
        "plan": job.plan.public_id,
        "status": job.status,
        "progress": job.progress,
        "stage": job.stage,
        "error": job.error,
        "version_id": job.version.public_id if job.version_id else None,
        "version_number": job.version.version_number if job.version_id else None,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "url": reverse("api:job", args=[job.public_id]),
    }


def _export(export: Export) -> dict[str, Any]:
    done = export.status == Export.Status.DONE
    return {
        "id": export.public_id,
        "plan": export.version.plan.public_id,
        "version_number": export.version.version_number,
        "format": export.format,
        "status": export.status,
        "sha256": export.sha256,
        "size_bytes": export.size_bytes,
        "error": export.error,
        "created_at": export.created_at,
        "finished_at": export.finished_at,
        "url": reverse("api:export", args=[export.public_id]),
        "download_url": reverse("api:export-download", args=[export.public_id]) if done else None,
    }


def _department_plan(user: Any, plan_id: uuid.UUID, action: str = "view") -> Plan:
    """A departmental plan the user may see (404 otherwise), with the role for `action` (403)."""
    plan = get_for_user_or_404(Plan, user, "view", public_id=plan_id, department__isnull=False)
    if action != "view":
        require(user, plan.organization_id, action)
    return (
        Plan.objects.select_related(
            "organization", "department", "template", "current_version__author"
        )
        .prefetch_related("template__sections")
        .get(pk=plan.pk)
    )


# --- endpoints ------------------------------------------------------------------------------------

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


@api.get(
    "/bcm-plans/departments",
    response={200: PlanPageOut, **ERRORS},
    url_name="department-plans",
    summary="Departmental plans visible to you",
)
def department_plans(
    request: HttpRequest,
    page: int = Query(1, ge=1, le=MAX_INT),
    organization: str | None = Query(
        None, pattern=r"^[A-Za-z0-9_-]{1,20}$", description="Organization code, e.g. MOH."
    ),
    status: Literal["draft", "in_review", "approved", "archived"] | None = None,
    search: str | None = Query(
        None, max_length=SEARCH_MAX_LENGTH, pattern=NO_NUL, description="In titles."
    ),
):
    """Departmental plans of your organizations (OCM: of every organization), by title,
    `settings.PAGE_SIZE` per page."""
    user = _actor(request)
    open_number = PlanVersion.objects.filter(
        plan=OuterRef("pk"), status__in=PlanVersion.OPEN_STATUSES
    ).values("version_number")[:1]
    queryset = (
        Plan.objects.for_user(user, "view")
        .filter(department__isnull=False)
        .select_related("organization", "department", "current_version")
        .annotate(open_number=Subquery(open_number))
        .order_by("title", "pk")
    )
    if organization:
        queryset = queryset.filter(organization__code__iexact=organization)
    if status:
        queryset = queryset.filter(status=status)
    if search:
        queryset = queryset.filter(Q(title__icontains=search))
    paginator = Paginator(queryset, settings.PAGE_SIZE)
    try:
        plans = list(paginator.page(page).object_list)
    except EmptyPage:
        plans = []  # past the last page: an empty page, with the count to navigate by
    return {
        "count": paginator.count,
        "page": page,
        "pages": paginator.num_pages if paginator.count else 0,
        "page_size": settings.PAGE_SIZE,
        "results": [_summary(p, p.open_number) for p in plans],
    }


@api.get(
    "/bcm-plans/department/{uuid:plan_id}",
    response={200: PlanOut, **ERRORS},
    url_name="department-plan",
    summary="A departmental plan with its current and open versions",
)
def department_plan(request: HttpRequest, plan_id: uuid.UUID):
    """The plan, its template's sections and content schema, the approved (current) version and
    the open version (draft or in review) with the `revision` to send back when updating it."""
    return _plan(_department_plan(_actor(request), plan_id))


@api.post(
    "/bcm-plans/department/{uuid:plan_id}",
    response={200: PlanOut, 409: ConflictOut, 422: ValidationErrorOut, **ERRORS},
    url_name="department-plan-update",
    summary="Update the open draft's content",
)
def department_plan_update(request: HttpRequest, plan_id: uuid.UUID, payload: DraftUpdateIn):
    """Replace the open draft's content (editors). `revision` must be the draft's current one:
    if someone saved it since, the answer is 409 and nothing is saved. Content that breaks the
    template's schema is refused with 422, one message per problem."""
    user = _actor(request)
    plan = _department_plan(user, plan_id, "change")
    draft = selectors.open_version(plan)
    if draft is None or draft.status != PlanVersion.Status.DRAFT:
        state = f"version {draft.version_number} is in review" if draft else "it has none"
        raise ApiError(
            409,
            f"This plan has no open draft to update ({state}). Start a new draft in the portal "
            "or ask for a generated one.",
        )
    if _has_nul(payload.content):
        raise ApiError(
            422,
            [
                {
                    "loc": ["body", "content"],
                    "msg": "Text must not contain NUL characters.",
                    "type": "value_error",
                }
            ],
        )
    try:
        services.version_update_draft(
            actor=user,
            version=draft,
            content=payload.content,
            change_note=draft.change_note if payload.change_note is None else payload.change_note,
            expected_revision=payload.revision,
        )
    except services.EditConflict as exc:
        current = exc.version
        raise ApiError(
            409,
            f"Stale revision: you sent revision {payload.revision}, but version "
            f"{current.version_number} was saved by someone else and is now at revision "
            f"{current.revision}. Nothing was saved: read the plan again, merge your changes "
            "and send them with the current revision.",
            current_revision=current.revision,
        ) from exc
    except ValidationError as exc:
        raise ApiError(422, _errors(exc, "content")) from exc
    return _plan(_department_plan(user, plan_id))


def _has_nul(value: Any) -> bool:
    """PostgreSQL's JSONB cannot store U+0000: refuse it with 422 rather than fail on save."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


@api.post(
    "/bcm-plans/department/{uuid:plan_id}/generate",
    response={202: JobOut, 409: ErrorOut, 429: ErrorOut, **ERRORS},
    url_name="department-plan-generate",
    summary="Ask for an AI-generated draft",
)
def department_plan_generate(request: HttpRequest, plan_id: uuid.UUID):
    """Queue a generated draft (editors); poll the returned job at `url`. The result is always a
    new draft version to review. A plan already being generated returns its running job. 429
    when the organization reached its hourly limit; 409 when a version is in review or the plan
    is archived."""
    user = _actor(request)
    plan = _department_plan(user, plan_id, "change")
    try:
        job = services.generation_request(actor=user, plan=plan)
    except services.RateLimited as exc:
        raise ApiError(429, " ".join(exc.messages)) from exc
    except ValidationError as exc:
        raise ApiError(409, " ".join(exc.messages)) from exc
    job = GenerationJob.objects.select_related("plan", "version").get(pk=job.pk)
    return Status(202, _job(job))


@api.get(
    "/jobs/{uuid:job_id}",
    response={200: JobOut, **ERRORS},
    url_name="job",
    summary="A generation job's progress",
)
def job_detail(request: HttpRequest, job_id: uuid.UUID):
    """Status (queued, running, done, failed), progress 0–100, what it is doing, and the new
    draft version once done."""
    user = _actor(request)
    job = get_for_user_or_404(GenerationJob, user, "view", public_id=job_id)
    return _job(GenerationJob.objects.select_related("plan", "version").get(pk=job.pk))


class ExportIn(Schema):
    format: Literal["pdf", "docx"] = Field("pdf", description="The file format.")
    version: int | None = Field(
        None,
        ge=1,
        le=MAX_INT,
        description="Version number; by default the approved version, else the open one.",
    )


class ExportListOut(Schema):
    results: list[ExportOut]


#: How many of a plan's exports the list returns (the newest).
EXPORT_LIST_SIZE = 20


@api.post(
    "/bcm-plans/department/{uuid:plan_id}/export",
    response={200: ExportOut, 202: ExportOut, 409: ErrorOut, 429: ErrorOut, **ERRORS},
    url_name="department-plan-export",
    summary="Request a PDF or DOCX export of a version",
)
def department_plan_export(request: HttpRequest, plan_id: uuid.UUID, payload: ExportIn):
    """Request an export of the version in the format (anyone who may read the plan; OCM users,
    who change nothing, fetch existing exports with the GET of the same path). When nothing the
    file shows changed since an earlier export of that version and format, that export is
    returned (200 when done, with `download_url`; 202 while it renders) and counts against no
    quota; otherwise a new one is queued (202): poll its `url`. Exports are deterministic, so a
    reused export has exactly the bytes a new one would have. 429 when an hourly quota is
    reached (yours, the viewers' share of the organization's, or the organization's)."""
    user = _actor(request)
    plan = _department_plan(user, plan_id)
    chosen = _export_version(plan, payload.version)
    try:
        export = services.export_request(actor=user, version=chosen, fmt=payload.format)
    except services.RateLimited as exc:
        raise ApiError(429, " ".join(exc.messages)) from exc
    except ValidationError as exc:
        raise ApiError(409, " ".join(exc.messages)) from exc
    export = Export.objects.select_related("version__plan").get(pk=export.pk)
    return Status(200 if export.status == Export.Status.DONE else 202, _export(export))


@api.get(
    "/bcm-plans/department/{uuid:plan_id}/export",
    response={200: ExportListOut, **ERRORS},
    url_name="department-plan-exports",
    summary="The plan's exports, newest first",
)
def department_plan_exports(
    request: HttpRequest,
    plan_id: uuid.UUID,
    fmt: Literal["pdf", "docx"] | None = Query(None, alias="format"),
    version: int | None = Query(None, ge=1, le=MAX_INT, description="Only this version."),
):
    """The newest exports of the plan's versions (at most 20), to fetch with their `url` and
    `download_url`. Reading changes nothing: exports are requested with POST."""
    user = _actor(request)
    plan = _department_plan(user, plan_id)
    exports = Export.objects.filter(version__plan=plan).select_related("version__plan")
    if fmt:
        exports = exports.filter(format=fmt)
    if version is not None:
        exports = exports.filter(version__version_number=version)
    return {"results": [_export(e) for e in exports.order_by("-created_at")[:EXPORT_LIST_SIZE]]}


def _export_version(plan: Plan, number: int | None) -> PlanVersion:
    versions = plan.versions.select_related("plan")
    if number is not None:
        chosen = versions.filter(version_number=number).first()
    else:
        chosen = (
            plan.current_version or versions.filter(status__in=PlanVersion.OPEN_STATUSES).first()
        )
        chosen = chosen or versions.order_by("-version_number").first()
    if chosen is None:
        raise ApiError(404, "This plan has no such version.")
    return chosen


@api.get(
    "/exports/{uuid:export_id}",
    response={200: ExportOut, **ERRORS},
    url_name="export",
    summary="An export's status",
)
def export_detail(request: HttpRequest, export_id: uuid.UUID):
    user = _actor(request)
    export = get_for_user_or_404(Export, user, "view", public_id=export_id)
    return _export(Export.objects.select_related("version__plan").get(pk=export.pk))


@api.get(
    "/exports/{uuid:export_id}/download",
    response={200: None, 409: ErrorOut, **ERRORS},
    url_name="export-download",
    summary="Download an exported file",
    openapi_extra={
        "responses": {
            200: {
                "description": "The file",
                "content": {ctype: {} for ctype in CONTENT_TYPES.values()},
            }
        }
    },
)
def export_download(request: HttpRequest, export_id: uuid.UUID):
    """The PDF or DOCX file (its SHA-256 is the export's `sha256`)."""
    user = _actor(request)
    export = get_for_user_or_404(Export, user, "view", public_id=export_id)
    export = Export.objects.select_related("version__plan").get(pk=export.pk)
    if export.status != Export.Status.DONE:
        raise ApiError(409, f"This export is {export.get_status_display().lower()}, not ready.")
    try:
        handle = default_storage.open(export.storage_name, "rb")
    except FileNotFoundError as exc:
        raise ApiError(404, "The exported file is no longer stored; export again.") from exc
    return FileResponse(
        handle,
        as_attachment=True,
        filename=export.filename,
        content_type=CONTENT_TYPES[export.format],
    )
