"""joblib / loky: the reusable executor's workers must not run old code at the next call.

``joblib.Parallel`` (and every scikit-learn ``n_jobs``) reuses the worker processes of loky's
reusable executor from call to call. After a reload in the kernel, each of its workers runs the
same deep reload (one task per worker: the tasks wait for each other, so no worker takes two);
if any worker fails or does not answer, the executor is shut down instead, so that the next call
starts fresh workers that import the new files. Imported only when the user's session already
imported joblib or loky.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Iterator
from typing import Any

from .remote import apply
from .workers import EngineOutcome, ReloadSpec, WorkerError, WorkerOutcome

__all__ = ["executors", "in_use", "propagate", "status", "retire"]

# the executor's module, and the engine's name in reports
EXECUTOR_MODULES = {"joblib.externals.loky.reusable_executor": "joblib (loky)", "loky.reusable_executor": "loky"}
TIMEOUT = 30.0

# "reload": reload inside the workers (retire them only on failure); "retire": always retire.
STRATEGY = "reload"

# the last outcome of each worker process, for %stale
_last: dict[int, WorkerOutcome] = {}


def executors() -> Iterator[tuple[str, Any]]:
    """The live reusable executors (joblib's vendored loky, and the loky package if loaded);
    never creates one."""
    for module_name, name in EXECUTOR_MODULES.items():
        executor = getattr(sys.modules.get(module_name), "_executor", None)
        flags = getattr(executor, "_flags", None)
        if executor is not None and not (flags is None or flags.shutdown or flags.broken):
            yield name, executor


def in_use() -> bool:
    """Whether a reusable executor is alive."""
    return any(True for _ in executors())


def propagate(spec: ReloadSpec, known_pids: set[int]) -> list[EngineOutcome]:
    """Bring every worker of every live reusable executor up to date."""
    outcomes = []
    for name, executor in executors():
        started = time.perf_counter()
        if not executor._processes:
            continue
        if executor._pending_work_items:
            outcomes.append(EngineOutcome("loky", name, _busy(executor)))
            continue
        workers = reload_workers(executor, spec) if STRATEGY == "reload" else None
        if workers is None or not all(w.current for w in workers):
            workers = retire(executor, workers)
        _last.update((w.pid, w) for w in workers if w.pid is not None)
        outcomes.append(EngineOutcome("loky", name, workers, time.perf_counter() - started))
    return outcomes


def _busy(executor: Any) -> tuple[WorkerOutcome, ...]:
    """Workers of an executor that runs tasks now (``Parallel`` in another thread, an unread
    generator): neither reloaded nor retired under the tasks' feet."""
    error = WorkerError(None, None, None, "the executor was busy with tasks; reload again when it is idle")
    return tuple(WorkerOutcome(f"pid {pid}", "unknown", error=error, pid=pid) for pid in executor._processes)


def status(known_pids: set[int]) -> list[EngineOutcome]:
    """The live executors' workers, with what the last reload did there (workers started
    since then imported the current files)."""
    live = [(name, executor) for name, executor in executors() if executor._processes]
    alive = {pid for _, executor in live for pid in executor._processes}
    for pid in set(_last) - alive:
        del _last[pid]
    return [
        EngineOutcome(
            "loky",
            name,
            tuple(_last.get(pid) or WorkerOutcome(f"pid {pid}", "not_needed", pid=pid) for pid in executor._processes),
        )
        for name, executor in live
    ]


def reload_workers(executor: Any, spec: ReloadSpec) -> tuple[WorkerOutcome, ...] | None:
    """One reload task per worker; None when they did not all answer in time."""
    count = len(executor._processes)
    with tempfile.TemporaryDirectory(prefix="ipy_reimport-") as rendezvous:
        futures = [executor.submit(_reload_here, spec, rendezvous, count, TIMEOUT) for _ in range(count)]
        try:
            answers = [f.result(timeout=TIMEOUT + 5) for f in futures]
        except Exception:
            return None
    outcomes = tuple(WorkerOutcome.from_wire(a) for a in answers)
    return outcomes if len({o.pid for o in outcomes}) == count else None


def retire(executor: Any, reached: tuple[WorkerOutcome, ...] | None = None) -> tuple[WorkerOutcome, ...]:
    """Shut the executor down; the next ``Parallel`` call starts fresh workers."""
    pids = list(executor._processes)
    errors = {w.pid: w.error for w in reached or ()}
    terminate = getattr(executor, "terminate", None)
    if terminate is not None:
        terminate(kill_workers=False)
    else:
        executor.shutdown(wait=True, kill_workers=False)
    return tuple(WorkerOutcome(f"pid {pid}", "retired", error=errors.get(pid), pid=pid) for pid in pids)


def _reload_here(spec: ReloadSpec, rendezvous: str, expected: int, timeout: float) -> dict[str, Any]:
    """In a loky worker: reload, then wait until every worker has taken its task."""
    outcome = apply(spec, f"pid {os.getpid()}")
    open(os.path.join(rendezvous, str(os.getpid())), "w").close()
    deadline = time.monotonic() + timeout
    while len(os.listdir(rendezvous)) < expected and time.monotonic() < deadline:
        time.sleep(0.001)
    return outcome.to_wire()
