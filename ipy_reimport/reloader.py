"""Deep reload: plan, then bring each module up to date in dependency order — re-running only
what changed — and commit, or roll everything back.

For each module of the plan, dependencies first, one of these happens:

* an edited module whose edit touches only definitions is **patched in place** (:mod:`.in_place`):
  nothing else of it runs again;
* an edited module whose changed statements are pure and read by nothing else at import time
  **runs just those statements**;
* any other edited module, and a dependent whose import-time code could now compute something
  else (:mod:`.dependents`), is **re-executed** like ``importlib.reload``, and its definitions are
  kept and patched (:mod:`.patching`);
* a dependent whose imported names now refer to new objects, but that reads them only at call
  time, has them **rebound**; any other dependent is left alone.

With ``full=True`` every module of the plan is re-executed from the top, as before.
"""

from __future__ import annotations

import ast
import importlib
import linecache
import sys
import time
from dataclasses import dataclass, field
from types import ModuleType
from typing import Callable

from .analysis import ModuleSummary, summarize, summary_of
from .baseline import Stamp, missing_reason, stamp_of
from .dependents import decide, propagate
from .errors import NotLoaded, NotYours, ReloadFailed, Unreloadable, UsageProblem, locate
from .executing import Source, check_target, compile_source, future_flags, read_source, refresh_bytecode, run
from .holders import holders_of
from .in_place import NeedsExecution, apply_definitions
from .interrupts import InterruptGate
from .ledger import ImportLedger
from .patching import PatchResult
from .report import ModuleReload, ReloadReport
from .source_diff import SourceEdit, compare_sources
from .sources import ExecutedSources
from .scope import shell_machinery
from .tracker import ModuleState, Tracker
from .transaction import Transaction

__all__ = ["Plan", "Reloader"]


@dataclass
class Plan:
    """Which modules to reload, grouped (import cycles) and in dependency order.

    Attributes:
        groups: module names in dependency order; a group of several is an import cycle.
        edited: modules whose source changed, and modules named in the request.
        named: modules named in the request.
        full: re-execute every module from the top.
        skipped: ``(name, reason)`` of modules left out (source deleted).
        aliases: other names in ``sys.modules`` of a planned module object.
    """

    groups: list[list[str]]
    edited: set[str] = field(default_factory=set)
    named: set[str] = field(default_factory=set)
    full: bool = False
    skipped: list[tuple[str, str]] = field(default_factory=list)
    aliases: dict[str, list[str]] = field(default_factory=dict)

    @property
    def order(self) -> list[str]:
        """The module names, flattened."""
        return [name for group in self.groups for name in group]


