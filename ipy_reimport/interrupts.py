"""Holding back Ctrl-C while the state is being put back together.

A kernel interrupt arrives as ``SIGINT``, and Python raises ``KeyboardInterrupt`` between any two
bytecodes. :func:`deferred_interrupts` holds it back while a block runs (a commit, a rollback)
and raises it when the block is over, so that nothing is left half-done: the model is the import
system's own ``_ModuleLockManager``. Outside the main thread signals cannot arrive, so it does
nothing there.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from typing import Iterator

__all__ = ["deferred_interrupts", "retrying"]


@contextmanager
def deferred_interrupts() -> Iterator[None]:
    """Run the block with ``SIGINT`` held back; raise ``KeyboardInterrupt`` afterwards if one came."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    try:
        previous = signal.signal(signal.SIGINT, lambda signum, frame: received.append(signum))
    except (ValueError, OSError):   # not allowed here (an embedded interpreter)
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if received:
            raise KeyboardInterrupt


def retrying(action, attempts: int = 100) -> bool:
    """Run an idempotent ``action`` until it completes without a ``KeyboardInterrupt`` that
    slipped in before interrupts were held back; returns True if one was swallowed (the caller
    raises it once the state is whole)."""
    interrupted = False
    for _ in range(attempts):
        try:
            action()
            return interrupted
        except KeyboardInterrupt:
            interrupted = True
    action()
    return interrupted
