"""Self-service accounts: "Forgot password?" (Django's reset views in the portal's look) and
the profile page (name, position, phone, password, signed-in sessions)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse, reverse_lazy
from django.views.decorators.http import require_http_methods, require_POST

from core import outbox
from core.client import client_ip
from core.lockouts import wait_in_words

from . import ratelimit, services, sessions, tasks
from .forms import ProfileForm, ResetRequestForm
from .tokens import reset_tokens


class ResetRequestView(auth_views.PasswordResetView):
    """Ask for a reset link. Every valid address gets the same answer, at once: the e-mail (if
    any account has the address) is sent by a background task, so neither the page nor its
    timing tells whether the address has an account."""

    form_class = ResetRequestForm
    template_name = "registration/password_reset_form.html"
    success_url = reverse_lazy("accounts:reset-done")

    def post(self, request, *args, **kwargs):
        window = settings.PASSWORD_RESET_WINDOW_SECONDS
        if not ratelimit.hit(
            "reset-client",
            client_ip(request) or "unknown",
            limit=settings.PASSWORD_RESET_PER_CLIENT,
            window=window,
        ):
            from datetime import timedelta

            wait = wait_in_words(timedelta(seconds=ratelimit.retry_after(window)))
            return render(
                request,
                "registration/password_reset_form.html",
                {
                    "form": self.get_form_class()(),
                    "limited": f"Too many reset requests from your network. Try again in {wait}.",
                },
                status=429,
            )
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        email = form.cleaned_data["email"]
        # Per address: past the limit nothing more is sent, and the answer stays the same (a
        # victim's mailbox cannot be flooded, and the limit says nothing about the account).
        if ratelimit.hit(
            "reset-address",
            email,
            limit=settings.PASSWORD_RESET_PER_ADDRESS,
            window=settings.PASSWORD_RESET_WINDOW_SECONDS,
        ):
            outbox.enqueue(tasks.send_password_reset, email)
        return redirect(self.success_url)


class ResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "registration/password_reset_done.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["minutes"] = settings.PASSWORD_RESET_TIMEOUT // 60
        return context


class ResetConfirmView(auth_views.PasswordResetConfirmView):
    """Set a new password from the e-mailed link: one use, PASSWORD_RESET_TIMEOUT long. Every
    session of the account ends, then this browser is signed in."""

    template_name = "registration/password_reset_confirm.html"
    token_generator = reset_tokens
    post_reset_login = True
    post_reset_login_backend = "django.contrib.auth.backends.ModelBackend"
    success_url = reverse_lazy("home")

    def get_user(self, uidb64):
        """A deactivated account's link works no more."""
        user = super().get_user(uidb64)
        return user if user is not None and user.is_active else None

    def form_valid(self, form):
        user = form.save()
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        services.password_changed(actor=user, user=user, how="reset", keep_key=None)
        login(self.request, user, self.post_reset_login_backend)
        messages.success(self.request, "Your password is changed. You are signed in.")
        return redirect(self.success_url)


def _preferences_url() -> str | None:
    """The notification preferences page, when the notifications app is installed."""
    try:
        return reverse("notifications:preferences")
    except NoReverseMatch:
        return None


def _profile_context(request: HttpRequest, **extra) -> dict:
    return {
        "signed_in": sessions.sessions_of(request.user, request.session.session_key),
        "preferences_url": _preferences_url(),
        "memberships": request.user.memberships.select_related(
            "organization", "department"
        ).order_by("-is_primary", "organization__code"),
        **extra,
    }


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    """The signed-in person's own page: details, password, sessions, preferences."""
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.profile_update(actor=request.user, **form.cleaned_data)
        messages.success(request, "Your details are saved.")
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", _profile_context(request, form=form))


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change one's password (the current one asked first); other sessions end."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form):
        form.save()
        update_session_auth_hash(self.request, form.user)
        ended = services.password_changed(
            actor=self.request.user,
            user=form.user,
            how="changed",
            keep_key=self.request.session.session_key,
        )
        text = "Your password is changed."
        if ended:
            text += f" You were signed out of {ended} other session(s)."
        messages.success(self.request, text)
        return redirect(self.success_url)


@login_required
@require_POST
def sign_out_elsewhere(request: HttpRequest) -> HttpResponse:
    ended = services.sign_out_elsewhere(actor=request.user, keep_key=request.session.session_key)
    if ended:
        messages.success(request, f"You were signed out of {ended} other session(s).")
    else:
        messages.info(request, "You were signed in nowhere else.")
    return redirect("accounts:profile")


@login_required
@require_POST
def page_size(request: HttpRequest) -> HttpResponse:
    """The pager's "Rows per page" (25, 50, 100): remembered for every list, then back to the
    list the person was on (its filters and sort kept, from its first page)."""
    from django.core.exceptions import ValidationError
    from django.utils.http import url_has_allowed_host_and_scheme

    try:
        services.page_size_set(actor=request.user, size=int(request.POST.get("page_size", "")))
    except (ValueError, ValidationError):
        messages.error(request, "Choose 25, 50 or 100 rows per page.")
    back = request.POST.get("next") or request.headers.get("referer") or ""
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = reverse("home")
    parts = urlsplit(back)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "page"]
    return redirect(urlunsplit(("", "", parts.path, urlencode(query), "")) or "/")