class Reloader:
    """Reloads modules and their dependents, all or nothing.

    Args:
        tracker: knows the modules, their states and their imports.
        sources: what each module ran.
        user_namespace: returns the user's namespace (to name who holds replaced objects).
    """

    def __init__(self, tracker: Tracker, sources: ExecutedSources | None = None,
                 user_namespace: Callable[[], dict | None] | None = None) -> None:
        self.tracker = tracker
        self.sources = sources if sources is not None else ExecutedSources()
        self.user_namespace = user_namespace or (lambda: None)

    # -- planning --------------------------------------------------------------------------------
    def plan(self, names: list[str] | None = None, full: bool = False, force: bool = False) -> Plan:
        """Plan a reload of ``names`` (or of every stale user module) and all their dependents.

        Args:
            names: modules to reload; None means every stale user module.
            full: re-execute every module of the plan from the top.
            force: allow naming a module of the standard library or of the shell itself.

        Raises:
            UsageProblem: a name is not loaded, has no source, its source was deleted, or it is
                part of the running shell (without ``force``).
        """
        self.tracker.sync()
        for name in names or ():
            self._check_reloadable(name)
            reason = shell_machinery(name)
            if reason and not force:
                raise UsageProblem(f"refusing to reload {name}: {reason}, and re-executing it can break the "
                                   f"kernel; restart the kernel to load changes there, or add --force "
                                   f"(force=True) to reload it anyway")
        everything = any(not self.tracker.get(n).user for n in names or ())
        self.tracker.recheck(everything)
        named = set(names or ())
        stale = set(self.tracker.stale_names(everything))
        if names is None:
            names = sorted(stale)
        graph = self.tracker.import_graph(everything)
        wanted = set(names) | graph.dependents(names)
        missing = dict(self.tracker.missing(True))
        deleted = sorted(n for n in wanted if n in missing)
        wanted.difference_update(deleted)
        groups, aliases = _by_module(graph.reload_order(wanted, rank=self.tracker.rank))
        planned = {n for group in groups for n in group}
        edited = {n for n in planned if n in stale or n in named or any(a in named or a in stale for a in aliases.get(n, ()))}
        return Plan(groups, edited, named | {n for n in planned if set(aliases.get(n, ())) & named},
                    full, [(name, missing[name]) for name in deleted], aliases)

    def _check_reloadable(self, name: str) -> None:
        entry = self.tracker.get(name)
        if entry is None:
            raise UsageProblem(f"module {name!r} is not loaded; import it first (e.g. %import_rel {name})")
        if entry.reason is not None:
            raise UsageProblem(f"cannot reload {name}: {entry.reason}")
        if self.tracker.own_state(name) is ModuleState.MISSING or stamp_of(entry.file) is None:
            raise UsageProblem(f"cannot reload {name}: {missing_reason(entry.file)} ({entry.file})")

    # -- running ---------------------------------------------------------------------------------
    def execute(self, plan: Plan, patch: bool = True) -> ReloadReport:
        """Bring the modules of ``plan`` up to date, dependencies first; on any failure restore
        every one of them.

        Raises:
            ReloadFailed: a module failed; everything was rolled back.
        """
        started = time.perf_counter()
        importlib.invalidate_caches()
        with ImportLedger() as ledger, InterruptGate() as gate:
            run = _Run(self, plan, patch, Transaction(ledger))
            try:
                run.all()
                gate.close()
            except BaseException as exc:
                gate.close()
                self._roll_back(run, exc)
            if run.transaction.commit(run.record):
                gate.pending = True
        return ReloadReport(plan.groups, run.done, time.perf_counter() - started, skipped=plan.skipped)

    def _roll_back(self, run: "_Run", exc: BaseException) -> None:
        """Restore everything, then raise: ``ReloadFailed`` for an error of the modules, the
        original exception for anything else (an interrupt, ``SystemExit``)."""
        name = run.current or (run.plan.order[-1] if run.plan.order else "?")
        failure = ReloadFailed(name, locate(exc, self._files(run.plan)), exc, run.plan.order)
        refused = isinstance(exc, UsageProblem)
        interrupted = run.transaction.rollback(
            None if refused else lambda: self.tracker.mark_failed(run.plan.order, failure.short))
        if refused and not interrupted:
            raise exc
        if isinstance(exc, Exception) and not interrupted:
            raise failure from exc
        if hasattr(exc, "add_note"):
            exc.add_note("ipy_reimport: the reload was rolled back; nothing changed")
        if interrupted and not isinstance(exc, KeyboardInterrupt):
            raise KeyboardInterrupt from failure
        raise exc

    def preview(self, plan: Plan, patch: bool = True) -> ReloadReport:
        """What :meth:`execute` would do, predicted from the sources; nothing changes."""
        return ReloadReport(plan.groups, _Run(self, plan, patch).preview(), dry_run=True, skipped=plan.skipped)

    def _files(self, plan: Plan) -> set[str]:
        return {self.tracker.get(n).file for n in plan.order if self.tracker.get(n) is not None}

    def panel_refusal(self, name: str) -> UsageProblem | None:
        """Why the panel may not reload ``name``, or None when it may, as the tracker last saw it
        (no file is read): a row's ``reload_blocked`` and the error of a ``reload`` naming it.
        The panel reloads only the user's own modules, and none the shell is made of."""
        entry = self.tracker.get(name)
        if entry is None:
            return NotLoaded(name)
        if entry.reason is not None:
            return Unreloadable(name, entry.reason)
        if not entry.user:
            return NotYours(name)
        if entry.own is ModuleState.MISSING:
            return UsageProblem(f"cannot reload {name}: {entry.missing or 'source file deleted'}")
        reason = shell_machinery(name)
        return UsageProblem(f"cannot reload {name}: {reason}") if reason else None


