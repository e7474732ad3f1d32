"""Keeping a function or a wrapper: the old object takes the new one's code and state.

A plain function gets the new code, defaults, annotations, doc and attributes (its closure cells
too, when the free variables are the same). A wrapper keeps its identity when it is of the same
kind: its inner functions are updated, and an ``lru_cache`` (same parameters; cache cleared on
commit), a ``functools.partial`` or an object with a ``__dict__`` takes the new one's state. What
cannot be kept says why.
"""

from __future__ import annotations

import functools
import types
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from .functions import functions_in, same_code

if TYPE_CHECKING:
    from .patching import Patcher

__all__ = ["CallableUpdater"]

_ABSENT = object()
_FUNCTION_ATTRS = ("__defaults__", "__kwdefaults__", "__annotations__", "__doc__")


class CallableUpdater:
    """Updates kept functions and wrappers for a :class:`~ipy_reimport.patching.Patcher`."""

    def __init__(self, patcher: Patcher) -> None:
        self.patcher = patcher

    def defined_here(self, obj: Any) -> bool:
        """Whether ``obj`` is, or wraps, a function compiled from the module's file."""
        return any(True for _ in self.own_functions(obj))

    def own_functions(self, obj: Any, depth: int = 4) -> Iterator[types.FunctionType]:
        """Functions compiled from the module's file reachable from ``obj`` through wrappers."""
        for function in functions_in(obj, depth):
            if function.__code__.co_filename == self.patcher.file:
                yield function

    # -- callables -------------------------------------------------------------------------------
    def update_callable(self, old: Any, new: Any, seen: set | None = None) -> str | None:
        """Make ``old`` (a function or wrapper) run ``new``'s code; the reason when it cannot."""
        seen = set() if seen is None else seen
        if (id(old), id(new)) in seen:
            return None
        seen.add((id(old), id(new)))
        if isinstance(old, types.FunctionType) and isinstance(new, types.FunctionType):
            if old.__qualname__ != new.__qualname__:
                return self._shape(old, new)
            return self.update_function(old, new, seen)
        if type(old) is not type(new):
            return self._shape(old, new)
        reason = self.patch_inner_functions(old, new, seen)
        if reason:
            return reason
        return self._update_wrapper_object(old, new)

    def update_function(self, old: types.FunctionType, new: types.FunctionType, seen: set) -> str | None:
        """Give ``old`` the code, defaults, annotations, doc and attributes of ``new``."""
        self.patcher.translator.keep(new, old)
        if old.__code__.co_freevars != new.__code__.co_freevars:
            self.patcher.translator.forget(new)
            return "closure variables changed"
        for name, old_cell, new_cell in zip(
            old.__code__.co_freevars, old.__closure__ or (), new.__closure__ or (), strict=False
        ):
            if name != "__class__":
                reason = self._update_cell(old_cell, new_cell, seen)
                if reason:
                    self.patcher.translator.forget(new)
                    return reason
        if not same_code(old.__code__, new.__code__):
            self.patcher.changes.code_changed(old)
        self.patcher.undo.set(old, "__code__", new.__code__)
        for attr in _FUNCTION_ATTRS:
            value = getattr(new, attr)
            if attr == "__defaults__" and value:
                value = tuple(self.patcher.translator(v) for v in value)
            if getattr(old, attr) is not value:
                self.patcher.undo.set(old, attr, value)
        if old.__dict__ or new.__dict__:
            self.patcher.undo.set(old, "__dict__", {k: self.patcher.translator(v) for k, v in new.__dict__.items()})
        return None

    def _update_cell(self, old_cell, new_cell, seen: set) -> str | None:
        try:
            value = new_cell.cell_contents
        except ValueError:
            return None
        try:
            current = old_cell.cell_contents
        except ValueError:
            current = _ABSENT
        kept = self.patcher.translator(value)
        if kept is current:
            return None
        if current is not _ABSENT and kept is value and self.defined_here(value) and self.defined_here(current):
            return self.update_callable(current, value, seen)
        self.patcher.undo.set_cell(old_cell, kept)
        return None

    def patch_inner_functions(self, old: Any, new: Any, seen: set | None = None) -> str | None:
        """Update the module's functions held inside ``old`` from those inside ``new``."""
        seen = set() if seen is None else seen
        if isinstance(old, property) and isinstance(new, property):
            pairs = [
                (a, b)
                for a, b in zip((old.fget, old.fset, old.fdel), (new.fget, new.fset, new.fdel), strict=False)
                if a is not None and b is not None
            ]
        else:
            olds: dict[str, list] = {}
            for function in self.own_functions(old):
                olds.setdefault(function.__qualname__, []).append(function)
            pairs = [
                (olds[f.__qualname__][0], f) for f in self.own_functions(new) if len(olds.get(f.__qualname__, ())) == 1
            ]
        for match, function in pairs:
            if match is not function:
                reason = self.update_callable(match, function, seen)
                if reason:
                    return f"{function.__qualname__}: {reason}"
        if pairs and hasattr(old, "cache_clear"):
            self.patcher.undo.on_commit(old.cache_clear)
        return None

    def _update_wrapper_object(self, old: Any, new: Any) -> str | None:
        """Make a wrapper object equal to the new one: ``lru_cache`` (same parameters; its cache
        is cleared on commit), ``functools.partial``, or any object with a ``__dict__``."""
        if isinstance(old, functools.partial):
            state = old.__reduce__()[2]
            self.patcher.undo.record(lambda: old.__setstate__(state))
            new_state = new.__reduce__()[2]
            old.__setstate__(
                (
                    self.patcher.translator(new_state[0]),
                    tuple(self.patcher.translator(a) for a in new_state[1]),
                    {k: self.patcher.translator(v) for k, v in (new_state[2] or {}).items()},
                    new_state[3],
                )
            )
            return None
        if hasattr(old, "cache_parameters") and old.cache_parameters() != new.cache_parameters():
            return "its cache parameters changed"
        if hasattr(old, "cache_clear"):
            self.patcher.undo.on_commit(old.cache_clear)
        try:
            attributes = vars(new)
        except TypeError:
            return None if hasattr(old, "cache_clear") else f"a {type(old).__name__} cannot be updated"
        for name, value in attributes.items():
            kept = self.patcher.translator(value)
            if vars(old).get(name, _ABSENT) is not kept:
                self.patcher.undo.set(old, name, kept)
        self.patcher.translator.keep(new, old)
        self.patcher.changes.code_changed(old)
        return None

    def _shape(self, old: Any, new: Any) -> str:
        def shape(obj: Any) -> str:
            return "a plain function" if isinstance(obj, types.FunctionType) else f"a {type(obj).__name__}"

        return (
            f"it changed shape (was {shape(old)}, now {shape(new)}); references taken before run "
            f"the new code through the old {'wrapper' if not isinstance(old, types.FunctionType) else 'function'}"
        )
