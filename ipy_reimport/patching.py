"""Keeping identity: update old functions and classes from their new versions.

After a module is re-executed, every module-level function or class that exists in both versions
keeps its identity: the old object receives the new code and is bound again in the module, so
``from mod import f``, existing instances, subclasses elsewhere and registries keyed by the class
keep working. Every change goes through an :class:`UndoLog`, so a failed reload can put it all
back. Where an object cannot be updated safely, the new object replaces it and the reason is
reported.
"""

from __future__ import annotations

import enum
import functools
import types
from dataclasses import dataclass, field
from typing import Any

from .undo import UndoLog

__all__ = ["UndoLog", "PatchResult", "patch_module"]

_ABSENT = object()
_HEAPTYPE = 1 << 9
_CLASS_SKIP = frozenset({"__dict__", "__weakref__", "__module__", "__qualname__", "_abc_impl"})
_FUNCTION_ATTRS = ("__code__", "__defaults__", "__kwdefaults__", "__annotations__", "__doc__")


@dataclass
class PatchResult:
    """What patching one module did.

    Attributes:
        patched: module-level names whose old object was kept and updated.
        replaced: ``(name, reason)`` for objects that could not be updated in place.
    """

    patched: list[str] = field(default_factory=list)
    replaced: list[tuple[str, str]] = field(default_factory=list)


def patch_module(module_name: str, old_ns: dict, namespace: dict, undo: UndoLog) -> PatchResult:
    """Update the objects of ``old_ns`` from their new versions in ``namespace``.

    Args:
        module_name: the module's name (only objects defined in it are patched).
        old_ns: a copy of the module's dictionary taken before it was re-executed.
        namespace: the module's dictionary after re-execution; kept objects are bound into it.
        undo: receives every change.

    Returns:
        Which names were patched and which were replaced, with why.
    """
    result = PatchResult()
    pairs = _pairs(module_name, old_ns, namespace)
    kept = {id(new): old for old, new in pairs.values()}
    reasons = _drop_unsafe_classes(pairs, kept)
    done: set[int] = set()
    for key, (old, new) in pairs.items():
        if id(new) not in kept:
            result.replaced.append((key, reasons[id(new)]))
            continue
        if id(new) in done:  # another name for an object already patched (ALIAS = f)
            namespace[key] = kept[id(new)]
            continue
        mark = len(undo)
        try:
            reason = _patch(old, new, kept, undo, set())
        except (TypeError, ValueError, AttributeError) as exc:
            reason = f"update failed ({exc})"
        if reason is None:
            namespace[key] = old
            result.patched.append(key)
            done.add(id(new))
        else:
            undo.rollback(mark)
            kept.pop(id(new), None)
            result.replaced.append((key, reason))
    _adopt_new_objects(old_ns, namespace, kept, undo)
    return result


def _pairs(module_name: str, old_ns: dict, namespace: dict) -> dict[str, tuple[Any, Any]]:
    pairs = {}
    for key, new in namespace.items():
        old = old_ns.get(key, _ABSENT)
        if old is _ABSENT or old is new or not _same_definition(old, new):
            continue
        if getattr(new, "__module__", None) == module_name == getattr(old, "__module__", None):
            pairs[key] = (old, new)
    return pairs


def _kind(obj: Any) -> str | None:
    if isinstance(obj, type):
        return "class"
    if isinstance(obj, types.FunctionType):
        return "function"
    if callable(obj) and isinstance(getattr(obj, "__wrapped__", None), types.FunctionType):
        return "wrapper"
    return None


def _same_definition(old: Any, new: Any) -> bool:
    """Both are the same kind of definition with the same qualified name (classes may differ in
    metaclass: that is judged by :func:`_class_unsafe`)."""
    kind = _kind(old)
    if kind is None or kind != _kind(new):
        return False
    if getattr(old, "__qualname__", None) != getattr(new, "__qualname__", None):
        return False
    return kind == "class" or type(old) is type(new)


