"""The extension's per-cell hooks: one ``pre_run_cell`` and one ``post_run_cell`` for all of it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

__all__ = ["CellHooks"]

log = logging.getLogger(__name__)

Callback = Callable[[], None]


class CellHooks:
    """Registered once on the shell; before and after each cell calls, in the order added, the
    callbacks that want to know (the session's per-cell checks first, then the panel's).

    A callback that raises does not keep the ones after it from running; its error is raised
    again afterwards, so that IPython shows it as it shows any failing hook.
    """

    def __init__(self) -> None:
        # tuples, replaced (not changed) when callbacks come and go: a cell iterates a snapshot
        self._started: tuple[Callback, ...] = ()
        self._ended: tuple[Callback, ...] = ()
        self._shell: Any = None

    def add(self, started: Callback, ended: Callback) -> Callable[[], None]:
        """Call ``started()`` before and ``ended()`` after each cell; returns what removes them."""
        self._started += (started,)
        self._ended += (ended,)
        return lambda: self._remove(started, ended)

    def _remove(self, started: Callback, ended: Callback) -> None:
        self._started = tuple(c for c in self._started if c != started)
        self._ended = tuple(c for c in self._ended if c != ended)

    def register(self, shell: Any) -> None:
        """Hook into ``shell``'s cell events."""
        shell.events.register("pre_run_cell", self._pre_run_cell)
        shell.events.register("post_run_cell", self._post_run_cell)
        self._shell = shell

    def unregister(self) -> None:
        """Leave the shell's cell events as they were."""
        if self._shell is not None:
            self._shell.events.unregister("pre_run_cell", self._pre_run_cell)
            self._shell.events.unregister("post_run_cell", self._post_run_cell)
            self._shell = None

    def _pre_run_cell(self, info: Any = None) -> None:
        _call_all(self._started)

    def _post_run_cell(self, result: Any = None) -> None:
        _call_all(self._ended)


def _call_all(callbacks: tuple[Callback, ...]) -> None:
    """Call every callback in order; the first error is raised after the others were called."""
    for callback in callbacks:
        try:
            callback()
        except Exception:
            _call_after(callbacks, callback)
            raise


def _call_after(callbacks: tuple[Callback, ...], failed: Callback) -> None:
    """Call the callbacks after ``failed``, which raised (their own errors are only logged)."""
    for callback in callbacks[callbacks.index(failed) + 1 :]:
        try:
            callback()
        except Exception:
            log.exception("ipy_reimport: a per-cell hook failed")
