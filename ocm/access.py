"""Who reaches /ocm/: users with an active OCM access of a high enough level, and superusers
(the rule: core/policies/ocm.py)."""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import PermissionDenied

from core.policies.ocm import LEVEL_RANK, has_ocm_level, ocm_level_of

__all__ = ["LEVEL_RANK", "ocm_level_of", "require_ocm"]


def require_ocm(level: str = "viewer"):
    """View decorator: 403 unless the user's OCM level is at least `level`."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                from django.contrib.auth.views import redirect_to_login

                return redirect_to_login(request.get_full_path())
            have = ocm_level_of(request.user)
            if have is None:
                raise PermissionDenied("The OCM dashboard is for the Office of the Chief Minister.")
            if not has_ocm_level(have, level):
                raise PermissionDenied(f"This needs OCM {level} access; yours is {have}.")
            request.ocm_level = have
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