class _Run:
    """One execution of a plan: decides and applies each module's step inside a transaction."""

    def __init__(self, reloader: Reloader, plan: Plan, patch: bool, transaction: Transaction | None = None) -> None:
        self.reloader, self.tracker, self.plan, self.patch = reloader, reloader.tracker, plan, patch
        self.transaction = transaction or Transaction()
        self.changes = self.transaction.changes
        self.planned = set(plan.order) | {a for names in plan.aliases.values() for a in names}
        self.done: list[ModuleReload] = []
        self.executed: dict[str, Source] = {}
        self.replaced: list[tuple[str, str, object]] = []
        self._reached: set[str] = set()
        self.predicting = False
        self.current = ""

    # -- groups and modules ----------------------------------------------------------------------
    def all(self) -> None:
        """Check that the edited modules would run their tracked files, bring every group of the
        plan up to date, then finish."""
        for name in self.plan.order:
            if name in self.plan.edited or self.plan.full:
                check_target(name, sys.modules[name], self.tracker.get(name).file)
        for group in self.plan.groups:
            self.current = group[0]
            self.done.extend(self.group(group))
        self.current = ""
        self.finish()

    def group(self, group: list[str]) -> list[ModuleReload]:
        """Bring an import cycle (or one module) up to date. Members are decided one by one; when
        one must re-execute, the whole cycle re-executes, in order (its members read each other)."""
        items = []
        for name in group:
            step = self._step(name)
            if step.execute and len(group) > 1:
                cause = f"it is in an import cycle with {name}, which re-executes ({step.execute})"
                return [self._apply(member, _Step(execute=step.execute if member == name else cause))
                        for member in group]
            items.append(self._apply(name, step))
        return items

    def module(self, name: str) -> ModuleReload:
        """Bring one module up to date."""
        return self._apply(name, self._step(name))

    def _step(self, name: str) -> "_Step":
        """Decide what bringing ``name`` up to date takes (nothing changes here)."""
        self.current = name
        module, file = sys.modules[name], self.tracker.get(name).file
        if self.plan.full:
            if not self._mine(name):
                return _Step(skip=f"not one of your modules (name it to reload it: %reload_deep {name})")
            return _Step(execute="--full")
        if not self.patch:
            return _Step(execute="--no-patch") if name in self.plan.edited else self._dependent(name, module, file)
        if name not in self.plan.edited:
            return self._dependent(name, module, file)
        source = read_source(file)
        old = self.reloader.sources.executed(name, module)
        if old is None:
            return _Step(execute="the source it ran from was not recorded", source=source)
        if old.data == source.data:
            if name in self.plan.named:
                return _Step(execute="named in the request (its source is unchanged)", source=source)
            step = self._dependent(name, module, file)
            step.source, step.unchanged = source, True
            return step
        edit = compare_sources(old.data, source.data, file)
        if edit.problem:
            return _Step(execute=edit.problem, source=source, previous=old.data)
        if edit.statements:
            reason = _statements_blocked(edit, summarize(source.data, name, _is_package(module), file))
            if reason:
                return _Step(execute=reason, source=source, previous=old.data)
        return _Step(source=source, edit=edit, previous=old.data)

    def _dependent(self, name: str, module: ModuleType, file: str) -> "_Step":
        summary = summary_of(file, name, _is_package(module))
        decision = decide(name, module.__dict__, summary, self.changes, self.planned, predict=self.predicting)
        if decision.execute and not self._mine(name):
            return _Step(skip=f"not one of your modules; it would re-execute because {decision.execute} "
                              f"(name it to reload it: %reload_deep {name})", summary=summary)
        return _Step(execute=decision.execute, rebind=decision.rebind, summary=summary)

    def _mine(self, name: str) -> bool:
        entry = self.tracker.get(name)
        return name in self.plan.named or (entry is not None and entry.user)

    def _apply(self, name: str, step: "_Step") -> ModuleReload:
        self.current = name
        begin = time.perf_counter()
        module, file = sys.modules[name], self.tracker.get(name).file
        if step.skip:
            return ModuleReload(name, file, 0.0, action="skipped", reason=step.skip)
        if step.execute:
            item = self._execute(name, module, file, step if not step.unchanged else _Step(execute=step.execute))
        elif step.edit is not None:
            item = self._edit(name, module, file, step)
        else:
            item = self._rebind(name, module, file, step)
        propagate(name, module.__dict__, file, self.changes, self.planned)
        item.seconds = time.perf_counter() - begin
        item.previous = step.previous
        return item

    def _summary(self, name: str, module: ModuleType, step: "_Step") -> ModuleSummary | None:
        if step.summary is not None:
            return step.summary
        file = self.tracker.get(name).file
        if step.source is not None:
            try:
                return summarize(step.source.data, name, _is_package(module), file)
            except (SyntaxError, ValueError):
                return None
        return summary_of(file, name, _is_package(module))

    # -- the three kinds of step -----------------------------------------------------------------
    def _execute(self, name: str, module: ModuleType, file: str, step: "_Step") -> ModuleReload:
        source = step.source or self._unchanged_source(name, module, file)
        code = compile_source(source)
        namespace = module.__dict__
        before = self.transaction.undo.keep_namespace(namespace)
        reached, direct = self._dependencies(name)
        self.transaction.watch_containers(reached)
        self.transaction.runs(name, module)
        run(name, module, code)
        result = self.transaction.patcher.module(name, file, before, namespace) if self.patch else PatchResult()
        self.transaction.translate_containers(direct)
        self.changes.rebind(name, {k for k, v in namespace.items() if v is not before.get(k, _MISSING)})
        self.executed[name] = source
        self.replaced.extend((f"{name}.{key}", why, obj) for (key, why), obj
                             in zip(result.replaced, result.replaced_objects))
        leftover = _leftovers(name, source, before, namespace) if name in self.plan.edited else ()
        return ModuleReload(name, file, 0.0, tuple(result.patched), tuple(result.replaced), leftover,
                            action="executed", reason=step.execute)

    def _unchanged_source(self, name: str, module: ModuleType, file: str) -> Source:
        """The source of a dependent that re-executes: what it ran, when the file still holds
        it (no read, and the tracked file is what runs); else the file, checked like an edit."""
        known = self.reloader.sources.executed(name, module)
        if known is not None and known.stamp == stamp_of(file):
            return known
        check_target(name, module, file)
        return read_source(file)

    def _edit(self, name: str, module: ModuleType, file: str, step: "_Step") -> ModuleReload:
        source, edit = step.source, step.edit
        code = compile_source(source)
        namespace = module.__dict__
        mark = len(self.transaction.undo)
        before = self.transaction.undo.keep_namespace(namespace)
        self.transaction.runs(name, module)
        ran = self._run_statements(edit, namespace, code, file)
        try:
            result = apply_definitions(name, namespace, file, code, edit, future_flags(code),
                                       self.transaction.patcher)
        except NeedsExecution as reason:
            self.transaction.undo.rollback(mark)
            return self._execute(name, module, file, _Step(execute=str(reason), source=source))
        self.changes.rebind(name, {k for k, v in namespace.items() if v is not before.get(k, _MISSING)})
        summary = summarize(source.data, name, _is_package(module), file)
        propagate(name, namespace, file, self.changes, self.planned)
        decision = decide(name, namespace, summary, self.changes, self.planned)
        if decision.execute:
            self.transaction.undo.rollback(mark)
            return self._execute(name, module, file, _Step(execute=decision.execute, source=source))
        if decision.rebind:
            namespace.update(decision.rebind)
            self.changes.rebind(name, set(decision.rebind))
        self.executed[name] = source
        removed_top = tuple(r for r in result.removed if "." not in r)
        return ModuleReload(name, file, 0.0, tuple(result.patched), (), removed_top,
                            action="statements" if ran else "patched", statements=ran,
                            added=tuple(result.added), removed=tuple(result.removed),
                            rebound=tuple(sorted(decision.rebind)))

    def _run_statements(self, edit: SourceEdit, namespace: dict, code, file: str) -> int:
        if not edit.statements:
            return 0
        body = [edit.new_tree.body[i] for i in edit.statements]
        docstring = [n for n in body if _is_docstring(n, edit)]
        for node in docstring:
            namespace["__doc__"] = node.value.value
        rest = [n for n in body if n not in docstring]
        if rest:
            exec(compile(ast.Module(body=rest, type_ignores=[]), file, "exec", flags=future_flags(code),
                         dont_inherit=True), namespace)
        return len(body)

    def _rebind(self, name: str, module: ModuleType, file: str, step: "_Step") -> ModuleReload:
        namespace = module.__dict__
        if step.rebind:
            self.transaction.undo.keep_namespace(namespace)
            namespace.update(step.rebind)
            self.changes.rebind(name, set(step.rebind))
        if step.unchanged:
            self.executed[name] = step.source
        return ModuleReload(name, file, 0.0, action="rebound" if step.rebind else "unchanged",
                            rebound=tuple(sorted(step.rebind)))

    def _dependencies(self, name: str) -> tuple[list[ModuleType], list[ModuleType]]:
        """What ``name`` imports: ``(new, direct)`` — the loaded modules it imports and the user's
        modules they import in turn that no earlier step of this reload reached, and the modules
        it imports directly."""
        graph = self.tracker.import_graph(False)
        entry = self.tracker.get(name)
        summary = summary_of(entry.file, name, _is_package(sys.modules[name])) if entry is not None else None
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

    # -- the end ---------------------------------------------------------------------------------
    def finish(self) -> None:
        """Steps that wait for every module (schemas of nesting models, abstract methods), and
        who still holds replaced objects."""
        self.transaction.patcher.finish()
        self.transaction.translate_containers()
        if self.replaced:
            held = holders_of(self.reloader.user_namespace(), [obj for _, _, obj in self.replaced])
            self.done = [_with_holders(item, self.replaced, held) for item in self.done]

    def record(self) -> None:
        """After commit: the tracker, the executed sources, linecache and bytecode caches."""
        stamps: dict[str, Stamp | None] = {}
        seconds = {item.name: item.seconds for item in self.done}
        for name in self.plan.order:
            module = sys.modules[name]
            source = self.executed.get(name)
            stamps[name] = source.stamp if source is not None else self.tracker.get(name).baseline
            if source is not None:
                self.reloader.sources.record(name, module, source)
                refresh_bytecode(module, source)
                linecache.checkcache(source.file)
            for alias in self.plan.aliases.get(name, ()):
                stamps[alias] = stamps[name]
                if source is not None:
                    self.reloader.sources.record(alias, module, source)
        self.tracker.mark_reloaded(stamps, seconds)

    def preview(self) -> list[ModuleReload]:
        """Predict each module's step without running anything (see :mod:`.dependents`)."""
        items = []
        self.predicting = True
        for name in self.plan.order:
            module, file = sys.modules[name], self.tracker.get(name).file
            try:
                step = self._step(name)
            except (SyntaxError, ValueError, OSError, UsageProblem) as exc:
                items.append(ModuleReload(name, file, 0.0, action="fails", reason=f"{type(exc).__name__}: {exc}"))
                continue
            items.append(self._predict(name, module, file, step))
        return items

    def _predict(self, name: str, module: ModuleType, file: str, step: "_Step") -> ModuleReload:
        summary = self._summary(name, module, step)
        if step.execute:
            binds = {n for s in (summary.statements if summary else ()) if s.definition is None for n in s.binds}
            self.changes.rebind(name, binds)
            for value in list(module.__dict__.values()):
                if getattr(value, "__module__", None) == name:
                    self.changes.code_changed(value)
            return ModuleReload(name, file, 0.0, action="executed", reason=step.execute)
        if step.edit is not None:
            patched, added = [], []
            for change in step.edit.definitions:
                target = _lookup(module.__dict__, change.path)
                if change.kind == "added":
                    added.append(change.qualname)
                    if len(change.path) == 1:
                        self.changes.rebind(name, {change.path[0]})
                elif change.kind != "moved" and target is not None:
                    patched.append(change.qualname)
                    self.changes.code_changed(target)
                    owner = _lookup(module.__dict__, change.path[:-1]) if len(change.path) > 1 else None
                    if isinstance(owner, type):
                        self.changes.member_changed(owner, change.path[-1])
            if step.edit.statements and summary is not None:
                self.changes.rebind(name, {n for i in step.edit.statements for n in summary.statements[i].binds})
            propagate(name, module.__dict__, file, self.changes, self.planned)
            return ModuleReload(name, file, 0.0, tuple(patched), action="statements" if step.edit.statements else "patched",
                                statements=len(step.edit.statements), added=tuple(added))
        if step.skip:
            return ModuleReload(name, file, 0.0, action="skipped", reason=step.skip)
        self.changes.rebind(name, set(step.rebind))
        return ModuleReload(name, file, 0.0, action="rebound" if step.rebind else "unchanged",
                            rebound=tuple(sorted(step.rebind)))


