"""Ctrl-C during a reload: it stops the work, but never the putting back.

A kernel interrupt arrives as ``SIGINT``, and Python raises ``KeyboardInterrupt`` at the next
check between bytecodes. While a reload runs, :class:`InterruptGate` lets the *first* Ctrl-C
through (a slow module can be interrupted; the reload then rolls back) and holds back every
later one, and every one after :meth:`InterruptGate.close` (commit, rollback), raising it once
the state is whole again. :func:`until_done` repeats an idempotent step that an interrupt, let
through just before the gate closed, cut short. The model is the import system's own
``_ModuleLockManager``: nothing is left half-done. Outside the main thread signals do not arrive,
and the gate does nothing.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from typing import Any

__all__ = ["InterruptGate", "until_done"]


class InterruptGate:
    """Lets one Ctrl-C interrupt the work, and holds back the others until the gate is left."""

    def __init__(self) -> None:
        self.closed = False
        self.pending = False
        self._previous: Any = None
        self._installed = False

    def __enter__(self) -> InterruptGate:
        if threading.current_thread() is threading.main_thread():
            try:
                self._previous = signal.signal(signal.SIGINT, self._received)
                self._installed = True
            except (ValueError, OSError):  # signals are not ours to handle here
                pass
        return self

    def _received(self, signum: int, frame: Any) -> None:
        if self.closed:
            self.pending = True
            return
        self.closed = True
        raise KeyboardInterrupt

    def close(self) -> None:
        """From now on every Ctrl-C waits until the gate is left."""
        self.closed = True

    def __exit__(self, kind, error, traceback) -> None:
        if self._installed:
            signal.signal(signal.SIGINT, self._previous)
        if self.pending and error is None:
            raise KeyboardInterrupt


def until_done(step: Callable[[], None]) -> bool:
    """Run an idempotent ``step`` to completion, again if a ``KeyboardInterrupt`` cut it short;
    returns True when that happened (the caller raises it once the state is whole)."""
    interrupted = False
    while True:
        try:
            step()
            return interrupted
        except KeyboardInterrupt:
            interrupted = True
