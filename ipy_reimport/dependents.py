"""Whether a dependent must run again: could what it computed at import time differ now?

A dependent re-executes only when a statement of its import-time code reads a name whose binding
changed, or calls or instantiates something whose code changed (``TABLE = build_table()``). A
name bound by ``from x import y`` (or ``from x import *``) to a changed value is rebound without
re-executing the module when nothing else at import time reads it. A kept class updated in place
and used as a base class or a decorator does not make a dependent re-execute (subclasses see the
new methods through inheritance), unless what a subclass's creation reads changed (fields,
``__slots__``, ``__init_subclass__``...).

:func:`propagate` extends "runs other code" from changed functions to the functions whose bodies
call them, so that a module-level call of an unchanged function that calls changed code is seen.
"""

from __future__ import annotations

import inspect
import sys
import types
from dataclasses import dataclass, field
from typing import Any

from .analysis import ImportBinding, ModuleSummary, Read, Use
from .changes import Changes
from .functions import functions_in
from .kinds import CREATION_MEMBERS

__all__ = ["Decision", "decide", "propagate"]

# What instantiating a class runs besides the metaclass.
CONSTRUCTION = frozenset(
    {
        "__init__",
        "__new__",
        "__post_init__",
        "__attrs_post_init__",
        "__attrs_pre_init__",
        "model_post_init",
        "__call__",
        "__set_name__",
    }
)
_MISSING = object()


@dataclass
class Decision:
    """What to do with one dependent.

    Attributes:
        execute: why it must re-execute, or None.
        rebind: names to bind to the current values of what they were imported from.
    """

    execute: str | None = None
    rebind: dict[str, Any] = field(default_factory=dict)


def decide(
    name: str,
    namespace: dict,
    summary: ModuleSummary | None,
    changes: Changes,
    planned: set[str],
    predict: bool = False,
) -> Decision:
    """Decide for the dependent ``name`` (its source unchanged) after its dependencies ran.

    Args:
        name: the module's name.
        namespace: its dictionary.
        summary: its import-time summary (None: not analysable, it re-executes).
        changes: what the reload changed so far.
        planned: names of the modules of the plan (attribute chains through them are followed).
        predict: nothing ran yet (a dry run): a name imported from a name that will be rebound
            counts as rebound whatever it refers to now.
    """
    if summary is None:
        return Decision(execute="its source cannot be analysed")
    rebind = _stale_imports(name, namespace, summary, changes, predict)
    for bound in rebind:
        readers = [s for s in summary.readers_of(bound) if not s.imports]
        if readers:
            return Decision(execute=f"line {readers[0].line} reads {bound}, which now refers to a new object")
    resolver = _Resolver(name, namespace, changes, planned, rebind)
    if not rebind and not any(resolver.touched(head) for head in summary.heads):
        return Decision()
    for statement in summary.statements:
        if statement.imports:
            continue
        for read in statement.reads:
            reason = resolver.affects(read)
            if reason:
                return Decision(execute=f"line {read.line} {reason}")
    if summary.unsure and (rebind or any(resolver.touched(h) for h in _heads(summary))):
        return Decision(execute=f"its import-time code {summary.unsure}")
    return Decision(rebind=rebind)


def propagate(name: str, namespace: dict, file: str | None, changes: Changes, planned: set[str]) -> None:
    """Mark the module's functions (and methods) whose bodies use changed code as changed, so that
    a module-level call of an unchanged function that calls changed code is seen.

    What a body uses is read from its compiled code (the global and attribute names of the
    function and of the code nested in it), not from the source.
    """
    if file is None:
        return
    resolver = _Resolver(name, namespace, changes, planned, {})
    functions, methods = _definitions(name, namespace, file)
    for _ in range(8):
        marked = False
        for key, (obj, own, names) in list(functions.items()):
            if resolver.uses_changes(names):
                for function in [obj, *own]:
                    changes.code_changed(function)
                del functions[key]
                resolver.touch(key)
                marked = True
        for (cls, member), (own, names) in list(methods.items()):
            if names & changes.members(cls) or resolver.uses_changes(names):
                for function in own:
                    changes.code_changed(function)
                changes.member_changed(cls, member)
                del methods[(cls, member)]
                marked = True
        if not marked:
            return


def _definitions(name: str, namespace: dict, file: str) -> tuple[dict, dict]:
    """The module's functions, as ``key -> (object, functions, names)``, and its classes'
    methods, as ``(class, member) -> (functions, names)``."""
    functions, methods = {}, {}
    for key, value in list(namespace.items()):
        if getattr(value, "__module__", None) != name:  # imported, or not a definition
            continue
        if isinstance(value, type):
            for member, attribute in list(value.__dict__.items()):
                own = [f for f in functions_in(attribute, 2) if f.__code__.co_filename == file]
                if own:
                    methods[(value, member)] = (own, _names(own))
            continue
        own = [f for f in functions_in(value, 3) if f.__code__.co_filename == file]
        if own:
            functions[key] = (value, own, _names(own))
    return functions, methods


def _names(functions: list) -> frozenset[str]:
    """Global and attribute names the code of ``functions`` (and the code nested in it) uses."""
    found: set[str] = set()
    stack = [f.__code__ for f in functions]
    while stack:
        code = stack.pop()
        found.update(code.co_names)
        stack.extend(c for c in code.co_consts if isinstance(c, types.CodeType))
    return frozenset(found)


