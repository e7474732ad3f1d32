"""Applying a definitions-only edit without running the module again.

The kept functions receive the code compiled from the new source; only what the changed
definitions themselves need is evaluated: new default values and annotations (in the scope they
were written in), and new definitions with their decorators, once. No other module-level code
runs, so import-time side effects (registrations, counters, connections) do not repeat.

Everything is checked before anything changes: when a target cannot be found or updated
(:class:`NeedsExecution`), the caller re-executes the module instead.
"""

from __future__ import annotations

import ast
import copy
import types
from dataclasses import dataclass, field
from typing import Any

from .functions import functions_in
from .kinds import kinds_of, refresh_abstract_methods
from .patching import Patcher
from .source_diff import DefinitionChange, SourceEdit

__all__ = ["NeedsExecution", "InPlaceResult", "apply_definitions", "code_objects"]

_SCOPE_NAME = "__ipy_reimport_scope__"
_CO_OPTIMIZED = 0x1


class NeedsExecution(Exception):
    """The edit cannot be applied in place; the message says why."""


@dataclass
class InPlaceResult:
    """What an in-place edit did: functions and methods patched, definitions added and removed."""

    patched: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def code_objects(code: types.CodeType) -> dict[tuple[tuple[str, ...], int], types.CodeType]:
    """The code objects of a compiled module's functions, methods and class bodies, by
    ``(path, first line)`` (``(("C", "m"), 12)``)."""
    found: dict[tuple[tuple[str, ...], int], types.CodeType] = {}
    stack: list[tuple[tuple[str, ...], types.CodeType]] = [((), code)]
    while stack:
        path, current = stack.pop()
        for const in current.co_consts:
            if isinstance(const, types.CodeType) and not const.co_name.startswith("<"):
                found[((*path, const.co_name), const.co_firstlineno)] = const
                if not const.co_flags & _CO_OPTIMIZED:  # a class body, not a function
                    stack.append(((*path, const.co_name), const))
    return found


def apply_definitions(
    name: str, namespace: dict, file: str, code: types.CodeType, edit: SourceEdit, flags: int, patcher: Patcher
) -> InPlaceResult:
    """Apply ``edit`` (definitions only) to the module's objects.

    Args:
        name: the module's name.
        namespace: its dictionary (kept objects live here).
        file: its source file.
        code: the new source compiled (its functions' code objects are taken from here).
        edit: what changed, from :func:`~ipy_reimport.source_diff.compare_sources`.
        flags: compiler flags of the module's ``__future__`` imports.
        patcher: the reload's patcher (undo log, translator, changes).

    Raises:
        NeedsExecution: the edit cannot be applied in place (checked before anything changes).
    """
    editor = _Editor(name, namespace, file, code_objects(code), flags, patcher)
    steps = [editor.prepare(change) for change in edit.definitions]
    result = InPlaceResult()
    for step in steps:
        step(result)
    for cls in editor.abstract_classes:
        refresh_abstract_methods(cls, patcher)
    return result


