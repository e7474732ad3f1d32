"""An undo log: mutations of objects, classes, cells, containers and namespaces that can be
reverted in reverse order, and actions that run only when the whole change is committed.

Every entry is recorded *before* the mutation it undoes, and every undo step is idempotent (it
puts back a remembered value), so a rollback that is interrupted can simply run again, and an
interrupt that lands between recording and mutating leaves nothing unrecorded.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any

__all__ = ["UndoLog", "same_contents"]

_ABSENT = object()


class UndoLog:
    """Mutations that can be reverted in reverse order, and actions to run on commit."""

    def __init__(self) -> None:
        self._undo: list[Callable[[], None]] = []
        self._on_commit: list[Callable[[], Any]] = []

    def __len__(self) -> int:
        return len(self._undo)

    def record(self, restore: Callable[[], None]) -> None:
        """Remember ``restore`` (idempotent) to run on rollback; call it before mutating."""
        self._undo.append(restore)

    def set(self, obj: Any, name: str, value: Any) -> None:
        """Set an attribute, remembering what was there (for classes: their own ``__dict__``).

        Classes and instances are written with ``type.__setattr__`` / ``object.__setattr__``, so
        that a metaclass or a frozen class's own ``__setattr__`` does not refuse the update.
        """
        prior = _own(obj, name)
        self._undo.append(lambda: _put(obj, name, prior))
        _put(obj, name, value)

    def delete(self, obj: Any, name: str) -> None:
        """Delete an attribute that ``obj`` has in its own ``__dict__``."""
        self.set(obj, name, _ABSENT)

    def set_cell(self, cell: types.CellType, value: Any) -> None:
        """Point a closure cell at ``value``."""
        try:
            prior = cell.cell_contents
        except ValueError:
            prior = _ABSENT
        self._undo.append(lambda: _fill_cell(cell, prior))
        _fill_cell(cell, value)

    def replace_contents(self, container: dict | list | set, items: Any) -> None:
        """Replace the contents of a dict, list or set in place."""
        self.keep_contents(container)
        _fill(container, items)

    def keep_contents(self, container: dict | list | set, prior: Any = None) -> None:
        """Remember the contents of a container (or ``prior``, a copy taken earlier) so that a
        rollback puts them back."""
        prior = container.copy() if prior is None else prior
        self._undo.append(lambda: _fill(container, prior) if not same_contents(container, prior) else None)

    def keep_class_dict(self, cls: type) -> None:
        """Remember a class's own attributes as they are now (for a library call that changes
        several of them, such as a schema rebuild)."""
        prior = dict(cls.__dict__)

        def restore() -> None:
            for name in [n for n in cls.__dict__ if n not in prior and n not in ("__dict__", "__weakref__")]:
                _put(cls, name, _ABSENT)
            for name, value in prior.items():
                if cls.__dict__.get(name, _ABSENT) is not value and name not in ("__dict__", "__weakref__"):
                    _put(cls, name, value)

        self._undo.append(restore)

    def keep_namespace(self, namespace: dict) -> dict:
        """Remember a module's dictionary as it is now; returns the copy."""
        prior = dict(namespace)
        self._undo.append(lambda: _fill(namespace, prior) if not same_contents(namespace, prior) else None)
        return prior

    def on_commit(self, action: Callable[[], Any]) -> None:
        """Run ``action`` only if the whole change is committed (e.g. clearing a cache)."""
        self._on_commit.append(action)

    def rollback(self, to: int = 0) -> None:
        """Revert every change recorded after the log had ``to`` entries.

        Each step runs before it is dropped, so an interrupted rollback can run again.
        """
        while len(self._undo) > to:
            self._undo[-1]()
            self._undo.pop()
        if to == 0:
            self._on_commit.clear()

    def commit(self) -> None:
        """Forget the undo information and run the commit actions."""
        self._undo.clear()
        while self._on_commit:
            self._on_commit.pop(0)()


def _own(obj: Any, name: str) -> Any:
    if isinstance(obj, type):
        return obj.__dict__.get(name, _ABSENT)
    if name == "__class__":
        return type(obj)
    if isinstance(obj, types.FunctionType) and name == "__dict__":
        return dict(obj.__dict__)
    return getattr(obj, name, _ABSENT)


def _put(obj: Any, name: str, value: Any) -> None:
    setter, deleter = (
        (type.__setattr__, type.__delattr__) if isinstance(obj, type) else (object.__setattr__, object.__delattr__)
    )
    if value is _ABSENT:
        try:
            deleter(obj, name)
        except AttributeError:
            pass
    else:
        setter(obj, name, value)


def _fill_cell(cell: types.CellType, value: Any) -> None:
    if value is _ABSENT:
        try:
            del cell.cell_contents
        except ValueError:
            pass
    else:
        cell.cell_contents = value


def same_contents(container: Any, prior: Any) -> bool:
    """Whether a container holds the same objects (by identity) as ``prior``, a copy of it."""
    if len(container) != len(prior):
        return False
    if isinstance(container, dict):
        return all(k in container and container[k] is v for k, v in prior.items())
    if isinstance(container, list):
        return all(a is b for a, b in zip(container, prior, strict=False))
    return all(item in container for item in prior)


def _fill(container: Any, items: Any) -> None:
    if isinstance(container, dict):
        container.clear()
        container.update(items)
    elif isinstance(container, list):
        container[:] = list(items)
    else:
        container.clear()
        container.update(items)
