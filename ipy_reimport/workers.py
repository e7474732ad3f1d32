"""Worker processes: after a reload in the kernel, bring the same modules up to date wherever the
user's code runs.

This module is engine-neutral: the value objects that describe what a worker did, the registry
of engines (Dask, joblib/loky, other child processes) and the propagation that runs after every
successful reload. An engine's module is imported only when the user's session already imported
the library it serves (``sys.modules``); with none of them loaded, nothing here costs anything.
"""

from __future__ import annotations

import hashlib
import importlib
import itertools
import logging
import os
import sys
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

__all__ = [
    "Status",
    "SourceFile",
    "ReloadSpec",
    "WorkerError",
    "FileProblem",
    "WorkerOutcome",
    "EngineOutcome",
    "CURRENT",
    "ENGINES",
    "after_reload",
    "status",
    "make_spec",
    "quiet",
]

log = logging.getLogger(__name__)

Status = Literal["reloaded", "not_needed", "retired", "failed", "file_differs", "unreachable", "unknown"]
CURRENT: frozenset[str] = frozenset({"reloaded", "not_needed", "retired"})

# (libraries that must already be in sys.modules, the engine module), in the order they run:
# the child-process engine comes last, it leaves out the processes the others manage.
ENGINES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("distributed",), "ipy_reimport.dask_workers"),
    (("joblib", "loky"), "ipy_reimport.loky_workers"),
    (("multiprocessing",), "ipy_reimport.children"),
)

_generation = itertools.count(1)
_quiet = threading.local()


@dataclass(frozen=True)
class SourceFile:
    """One module of the kernel's reload, as a worker needs to know it.

    Attributes:
        name: the module's name.
        digest: SHA-256 of the source the kernel executed (None: the kernel could not read it).
        mtime_ns: the kernel's file modification time.
        source: the source itself, sent only with ``Reimport.ship_sources``.
        previous: for a module whose source changed, the source the kernel ran before (a worker
            that runs it too re-runs only what changed, as the kernel did).
    """

    name: str
    digest: str | None
    mtime_ns: int | None = None
    source: bytes | None = None
    previous: bytes | None = None


@dataclass(frozen=True)
class ReloadSpec:
    """What every worker is asked to do: the modules of one kernel reload, in its order."""

    generation: int
    modules: tuple[SourceFile, ...]
    patch: bool = True

    @property
    def names(self) -> list[str]:
        """The module names, in the kernel's reload order."""
        return [m.name for m in self.modules]


@dataclass(frozen=True)
class WorkerError:
    """Where a worker's reload failed (it rolled back and runs the old code)."""

    module: str | None
    file: str | None
    line: int | None
    message: str

    def __str__(self) -> str:
        where = (
            f" at {self.file}, line {self.line}"
            if self.file and self.line
            else (f" at {self.file}" if self.file else "")
        )
        return f"reloading {self.module} failed{where}: {self.message}" if self.module else self.message


@dataclass(frozen=True)
class FileProblem:
    """A module whose file, as the worker sees it, is not the one the kernel executed."""

    module: str
    path: str | None
    problem: str

    def __str__(self) -> str:
        return f"{self.module} ({self.path or 'no file'}): {self.problem}"


