"""Cached read models invalidated by version tokens.

A *namespace* (``"tenancy"``, ``"budget"``, or one organization's records of a module,
``"planning:17"``: see `organization_bumper`) has one version token in the cache. Entries are
stored with the token they were computed under and are only served while it is still current.
Writing anything an entry is computed from calls `bump(namespace)` (from model signals, or
explicitly after bulk writes that send none): a new token at once, and another when the
transaction commits, because a reader between the two may have cached pre-commit rows under the
first one. Nothing is ever deleted key by key, so no entry can be forgotten.

Without Redis (django-redis ignores its errors) there is no token: every read is computed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Hashable, Iterable
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import transaction

T = TypeVar("T")


def version_key(namespace: str) -> str:
    return f"{namespace}:version"


def entry_key(namespace: str, parts: Iterable[Hashable]) -> str:
    return ":".join([namespace, "entry", *(str(p) for p in parts)])


def _new_token() -> str:
    return uuid.uuid4().hex


def current_version(namespace: str, found: dict[str, Any] | None = None) -> str | None:
    """The namespace's token (from `found`, a `get_many` result, when given); set if missing."""
    key = version_key(namespace)
    token = found.get(key) if found is not None else cache.get(key)
    if token is None:
        cache.add(key, _new_token(), None)
        token = cache.get(key)
    return token


def lookup(namespace: str, parts: Iterable[Hashable]) -> tuple[str | None, Any]:
    """(current token, the entry if stored under it, else None): one cache round trip."""
    key = entry_key(namespace, parts)
    found = cache.get_many([version_key(namespace), key])
    token = current_version(namespace, found)
    entry = found.get(key)
    if token is not None and entry is not None and entry[0] == token:
        return token, entry[1]
    return token, None


def store(namespace: str, parts: Iterable[Hashable], token: str | None, value: Any, timeout: int):
    if token is not None:
        cache.set(entry_key(namespace, parts), (token, value), timeout)


def cached(namespace: str, parts: Iterable[Hashable], compute: Callable[[], T], timeout=300) -> T:
    """The entry for `parts` if current, else `compute()` (stored for `timeout` seconds)."""
    parts = list(parts)
    token, value = lookup(namespace, parts)
    if value is None:
        value = compute()
        store(namespace, parts, token, value, timeout)
    return value


def tokens(*namespaces: str) -> str | None:
    """One string of the current tokens of several namespaces (one cache round trip), to key a
    cached template fragment with (``{% cache %}``); None without a cache."""
    found = cache.get_many([version_key(n) for n in namespaces])
    values = [current_version(n, found) for n in namespaces]
    return None if None in values else ".".join(values)


def bump(namespace: str) -> None:
    """Every entry of the namespace is stale: a new token now and again on commit."""
    cache.set(version_key(namespace), _new_token(), None)
    transaction.on_commit(lambda: cache.set(version_key(namespace), _new_token(), None))


def bumper(namespace: str) -> Callable[..., None]:
    """A signal receiver that bumps the namespace (connect it with weak=False and a dispatch_uid:
    nothing else holds a reference to it)."""

    def receiver(**kwargs: Any) -> None:
        bump(namespace)

    receiver.__name__ = f"bump_{namespace}"
    return receiver


def bump_on_write(receiver: Callable[..., None], models: Iterable[type], dispatch_uid: str) -> None:
    """Connect a bumper to every save and delete of these models (held strongly: nothing else
    references it)."""
    from django.db.models.signals import post_delete, post_save

    for model in models:
        for signal in (post_save, post_delete):
            signal.connect(receiver, sender=model, weak=False, dispatch_uid=dispatch_uid)


def organization_namespace(module: str, organization_id: int) -> str:
    return f"{module}:{organization_id}"


def organization_token(module: str, organization_id: int) -> str | None:
    """`tokens()` of one organization's namespace of a module."""
    return tokens(organization_namespace(module, organization_id))


def organization_bumper(module: str) -> Callable[..., None]:
    """A post_save/post_delete receiver that bumps the module's namespace of the organization
    the instance belongs to (its TENANT_FIELD path), so a write in one organization leaves the
    cached pages of the others alone."""
    from django.core.exceptions import ObjectDoesNotExist

    from .tenancy import tenant_organization_id

    def receiver(instance: Any, **kwargs: Any) -> None:
        if kwargs.get("raw"):
            return
        try:
            organization_id = tenant_organization_id(instance)
        except ObjectDoesNotExist:  # a child deleted with its parent: the parent's delete bumps
            return
        bump(organization_namespace(module, organization_id))

    receiver.__name__ = f"bump_{module}_of_organization"
    return receiver
