"""Keeping identity: update old functions, wrappers and classes from their new versions.

After a module is re-executed, every module-level definition that exists in both versions keeps
its identity: the old object receives the new code and is bound again in the module, so
``from mod import f``, existing instances, bound methods, subclasses elsewhere and registries keep
working. Classes are updated through their kind (:mod:`.kinds`); wrappers — decorators with or
without ``functools.wraps``, ``functools.partial``, ``lru_cache``, callable objects holding a
function — are updated through the functions they hold. Every change goes through the undo log.
Where an object cannot be updated safely, the new object replaces it and the reason is reported.
"""

from __future__ import annotations

import functools
import types
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from .changes import Changes
from .kinds import kinds_of
from .translate import Translator
from .undo import UndoLog

__all__ = ["UndoLog", "PatchResult", "Patcher", "functions_in", "same_code"]

_ABSENT = object()
_HEAPTYPE = 1 << 9
_CLASS_SKIP = frozenset({"__dict__", "__weakref__", "__module__", "__qualname__", "_abc_impl"})
_FUNCTION_ATTRS = ("__defaults__", "__kwdefaults__", "__annotations__", "__doc__")


@dataclass
class PatchResult:
    """What patching one module did.

    Attributes:
        patched: names (``f``, ``C``, ``C.m``) whose old object was kept and updated.
        replaced: ``(name, reason)`` for objects that could not be updated in place.
        replaced_objects: the old objects that were replaced (to find who still holds them).
    """

    patched: list[str] = field(default_factory=list)
    replaced: list[tuple[str, str]] = field(default_factory=list)
    replaced_objects: list[Any] = field(default_factory=list)


