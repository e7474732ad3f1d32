"""An undo log: mutations of functions, classes, cells and containers that can be reverted in
reverse order, and actions that run only when the whole change is committed."""

from __future__ import annotations

import types
from typing import Any, Callable

__all__ = ["UndoLog"]

_ABSENT = object()


class UndoLog:
    """Mutations that can be reverted in reverse order, and actions to run on commit."""

    def __init__(self) -> None:
        self._undo: list[Callable[[], None]] = []
        self._on_commit: list[Callable[[], Any]] = []

    def __len__(self) -> int:
        return len(self._undo)

    def set(self, obj: Any, name: str, value: Any) -> None:
        """``setattr(obj, name, value)``, remembering what was there (for classes: their own dict)."""
        prior = obj.__dict__.get(name, _ABSENT) if isinstance(obj, type) else getattr(obj, name, _ABSENT)
        setattr(obj, name, value)
        self._undo.append(lambda: delattr(obj, name) if prior is _ABSENT else setattr(obj, name, prior))

    def delete(self, obj: type, name: str) -> None:
        """``delattr(obj, name)`` on a class."""
        prior = obj.__dict__[name]
        delattr(obj, name)
        self._undo.append(lambda: setattr(obj, name, prior))

    def set_cell(self, cell: types.CellType, value: Any) -> None:
        """Point a closure cell at ``value``."""
        try:
            prior = cell.cell_contents
        except ValueError:
            prior = _ABSENT
        cell.cell_contents = value
        self._undo.append(lambda: _restore_cell(cell, prior))

    def replace_contents(self, container: dict | list, items: Any) -> None:
        """Replace the contents of a dict or list in place."""
        prior = container.copy()
        _fill(container, items)
        self._undo.append(lambda: _fill(container, prior))

    def on_commit(self, action: Callable[[], Any]) -> None:
        """Run ``action`` only if the whole reload succeeds (e.g. clearing a cache)."""
        self._on_commit.append(action)

    def rollback(self, to: int = 0) -> None:
        """Revert every change made after the log had ``to`` entries."""
        while len(self._undo) > to:
            self._undo.pop()()
        if to == 0:
            self._on_commit.clear()

    def commit(self) -> None:
        """Forget the undo information and run the commit actions."""
        self._undo.clear()
        actions, self._on_commit = self._on_commit, []
        for action in actions:
            action()


def _restore_cell(cell: types.CellType, prior: Any) -> None:
    if prior is _ABSENT:
        del cell.cell_contents
    else:
        cell.cell_contents = prior


def _fill(container: dict | list, items: Any) -> None:
    container.clear()
    if isinstance(container, dict):
        container.update(items)
    else:
        container.extend(items)
