"""One translation from the objects a re-execution created to the objects kept in their place.

When a module is re-executed, its code builds new classes and functions; patching keeps the old
ones and records ``new -> kept`` here. Wherever the re-executed code may have stored a new object
— the module's namespace and its containers, class attributes and bases, wrapper objects, and the
containers of the modules it imports (registries) — :class:`Translator` puts the kept object in
its place, through the undo log. It never scans the heap: it looks only where it is told to.
"""

from __future__ import annotations

import functools
import types
from collections.abc import Iterable
from typing import Any

from .undo import UndoLog

__all__ = ["Translator", "CONTAINERS"]

CONTAINERS = (dict, list, set)
_ATOMIC = (str, bytes, int, float, complex, bool, type(None), range, types.ModuleType)


class Translator:
    """Maps new objects to the kept ones and rewrites references to them.

    Args:
        undo: receives every change, so that a failed reload puts everything back.
    """

    def __init__(self, undo: UndoLog) -> None:
        self.undo = undo
        self._kept: dict[int, Any] = {}
        self._pinned: list[Any] = []  # keeps new objects alive so that their ids stay unique

    def keep(self, new: Any, old: Any) -> None:
        """From now on, ``new`` stands for ``old``."""
        self._kept[id(new)] = old
        self._pinned.append(new)

    def forget(self, new: Any) -> None:
        """``new`` replaces its old version after all."""
        self._kept.pop(id(new), None)

    def kept(self, new: Any) -> Any | None:
        """The object kept for ``new``, or None."""
        return self._kept.get(id(new))

    def __call__(self, value: Any) -> Any:
        """The kept object for ``value``, a translated copy of an immutable wrapper around new
        objects (bound method, tuple, frozenset), or ``value`` itself."""
        kept = self._kept.get(id(value))
        if kept is not None:
            return kept
        if isinstance(value, types.MethodType):
            func, owner = self(value.__func__), self(value.__self__)
            if func is not value.__func__ or owner is not value.__self__:
                return types.MethodType(func, owner)
        elif type(value) in (tuple, frozenset) and value:
            items = [self(v) for v in value]
            if any(a is not b for a, b in zip(items, value, strict=False)):
                return type(value)(items)
        return value

    def __bool__(self) -> bool:
        return bool(self._kept)

    # -- rewriting references --------------------------------------------------------------------
    def adopt(self, value: Any) -> None:
        """Make an instance of a new class an instance of the kept class (same layout: the class
        was judged safe to keep). Bypasses the class's own ``__setattr__`` (frozen classes)."""
        cls = self._kept.get(id(type(value)))
        if isinstance(cls, type) and type(value) is not cls:
            try:
                self.undo.set(value, "__class__", cls)
            except TypeError:
                pass

    def fix(self, value: Any, depth: int = 1) -> Any:
        """Translate ``value`` and what it holds (containers, wrappers) up to ``depth`` levels;
        returns the value to bind in its place."""
        translated = self(value)
        if translated is not value:
            return translated
        if isinstance(value, _ATOMIC) or isinstance(value, type):
            return value
        self.adopt(value)
        if depth <= 0:
            return value
        if type(value) in CONTAINERS or isinstance(value, (dict, list, set)):
            self.container(value, depth - 1)
        elif isinstance(value, types.FunctionType):
            self.function(value)
        elif isinstance(value, functools.partial):
            self._partial(value)
        elif hasattr(value, "__dict__") and not isinstance(value, (type, types.ModuleType)):
            self.attributes(value)
        return value

    def container(self, container: dict | list | set, depth: int = 0, before: Any = None) -> bool:
        """Translate the items (and dict keys) of a container in place; True if any changed.

        ``before``, a copy taken before the re-execution, holds only objects that existed then:
        the items it shares with the container need no translation (a registry that grows by
        one entry per reload costs one entry, not its length)."""
        known = _identities(before)
        if isinstance(container, dict):
            items = [
                (k if id(k) in known else self(k), v if id(v) in known else self.fix(v, depth))
                for k, v in list(container.items())
            ]
            if any(a is not k or b is not v for (a, b), (k, v) in zip(items, container.items(), strict=False)) or len(
                items
            ) != len(container):
                self.undo.replace_contents(container, dict(items))
                return True
            return False
        values = [v if id(v) in known else self.fix(v, depth) for v in list(container)]
        if any(a is not b for a, b in zip(values, container, strict=False)):
            self.undo.replace_contents(container, values if isinstance(container, list) else set(values))
            return True
        return False

    def function(self, func: types.FunctionType) -> None:
        """Point a function's closure cells (and its defaults) at kept objects."""
        for cell in func.__closure__ or ():
            try:
                content = cell.cell_contents
            except ValueError:
                continue
            kept = self(content)
            if kept is not content:
                self.undo.set_cell(cell, kept)
        if func.__defaults__:
            defaults = tuple(self(d) for d in func.__defaults__)
            if any(a is not b for a, b in zip(defaults, func.__defaults__, strict=False)):
                self.undo.set(func, "__defaults__", defaults)
        for d in func.__defaults__ or ():
            self.adopt(d)

    def generated(self, func: types.FunctionType, module_namespace: dict) -> None:
        """A function a library generated for a new class (its globals are not the module's):
        its closure and its private globals must refer to the kept objects."""
        self.function(func)
        namespace = func.__globals__
        if namespace is not module_namespace:
            self.container(namespace)

    def attributes(self, obj: Any) -> None:
        """Translate the attributes of a wrapper object (``np.vectorize``'s ``pyfunc``...)."""
        try:
            attributes = vars(obj)
        except TypeError:
            return
        for name, value in list(attributes.items()):
            kept = self(value)
            if kept is not value:
                try:
                    self.undo.set(obj, name, kept)
                except (AttributeError, TypeError):
                    pass

    def _partial(self, value: functools.partial) -> None:
        func, args = self(value.func), tuple(self(a) for a in value.args)
        keywords = {k: self(v) for k, v in value.keywords.items()}
        if (
            func is value.func
            and all(a is b for a, b in zip(args, value.args, strict=False))
            and all(keywords[k] is v for k, v in value.keywords.items())
        ):
            return
        state = value.__reduce__()[2]
        self.undo.record(lambda: value.__setstate__(state))
        value.__setstate__((func, args, keywords, state[3]))

    def namespace(self, namespace: dict, before: dict) -> None:
        """Translate the values a re-execution bound in a module namespace (one level into
        containers and wrappers); values that did not change are left alone."""
        for key, value in list(namespace.items()):
            if value is before.get(key, _MISSING):
                continue
            fixed = self.fix(value)
            if fixed is not value:
                self.undo.record(_rebind(namespace, key, value))
                namespace[key] = fixed

    def class_attributes(self, cls: type, names: Iterable[str] | None = None) -> None:
        """Translate a class's own attributes (all, or ``names``), one level deep."""
        own = cls.__dict__
        for key in list(names if names is not None else own):
            value = own.get(key, _MISSING)
            if value is _MISSING or key in ("__dict__", "__weakref__", "__mro__", "__base__"):
                continue
            fixed = self.fix(value)
            if fixed is not value:
                self.undo.set(cls, key, fixed)


_MISSING = object()


def _rebind(namespace: dict, key: str, value: Any):
    return lambda: namespace.__setitem__(key, value)


def _identities(container: Any) -> set[int]:
    """The ids of the objects a container (a dict: its keys and values) holds; empty for None."""
    if container is None:
        return set()
    if isinstance(container, dict):
        return {id(k) for k in container} | {id(v) for v in container.values()}
    return {id(v) for v in container}