class Patcher:
    """Updates kept objects from new ones for one reload (a transaction).

    Args:
        undo: receives every change.
        translator: maps new objects to kept ones (shared by the whole reload).
        changes: records what runs other code now (read by the dependents' check).
    """

    def __init__(self, undo: UndoLog, translator: Translator, changes: Changes) -> None:
        self.undo = undo
        self.translator = translator
        self.changes = changes
        self.rebuilt_models: set[int] = set()
        self._done: list[Callable[[], None]] = []
        self._discarded: list[type] = []
        self._result = PatchResult()
        self._file: str | None = None

    # -- the module level ------------------------------------------------------------------------
    def module(self, name: str, file: str, old_ns: dict, namespace: dict) -> PatchResult:
        """Keep the definitions of ``old_ns`` that ``namespace`` (the re-executed module's
        dictionary) defines again, and bind them in ``namespace``.

        Args:
            name: the module's name.
            file: its source file (functions compiled from it are its definitions).
            old_ns: a copy of the module's dictionary taken before it was re-executed.
            namespace: the module's dictionary now.
        """
        self._result, self._file = PatchResult(), file
        classes, others = self._pairs(name, old_ns, namespace)
        reasons = self._keep_safe_classes(classes)
        done: dict[int, Any] = {}
        for key, old, new in [*classes, *others]:
            if id(new) in done:
                namespace[key] = done[id(new)]
                continue
            kept = self._pair(key, old, new, reasons)
            done[id(new)] = kept
            namespace[key] = kept
        self.translator.namespace(namespace, old_ns)
        result, self._result = self._result, PatchResult()
        return result

    def _pairs(self, name: str, old_ns: dict, namespace: dict):
        classes, others = [], []
        for key, new in namespace.items():
            old = old_ns.get(key, _ABSENT)
            if old is _ABSENT or old is new:
                continue
            if isinstance(old, type) and isinstance(new, type):
                if old.__qualname__ == new.__qualname__ and old.__module__ == name == new.__module__:
                    classes.append((key, old, new))
            elif self._defined_here(old) or self._defined_here(new):
                others.append((key, old, new))
        return classes, others

    def _keep_safe_classes(self, classes: list) -> dict[int, str]:
        """Provisionally keep every class pair, then drop the unsafe ones until none changes."""
        for _, old, new in classes:
            self.translator.keep(new, old)
        reasons: dict[int, str] = {}
        changed = True
        while changed:
            changed = False
            for _, old, new in classes:
                if id(new) not in reasons:
                    reason = self._class_unsafe(old, new)
                    if reason:
                        reasons[id(new)] = reason
                        self.translator.forget(new)
                        changed = True
        return reasons

    def _pair(self, key: str, old: Any, new: Any, reasons: dict[int, str]) -> Any:
        """Update ``old`` from ``new`` and return the object to bind (``old``, or ``new`` when it
        had to be replaced)."""
        if isinstance(old, type) and isinstance(new, type):
            if id(new) in reasons:
                return self._replace(key, old, new, reasons[id(new)])
            self.update_class(old, new)
            self._result.patched.append(key)
            return old
        mark = len(self.undo)
        try:
            reason = self.update_callable(old, new)
        except (TypeError, ValueError, AttributeError) as exc:
            reason = f"update failed ({exc})"
        if reason is None:
            self._result.patched.append(key)
            return old
        self.undo.rollback(mark)
        return self._replace(key, old, new, reason)

    def _replace(self, key: str, old: Any, new: Any, reason: str) -> Any:
        self.translator.forget(new)
        self._result.replaced.append((key, reason))
        self._result.replaced_objects.append(old)
        self._patch_inner_functions(old, new)
        if isinstance(new, type):
            self._fix_replacement_class(new)
        return new

    def note_replaced(self, name: str, reason: str) -> None:
        """Report that a part of a kept object (an Enum member...) was replaced."""
        self._result.replaced.append((name, reason))

    def on_done(self, action: Callable[[], None]) -> None:
        """Run ``action`` once every module of the reload is patched (and before commit)."""
        self._done.append(action)

    def finish(self) -> None:
        """Run the actions kept for the end of the reload; detach discarded classes on commit."""
        while self._done:
            self._done.pop(0)()
        discarded, self._discarded = self._discarded, []
        self.undo.on_commit(lambda: [_detach(cls) for cls in discarded])

    # -- what belongs to the module --------------------------------------------------------------
    def _defined_here(self, obj: Any) -> bool:
        return any(True for _ in self._own_functions(obj))

    def _own_functions(self, obj: Any, depth: int = 4) -> Iterator[types.FunctionType]:
        """Functions compiled from the module's file reachable from ``obj`` through wrappers."""
        for function in functions_in(obj, depth):
            if function.__code__.co_filename == self._file:
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
        reason = self._patch_inner_functions(old, new, seen)
        if reason:
            return reason
        return self._update_wrapper_object(old, new)

    def update_function(self, old: types.FunctionType, new: types.FunctionType, seen: set) -> str | None:
        """Give ``old`` the code, defaults, annotations, doc and attributes of ``new``."""
        self.translator.keep(new, old)
        if old.__code__.co_freevars != new.__code__.co_freevars:
            self.translator.forget(new)
            return "closure variables changed"
        for name, old_cell, new_cell in zip(old.__code__.co_freevars, old.__closure__ or (), new.__closure__ or ()):
            if name != "__class__":
                reason = self._update_cell(old_cell, new_cell, seen)
                if reason:
                    self.translator.forget(new)
                    return reason
        if not same_code(old.__code__, new.__code__):
            self.changes.code_changed(old)
        self.undo.set(old, "__code__", new.__code__)
        for attr in _FUNCTION_ATTRS:
            value = getattr(new, attr)
            if attr == "__defaults__" and value:
                value = tuple(self.translator(v) for v in value)
            if getattr(old, attr) is not value:
                self.undo.set(old, attr, value)
        if old.__dict__ or new.__dict__:
            self.undo.set(old, "__dict__", {k: self.translator(v) for k, v in new.__dict__.items()})
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
        kept = self.translator(value)
        if kept is current:
            return None
        if current is not _ABSENT and kept is value and self._defined_here(value) and self._defined_here(current):
            return self.update_callable(current, value, seen)
        self.undo.set_cell(old_cell, kept)
        return None

    def _patch_inner_functions(self, old: Any, new: Any, seen: set | None = None) -> str | None:
        """Update the module's functions held inside ``old`` from those inside ``new``."""
        seen = set() if seen is None else seen
        if isinstance(old, property) and isinstance(new, property):
            pairs = [(a, b) for a, b in zip((old.fget, old.fset, old.fdel), (new.fget, new.fset, new.fdel))
                     if a is not None and b is not None]
        else:
            olds: dict[str, list] = {}
            for function in self._own_functions(old):
                olds.setdefault(function.__qualname__, []).append(function)
            pairs = [(olds[f.__qualname__][0], f) for f in self._own_functions(new)
                     if len(olds.get(f.__qualname__, ())) == 1]
        for match, function in pairs:
            if match is not function:
                reason = self.update_callable(match, function, seen)
                if reason:
                    return f"{function.__qualname__}: {reason}"
        if pairs and hasattr(old, "cache_clear"):
            self.undo.on_commit(old.cache_clear)
        return None

    def _update_wrapper_object(self, old: Any, new: Any) -> str | None:
        """Make a wrapper object equal to the new one: ``lru_cache`` (same parameters; its cache
        is cleared on commit), ``functools.partial``, or any object with a ``__dict__``."""
        if isinstance(old, functools.partial):
            state = old.__reduce__()[2]
            self.undo.record(lambda: old.__setstate__(state))
            new_state = new.__reduce__()[2]
            old.__setstate__((self.translator(new_state[0]), tuple(self.translator(a) for a in new_state[1]),
                              {k: self.translator(v) for k, v in (new_state[2] or {}).items()}, new_state[3]))
            return None
        if hasattr(old, "cache_parameters") and old.cache_parameters() != new.cache_parameters():
            return "its cache parameters changed"
        if hasattr(old, "cache_clear"):
            self.undo.on_commit(old.cache_clear)
        try:
            attributes = vars(new)
        except TypeError:
            return None if hasattr(old, "cache_clear") else f"a {type(old).__name__} cannot be updated"
        for name, value in attributes.items():
            kept = self.translator(value)
            if vars(old).get(name, _ABSENT) is not kept:
                self.undo.set(old, name, kept)
        self.translator.keep(new, old)
        self.changes.code_changed(old)
        return None

    def _shape(self, old: Any, new: Any) -> str:
        def shape(obj: Any) -> str:
            return "a plain function" if isinstance(obj, types.FunctionType) else f"a {type(obj).__name__}"
        return (f"it changed shape (was {shape(old)}, now {shape(new)}); references taken before run "
                f"the new code through the old {'wrapper' if not isinstance(old, types.FunctionType) else 'function'}")

    # -- classes ---------------------------------------------------------------------------------
    def _class_unsafe(self, old: type, new: type) -> str | None:
        """Why ``old`` cannot take ``new``'s content, or None when it can."""
        if not old.__flags__ & _HEAPTYPE:
            return "not a Python class"
        if type(old) is not self.translator(type(new)):
            return "metaclass changed"
        if tuple(self.translator(b) for b in new.__bases__) != old.__bases__:
            return "base classes changed"
        if _slots(old) != _slots(new):
            return "__slots__ changed (the instance layout differs)"
        for kind in kinds_of(new):
            reason = kind.unsafe(old, new)
            if reason:
                return reason
        return None

    def update_class(self, old: type, new: type) -> None:
        """Give the kept class ``old`` the content of ``new`` (both already judged compatible)."""
        self.translator.keep(new, old)
        kinds = kinds_of(new)
        _point_class_cells(old, new, self.undo)
        skip = set(_CLASS_SKIP) | {k for k, v in old.__dict__.items()
                                   if isinstance(v, (types.MemberDescriptorType, types.GetSetDescriptorType))}
        for kind in kinds:
            skip |= kind.handled(old, new)
        for key, value in list(new.__dict__.items()):
            if key not in skip:
                self._update_member(old, key, old.__dict__.get(key, _ABSENT), value)
        for key in [k for k in old.__dict__ if k not in new.__dict__ and k not in skip]:
            self.undo.delete(old, key)
            self.changes.member_changed(old, key)
        for kind in kinds:
            kind.update(old, new, self)
        self._discarded.append(new)

    def _update_member(self, cls: type, key: str, current: Any, value: Any) -> None:
        if current is value:
            return
        if current is not _ABSENT and self._keep_member(cls, key, current, value):
            return
        if isinstance(value, types.FunctionType) and value.__code__.co_filename != self._file:
            self.translator.generated(value, _globals_of(cls))
        self.undo.set(cls, key, self.translator.fix(value))
        self.changes.member_changed(cls, key)

    def _keep_member(self, cls: type, key: str, current: Any, value: Any) -> bool:
        """Update ``current`` in place from ``value``; False when ``value`` must be set instead."""
        if isinstance(current, type) and isinstance(value, type):
            if current.__qualname__ != value.__qualname__ or self._class_unsafe(current, value):
                return False
            self.update_class(current, value)
            self._note_member(cls, key, current)
            return True
        if type(current) is not type(value) or not (self._defined_here(current) and self._defined_here(value)):
            return False
        if isinstance(current, property) and \
                [f is None for f in (current.fget, current.fset, current.fdel)] != \
                [f is None for f in (value.fget, value.fset, value.fdel)]:
            return False
        mark = len(self.undo)
        try:
            reason = self.update_callable(current, value) if isinstance(value, types.FunctionType) \
                else self._patch_inner_functions(current, value)
        except (TypeError, ValueError, AttributeError):
            reason = "update failed"
        if reason:
            self.undo.rollback(mark)
            self._result.replaced.append((f"{cls.__qualname__}.{key}", reason))
            return False
        self._note_member(cls, key, current)
        return True

    def _note_member(self, cls: type, key: str, current: Any) -> None:
        for function in self._own_functions(current):
            if self.changes.runs_new_code(function):
                self.changes.member_changed(cls, key)
                return

    def _fix_replacement_class(self, new: type) -> None:
        """A replaced class keeps pointing at the kept versions of its bases and attributes."""
        bases = tuple(self.translator(b) for b in new.__bases__)
        if bases != new.__bases__:
            try:
                self.undo.set(new, "__bases__", bases)
            except TypeError as exc:
                self._result.replaced.append((new.__qualname__, f"its bases could not be updated ({exc})"))
        self.translator.class_attributes(new)


