"""Applying one module's step inside the reload's transaction: re-executing it, patching its
definitions in place (with the changed statements that run alone), or rebinding its imported
names. Every change goes through the transaction's undo log.
"""

from __future__ import annotations

import ast
import sys
from types import ModuleType
from typing import TYPE_CHECKING

from .analysis import summarize, summary_of
from .baseline import stamp_of
from .dependents import decide, propagate
from .executing import Source, check_target, compile_source, future_flags, read_source, run
from .in_place import NeedsExecution, apply_definitions
from .patching import PatchResult
from .report import ModuleReload
from .source_diff import SourceEdit
from .steps import Step, is_package

if TYPE_CHECKING:
    from .steps import Decider
    from .transaction import Transaction

__all__ = ["Updater"]

_MISSING = object()


class Updater:
    """Applies the steps of one run of a plan.

    Args:
        decider: the run's decider (its tracker, plan, sources, planned modules and patch flag).
        transaction: the run's transaction.

    Attributes:
        executed: module name -> the source it runs now (recorded on commit).
        replaced: ``(qualified name, reason, old object)`` of what had to be replaced.
    """

    def __init__(self, decider: Decider, transaction: Transaction) -> None:
        self.decider, self.transaction = decider, transaction
        self.changes = transaction.changes
        self.executed: dict[str, Source] = {}
        self.replaced: list[tuple[str, str, object]] = []
        self._reached: set[str] = set()

    def apply(self, name: str, step: Step) -> ModuleReload:
        """Apply ``step`` to module ``name``; returns what it did (timed by the caller)."""
        module, file = sys.modules[name], self.decider.tracker.get(name).file
        if step.skip:
            return ModuleReload(name, file, 0.0, action="skipped", reason=step.skip)
        if step.execute:
            item = self.execute(name, module, file, step if not step.unchanged else Step(execute=step.execute))
        elif step.edit is not None:
            item = self._edit(name, module, file, step)
        else:
            item = self._rebind(name, module, file, step)
        if self.decider.plan.feeds_later_modules(name):
            propagate(name, module.__dict__, file, self.changes, self.decider.planned)
        item.previous = step.previous
        return item

    def execute(self, name: str, module: ModuleType, file: str, step: Step) -> ModuleReload:
        """Re-execute the module in its own dictionary and keep its definitions."""
        source = step.source or self._unchanged_source(name, module, file)
        code = compile_source(source)
        namespace = module.__dict__
        before = self.transaction.undo.keep_namespace(namespace)
        reached, direct = self._dependencies(name)
        self.transaction.watch_containers(reached)
        self.transaction.runs(name, module)
        run(name, module, code)
        patch = self.decider.patch
        result = self.transaction.patcher.module(name, file, before, namespace) if patch else PatchResult()
        self.transaction.translate_containers(direct)
        self.changes.rebind(name, {k for k, v in namespace.items() if v is not before.get(k, _MISSING)})
        self.executed[name] = source
        self.replaced.extend(
            (f"{name}.{key}", why, obj)
            for (key, why), obj in zip(result.replaced, result.replaced_objects, strict=False)
        )
        leftover = _leftovers(name, source, before) if name in self.decider.plan.edited else ()
        return ModuleReload(
            name,
            file,
            0.0,
            tuple(result.patched),
            tuple(result.replaced),
            leftover,
            action="executed",
            reason=step.execute,
        )

    def _unchanged_source(self, name: str, module: ModuleType, file: str) -> Source:
        """The source of a dependent that re-executes: what it ran, when the file still holds
        it (no read, and the tracked file is what runs); else the file, checked like an edit."""
        known = self.decider.sources.executed(name, module)
        if known is not None and known.stamp == stamp_of(file):
            return known
        check_target(name, module, file)
        return read_source(file)

    def _edit(self, name: str, module: ModuleType, file: str, step: Step) -> ModuleReload:
        source, edit = step.source, step.edit
        code = compile_source(source)
        namespace = module.__dict__
        mark = len(self.transaction.undo)
        before = self.transaction.undo.keep_namespace(namespace)
        self.transaction.runs(name, module)
        ran = _run_statements(edit, namespace, code, file)
        try:
            result = apply_definitions(name, namespace, file, code, edit, future_flags(code), self.transaction.patcher)
        except NeedsExecution as reason:
            self.transaction.undo.rollback(mark)
            return self.execute(name, module, file, Step(execute=str(reason), source=source))
        self.changes.rebind(name, {k for k, v in namespace.items() if v is not before.get(k, _MISSING)})
        summary = summarize(source.data, name, is_package(module), file)
        propagate(name, namespace, file, self.changes, self.decider.planned)
        decision = decide(name, namespace, summary, self.changes, self.decider.planned)
        if decision.execute:
            self.transaction.undo.rollback(mark)
            return self.execute(name, module, file, Step(execute=decision.execute, source=source))
        if decision.rebind:
            namespace.update(decision.rebind)
            self.changes.rebind(name, set(decision.rebind))
        self.executed[name] = source
        removed_top = tuple(r for r in result.removed if "." not in r)
        return ModuleReload(
            name,
            file,
            0.0,
            tuple(result.patched),
            (),
            removed_top,
            action="statements" if ran else "patched",
            statements=ran,
            added=tuple(result.added),
            removed=tuple(result.removed),
            rebound=tuple(sorted(decision.rebind)),
        )

    def _rebind(self, name: str, module: ModuleType, file: str, step: Step) -> ModuleReload:
        namespace = module.__dict__
        if step.rebind:
            self.transaction.undo.keep_namespace(namespace)
            namespace.update(step.rebind)
            self.changes.rebind(name, set(step.rebind))
        if step.unchanged:
            self.executed[name] = step.source
        return ModuleReload(
            name, file, 0.0, action="rebound" if step.rebind else "unchanged", rebound=tuple(sorted(step.rebind))
        )

    def _dependencies(self, name: str) -> tuple[list[ModuleType], list[ModuleType]]:
        """What ``name`` imports: ``(new, direct)`` — the loaded modules it imports and the user's
        modules they import in turn that no earlier step of this reload reached, and the modules
        it imports directly."""
        tracker = self.decider.tracker
        graph = tracker.import_graph(False)
        entry = tracker.get(name)
        summary = summary_of(entry.file, name, is_package(sys.modules[name])) if entry is not None else None
        direct = set(graph.imports(name))
        if summary is not None:
            direct.update(b.module for s in summary.statements for b in s.imports)
        direct.discard(name)
        found, stack = [], [d for d in direct if d not in self._reached]
        self._reached.update(stack)
        while stack:
            current = stack.pop()
            found.append(current)
            for dep in graph.imports(current):
                if dep not in self._reached:
                    self._reached.add(dep)
                    stack.append(dep)
        return _modules(found), _modules(direct)


