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

import contextlib
import gc
import importlib
import linecache
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from .baseline import Stamp, missing_reason, stamp_of
from .errors import NotLoaded, NotYours, ReloadFailed, Unreloadable, UsageProblem, locate
from .executing import check_target, refresh_bytecode
from .graph import ImportGraph
from .holders import holders_of
from .interrupts import InterruptGate
from .ledger import ImportLedger
from .prediction import predict
from .report import ModuleReload, ReloadReport
from .scope import shell_machinery
from .sources import ExecutedSources
from .steps import Decider, Step
from .tracker import ModuleState, Tracker
from .transaction import Transaction
from .updating import Updater

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
        imported: planned modules that another planned module imports at import time (None:
            unknown, all of them); only through those can a change reach a later module's
            import-time calls.
    """

    groups: list[list[str]]
    edited: set[str] = field(default_factory=set)
    named: set[str] = field(default_factory=set)
    full: bool = False
    skipped: list[tuple[str, str]] = field(default_factory=list)
    aliases: dict[str, list[str]] = field(default_factory=dict)
    imported: set[str] | None = None

    def feeds_later_modules(self, name: str) -> bool:
        """Whether another module of the plan imports ``name`` (so calls into its functions that
        now reach changed code matter to it)."""
        return self.imported is None or name in self.imported

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

    def __init__(
        self,
        tracker: Tracker,
        sources: ExecutedSources | None = None,
        user_namespace: Callable[[], dict | None] | None = None,
    ) -> None:
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
                raise UsageProblem(
                    f"refusing to reload {name}: {reason}, and re-executing it can break the "
                    f"kernel; restart the kernel to load changes there, or add --force "
                    f"(force=True) to reload it anyway"
                )
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
        edited = {
            n for n in planned if n in stale or n in named or any(a in named or a in stale for a in aliases.get(n, ()))
        }
        return Plan(
            groups,
            edited,
            named | {n for n in planned if set(aliases.get(n, ())) & named},
            full,
            [(name, missing[name]) for name in deleted],
            aliases,
            _imported_within(planned, aliases, graph),
        )

    def _check_reloadable(self, name: str) -> None:
        entry = self.tracker.get(name)
        if entry is None:
            raise NotLoaded(name)
        if entry.reason is not None:
            raise Unreloadable(name, entry.reason)
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
        with ImportLedger() as ledger, InterruptGate() as gate, _collector_paused():
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

    def _roll_back(self, run: _Run, exc: BaseException) -> None:
        """Restore everything, then raise: ``ReloadFailed`` for an error of the modules, the
        original exception for anything else (an interrupt, ``SystemExit``)."""
        name = run.current or (run.plan.order[-1] if run.plan.order else "?")
        failure = ReloadFailed(name, locate(exc, self._files(run.plan)), exc, run.plan.order)
        refused = isinstance(exc, UsageProblem)
        interrupted = run.transaction.rollback(
            None if refused else lambda: self.tracker.mark_failed(run.plan.order, failure.short)
        )
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
        run = _Run(self, plan, patch, predict=True)
        return ReloadReport(plan.groups, predict(run.decider), dry_run=True, skipped=plan.skipped)

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
    """One execution of a plan: decides each module's step, applies it inside the transaction,
    and records the outcome on commit."""

    def __init__(
        self, reloader: Reloader, plan: Plan, patch: bool, transaction: Transaction | None = None, predict: bool = False
    ) -> None:
        self.reloader, self.tracker, self.plan = reloader, reloader.tracker, plan
        self.transaction = transaction or Transaction()
        self.decider = Decider(self.tracker, reloader.sources, plan, self.transaction.changes, patch, predict)
        self.updater = Updater(self.decider, self.transaction)
        self.done: list[ModuleReload] = []
        self.current = ""

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
            self.current = name
            step = self.decider.step(name)
            if step.execute and len(group) > 1:
                cause = f"it is in an import cycle with {name}, which re-executes ({step.execute})"
                return [
                    self._apply(member, Step(execute=step.execute if member == name else cause)) for member in group
                ]
            items.append(self._apply(name, step))
        return items

    def _apply(self, name: str, step: Step) -> ModuleReload:
        self.current = name
        begin = time.perf_counter()
        item = self.updater.apply(name, step)
        item.seconds = time.perf_counter() - begin
        return item

    def finish(self) -> None:
        """Steps that wait for every module (schemas of nesting models, abstract methods), and
        who still holds replaced objects."""
        self.transaction.patcher.finish()
        self.transaction.translate_containers()
        replaced = self.updater.replaced
        if replaced:
            held = holders_of(self.reloader.user_namespace(), [obj for _, _, obj in replaced])
            self.done = [_with_holders(item, replaced, held) for item in self.done]

    def record(self) -> None:
        """After commit: the tracker, the executed sources, linecache and bytecode caches."""
        stamps: dict[str, Stamp | None] = {}
        seconds = {item.name: item.seconds for item in self.done}
        for name in self.plan.order:
            module = sys.modules[name]
            source = self.updater.executed.get(name)
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


def _with_holders(item: ModuleReload, replaced: list, held: dict[int, list[str]]) -> ModuleReload:
    mine = tuple(
        (qualified.split(".", item.name.count(".") + 1)[-1], tuple(held[id(obj)]))
        for qualified, _, obj in replaced
        if qualified.startswith(item.name + ".") and id(obj) in held
    )
    if mine:
        item.held_by = mine
    return item


def _imported_within(planned: set[str], aliases: dict[str, list[str]], graph: ImportGraph) -> set[str]:
    """The planned modules that another planned module imports (under any of their names)."""
    return {
        name
        for name in planned
        if any(
            user in planned and user != name for n in (name, *aliases.get(name, ())) for user in graph.imported_by(n)
        )
    }


@contextlib.contextmanager
def _collector_paused():
    """Hold Python's cyclic garbage collector while a reload runs, then leave it as it was: a
    reload creates thousands of objects at once (new classes and functions that patching then
    discards), and collections in the middle would scan the whole heap again and again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
