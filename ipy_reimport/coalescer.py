"""Run an action on a background thread soon after something changed, at a bounded rate."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

__all__ = ["Coalescer"]

log = logging.getLogger(__name__)


class Coalescer:
    """Calls ``action()`` on its own thread after :meth:`poke`, at most once per ``interval``.

    The first poke after a quiet period runs the action at once; pokes that arrive while it runs
    or during the following ``interval`` are merged into one more run. The thread starts on the
    first poke, so an unused coalescer costs nothing.

    Args:
        action: what to run; exceptions are logged, never raised.
        interval: the shortest time between two runs, in seconds.
        name: the thread's name.
    """

    def __init__(self, action: Callable[[], None], interval: float, name: str = "coalescer") -> None:
        self.action = action
        self.interval = interval
        self.name = name
        self._wake = threading.Event()
        self._stopped = False
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def poke(self) -> None:
        """Ask for a run of the action soon."""
        if self._stopped:
            return
        if self._thread is None:
            with self._start_lock:
                if self._thread is None:
                    self._thread = threading.Thread(target=self._loop, name=self.name, daemon=True)
                    self._thread.start()
        self._wake.set()

    def stop(self) -> None:
        """End the thread (a run in progress finishes first)."""
        self._stopped = True
        self._wake.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)

    def _loop(self) -> None:
        while True:
            self._wake.wait()
            if self._stopped:
                return
            self._wake.clear()
            try:
                self.action()
            except Exception:
                log.exception("%s: the action failed", self.name)
            time.sleep(self.interval)
