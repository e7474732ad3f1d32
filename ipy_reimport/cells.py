"""The extension's per-cell hooks: one ``pre_run_cell`` and one ``post_run_cell`` for all of it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["CellHooks"]

Callback = Callable[[], None]


class CellHooks:
    """Registered once on the shell; before and after each cell calls, in the order added, the
    callbacks that want to know (the session's per-cell checks first, then the panel's).

    A callback that raises does not keep the others from running; the first error is raised
    again afterwards, so that IPython shows it as it shows any failing hook.
    """

    def __init__(self) -> None:
        self._started: list[Callback] = []
        self._ended: list[Callback] = []
        self._shell: Any = None

    def add(self, started: Callback, ended: Callback) -> Callable[[], None]:
        """Call ``started()`` before and ``ended()`` after each cell; returns what removes them."""
        self._started.append(started)
        self._ended.append(ended)
        return lambda: self._remove(started, ended)

    def _remove(self, started: Callback, ended: Callback) -> None:
        for callbacks, callback in ((self._started, started), (self._ended, ended)):
            if callback in callbacks:
                callbacks.remove(callback)

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


def _call_all(callbacks: list[Callback]) -> None:
    error = None
    for callback in list(callbacks):
        try:
            callback()
        except Exception as exc:
            error = error or exc
    if error is not None:
        raise error
