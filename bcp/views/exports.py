"""Exports of plan versions: request, status, download, verify a file."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core.tenancy import get_for_user_or_404

from .. import services
from ..exports import CONTENT_TYPES
from ..forms import VerifyFileForm
from ..models import Export, PlanVersion


@login_required
@require_POST
def version_export(request: HttpRequest, public_id) -> HttpResponse:
    """Ask for a PDF or DOCX of a version (anyone who may read the plan)."""
    version = get_for_user_or_404(PlanVersion, request.user, "view", public_id=public_id)
    try:
        export = services.export_request(
            actor=request.user, version=version, fmt=request.POST.get("format", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("bcp:version-detail", public_id=version.public_id)
    if export.reused:
        messages.info(
            request,
            "Nothing this file shows has changed since it was exported: here is that export "
            "(it did not count against any limit).",
        )
    return redirect("bcp:export-detail", public_id=export.public_id)


@login_required
def export_detail(request: HttpRequest, public_id) -> HttpResponse:
    """An export's status, hash and download link (polled by htmx while it renders)."""
    export = get_for_user_or_404(Export, request.user, "view", public_id=public_id)
    template = "bcp/export_detail.html"
    if request.htmx and not request.htmx.boosted:
        template += "#progress"
    return render(request, template, {"export": export, "plan": export.version.plan})


@login_required
def export_download(request: HttpRequest, public_id) -> HttpResponse:
    export = get_for_user_or_404(Export, request.user, "view", public_id=public_id)
    if export.status != Export.Status.DONE:
        raise Http404("This export is not ready.")
    try:
        handle = default_storage.open(export.storage_name, "rb")
    except FileNotFoundError as exc:
        raise Http404("The exported file is no longer stored; export the version again.") from exc
    return FileResponse(
        handle,
        as_attachment=True,
        filename=export.filename,
        content_type=CONTENT_TYPES[export.format],
    )


@login_required
def export_verify(request: HttpRequest) -> HttpResponse:
    """Upload a PDF/DOCX and learn whether it is an unaltered export of a plan you may read."""
    form = VerifyFileForm(request.POST or None, request.FILES or None)
    matches = None
    digest = ""
    if request.method == "POST" and form.is_valid():
        digest = form.digest
        matches = list(
            Export.objects.for_user(request.user, "view")
            .filter(status=Export.Status.DONE, sha256=digest)
            .select_related("version__plan")
            .order_by("-created_at")[:10]
        )
    return render(
        request,
        "bcp/export_verify.html",
        {"form": form, "matches": matches, "digest": digest},
    )
