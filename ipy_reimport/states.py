"""The states a loaded module can be in, the record of one module that reports show, and how
states follow from what the tracker saw (pure functions: no file is read here)."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .entries import Entry
    from .graph import ImportGraph

__all__ = ["ModuleState", "LastReload", "ModuleStatus", "own_state", "derive_statuses"]


class ModuleState(str, enum.Enum):
    """The state of one loaded module, declared in the order lists show them (stale first)."""

    STALE = "stale"
    DEPENDENT = "dependent"
    MISSING = "missing"
    FRESH = "fresh"
    UNRELOADABLE = "unreloadable"

    def __str__(self) -> str:
        return self.value

    @property
    def rank(self) -> int:
        """Position in a list of modules: stale first, unreloadable last."""
        return _RANK[self]


_RANK = {state: index for index, state in enumerate(ModuleState)}


@dataclass(frozen=True)
class LastReload:
    """Outcome of the last reload that involved a module."""

    at: float
    ok: bool
    seconds: float
    error: str | None = None


@dataclass(frozen=True)
class ModuleStatus:
    """What is known about one loaded module (a row of ``%stale`` and of the panel)."""

    name: str
    state: ModuleState
    file: str | None
    user: bool
    imports: tuple[str, ...]
    imported_by: tuple[str, ...]
    reason: str | None = None
    last_reload: LastReload | None = None


def own_state(baseline: object, current: object) -> ModuleState:
    """A reloadable module's state ignoring its imports, from the stamp of the version that ran
    (``baseline``) and the file's stamp now (``current``, None when the file is gone)."""
    if current is None:
        return ModuleState.MISSING
    return ModuleState.FRESH if current == baseline else ModuleState.STALE


def derive_statuses(entries: Iterable[Entry], graph: ImportGraph) -> list[ModuleStatus]:
    """The states of ``entries`` with ``DEPENDENT`` derived: a fresh module that imports a stale
    one, directly or not, in ``graph``.

    Args:
        entries: the tracker's records, each with its own state as last seen.
        graph: the import graph among them.
    """
    entries = list(entries)
    stale = {e.name for e in entries if e.own is ModuleState.STALE}
    dependent = graph.dependents(stale) - stale
    return [_status(e, graph, e.name in dependent) for e in entries]


def _status(entry: Entry, graph: ImportGraph, dependent: bool) -> ModuleStatus:
    state = entry.own
    if state is ModuleState.FRESH and dependent:
        state = ModuleState.DEPENDENT
    reason = entry.reason
    if reason is None and state is ModuleState.MISSING:
        reason = entry.missing or "source file deleted"
    return ModuleStatus(
        entry.name,
        state,
        entry.file,
        entry.user,
        tuple(sorted(graph.imports(entry.name))),
        tuple(sorted(graph.imported_by(entry.name))),
        reason,
        entry.last_reload,
    )
