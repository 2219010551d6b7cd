"""The plan's registers and the organization's vendor registry."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from core.generic import edit_view
from core.policies import bcp as bcp_policies
from core.search import SEARCH_MAX_LENGTH, search_text
from core.tenancy import get_for_user_or_404, require
from core.web import current_organization, paginate

from .. import selectors, services
from ..files import max_attachment_bytes
from ..forms import (
    AttachmentForm,
    ChangeLogForm,
    ContactForm,
    ExerciseForm,
    ProcessForm,
    RiskForm,
    VendorForm,
)
from ..models import Attachment, Contact, CriticalProcess, Plan, Risk, Vendor
from ._common import BC_PLANS, _confirm_delete, _form_page, _page, _plan_url

# --- the plan's registers ------------------------------------------------------------------------


def _child_create(
    request, public_id, form_class, service: Callable, noun: str, anchor: str, **extra
):
    plan = get_for_user_or_404(Plan, request.user, "change", public_id=public_id)
    form = form_class(request.POST or None, plan=plan)
    return edit_view(
        request,
        form,
        save=lambda data: service(actor=request.user, plan=plan, **data),
        success_message=lambda obj: f"{noun.capitalize()} “{obj}” added.",
        after_save=lambda obj: _warn_dependencies(request, obj),
        success_url=_plan_url(plan, anchor),
        **_page(plan, title=f"Add a {noun} to “{plan.title}”", cancel_url=_plan_url(plan)),
    )


def _child_edit(request, model, public_id, form_class, service, field, noun, anchor):
    obj = get_for_user_or_404(model, request.user, "change", public_id=public_id)
    plan = obj.plan
    form = form_class(request.POST or None, instance=model.objects.get(pk=obj.pk), plan=plan)
    return edit_view(
        request,
        form,
        save=lambda data: service(actor=request.user, **{field: obj}, **data),
        success_message=lambda saved: f"{noun.capitalize()} “{saved}” saved.",
        after_save=lambda saved: _warn_dependencies(request, saved),
        success_url=_plan_url(plan, anchor),
        **_page(plan, title=f"Edit {noun} “{obj}”", cancel_url=_plan_url(plan, anchor)),
    )


def _child_delete(request, model, public_id, service, field, noun, anchor):
    obj = get_for_user_or_404(model, request.user, "change", public_id=public_id)
    return _confirm_delete(
        request,
        obj,
        noun,
        lambda: service(actor=request.user, **{field: obj}),
        _plan_url(obj.plan, anchor),
    )


def _warn_dependencies(request, obj) -> None:
    if isinstance(obj, CriticalProcess):
        for warning in obj.dependency_warnings():
            messages.warning(request, warning)


@login_required
def process_create(request, public_id):
    return _child_create(
        request, public_id, ProcessForm, services.process_create, "process", "processes"
    )


@login_required
def process_edit(request, public_id):
    return _child_edit(
        request,
        CriticalProcess,
        public_id,
        ProcessForm,
        services.process_update,
        "process",
        "process",
        "processes",
    )


@login_required
def process_delete(request, public_id):
    return _child_delete(
        request,
        CriticalProcess,
        public_id,
        services.process_delete,
        "process",
        "process",
        "processes",
    )


@login_required
def risk_create(request, public_id):
    return _child_create(request, public_id, RiskForm, services.risk_create, "risk", "risks")


@login_required
def risk_edit(request, public_id):
    return _child_edit(
        request, Risk, public_id, RiskForm, services.risk_update, "risk", "risk", "risks"
    )


@login_required
def risk_delete(request, public_id):
    return _child_delete(request, Risk, public_id, services.risk_delete, "risk", "risk", "risks")


@login_required
def contact_create(request, public_id):
    return _child_create(
        request, public_id, ContactForm, services.contact_create, "contact", "contacts"
    )


@login_required
def contact_edit(request, public_id):
    return _child_edit(
        request,
        Contact,
        public_id,
        ContactForm,
        services.contact_update,
        "contact",
        "contact",
        "contacts",
    )


@login_required
def contact_delete(request, public_id):
    return _child_delete(
        request, Contact, public_id, services.contact_delete, "contact", "contact", "contacts"
    )


@login_required
def exercise_create(request, public_id):
    plan = get_for_user_or_404(Plan, request.user, "change", public_id=public_id)
    plan = selectors.plan_detail(request.user, public_id)
    form = ExerciseForm(request.POST or None, plan=plan)
    return edit_view(
        request,
        form,
        save=lambda data: services.exercise_record(
            actor=request.user,
            plan=plan,
            results=form.results(),
            **{k: data[k] for k in ExerciseForm.Meta.fields},
        ),
        success_message="Exercise recorded.",
        success_url=_plan_url(plan, "exercises"),
        **_page(plan, title=f"Record an exercise of “{plan.title}”", cancel_url=_plan_url(plan)),
    )


@login_required
def attachment_upload(request, public_id):
    plan = get_for_user_or_404(Plan, request.user, "change", public_id=public_id)
    form = AttachmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        limit = max_attachment_bytes()
        # Read at most one byte more than allowed: enough to know it is too large.
        data = upload.read(limit + 1)
        try:
            attachment = services.attachment_upload(
                actor=request.user,
                plan=plan,
                name=upload.name,
                data=data,
                description=form.cleaned_data["description"],
            )
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            messages.success(request, f"“{attachment.original_name}” attached.")
            return redirect(_plan_url(plan, "attachments"))
    return _form_page(
        request,
        form,
        f"Attach a file to “{plan.title}”",
        _plan_url(plan, "attachments"),
        plan=plan,
        multipart=True,
    )


@login_required
def attachment_download(request, public_id):
    attachment = get_for_user_or_404(Attachment, request.user, "view", public_id=public_id)
    from django.core.files.storage import default_storage

    try:
        handle = default_storage.open(attachment.storage_name, "rb")
    except FileNotFoundError as exc:
        raise Http404("The file is missing from storage; tell your administrator.") from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def attachment_delete(request, public_id):
    return _child_delete(
        request,
        Attachment,
        public_id,
        services.attachment_delete,
        "attachment",
        "attachment",
        "attachments",
    )


@login_required
def changelog_create(request, public_id):
    plan = get_for_user_or_404(Plan, request.user, "change", public_id=public_id)
    form = ChangeLogForm(request.POST or None)
    return edit_view(
        request,
        form,
        save=lambda data: services.changelog_link(actor=request.user, plan=plan, **data),
        success_message="Change linked to the plan.",
        success_url=_plan_url(plan, "changes"),
        **_page(
            plan,
            title=f"Link a change record to “{plan.title}”",
            cancel_url=_plan_url(plan),
            intro="Paste the GUID of the change record (e.g. from the change-management system).",
        ),
    )


# --- vendors -------------------------------------------------------------------------------------


@login_required
def vendor_list(request):
    organization = current_organization(request, BC_PLANS)
    vendors = Vendor.objects.for_user(request.user).for_organization(organization).order_by("name")
    search, search_error = search_text(request)
    if search_error:
        vendors = vendors.none()
    elif search:
        vendors = vendors.filter(name__icontains=search)
    return render(
        request,
        "bcp/vendor_list.html",
        {
            "page": paginate(request, vendors),
            "q": search,
            "search_error": search_error,
            "search_max_length": SEARCH_MAX_LENGTH,
            "can_change": bcp_policies.may_change_plans(request.user, organization),
        },
    )


@login_required
def vendor_create(request):
    organization = current_organization(request, BC_PLANS)
    require(request.user, organization.pk, "change")
    form = VendorForm(request.POST or None, instance=Vendor(organization=organization))
    return edit_view(
        request,
        form,
        save=lambda data: services.vendor_create(
            actor=request.user, organization=organization, **data
        ),
        success_message=lambda vendor: f"Vendor “{vendor.name}” added to the registry.",
        success_url=reverse("bcp:vendor-list"),
        **_page(title="Add a vendor", cancel_url=reverse("bcp:vendor-list")),
    )


@login_required
def vendor_edit(request, public_id):
    vendor = get_for_user_or_404(Vendor, request.user, "change", public_id=public_id)
    form = VendorForm(request.POST or None, instance=Vendor.objects.get(pk=vendor.pk))
    return edit_view(
        request,
        form,
        save=lambda data: services.vendor_update(actor=request.user, vendor=vendor, **data),
        success_message=lambda _: f"Vendor “{form.cleaned_data['name']}” saved.",
        success_url=reverse("bcp:vendor-list"),
        **_page(title=f"Edit vendor “{vendor}”", cancel_url=reverse("bcp:vendor-list")),
    )


@login_required
def vendor_delete(request, public_id):
    vendor = get_for_user_or_404(Vendor, request.user, "change", public_id=public_id)
    return _confirm_delete(
        request,
        vendor,
        "vendor",
        lambda: services.vendor_delete(actor=request.user, vendor=vendor),
        reverse("bcp:vendor-list"),
        consequence=lambda: (
            f"{vendor.processes.count()} process(es) depend on it and will lose the link."
        ),
    )
