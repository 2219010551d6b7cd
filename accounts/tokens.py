"""One-time links: two kinds of token, each with its own lifetime, neither opening the other.

Both are Django's password-reset tokens (`PasswordResetTokenGenerator`): a token hashes the
account's password hash, last sign-in and e-mail address, so it stops working the moment the
password is set (single use), and it carries its creation time. They differ by salt and
lifetime:

* `invitation_tokens`: set-your-password links of new accounts (INVITATION_TIMEOUT, 7 days).
  Django's own salt, so links sent before this module existed still work.
* `reset_tokens`: "Forgot password?" links (PASSWORD_RESET_TIMEOUT, 1 hour).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.crypto import constant_time_compare
from django.utils.http import base36_to_int


class ExpiringTokenGenerator(PasswordResetTokenGenerator):
    """Django's generator with its lifetime read from a named setting (seconds)."""

    def __init__(self, key_salt: str, timeout_setting: str):
        super().__init__()
        self.key_salt = key_salt
        self.timeout_setting = timeout_setting

    @property
    def timeout(self) -> int:
        return getattr(settings, self.timeout_setting)

    def check_token(self, user, token) -> bool:
        """Django's check (same hash, any secret of SECRET_KEY_FALLBACKS) with this lifetime."""
        if not (user and token):
            return False
        try:
            ts_b36, _ = str(token).split("-")
            ts = base36_to_int(ts_b36)
        except ValueError:
            return False
        for secret in [self.secret, *self.secret_fallbacks]:
            if constant_time_compare(self._make_token_with_timestamp(user, ts, secret), token):
                break
        else:
            return False
        return (self._num_seconds(self._now()) - ts) <= self.timeout


invitation_tokens = ExpiringTokenGenerator(
    "django.contrib.auth.tokens.PasswordResetTokenGenerator", "INVITATION_TIMEOUT"
)
reset_tokens = ExpiringTokenGenerator("bmms.accounts.password-reset", "PASSWORD_RESET_TIMEOUT")
