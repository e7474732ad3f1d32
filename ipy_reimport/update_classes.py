"""Keeping a class: the old class object takes the new one's content, through its kind.

:meth:`ClassUpdater.unsafe` says when a class cannot be kept (not a Python class, metaclass,
bases or ``__slots__`` layout changed, or its kind's reason, :mod:`.kinds`). :meth:`ClassUpdater.update`
moves the new methods, properties, class/static methods and attributes in — methods the module
defines are patched in place (bound methods held elsewhere keep working), functions a library
generated are taken over — then lets each kind finish. A replaced class points at the kept
versions of its bases and attributes. Discarded versions leave their bases' ``__subclasses__()``.
"""

from __future__ import annotations

import sys
import types
from typing import TYPE_CHECKING, Any

from .functions import functions_in
from .kinds import kinds_of
from .undo import UndoLog

if TYPE_CHECKING:
    from .patching import Patcher

__all__ = ["ClassUpdater", "detach"]

_ABSENT = object()
_HEAPTYPE = 1 << 9
_CLASS_SKIP = frozenset({"__dict__", "__weakref__", "__module__", "__qualname__", "_abc_impl"})


class ClassUpdater:
    """Updates kept classes for a :class:`~ipy_reimport.patching.Patcher`."""

    def __init__(self, patcher: Patcher) -> None:
        self.patcher = patcher

    def unsafe(self, old: type, new: type) -> str | None:
        """Why ``old`` cannot take ``new``'s content, or None when it can."""
        if not old.__flags__ & _HEAPTYPE:
            return "not a Python class"
        if type(old) is not self.patcher.translator(type(new)):
            return "metaclass changed"
        if tuple(self.patcher.translator(b) for b in new.__bases__) != old.__bases__:
            return "base classes changed"
        if _slots(old) != _slots(new):
            return "__slots__ changed (the instance layout differs)"
        for kind in kinds_of(new):
            reason = kind.unsafe(old, new)
            if reason:
                return reason
        return None

    def update(self, old: type, new: type) -> None:
        """Give the kept class ``old`` the content of ``new`` (both already judged compatible)."""
        self.patcher.translator.keep(new, old)
        kinds = kinds_of(new)
        _point_class_cells(old, new, self.patcher.undo)
        skip = set(_CLASS_SKIP) | {
            k
            for k, v in old.__dict__.items()
            if isinstance(v, (types.MemberDescriptorType, types.GetSetDescriptorType))
        }
        for kind in kinds:
            skip |= kind.handled(old, new)
        for key, value in list(new.__dict__.items()):
            if key not in skip:
                self._update_member(old, key, old.__dict__.get(key, _ABSENT), value)
        for key in [k for k in old.__dict__ if k not in new.__dict__ and k not in skip]:
            self.patcher.undo.delete(old, key)
            self.patcher.changes.member_changed(old, key)
        for kind in kinds:
            kind.update(old, new, self.patcher)
        self.patcher.discarded.append(new)

    def _update_member(self, cls: type, key: str, current: Any, value: Any) -> None:
        if current is value:
            return
        if current is not _ABSENT and self._keep_member(cls, key, current, value):
            return
        if isinstance(value, types.FunctionType) and value.__code__.co_filename != self.patcher.file:
            self.patcher.translator.generated(value, _globals_of(cls))
        self.patcher.undo.set(cls, key, self.patcher.translator.fix(value))
        self.patcher.changes.member_changed(cls, key)

    def _keep_member(self, cls: type, key: str, current: Any, value: Any) -> bool:
        """Update ``current`` in place from ``value``; False when ``value`` must be set instead."""
        if isinstance(current, type) and isinstance(value, type):
            if current.__qualname__ != value.__qualname__ or self.unsafe(current, value):
                return False
            self.update(current, value)
            self._note_member(cls, key, current)
            return True
        if type(current) is not type(value) or not (
            self.patcher.callables.defined_here(current) and self.patcher.callables.defined_here(value)
        ):
            return False
        if isinstance(current, property) and [f is None for f in (current.fget, current.fset, current.fdel)] != [
            f is None for f in (value.fget, value.fset, value.fdel)
        ]:
            return False
        mark = len(self.patcher.undo)
        try:
            reason = (
                self.patcher.callables.update_callable(current, value)
                if isinstance(value, types.FunctionType)
                else self.patcher.callables.patch_inner_functions(current, value)
            )
        except (TypeError, ValueError, AttributeError):
            reason = "update failed"
        if reason:
            self.patcher.undo.rollback(mark)
            self.patcher.result.replaced.append((f"{cls.__qualname__}.{key}", reason))
            return False
        self._note_member(cls, key, current)
        return True

    def _note_member(self, cls: type, key: str, current: Any) -> None:
        for function in self.patcher.callables.own_functions(current):
            if self.patcher.changes.runs_new_code(function):
                self.patcher.changes.member_changed(cls, key)
                return

    def fix_replacement(self, new: type) -> None:
        """A replaced class keeps pointing at the kept versions of its bases and attributes."""
        bases = tuple(self.patcher.translator(b) for b in new.__bases__)
        if bases != new.__bases__:
            try:
                self.patcher.undo.set(new, "__bases__", bases)
            except TypeError as exc:
                self.patcher.result.replaced.append((new.__qualname__, f"its bases could not be updated ({exc})"))
        self.patcher.translator.class_attributes(new)


def _globals_of(cls: type) -> dict:
    module = sys.modules.get(cls.__module__)
    return getattr(module, "__dict__", {})


def _slots(cls: type) -> tuple | None:
    slots = cls.__dict__.get("__slots__")
    return (slots,) if isinstance(slots, str) else (tuple(slots) if slots is not None else None)


def _point_class_cells(old: type, new: type, undo: UndoLog) -> None:
    """Zero-argument ``super()`` reads a ``__class__`` cell: make the new methods see ``old``."""
    for value in list(new.__dict__.values()):
        for function in functions_in(value, 2):
            for name, cell in zip(function.__code__.co_freevars, function.__closure__ or (), strict=False):
                try:
                    if name == "__class__" and cell.cell_contents is new:
                        undo.set_cell(cell, old)
                except ValueError:
                    pass


class _Discarded:
    """The base of discarded class versions: they leave their real bases' ``__subclasses__()``."""


def detach(cls: type) -> None:
    """Take a discarded class out of its bases' ``__subclasses__()`` (when its layout allows)."""
    for base in (_Discarded, object):
        try:
            cls.__bases__ = (base,)
            return
        except TypeError:
            continue
