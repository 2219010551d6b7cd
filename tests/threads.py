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


def errors_at_once(action: Callable[[int], None], count: int) -> list[BaseException]:
    """Run `action(0)` … `action(count - 1)` at the same moment (threads released together by a
    barrier), each closing its database connection when done; returns what they raised."""
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        from django.db import connection

        try:
            barrier.wait(timeout=30)
            action(n)
        except BaseException as exc:  # noqa: BLE001 - returned to the test
            errors.append(exc)
        finally:
            connection.close()

    run_at_once(worker, count)
    return errors
