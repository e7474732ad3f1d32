"""What a reload has changed so far, as the modules that depend on it see it.

Filled while the plan runs (dependencies first): which names of which module now refer to other
objects, which kept functions, wrappers and classes run different code, and which members of kept
classes changed. The decision whether a dependent must re-execute reads it.
"""

from __future__ import annotations

import functools
import types
from typing import Any

__all__ = ["Changes"]


class Changes:
    """Rebound names, objects whose code changed, and changed class members."""

    def __init__(self) -> None:
        self.rebound: dict[str, set[str]] = {}
        self._code: dict[int, Any] = {}
        self._members: dict[int, set[str]] = {}

    def rebind(self, module: str, names: set[str] | list[str]) -> None:
        """``names`` of ``module`` now refer to other objects."""
        if names:
            self.rebound.setdefault(module, set()).update(names)

    def code_changed(self, obj: Any) -> None:
        """``obj`` (kept) now runs other code."""
        self._code[id(obj)] = obj

    def member_changed(self, cls: type, name: str) -> None:
        """A member of the kept class ``cls`` was set, replaced or removed."""
        self._members.setdefault(id(cls), set()).add(name)
        self._code[id(cls)] = cls

    def is_rebound(self, module: str, name: str) -> bool:
        """Whether ``module.name`` now refers to another object."""
        return name in self.rebound.get(module, ())

    def runs_new_code(self, obj: Any) -> bool:
        """Whether calling ``obj`` (a function, wrapper, method or partial) may run changed code."""
        for _ in range(4):
            if id(obj) in self._code and not isinstance(obj, type):
                return True
            if isinstance(obj, (types.MethodType, classmethod, staticmethod)):
                obj = obj.__func__
            elif isinstance(obj, functools.partial):
                obj = obj.func
            else:
                return False
        return False

    def members(self, cls: type) -> set[str]:
        """Changed members of ``cls`` and of its bases."""
        found: set[str] = set()
        for klass in getattr(cls, "__mro__", (cls,)):
            found |= self._members.get(id(klass), set())
        return found

    @property
    def empty(self) -> bool:
        """Nothing changed yet."""
        return not (self.rebound or self._code)
