"""Personal API tokens: moved to organizations (organizations/api_tokens.py), so that any app's
API can use them without importing bcp. The names stay importable from `bcp.services`."""

from __future__ import annotations

from organizations.api_tokens import (
    API_TOKEN_PREFIX,
    api_token_create,
    api_token_hash,
    api_token_revoke,
)

__all__ = ["API_TOKEN_PREFIX", "api_token_create", "api_token_hash", "api_token_revoke"]
