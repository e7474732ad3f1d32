"""Dask (``distributed``): every worker of every connected client runs the kernel's reload.

A worker plugin carries the reload: registering it runs it on every current worker, and the
scheduler hands it to every worker that joins later or restarts. Each worker keeps its outcome
on the plugin; the kernel collects the outcomes with ``Client.run``. Imported only when the
user's session already imported ``distributed``.
"""

from __future__ import annotations

import os
import time
from typing import Any

from distributed import Client
from distributed.diagnostics.plugin import WorkerPlugin

from .remote import apply
from .workers import EngineOutcome, ReloadSpec, WorkerError, WorkerOutcome

__all__ = ["ReimportPlugin", "clients", "in_use", "propagate", "status"]

PLUGIN_NAME = "ipy_reimport"

# generation of the last reload sent, by client (clients are not hashable by value: by id)
_sent: dict[int, int] = {}


class ReimportPlugin(WorkerPlugin):
    """Runs the kernel's latest reload on a worker, now and whenever a worker (re)starts.

    Args:
        spec: the kernel's reload.
    """

    name = PLUGIN_NAME

    def __init__(self, spec: ReloadSpec) -> None:
        self.spec = spec
        self.outcome: dict[str, Any] | None = None

    def setup(self, worker: Any) -> None:
        """Apply the reload in this worker; never raises (a worker must keep running)."""
        try:
            outcome = apply(self.spec, worker.address)
        except Exception as exc:
            error = WorkerError(None, None, None, f"{type(exc).__name__}: {exc}")
            outcome = WorkerOutcome(
                worker.address, "failed", error=error, pid=os.getpid(), generation=self.spec.generation
            )
        self.outcome = outcome.to_wire()


def _report(dask_worker: Any) -> dict[str, Any]:
    """On a worker: the outcome of the last reload it ran (``unknown`` if none)."""
    plugin = dask_worker.plugins.get(PLUGIN_NAME)
    outcome = getattr(plugin, "outcome", None)
    return outcome or {"worker": dask_worker.address, "status": "unknown", "pid": os.getpid()}


def clients() -> list[Client]:
    """The kernel's connected synchronous clients."""
    return [c for c in list(Client._instances) if c.status == "running" and not c.asynchronous]


def in_use() -> bool:
    """Whether a client is connected."""
    return bool(clients())


def propagate(spec: ReloadSpec, known_pids: set[int]) -> list[EngineOutcome]:
    """Run the reload on the workers of every connected client; one outcome per client."""
    return [_propagate_to(client, spec) for client in clients()]


def _propagate_to(client: Client, spec: ReloadSpec) -> EngineOutcome:
    started = time.perf_counter()
    try:
        client.register_plugin(ReimportPlugin(spec), name=PLUGIN_NAME)
    except Exception as exc:  # e.g. ipy_reimport is not installed where the workers run
        note = f"could not reach the workers: {type(exc).__name__}: {exc}"
        return EngineOutcome("dask", _name(client), (), time.perf_counter() - started, note)
    _sent[id(client)] = spec.generation
    workers = _collect(client, spec.generation)
    return EngineOutcome("dask", _name(client), workers, time.perf_counter() - started)


def status(known_pids: set[int]) -> list[EngineOutcome]:
    """Per client, each worker's state now: current, or behind (with why)."""
    return [EngineOutcome("dask", _name(c), _collect(c, _sent.get(id(c), 0))) for c in clients()]


def _collect(client: Client, generation: int) -> tuple[WorkerOutcome, ...]:
    answers = client.run(_report, on_error="return")
    return tuple(_outcome(address, answer, generation) for address, answer in sorted(answers.items()))


def _outcome(address: str, answer: Any, generation: int) -> WorkerOutcome:
    if isinstance(answer, BaseException):
        error = WorkerError(None, None, None, f"did not answer: {type(answer).__name__}: {answer}")
        return WorkerOutcome(address, "unknown", error=error, generation=generation)
    outcome = WorkerOutcome.from_wire(answer)
    if generation == 0:
        return WorkerOutcome(address, "not_needed", pid=outcome.pid)
    if outcome.generation != generation:
        return WorkerOutcome(address, "unknown", pid=outcome.pid, generation=outcome.generation)
    return outcome


def _name(client: Client) -> str:
    address = getattr(client.scheduler, "address", None) or "?"
    return f"Dask {address}"
