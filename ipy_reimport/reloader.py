"""Deep reload: plan, snapshot, re-execute in dependency order, patch, then commit or roll back."""

from __future__ import annotations

import importlib
import linecache
import sys
import time
from dataclasses import dataclass, field

from .baseline import drop_misleading_bytecode, stamp_of
from .bindings import top_level_names_of
from .errors import ReloadFailed, UsageProblem, locate
from .patching import PatchResult, UndoLog, patch_module
from .report import ModuleReload, ReloadReport
from .tracker import ModuleState, Tracker

__all__ = ["Plan", "Reloader"]


@dataclass
class Plan:
    """Which modules to reload, grouped (import cycles) and in dependency order."""

    groups: list[list[str]]
    skipped: list[tuple[str, str]] = field(default_factory=list)

    @property
    def order(self) -> list[str]:
        """The module names, flattened."""
        return [name for group in self.groups for name in group]


class Reloader:
    """Reloads modules and their dependents, all or nothing.

    Args:
        tracker: knows the modules, their states and their imports.
    """

    def __init__(self, tracker: Tracker) -> None:
        self.tracker = tracker

    def plan(self, names: list[str] | None = None) -> Plan:
        """Plan a reload of ``names`` (or of every stale user module) and all their dependents.

        Raises:
            UsageProblem: a name is not loaded, has no source, or its source was deleted.
        """
        self.tracker.sync()
        for name in names or ():
            self._check_reloadable(name)
        everything = any(not self.tracker.get(n).user for n in names or ())
        self.tracker.recheck(everything)
        if names is None:
            names = self.tracker.stale_names(everything)
        graph = self.tracker.import_graph(everything)
        wanted = set(names) | graph.dependents(names)
        deleted = sorted(n for n in wanted if self.tracker.own_state(n) is ModuleState.MISSING)
        wanted.difference_update(deleted)
        return Plan(graph.reload_order(wanted, rank=self.tracker.rank),
                    [(name, "source file deleted") for name in deleted])

    def _check_reloadable(self, name: str) -> None:
        entry = self.tracker.get(name)
        if entry is None:
            raise UsageProblem(f"module {name!r} is not loaded; import it first (e.g. %import_rel {name})")
        if entry.reason is not None:
            raise UsageProblem(f"cannot reload {name}: {entry.reason}")
        if self.tracker.own_state(name) is ModuleState.MISSING or stamp_of(entry.file) is None:
            raise UsageProblem(f"cannot reload {name}: its source file {entry.file} was deleted")

    def execute(self, plan: Plan, patch: bool = True) -> ReloadReport:
        """Re-execute the modules of ``plan`` in order; on any failure restore every one of them.

        Raises:
            ReloadFailed: a module failed; everything was rolled back.
        """
        started = time.perf_counter()
        importlib.invalidate_caches()
        modules_before = dict(sys.modules)
        snapshots: dict[str, dict] = {}
        stamps, seconds, done = {}, {}, []
        undo = UndoLog()
        name = ""
        try:
            for name in plan.order:
                done.append(self._reload_one(name, snapshots, stamps, undo, patch))
                seconds[name] = done[-1].seconds
        except BaseException as exc:
            undo.rollback()
            _restore(snapshots, modules_before)
            failure = ReloadFailed(name, locate(exc, self._files(plan)), exc, list(snapshots))
            self.tracker.mark_failed(plan.order, failure.short)
            if not isinstance(exc, Exception):
                raise
            raise failure from exc
        undo.commit()
        self.tracker.mark_reloaded(stamps, seconds)
        return ReloadReport(plan.groups, done, time.perf_counter() - started, skipped=plan.skipped)

    def _files(self, plan: Plan) -> set[str]:
        return {self.tracker.get(n).file for n in plan.order if self.tracker.get(n) is not None}

    def _reload_one(self, name: str, snapshots: dict, stamps: dict, undo: UndoLog, patch: bool) -> ModuleReload:
        module = sys.modules[name]
        file = self.tracker.get(name).file
        snapshots[name] = old_ns = dict(module.__dict__)
        stamps[name] = stamp = stamp_of(file)
        changed = self.tracker.own_state(name) is ModuleState.STALE
        if changed and stamp is not None:
            drop_misleading_bytecode(module, stamp)
        begin = time.perf_counter()
        importlib.reload(module)
        result = patch_module(name, old_ns, module.__dict__, undo) if patch else PatchResult()
        elapsed = time.perf_counter() - begin
        linecache.checkcache(file)
        leftover = _leftovers(name, file, old_ns) if changed else ()
        return ModuleReload(name, file, elapsed, tuple(result.patched), tuple(result.replaced), leftover)


def _leftovers(name: str, file: str, old_ns: dict) -> tuple[str, ...]:
    bound = top_level_names_of(file)
    if bound is None:
        return ()
    return tuple(sorted(k for k in old_ns if k not in bound and not (k.startswith("__") and k.endswith("__"))
                        and f"{name}.{k}" not in sys.modules))


def _restore(snapshots: dict[str, dict], modules_before: dict) -> None:
    """Put back module dictionaries and ``sys.modules`` exactly as they were."""
    for name, snapshot in snapshots.items():
        namespace = modules_before[name].__dict__
        namespace.clear()
        namespace.update(snapshot)
    for name in [n for n in sys.modules if n not in modules_before]:
        added = sys.modules.pop(name)
        parent_name, _, child = name.rpartition(".")
        parent = modules_before.get(parent_name)
        if parent is not None and parent_name not in snapshots and getattr(parent, child, None) is added:
            delattr(parent, child)
    for name, module in modules_before.items():
        if sys.modules.get(name) is not module:
            sys.modules[name] = module
