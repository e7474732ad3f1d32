"""What bringing one module up to date takes: a :class:`Step`, decided from the sources and from
what the reload changed so far (nothing changes here).

An edited module compares the source it ran with its file (:mod:`.source_diff`): definitions
only → patched in place; pure changed statements nothing else reads → run alone; anything else →
re-executed, and why. A dependent asks :func:`~ipy_reimport.dependents.decide`. Modules that are
not the user's are never re-executed unless named.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING

from .analysis import ModuleSummary, summarize, summary_of
from .changes import Changes
from .dependents import decide
from .executing import Source, read_source
from .source_diff import SourceEdit, compare_sources
from .sources import ExecutedSources

if TYPE_CHECKING:
    from .reloader import Plan
    from .tracker import Tracker

__all__ = ["Step", "Decider", "is_package"]


@dataclass
class Step:
    """What one module's update takes.

    Attributes:
        execute: re-execute the module, and why (None: it does not re-execute).
        source: the file's source as read for this step.
        edit: a definitions-only edit (with the changed statements that run alone) to apply.
        rebind: names to bind to the current values of what they were imported from.
        summary: the module's import-time summary, when the decision read it.
        unchanged: the file was edited and is back to what ran (record its new stamp).
        skip: why the module is left out (not the user's), or None.
        previous: the source it ran before, when its source changed.
    """

    execute: str | None = None
    source: Source | None = None
    edit: SourceEdit | None = None
    rebind: dict = field(default_factory=dict)
    summary: ModuleSummary | None = None
    unchanged: bool = False
    skip: str | None = None
    previous: bytes | None = None


class Decider:
    """Decides each module's step for one run of a plan.

    Args:
        tracker: the module states and entries.
        sources: what each module ran.
        plan: the plan being run.
        changes: what the run changed so far.
        patch: whether definitions are kept (``--no-patch`` re-executes edited modules).
        predict: nothing runs (a dry run): rebinding is predicted from the sources.
    """

    def __init__(
        self,
        tracker: Tracker,
        sources: ExecutedSources,
        plan: Plan,
        changes: Changes,
        patch: bool,
        predict: bool = False,
    ) -> None:
        self.tracker, self.sources, self.plan, self.changes = tracker, sources, plan, changes
        self.patch, self.predict = patch, predict
        self.planned = set(plan.order) | {a for names in plan.aliases.values() for a in names}

    def step(self, name: str) -> Step:
        """The step that brings ``name`` up to date."""
        module, file = sys.modules[name], self.tracker.get(name).file
        if self.plan.full:
            if not self.mine(name):
                return Step(skip=f"not one of your modules (name it to reload it: %reload_deep {name})")
            return Step(execute="--full")
        if not self.patch:
            return Step(execute="--no-patch") if name in self.plan.edited else self.dependent(name, module, file)
        if name not in self.plan.edited:
            return self.dependent(name, module, file)
        return self._edited(name, module, file)

    def _edited(self, name: str, module: ModuleType, file: str) -> Step:
        source = read_source(file)
        old = self.sources.executed(name, module)
        if old is None:
            return Step(execute="the source it ran from was not recorded", source=source)
        if old.data == source.data:
            if name in self.plan.named:
                return Step(execute="named in the request (its source is unchanged)", source=source)
            step = self.dependent(name, module, file)
            step.source, step.unchanged = source, True
            return step
        edit = compare_sources(old.data, source.data, file)
        if edit.problem:
            return Step(execute=edit.problem, source=source, previous=old.data)
        if edit.statements:
            reason = statements_blocked(edit, summarize(source.data, name, is_package(module), file))
            if reason:
                return Step(execute=reason, source=source, previous=old.data)
        return Step(source=source, edit=edit, previous=old.data)

    def dependent(self, name: str, module: ModuleType, file: str) -> Step:
        """The step of a module whose source did not change."""
        summary = summary_of(file, name, is_package(module))
        decision = decide(name, module.__dict__, summary, self.changes, self.planned, predict=self.predict)
        if decision.execute and not self.mine(name):
            return Step(
                skip=f"not one of your modules; it would re-execute because {decision.execute} "
                f"(name it to reload it: %reload_deep {name})",
                summary=summary,
            )
        return Step(execute=decision.execute, rebind=decision.rebind, summary=summary)

    def mine(self, name: str) -> bool:
        """Named in the request, or one of the user's modules."""
        entry = self.tracker.get(name)
        return name in self.plan.named or (entry is not None and entry.user)


def statements_blocked(edit: SourceEdit, summary: ModuleSummary) -> str | None:
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


def is_package(module: ModuleType) -> bool:
    """Whether the module is a package (its ``__init__``)."""
    return "__path__" in vars(module)