@dataclass(frozen=True)
class WorkerOutcome:
    """What one worker process did with a reload.

    Attributes:
        worker: its name (a Dask address, ``pid 1234``...).
        status: ``reloaded``, ``not_needed`` (it never imported the modules), ``retired`` (it
            was shut down; its replacement imports the new code), ``failed``, ``file_differs``,
            ``unreachable`` (a process ipy_reimport cannot reach) or ``unknown``.
        modules: the modules reloaded there, in order.
        error: set when ``status`` is ``failed``.
        files: set when ``status`` is ``file_differs``; with shipped sources, what was written.
        pid: the process id, when known.
        generation: the kernel reload it answers.
    """

    worker: str
    status: Status
    modules: tuple[str, ...] = ()
    error: WorkerError | None = None
    files: tuple[FileProblem, ...] = ()
    pid: int | None = None
    generation: int = 0

    @property
    def current(self) -> bool:
        """Whether the worker runs the kernel's code (or will, for a retired one)."""
        return self.status in CURRENT

    def what(self) -> str:
        """What happened on the worker, in words."""
        sent = "; the kernel's sources written for " + ", ".join(f.module for f in self.files) if self.files else ""
        if self.status == "reloaded":
            return "reloaded " + ", ".join(self.modules) + sent
        if self.status == "not_needed":
            return "not needed (it has not imported these modules)" + sent
        if self.status == "retired":
            why = f" after its reload failed ({self.error})" if self.error else ""
            return f"retired{why}: the next call starts a worker that imports the new code"
        if self.status == "failed" and self.error is not None:
            return f"behind: {self.error} (rolled back; it runs the old code)"
        if self.status == "file_differs":
            return (
                "behind: it does not see the kernel's files: "
                + "; ".join(map(str, self.files))
                + " (%config Reimport.ship_sources = True sends them)"
            )
        if self.status == "unreachable":
            return "cannot be reached; it may still run the old code"
        return "behind: " + (str(self.error) if self.error else "it has not run this reload")

    def describe(self) -> str:
        """One line: the worker and what happened there."""
        return f"{self.worker}: {self.what()}"

    def to_wire(self) -> dict[str, Any]:
        """Plain data (for crossing to another process or into a protocol message)."""
        return {
            "worker": self.worker,
            "status": self.status,
            "modules": list(self.modules),
            "error": None if self.error is None else vars(self.error).copy(),
            "files": [vars(f).copy() for f in self.files],
            "pid": self.pid,
            "generation": self.generation,
        }

    @classmethod
    def from_wire(cls, data: dict[str, Any]) -> WorkerOutcome:
        """The inverse of :meth:`to_wire`."""
        error = data.get("error")
        return cls(
            data["worker"],
            data["status"],
            tuple(data.get("modules", ())),
            WorkerError(**error) if error else None,
            tuple(FileProblem(**f) for f in data.get("files", ())),
            data.get("pid"),
            data.get("generation", 0),
        )


@dataclass(frozen=True)
class EngineOutcome:
    """The workers of one engine (a Dask client, the loky executor, other child processes).

    Attributes:
        engine: ``dask``, ``loky`` or ``processes``.
        name: which one (e.g. the scheduler's address).
        workers: one outcome per worker process.
        seconds: time spent bringing them up to date.
        note: something about the engine as a whole (e.g. it could not be reached).
    """

    engine: str
    name: str
    workers: tuple[WorkerOutcome, ...] = ()
    seconds: float = 0.0
    note: str | None = None

    @property
    def current(self) -> int:
        """How many workers run the kernel's code."""
        return sum(w.current for w in self.workers)

    @property
    def behind(self) -> int:
        """How many workers may run older code."""
        return len(self.workers) - self.current

    def headline(self) -> str:
        """One line: the engine and its counts."""
        if self.engine == "processes":
            count = len(self.workers)
            noun = "worker process" if count == 1 else "worker processes"
            return (
                f"{count} {noun} started before this reload cannot be reached and may still "
                f"run the old code (restart them to pick up the change)"
            )
        kinds = {}
        for worker in self.workers:
            if worker.current:
                kinds[worker.status] = kinds.get(worker.status, 0) + 1
        parts = ", ".join(f"{n} {status.replace('_', ' ')}" for status, n in kinds.items())
        counts = f"{self.current} current" + (f" ({parts})" if parts else "") + f", {self.behind} behind"
        took = f" in {self.seconds * 1000:.0f} ms" if self.seconds else ""
        return f"{self.name}: {counts}{took}" + (f" ({self.note})" if self.note else "")

    def lines(self) -> list[str]:
        """The headline, then one line per worker that is behind or was not simply current."""
        shown = [w for w in self.workers if not w.current or w.files or w.error]
        if self.engine == "processes":
            return [self.headline()] + [f"  {w.worker}" for w in self.workers]
        return [self.headline()] + [f"  {w.describe()}" for w in shown]


