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
from .kinds import CREATION_MEMBERS
from .patching import functions_in

__all__ = ["Decision", "decide", "propagate"]

# What instantiating a class runs besides the metaclass.
CONSTRUCTION = frozenset({"__init__", "__new__", "__post_init__", "__attrs_post_init__", "__attrs_pre_init__",
                          "model_post_init", "__call__", "__set_name__"})
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


def decide(name: str, namespace: dict, summary: ModuleSummary | None, changes: Changes,
           planned: set[str], predict: bool = False) -> Decision:
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


def propagate(name: str, namespace: dict, summary: ModuleSummary | None, changes: Changes,
              planned: set[str]) -> None:
    """Mark the module's functions (and methods) whose bodies call changed code as changed."""
    if summary is None:
        return
    resolver = _Resolver(name, namespace, changes, planned, {})
    relevant = {head for head in summary.body_heads if resolver.touched(head)}
    for _ in range(8):
        marked = False
        for key, body in summary.bodies.items():
            obj = namespace.get(key)
            if not (body.heads & relevant or isinstance(obj, type) and changes.members(obj)):
                continue
            if isinstance(obj, type) and body.methods:
                if _propagate_methods(obj, body, resolver, changes):
                    relevant.add(key)
                    marked = True
            elif obj is not None and not changes.runs_new_code(obj) and \
                    any(resolver.affects(read) for read in body.reads):
                for function in [obj, *functions_in(obj)]:
                    changes.code_changed(function)
                relevant.add(key)
                marked = True
        if not marked:
            return


def _propagate_methods(cls: type, body, resolver: "_Resolver", changes: Changes) -> bool:
    marked = False
    changed = changes.members(cls)
    for method, info in body.methods.items():
        if method in changed or method not in cls.__dict__:
            continue
        if info.self_reads & changed or any(resolver.affects(read) for read in info.reads):
            for function in functions_in(cls.__dict__[method]):
                changes.code_changed(function)
            changes.member_changed(cls, method)
            marked = True
    return marked


def _heads(summary: ModuleSummary) -> set[str]:
    return {read.chain[0] for s in summary.statements for read in s.reads}


def _stale_imports(name: str, namespace: dict, summary: ModuleSummary, changes: Changes,
                   predict: bool) -> dict[str, Any]:
    """Names bound by import statements whose source now holds another object."""
    defined = {n for s in summary.statements if not s.imports for n in s.binds}
    stale: dict[str, Any] = {}
    for statement in summary.statements:
        for binding in statement.imports:
            if binding.module in changes.rebound:
                stale.update(_stale_binding(binding, namespace, changes, defined, predict))
    return stale


def _stale_binding(binding: ImportBinding, namespace: dict, changes: Changes, defined: set[str],
                   predict: bool) -> dict[str, Any]:
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

    def touched(self, head: str) -> bool:
        """Whether the name could lead to anything that changed."""
        obj = self.namespace.get(head, _MISSING)
        return head in self.rebinding or self.changes.is_rebound(self.module, head) or isinstance(obj, types.ModuleType) and obj.__name__ in self.planned \
            or self.changes.runs_new_code(obj) or bool(self._class_members(obj))

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
                return f"subclasses {text}, whose {', '.join(sorted(members & CREATION_MEMBERS)) or 'metaclass'} changed"
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