def functions_in(obj: Any, depth: int = 4) -> Iterator[types.FunctionType]:
    """Python functions reachable from ``obj`` through wrapper links: ``__wrapped__``,
    ``__func__``, property accessors, ``cached_property.func``, ``partial.func``, closure cells,
    and the attributes of callable objects (``np.vectorize``'s ``pyfunc``...)."""
    seen: set[int] = set()
    stack = [(obj, 0)]
    while stack:
        current, level = stack.pop()
        if id(current) in seen or current is None:
            continue
        seen.add(id(current))
        if isinstance(current, types.FunctionType):
            yield current
        if level >= depth:
            continue
        stack.extend((link, level + 1) for link in _links(current))


def _links(obj: Any) -> list[Any]:
    if isinstance(obj, (type, types.ModuleType)):
        return []
    if isinstance(obj, (classmethod, staticmethod, types.MethodType)):
        return [obj.__func__]
    if isinstance(obj, property):
        return [obj.fget, obj.fset, obj.fdel]
    if isinstance(obj, functools.cached_property):
        return [obj.func]
    if isinstance(obj, functools.partial):
        return [obj.func]
    links = []
    if isinstance(obj, types.FunctionType):
        for cell in obj.__closure__ or ():
            try:
                links.append(cell.cell_contents)
            except ValueError:
                pass
    try:
        attributes = vars(obj)
    except TypeError:
        return links
    links.extend(v for k, v in attributes.items() if callable(v) and not isinstance(v, type)
                 and (k == "__wrapped__" or not isinstance(obj, types.FunctionType)))
    return links