# -- the kernel side ---------------------------------------------------------------------------
def _engines() -> list[Any]:
    """The engine modules whose library the session already imported (never imports one)."""
    return [importlib.import_module(module) for triggers, module in ENGINES if any(t in sys.modules for t in triggers)]


def make_spec(report: Any, ship: bool = False, patch: bool = True) -> ReloadSpec:
    """The spec of a finished reload: its modules in order, with digests (and sources)."""
    modules = []
    for item in report.modules:
        if not item.ran:
            continue
        data, mtime = _read(item.file)
        digest = hashlib.sha256(data).hexdigest() if data is not None else None
        modules.append(SourceFile(item.name, digest, mtime, data if ship else None, item.previous))
    return ReloadSpec(next(_generation), tuple(modules), patch)


def _read(path: str | None) -> tuple[bytes | None, int | None]:
    if not path:
        return None, None
    try:
        with open(path, "rb") as f:
            return f.read(), os.fstat(f.fileno()).st_mtime_ns
    except OSError:
        return None, None


def after_reload(report: Any, ship: bool = False, patch: bool = True) -> Any:
    """Bring every reachable worker up to date with a successful reload; record the outcomes
    in ``report.workers`` and return the report.

    Does nothing for a dry run, an empty reload, inside a worker (its own reload must not
    propagate again), or when no engine's library is loaded.
    """
    if not report.modules or getattr(_quiet, "on", False):
        return report
    spec = None
    outcomes: list[EngineOutcome] = []
    for engine in _engines():
        if not _in_use(engine):
            continue
        spec = spec or make_spec(report, ship, patch)  # only when some engine has workers
        outcomes.extend(_guarded(engine, "propagate", spec, _pids(outcomes)))
    report.workers = [o for o in outcomes if o.workers or o.note]
    return report


def status() -> list[EngineOutcome]:
    """Per engine, how many workers are current and how many are behind, as of now."""
    outcomes: list[EngineOutcome] = []
    for engine in _engines():
        outcomes.extend(_guarded(engine, "status", _pids(outcomes)))
    return [o for o in outcomes if o.workers or o.note]


def _in_use(engine: Any) -> bool:
    """Whether an engine has workers now (cheap; an engine that cannot tell, or fails to, is
    asked to propagate, so that its failure is reported)."""
    try:
        return bool(getattr(engine, "in_use", lambda: True)())
    except Exception:
        return True


def _guarded(engine: Any, action: str, *args: Any) -> list[EngineOutcome]:
    """Run an engine's action; its failure is reported, never raised (the kernel's reload
    stands whatever happens to the workers)."""
    started = time.perf_counter()
    try:
        return getattr(engine, action)(*args)
    except Exception as exc:
        log.warning("ipy_reimport: %s of %s failed", action, engine.__name__, exc_info=True)
        name = engine.__name__.rpartition(".")[2]
        return [
            EngineOutcome(
                name,
                name,
                (),
                time.perf_counter() - started,
                f"could not reach the workers: {type(exc).__name__}: {exc}",
            )
        ]


def _pids(outcomes: Iterable[EngineOutcome]) -> set[int]:
    """Process ids of the workers that engines already took care of."""
    return {w.pid for o in outcomes for w in o.workers if w.pid is not None}


class quiet:
    """Context manager: reloads inside it do not propagate (used inside worker processes)."""

    def __enter__(self) -> quiet:
        self._was = getattr(_quiet, "on", False)
        _quiet.on = True
        return self

    def __exit__(self, *exc: Any) -> None:
        _quiet.on = self._was