def _drop_unsafe_classes(pairs: dict, kept: dict) -> dict[int, str]:
    reasons: dict[int, str] = {}
    changed = True
    while changed:
        changed = False
        for old, new in pairs.values():
            if id(new) in kept and isinstance(new, type):
                reason = _class_unsafe(old, new, kept)
                if reason:
                    del kept[id(new)]
                    reasons[id(new)] = reason
                    changed = True
    return reasons


def _translate(value: Any, kept: dict) -> Any:
    return kept.get(id(value), value)


def _slots(cls: type) -> tuple | None:
    slots = cls.__dict__.get("__slots__")
    return (slots,) if isinstance(slots, str) else (tuple(slots) if slots is not None else None)


def _enum_members(cls: type) -> list[tuple[str, Any]]:
    return [(name, member.value) for name, member in cls.__members__.items()]


def _class_unsafe(old: type, new: type, kept: dict) -> str | None:
    """Why ``old`` cannot take ``new``'s content, or None when it can."""
    if not old.__flags__ & _HEAPTYPE:
        return "not a Python class"
    if type(old) is not _translate(type(new), kept):
        return "metaclass changed"
    if tuple(_translate(b, kept) for b in new.__bases__) != old.__bases__:
        return "base classes changed"
    if _slots(old) != _slots(new):
        return "__slots__ changed"
    if old.__dict__.get("_fields") != new.__dict__.get("_fields"):
        return "named tuple fields changed"
    if isinstance(old, enum.EnumMeta):
        try:
            if _enum_members(old) != _enum_members(new):
                return "Enum members changed"
        except Exception:
            return "Enum members cannot be compared"
    return None


def _patch(old: Any, new: Any, kept: dict, undo: UndoLog, seen: set) -> str | None:
    if (id(old), id(new)) in seen:
        return None
    seen.add((id(old), id(new)))
    kept[id(new)] = old
    if isinstance(old, type):
        return _patch_class(old, new, kept, undo, seen)
    return _patch_callable(old, new, kept, undo, seen)


def _patch_callable(old: Any, new: Any, kept: dict, undo: UndoLog, seen: set) -> str | None:
    inner_old, inner_new = getattr(old, "__wrapped__", None), getattr(new, "__wrapped__", None)
    if inner_old is not None and inner_new is not None and inner_old is not inner_new:
        if not _same_definition(inner_old, inner_new):
            return "the function it wraps changed"
        reason = _patch(inner_old, inner_new, kept, undo, seen)
        if reason:
            return f"wrapped function: {reason}"
    if not isinstance(old, types.FunctionType):
        if hasattr(old, "cache_clear"):
            undo.on_commit(old.cache_clear)
        return None
    if old.__code__.co_freevars != new.__code__.co_freevars:
        return "closure variables changed"
    for old_cell, new_cell in zip(old.__closure__ or (), new.__closure__ or ()):
        reason = _patch_cell(old_cell, new_cell, kept, undo, seen)
        if reason:
            return reason
    for attr in _FUNCTION_ATTRS:
        undo.set(old, attr, getattr(new, attr))
    undo.set(old, "__dict__", {k: _translate(v, kept) for k, v in new.__dict__.items()})
    return None


def _patch_cell(old_cell, new_cell, kept: dict, undo: UndoLog, seen: set) -> str | None:
    try:
        value = new_cell.cell_contents
    except ValueError:
        return None
    try:
        current = old_cell.cell_contents
    except ValueError:
        current = _ABSENT
    if id(value) in kept or current is value:
        if current is not _translate(value, kept):
            undo.set_cell(old_cell, _translate(value, kept))
        return None
    if current is not _ABSENT and _kind(current) in ("function", "wrapper") and _same_definition(current, value):
        return _patch(current, value, kept, undo, seen)
    undo.set_cell(old_cell, value)
    return None


