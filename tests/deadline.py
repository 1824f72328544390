"""A hang fails the test that caused it, not the whole suite."""
from __future__ import annotations

import contextlib
import signal
from typing import Iterator


class Hung(Exception):
    """The code under test did not come back in time."""


@contextlib.contextmanager
def deadline(seconds: int) -> Iterator[None]:
    """Raise `Hung` in the main thread after `seconds` (SIGALRM interrupts loops and lock waits)."""
    def ring(signum, frame):  # noqa: ANN001, ANN202
        raise Hung(f"no answer after {seconds} s")

    old = signal.signal(signal.SIGALRM, ring)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
