"""Work that must run on the kernel's main thread between cells (the panel's reloads)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

__all__ = ["MainThreadQueue"]

Work = Callable[[], None]


class MainThreadQueue:
    """Runs work on the main thread and never while a cell runs: work submitted during a cell,
    or from another thread (a comm handler on a kernel subshell), waits and runs in order when
    the cell ends or the kernel's event loop next turns.

    Args:
        shell: the kernel's shell; its ``kernel.io_loop`` runs callbacks on the main thread.
    """

    def __init__(self, shell: Any) -> None:
        self._shell = shell
        self._waiting: list[Work] = []
        self._cells = 0
        self._lock = threading.Lock()
        self.idle_since = time.monotonic()

    @property
    def in_cell(self) -> bool:
        """Whether a cell is running now."""
        return self._cells > 0

    def submit(self, work: Work) -> bool:
        """Run ``work`` now if this is the main thread between cells, else as soon as it can be.

        Returns:
            True when it waits for the running cell to end.
        """
        on_main = threading.current_thread() is threading.main_thread()
        with self._lock:
            in_cell = self._cells > 0
            if in_cell or not on_main:
                self._waiting.append(work)
        if on_main and not in_cell:
            work()
        elif not in_cell:
            self.call_on_main(self._drain)
        return in_cell

    def call_on_main(self, callback: Work) -> None:
        """Run ``callback`` on the main thread when its event loop next turns (not in a cell)."""
        loop = getattr(getattr(self._shell, "kernel", None), "io_loop", None)
        if loop is not None:
            loop.add_callback(callback)

    def cell_started(self) -> None:
        """A cell begins (the shell's ``pre_run_cell``)."""
        with self._lock:
            self._cells += 1

    def cell_ended(self) -> None:
        """A cell ended (the shell's ``post_run_cell``): run what waited for it."""
        with self._lock:
            self._cells = max(0, self._cells - 1)
            self.idle_since = time.monotonic()
        self._drain()

    def _drain(self) -> None:
        while True:
            with self._lock:
                if self._cells or not self._waiting:
                    return
                work = self._waiting.pop(0)
            work()
