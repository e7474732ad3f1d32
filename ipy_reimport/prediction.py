"""What a reload would do, predicted from the sources (``--dry-run``): the same decisions as a
real run (:class:`~ipy_reimport.steps.Decider`), with the changes each step would make assumed
instead of measured — a re-executed module rebinds every name its statements bind, an in-place
edit changes the code of the definitions it touches."""

from __future__ import annotations

import sys
from types import ModuleType

from .analysis import ModuleSummary, summarize, summary_of
from .dependents import propagate
from .errors import UsageProblem
from .report import ModuleReload
from .steps import Decider, Step, is_package

__all__ = ["predict"]


def predict(decider: Decider) -> list[ModuleReload]:
    """Each module's predicted step, in the plan's order; nothing runs."""
    items = []
    for name in decider.plan.order:
        module, file = sys.modules[name], decider.tracker.get(name).file
        try:
            step = decider.step(name)
        except (SyntaxError, ValueError, OSError, UsageProblem) as exc:
            items.append(ModuleReload(name, file, 0.0, action="fails", reason=f"{type(exc).__name__}: {exc}"))
            continue
        items.append(_predict(decider, name, module, file, step))
    return items


def _predict(decider: Decider, name: str, module: ModuleType, file: str, step: Step) -> ModuleReload:
    changes = decider.changes
    summary = _summary(name, module, file, step)
    if step.skip:
        return ModuleReload(name, file, 0.0, action="skipped", reason=step.skip)
    if step.execute:
        changes.rebind(
            name, {n for s in (summary.statements if summary else ()) if s.definition is None for n in s.binds}
        )
        for value in list(module.__dict__.values()):
            if getattr(value, "__module__", None) == name:
                changes.code_changed(value)
        return ModuleReload(name, file, 0.0, action="executed", reason=step.execute)
    if step.edit is None:
        changes.rebind(name, set(step.rebind))
        return ModuleReload(
            name, file, 0.0, action="rebound" if step.rebind else "unchanged", rebound=tuple(sorted(step.rebind))
        )
    patched, added = [], []
    for change in step.edit.definitions:
        target = _lookup(module.__dict__, change.path)
        if change.kind == "added":
            added.append(change.qualname)
            if len(change.path) == 1:
                changes.rebind(name, {change.path[0]})
        elif change.kind != "moved" and target is not None:
            patched.append(change.qualname)
            changes.code_changed(target)
            owner = _lookup(module.__dict__, change.path[:-1]) if len(change.path) > 1 else None
            if isinstance(owner, type):
                changes.member_changed(owner, change.path[-1])
    if step.edit.statements and summary is not None:
        changes.rebind(name, {n for i in step.edit.statements for n in summary.statements[i].binds})
    propagate(name, module.__dict__, file, changes, decider.planned)
    return ModuleReload(
        name,
        file,
        0.0,
        tuple(patched),
        action="statements" if step.edit.statements else "patched",
        statements=len(step.edit.statements),
        added=tuple(added),
    )


def _summary(name: str, module: ModuleType, file: str, step: Step) -> ModuleSummary | None:
    if step.summary is not None:
        return step.summary
    if step.source is not None:
        try:
            return summarize(step.source.data, name, is_package(module), file)
        except (SyntaxError, ValueError):
            return None
    return summary_of(file, name, is_package(module))


def _lookup(namespace: dict, path: tuple[str, ...]):
    obj = namespace.get(path[0]) if path else None
    for part in path[1:]:
        obj = vars(obj).get(part) if isinstance(obj, type) else None
    return obj