def _run_statements(edit: SourceEdit, namespace: dict, code, file: str) -> int:
    """Run the edit's changed statements (pure, read by nothing else) in the namespace."""
    if not edit.statements:
        return 0
    body = [edit.new_tree.body[i] for i in edit.statements]
    docstring = [n for n in body if _is_docstring(n, edit)]
    for node in docstring:
        namespace["__doc__"] = node.value.value
    rest = [n for n in body if n not in docstring]
    if rest:
        module = ast.Module(body=rest, type_ignores=[])
        exec(compile(module, file, "exec", flags=future_flags(code), dont_inherit=True), namespace)
    return len(body)


def _modules(names) -> list[ModuleType]:
    return [sys.modules[n] for n in sorted(names) if isinstance(sys.modules.get(n), ModuleType)]


def _is_docstring(node: ast.stmt, edit: SourceEdit) -> bool:
    return (
        node is edit.new_tree.body[0]
        and isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    )


def _leftovers(name: str, source: Source, before: dict) -> tuple[str, ...]:
    """Names of the old namespace that the new source no longer binds (they remain)."""
    from .bindings import top_level_names

    bound = top_level_names(source.data, source.file)
    if bound is None:
        return ()
    return tuple(
        sorted(
            k
            for k in before
            if k not in bound and not (k.startswith("__") and k.endswith("__")) and f"{name}.{k}" not in sys.modules
        )
    )