def same_code(a: types.CodeType, b: types.CodeType) -> bool:
    """Whether two code objects do the same thing (line numbers aside)."""
    if a is b:
        return True
    if (a.co_code, a.co_names, a.co_varnames, a.co_freevars, a.co_cellvars, a.co_flags, a.co_argcount,
            a.co_kwonlyargcount, a.co_posonlyargcount) != \
            (b.co_code, b.co_names, b.co_varnames, b.co_freevars, b.co_cellvars, b.co_flags, b.co_argcount,
             b.co_kwonlyargcount, b.co_posonlyargcount) or len(a.co_consts) != len(b.co_consts):
        return False
    for x, y in zip(a.co_consts, b.co_consts):
        if isinstance(x, types.CodeType) and isinstance(y, types.CodeType):
            if not same_code(x, y):
                return False
        elif type(x) is not type(y) or x != y:
            return False
    return True


def _globals_of(cls: type) -> dict:
    import sys

    module = sys.modules.get(cls.__module__)
    return getattr(module, "__dict__", {})


def _slots(cls: type) -> tuple | None:
    slots = cls.__dict__.get("__slots__")
    return (slots,) if isinstance(slots, str) else (tuple(slots) if slots is not None else None)


def _point_class_cells(old: type, new: type, undo: UndoLog) -> None:
    """Zero-argument ``super()`` reads a ``__class__`` cell: make the new methods see ``old``."""
    for value in list(new.__dict__.values()):
        for function in functions_in(value, 2):
            for name, cell in zip(function.__code__.co_freevars, function.__closure__ or ()):
                try:
                    if name == "__class__" and cell.cell_contents is new:
                        undo.set_cell(cell, old)
                except ValueError:
                    pass


class _Discarded:
    """The base of discarded class versions: they leave their real bases' ``__subclasses__()``."""


def _detach(cls: type) -> None:
    """Take a discarded class out of its bases' ``__subclasses__()`` (when its layout allows)."""
    for base in (_Discarded, object):
        try:
            cls.__bases__ = (base,)
            return
        except TypeError:
            continue
