"""Other child processes (a ``multiprocessing.Pool`` or ``ProcessPoolExecutor`` the user created):
they cannot be reached, so the report names them instead of staying silent.

Processes that another engine manages (Dask's local workers, loky's) are left out by process id.
"""

from __future__ import annotations

import multiprocessing

from .workers import EngineOutcome, ReloadSpec, WorkerOutcome

__all__ = ["in_use", "propagate", "status"]

# children that were alive at a reload: they may run the code from before it
_behind: set[int] = set()


def _children(known_pids: set[int]) -> list[multiprocessing.process.BaseProcess]:
    return [p for p in multiprocessing.active_children() if p.pid is not None and p.pid not in known_pids]


def _outcome(process: multiprocessing.process.BaseProcess, status: str) -> WorkerOutcome:
    return WorkerOutcome(f"{process.name} (pid {process.pid})", status, pid=process.pid)  # type: ignore[arg-type]


def in_use() -> bool:
    """Whether the kernel has child processes (cheap: no reload spec is built otherwise)."""
    return bool(multiprocessing.active_children())


def propagate(spec: ReloadSpec, known_pids: set[int]) -> list[EngineOutcome]:
    """Name the child processes started before this reload."""
    children = _children(known_pids)
    _behind.intersection_update(p.pid for p in multiprocessing.active_children())
    _behind.update(p.pid for p in children)
    if not children:
        return []
    return [EngineOutcome("processes", "child processes", tuple(_outcome(p, "unreachable") for p in children))]


def status(known_pids: set[int]) -> list[EngineOutcome]:
    """The child processes that were alive at an earlier reload (only those are behind)."""
    behind = [p for p in _children(known_pids) if p.pid in _behind]
    if not behind:
        return []
    return [EngineOutcome("processes", "child processes", tuple(_outcome(p, "unreachable") for p in behind))]