class _Editor:
    def __init__(self, name: str, namespace: dict, file: str, codes: dict, flags: int, patcher: Patcher) -> None:
        self.name, self.namespace, self.file, self.codes, self.flags = name, namespace, file, codes, flags
        self.patcher, self.undo, self.changes = patcher, patcher.undo, patcher.changes
        self.abstract_classes: list[type] = []

    # -- checks (nothing changes here) -----------------------------------------------------------
    def prepare(self, change: DefinitionChange):
        """Check one change and return the step that applies it."""
        owner = self._owner(change.path[:-1])
        member = change.path[-1]
        if isinstance(owner, type):
            for kind in kinds_of(owner):
                reason = kind.in_place(owner, change)
                if reason:
                    raise NeedsExecution(reason)
            if hasattr(owner, "__abstractmethods__") and owner not in self.abstract_classes:
                self.abstract_classes.append(owner)
        if change.kind == "added":
            return lambda result: self._add(owner, change, result)
        if change.kind == "removed":
            return lambda result: self._remove(owner, member, change, result)
        if not change.is_function:
            raise NeedsExecution(f"class {change.qualname} changed")
        holder = self._get(owner, member)
        target = self._function(holder, change)
        new_code = self._code(change)
        if target.__code__.co_freevars != new_code.co_freevars:
            raise NeedsExecution(f"{change.qualname} now uses other closure variables (e.g. super())")
        return lambda result: self._patch(owner, member, holder, target, new_code, change, result)

    def _owner(self, path: tuple[str, ...]) -> Any:
        owner: Any = None
        for part in path:
            owner = self._get(owner, part)
            if not isinstance(owner, type):
                raise NeedsExecution(f"{'.'.join(path)} is no longer a class")
        return owner

    def _get(self, owner: Any, member: str) -> Any:
        space = self.namespace if owner is None else owner.__dict__
        if member not in space:
            raise NeedsExecution(f"{member} is not defined in the running module")
        return space[member]

    def _function(self, holder: Any, change: DefinitionChange) -> types.FunctionType:
        """The function object the old ``def`` created, found inside its decorators' result."""
        first = _first_line(change.old)  # tells a property's getter from its setter
        matches = [
            f
            for f in functions_in(holder)
            if f.__qualname__ == change.qualname
            and f.__code__.co_filename == self.file
            and f.__code__.co_firstlineno == first
        ]
        if len(matches) != 1:
            raise NeedsExecution(f"cannot find the function {change.qualname} inside what its decorators returned")
        return matches[0]

    def _code(self, change: DefinitionChange) -> types.CodeType:
        node = change.node
        code = self.codes.get((change.path, _first_line(node))) or self.codes.get((change.path, node.lineno))
        if code is None:
            raise NeedsExecution(f"cannot find the compiled code of {change.qualname}")
        return code

    # -- changes ---------------------------------------------------------------------------------
    def _patch(self, owner, member, holder, target, new_code, change: DefinitionChange, result) -> None:
        if change.signature:
            fresh = self._evaluate(owner, _stripped(change.node))[member]
            for attr in ("__defaults__", "__kwdefaults__", "__annotations__"):
                self.undo.set(target, attr, getattr(fresh, attr))
        doc = ast.get_docstring(change.node, clean=False)
        if target.__doc__ != doc:
            self.undo.set(target, "__doc__", doc)
        self.undo.set(target, "__code__", new_code)
        if change.kind == "moved":
            return
        self.changes.code_changed(target)
        for obj in _path_to(holder, target):
            self.changes.code_changed(obj)
            if hasattr(obj, "cache_clear"):
                self.undo.on_commit(obj.cache_clear)
        if isinstance(owner, type):
            self.changes.member_changed(owner, member)
        result.patched.append(change.qualname)

    def _add(self, owner: type | None, change: DefinitionChange, result: InPlaceResult) -> None:
        member = change.path[-1]
        if owner is None:
            self.undo.record(_restore_name(self.namespace, member))
            exec(self._compile([change.node]), self.namespace)
            self.changes.rebind(self.name, {member})
        else:
            value = self._evaluate(owner, change.node)[member]
            self.undo.set(owner, member, value)
            set_name = getattr(type(value), "__set_name__", None)
            if set_name is not None:
                set_name(value, owner, member)
            self.changes.member_changed(owner, member)
        result.added.append(change.qualname)

    def _remove(self, owner: type | None, member: str, change: DefinitionChange, result: InPlaceResult) -> None:
        if owner is not None and member in owner.__dict__:
            self.undo.delete(owner, member)
            self.changes.member_changed(owner, member)
        result.removed.append(change.qualname)

    # -- evaluation in the definition's own scope ------------------------------------------------
    def _compile(self, body: list[ast.stmt]) -> types.CodeType:
        module = ast.Module(body=body, type_ignores=[])
        return compile(module, self.file, "exec", flags=self.flags, dont_inherit=True)

    def _evaluate(self, owner: type | None, node: ast.stmt) -> dict:
        """Run one definition statement in a scratch scope that sees what its real scope saw: the
        module's globals, and for a class member the class's own namespace."""
        if owner is None:
            scratch: dict = {}
            exec(self._compile([node]), self.namespace, scratch)
            return scratch
        wrapper = ast.ClassDef(
            name=owner.__name__,
            bases=[],
            body=[node],
            decorator_list=[],
            keywords=[ast.keyword(arg="metaclass", value=ast.Name(_SCOPE_NAME, ast.Load()))],
        )
        if hasattr(ast.ClassDef, "type_params") or "type_params" in ast.ClassDef._fields:
            wrapper.type_params = []
        ast.copy_location(wrapper, node)
        ast.fix_missing_locations(wrapper)
        scratch = {_SCOPE_NAME: _scope_of(owner)}
        exec(self._compile([wrapper]), self.namespace, scratch)
        body = scratch[owner.__name__]
        cell = body.pop("__classcell__", None)
        if cell is not None:
            cell.cell_contents = owner
        return body


def _first_line(node: ast.stmt) -> int:
    """The line a definition's code object starts at (its first decorator's)."""
    return min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", ()))])


def _scope_of(owner: type) -> type:
    """A metaclass whose class body runs in a copy of ``owner``'s namespace and that returns
    that namespace instead of a class."""

    class Scope(type):
        @classmethod
        def __prepare__(mcs, name, bases, **kwargs):
            return {k: v for k, v in owner.__dict__.items() if k not in ("__dict__", "__weakref__")}

        def __new__(mcs, name, bases, namespace, **kwargs):
            return namespace

    return Scope


def _stripped(node: ast.stmt) -> ast.stmt:
    """The definition without decorators and with an empty body: evaluates only its signature."""
    bare = copy.copy(node)
    bare.decorator_list = []
    bare.body = [ast.copy_location(ast.Pass(), node)]
    return bare


def _path_to(holder: Any, target: Any) -> list[Any]:
    """The wrapper objects between a binding and the function it wraps (the binding included)."""
    if holder is target:
        return []
    return [holder]


def _restore_name(namespace: dict, key: str):
    missing = key not in namespace
    value = namespace.get(key)
    return lambda: namespace.pop(key, None) if missing else namespace.__setitem__(key, value)
