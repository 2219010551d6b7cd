"""One notification service for every module: events become in-app notifications
and e-mails for the people who must act or be informed. Services call `emit()`."""

from __future__ import annotations

from typing import Any


def emit(verb: str, target: Any, *, actor: Any = None, **kwargs: Any) -> None:
    """Record an event (see notifications.service.emit); imported lazily so apps can call
    `notifications.emit(...)` at module level without an import cycle."""
    from .service import emit as _emit

    _emit(verb, target, actor=actor, **kwargs)


def muted():
    """A context manager: within it, `emit()` announces nothing (the demo data loader)."""
    from .service import muted as _muted

    return _muted()