def _heads(summary: ModuleSummary) -> set[str]:
    return {read.chain[0] for s in summary.statements for read in s.reads}


def _stale_imports(
    name: str, namespace: dict, summary: ModuleSummary, changes: Changes, predict: bool
) -> dict[str, Any]:
    """Names bound by import statements whose source now holds another object."""
    defined = {n for s in summary.statements if not s.imports for n in s.binds}
    stale: dict[str, Any] = {}
    for statement in summary.statements:
        for binding in statement.imports:
            if binding.module in changes.rebound:
                stale.update(_stale_binding(binding, namespace, changes, defined, predict))
    return stale


def _stale_binding(
    binding: ImportBinding, namespace: dict, changes: Changes, defined: set[str], predict: bool
) -> dict[str, Any]:
    source = sys.modules.get(binding.module)
    if source is None or binding.attr is None:
        return {}
    values = vars(source)
    if binding.star:
        public = values.get("__all__")
        names = public if isinstance(public, (list, tuple)) else [n for n in values if not n.startswith("_")]
        candidates = [(n, n) for n in names if n not in defined]
    else:
        candidates = [(binding.name, binding.attr)]
    stale = {}
    for bound, attr in candidates:
        if not changes.is_rebound(binding.module, attr):
            continue
        value = values.get(attr, _MISSING)
        if predict or (value is not _MISSING and namespace.get(bound, _MISSING) is not value):
            stale[bound] = value
    return stale


class _Resolver:
    """Follows a dotted read in a module's namespace and says whether changes reach it."""

    def __init__(self, module: str, namespace: dict, changes: Changes, planned: set[str], rebinding: dict) -> None:
        self.module, self.namespace, self.changes = module, namespace, changes
        self.planned, self.rebinding = planned, rebinding
        self._touched: set[str] = set()

    def touch(self, key: str) -> None:
        """The module's own ``key`` now counts as changed code."""
        self._touched.add(key)

    def uses_changes(self, names: frozenset[str]) -> bool:
        """Whether code using ``names`` (a body's global and attribute names) may run changed code:
        a global that changed, or an attribute of a planned module that did."""
        for head in names:
            if not self.touched(head):
                continue
            obj = self.namespace.get(head, _MISSING)
            if not isinstance(obj, types.ModuleType):
                return True
            attributes = vars(obj)
            if any(
                self.changes.is_rebound(obj.__name__, a) or self._changed(attributes.get(a, _MISSING)) for a in names
            ):
                return True
        return False

    def _changed(self, obj: Any) -> bool:
        return obj is not _MISSING and (
            self.changes.runs_new_code(obj) or (isinstance(obj, type) and bool(self.changes.members(obj)))
        )

    def touched(self, head: str) -> bool:
        """Whether the name could lead to anything that changed."""
        obj = self.namespace.get(head, _MISSING)
        return (
            head in self.rebinding
            or head in self._touched
            or self.changes.is_rebound(self.module, head)
            or (isinstance(obj, types.ModuleType) and obj.__name__ in self.planned)
            or self.changes.runs_new_code(obj)
            or bool(self._class_members(obj))
        )

    def affects(self, read: Read) -> str | None:
        """Why ``read`` could give another result now, or None."""
        head = read.chain[0]
        if head in self.rebinding or self.changes.is_rebound(self.module, head):
            return f"reads {head}, which now refers to a new object"
        obj = self.namespace.get(head, _MISSING)
        if obj is _MISSING:
            return None
        text = ".".join(read.chain)
        for attr in read.chain[1:]:
            if isinstance(obj, types.ModuleType):
                if self.changes.is_rebound(obj.__name__, attr):
                    return f"reads {text}, which now refers to a new object"
                obj = vars(obj).get(attr, _MISSING)
            elif isinstance(obj, type):
                if attr in self.changes.members(obj):
                    return f"reads {text}, which changed"
                obj = _static_attribute(obj, attr)
            else:
                break
            if obj is _MISSING:
                return None
        return self._use(obj, read, text)

    def _use(self, obj: Any, read: Read, text: str) -> str | None:
        use = read.use
        if isinstance(obj, type):
            members = self.changes.members(obj)
            if use is Use.CALL and (members & CONSTRUCTION or self.changes.members(type(obj)) & CONSTRUCTION):
                return f"instantiates {text}, whose {', '.join(sorted(members & CONSTRUCTION))} changed"
            if use is Use.BASE and (members & CREATION_MEMBERS or self.changes.members(type(obj))):
                return (
                    f"subclasses {text}, whose {', '.join(sorted(members & CREATION_MEMBERS)) or 'metaclass'} changed"
                )
            return None
        if use in (Use.CALL, Use.DECORATOR) and self.changes.runs_new_code(obj):
            return f"calls {text}, whose code changed"
        if use in (Use.CALL, Use.USE) and self._class_members(obj):
            return f"uses {text}, an instance of a class whose code changed"
        return None

    def _class_members(self, obj: Any) -> set[str]:
        if obj is _MISSING or isinstance(obj, (type, types.ModuleType, types.FunctionType)):
            return set()
        return self.changes.members(type(obj))


def _static_attribute(cls: type, attr: str) -> Any:
    try:
        value = inspect.getattr_static(cls, attr)
    except AttributeError:
        return _MISSING
    if isinstance(value, (classmethod, staticmethod)):
        return value.__func__
    return value
