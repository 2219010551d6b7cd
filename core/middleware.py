"""Request id, bearer-token authentication, current organization and the OCM read-only guard."""

from __future__ import annotations

import logging
import re
import time
import uuid

from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.urls import reverse

from .client import client_ip
from .logcontext import current_ip, current_request_id
from .policies.base import is_read_only
from .tenancy import tenancy_of

request_logger = logging.getLogger("bmms.request")
_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
SESSION_KEY = "current_organization_code"
READ_ONLY_MESSAGE = "OCM access is read-only."


class RequestIdMiddleware:
    """Gives each request an id (the proxy's X-Request-ID when well-formed) for logs and audit."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.id = incoming if _REQUEST_ID_RE.match(incoming) else uuid.uuid4().hex
        token = current_request_id.set(request.id)
        request.client_ip = client_ip(request)
        ip_token = current_ip.set(request.client_ip)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
            current_ip.reset(ip_token)
        response["X-Request-ID"] = request.id
        return response


#: Where the JSON APIs live (config/urls.py): bearer tokens count there and nowhere else.
API_PATH_PREFIX = "/api/"


def is_api_request(request) -> bool:
    return request.path.startswith(API_PATH_PREFIX)


def api_error(detail: str, status: int) -> JsonResponse:
    """An answer in the API's shape (`{"detail": ...}`); 401s say how to authenticate."""
    response = JsonResponse({"detail": detail}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="bmms"'
    return response


class BearerTokenMiddleware:
    """`Authorization: Bearer <token>` on the API's URLs: the request acts as the token's user
    (organizations/api_tokens.py), set *before* the current-organization and OCM read-only
    middleware, so a token request goes through exactly the stack a portal session does.

    A token that does not authenticate (unknown, revoked, deactivated account) answers 401
    with the reason, even beside a valid session: a client that sends a token means to be that
    token. Nothing is stored in the session."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.api_token_auth = False
        header = request.headers.get("Authorization", "")
        if header and is_api_request(request):
            scheme, *rest = header.split(" ")
            if scheme.lower() == "bearer":
                from organizations.api_tokens import TokenRefused, authenticate

                try:
                    request.user = authenticate(" ".join(rest))
                except TokenRefused as exc:
                    return api_error(str(exc), 401)
                request.api_token_auth = True
        return self.get_response(request)


class CurrentOrganizationMiddleware:
    """Sets `request.organization` and `request.membership` from the session choice.

    The choice is checked against the user's memberships on every request; a stale or forged
    choice falls back to the primary membership. OCM-only users have no current organization:
    they read every organization through the directory and the OCM dashboard.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.organization = None
        request.membership = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            profile = tenancy_of(user)
            request.tenancy = profile
            chosen = request.session.get(SESSION_KEY)
            membership = next(
                (m for m in profile.memberships if m.organization.code == chosen), None
            )
            if membership is None and profile.memberships:
                membership = profile.memberships[0]  # primary first (see tenancy_of)
            if membership is not None:
                request.membership = membership
                request.organization = membership.organization
        return self.get_response(request)


class OCMReadOnlyMiddleware:
    """OCM read-only users (`TenancyProfile.is_ocm_only`: OCM access without the superuser's
    "also a member" grant, memberships or not) write nothing: every unsafe method answers 403,
    on every URL (on the API's, in its JSON shape, whether by session or token).

    The exceptions are the person's own account, which is no organization's data: signing out,
    and on their profile their name, position and phone, their password, their other
    sessions and how many rows their lists show (accounts/).
    """

    SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
    #: URL names an OCM user may POST to: their own account only.
    OWN_ACCOUNT = (
        "logout",
        "accounts:profile",
        "accounts:password-change",
        "accounts:sign-out-elsewhere",
        "accounts:page-size",
    )

    def __init__(self, get_response):
        self.get_response = get_response
        self._own_account_paths: frozenset[str] | None = None

    def __call__(self, request):
        if request.method not in self.SAFE_METHODS:
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated and is_read_only(user):
                if self._own_account_paths is None:
                    self._own_account_paths = frozenset(reverse(n) for n in self.OWN_ACCOUNT)
                if request.path not in self._own_account_paths:
                    if is_api_request(request):
                        return api_error(READ_ONLY_MESSAGE, 403)
                    raise PermissionDenied(READ_ONLY_MESSAGE)
        return self.get_response(request)


class RequestLogMiddleware:
    """One structured log line per request: request id, user, organization, status, duration."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        start = time.perf_counter()
        response = self.get_response(request)
        user = getattr(request, "user", None)
        organization = getattr(request, "organization", None)
        denied = (
            response.status_code in (401, 403, 404) and user is not None and user.is_authenticated
        )
        # Denied requests of signed-in users (a foreign object, a missing right) are warnings:
        # a burst of them from one user is worth a look.
        request_logger.log(
            logging.WARNING if denied else logging.INFO,
            "%s %s %s%s",
            request.method,
            request.path,
            response.status_code,
            " denied" if denied else "",
            extra={
                "denied": denied,
                "http_method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - start) * 1000, 1),
                "user_id": user.pk if user is not None and user.is_authenticated else None,
                "client_ip": getattr(request, "client_ip", None),
                "organization": organization.code if organization else None,
            },
        )
        return response
