"""Running a test's workers at the same moment, each in its own thread (and so with its own
database connection: each worker closes it when done)."""

from __future__ import annotations

import threading
from collections.abc import Callable


def run_at_once(worker: Callable[[int], None], count: int, timeout: float = 60) -> None:
    """Start `worker(0)` … `worker(count - 1)` in threads and wait for all of them."""
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