@dataclass
class _Step:
    """What one module's update takes: re-execution (and why), an in-place edit, or rebinding."""

    execute: str | None = None
    source: Source | None = None
    edit: SourceEdit | None = None
    rebind: dict = field(default_factory=dict)
    summary: ModuleSummary | None = None
    unchanged: bool = False
    skip: str | None = None
    previous: bytes | None = None


_MISSING = object()


def _by_module(groups: list[list[str]]) -> tuple[list[list[str]], dict[str, list[str]]]:
    """Merge names of the same module object (aliases in ``sys.modules``): each runs once, under
    its own ``__name__`` when that is one of them."""
    names_of: dict[int, list[str]] = {}
    for group in groups:
        for name in group:
            names_of.setdefault(id(sys.modules.get(name)), []).append(name)
    owner_of: dict[int, str] = {}
    for key, names in names_of.items():
        proper = vars(sys.modules[names[0]]).get("__name__")
        owner_of[key] = proper if proper in names else names[0]
    result, aliases = [], {}
    for group in groups:
        kept = [n for n in group if owner_of[id(sys.modules.get(n))] == n]
        if kept:
            result.append(kept)
    for key, names in names_of.items():
        others = [n for n in names if n != owner_of[key]]
        if others:
            aliases[owner_of[key]] = others
    return result, aliases