def _functions_in(value: Any) -> list[types.FunctionType]:
    found = []
    if isinstance(value, (classmethod, staticmethod)):
        value = value.__func__
    if isinstance(value, property):
        return [f for part in (value.fget, value.fset, value.fdel) for f in _functions_in(part)]
    if isinstance(value, functools.cached_property):
        value = value.func
    while value is not None and callable(value):
        if isinstance(value, types.FunctionType):
            found.append(value)
        value = getattr(value, "__wrapped__", None)
    return found


def _point_class_cells(old: type, new: type, undo: UndoLog) -> None:
    """Zero-argument ``super()`` reads a ``__class__`` cell: make the new methods see ``old``."""
    for value in list(new.__dict__.values()):
        for function in _functions_in(value):
            for name, cell in zip(function.__code__.co_freevars, function.__closure__ or ()):
                if name == "__class__" and cell.cell_contents is new:
                    undo.set_cell(cell, old)


def _patch_class(old: type, new: type, kept: dict, undo: UndoLog, seen: set) -> str | None:
    _point_class_cells(old, new, undo)
    is_enum = isinstance(old, enum.EnumMeta)
    skip = _CLASS_SKIP | {k for k, v in old.__dict__.items()
                          if isinstance(v, (types.MemberDescriptorType, types.GetSetDescriptorType))}
    if is_enum:
        skip |= set(old.__members__) | {k for k in new.__dict__ if _is_enum_internal(k, new.__dict__[k])}
    for key, value in list(new.__dict__.items()):
        if key in skip:
            continue
        current = old.__dict__.get(key, _ABSENT)
        if current is value:
            continue
        if current is not _ABSENT and _same_definition(current, value) and \
                not (isinstance(value, type) and _class_unsafe(current, value, kept)):
            if _patch(current, value, kept, undo, seen) is None:
                continue
        undo.set(old, key, _translate(value, kept))
    if not is_enum:
        for key in [k for k in old.__dict__ if k not in new.__dict__ and k not in skip]:
            undo.delete(old, key)
    return None


def _is_enum_internal(key: str, value: Any) -> bool:
    plain = isinstance(value, (types.FunctionType, classmethod, staticmethod, property))
    return not plain or key == "__new__" or (key.startswith("_") and key.endswith("_") and not key.startswith("__"))


def _adopt(value: Any, kept: dict, undo: UndoLog) -> None:
    """An instance the new code made of a class that was kept becomes an instance of the kept
    class (layouts are equal: the class passed :func:`_class_unsafe`)."""
    cls = kept.get(id(type(value)))
    if isinstance(cls, type) and type(value) is not cls:
        try:
            undo.set(value, "__class__", cls)
        except TypeError:
            pass


def _adopt_new_objects(old_ns: dict, namespace: dict, kept: dict, undo: UndoLog) -> None:
    """Module-level objects built by the new code (sentinels, registries, class constants)
    refer to kept objects and are instances of kept classes."""
    if not kept:
        return
    kept_classes = {id(c): c for c in kept.values() if isinstance(c, type)}
    for cls in kept_classes.values():
        for value in list(cls.__dict__.values()):
            _adopt(value, kept, undo)
    for key, value in list(namespace.items()):
        if value is old_ns.get(key, _ABSENT):
            continue
        _adopt(value, kept, undo)
        if type(value) is dict:
            items = [(_translate(k, kept), _translate(v, kept)) for k, v in value.items()]
            if any(a is not b or c is not d for (a, c), (b, d) in zip(items, value.items())):
                undo.replace_contents(value, dict(items))
        elif type(value) in (list, tuple, set, frozenset):
            for item in value:
                _adopt(item, kept, undo)
            if type(value) is list:
                items = [_translate(v, kept) for v in value]
                if any(a is not b for a, b in zip(items, value)):
                    undo.replace_contents(value, items)