def _statements_blocked(edit: SourceEdit, summary: ModuleSummary) -> str | None:
    """Why running only the changed statements would not be the same as re-executing the
    module, or None."""
    changed = [summary.statements[i] for i in edit.statements]
    for statement in changed:
        if not statement.pure or statement.unsure:
            return f"the statement at line {statement.line} changed"
    bound = {n for s in changed for n in s.binds}
    for index, statement in enumerate(summary.statements):
        if index in edit.statements:
            continue
        for read in statement.reads:
            if read.chain[0] in bound:
                return f"line {statement.line} reads {read.chain[0]}, which the changed line {changed[0].line} binds"
    return None


def _modules(names) -> list[ModuleType]:
    return [sys.modules[n] for n in sorted(names) if isinstance(sys.modules.get(n), ModuleType)]


def _is_docstring(node: ast.stmt, edit: SourceEdit) -> bool:
    return node is edit.new_tree.body[0] and isinstance(node, ast.Expr) and \
        isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)


def _is_package(module: ModuleType) -> bool:
    return "__path__" in vars(module)


def _lookup(namespace: dict, path: tuple[str, ...]):
    obj = namespace.get(path[0]) if path else None
    for part in path[1:]:
        obj = vars(obj).get(part) if isinstance(obj, type) else None
    return obj


def _leftovers(name: str, source: Source, before: dict, namespace: dict) -> tuple[str, ...]:
    """Names of the old namespace that the new source no longer binds (they remain)."""
    from .bindings import top_level_names

    bound = top_level_names(source.data, source.file)
    if bound is None:
        return ()
    return tuple(sorted(k for k in before if k not in bound and not (k.startswith("__") and k.endswith("__"))
                        and f"{name}.{k}" not in sys.modules))


def _with_holders(item: ModuleReload, replaced: list, held: dict[int, list[str]]) -> ModuleReload:
    mine = tuple((qualified.split(".", item.name.count(".") + 1)[-1], tuple(held[id(obj)]))
                 for qualified, _, obj in replaced
                 if qualified.startswith(item.name + ".") and id(obj) in held)
    if mine:
        item.held_by = mine
    return item
