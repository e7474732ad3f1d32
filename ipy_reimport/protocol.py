"""The messages between the JupyterLab panel and the kernel (protocol version 2).

``docs/protocol.md`` describes the protocol; this module mirrors it: :func:`parse_request` turns
whatever the panel sent into a typed :class:`Request` or raises :class:`ProtocolError` with the
code to answer; the ``*_message`` functions build what the kernel sends. Nothing here touches
``sys.modules``, imports or executes anything.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Literal

from .errors import ReimportError, ReloadFailed
from .report import ReloadReport
from .states import ModuleStatus

__all__ = [
    "VERSION", "TARGET", "Scope", "Request", "ProtocolError", "parse_request", "row", "rows", "changes",
    "hello_message", "snapshot_message", "delta_message", "queued_message", "result_message",
    "failure_message", "error_message", "pong_message", "goodbye_message", "engine_entry",
]

VERSION = 2
WORKER_DETAILS_SHOWN = 20
TARGET = "ipy_reimport"
Scope = Literal["user", "all"]

MAX_MODULES = 1000
MAX_NAME = 256
MAX_ID = 64
IMPORTED_BY_SHOWN = 20
_MODULE_NAME = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*")
_FIELDS: dict[str, tuple[str, ...]] = {
    "reload": ("modules",), "reload_stale": (), "rescan": (), "set_scope": ("scope",),
    "subscribe": (), "ping": (),
}


class ProtocolError(Exception):
    """A message that cannot be carried out; answered with an ``error`` message.

    Attributes:
        code: ``malformed``, ``version``, ``unknown_type``, ``unknown_module``, ``unreloadable``
            or ``internal``.
        request_id: the request's ``id`` when it could be read.
    """

    def __init__(self, code: str, message: str, request_id: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.request_id = request_id


@dataclass(frozen=True)
class Request:
    """A well-formed request from the panel."""

    type: str
    id: str
    modules: tuple[str, ...] = ()
    scope: Scope | None = None


def parse_request(data: Any) -> Request:
    """Check a message from the panel and return it as a :class:`Request`.

    Raises:
        ProtocolError: for anything that is not a well-formed request of this version.
    """
    if not isinstance(data, dict):
        raise ProtocolError("malformed", "a message must be a JSON object")
    request_id = _read_id(data.get("id"))
    if data.get("v") != VERSION or isinstance(data.get("v"), bool):
        raise ProtocolError("version", f"this kernel speaks protocol version {VERSION}; "
                                       f"got {_short(data.get('v'))}", request_id)
    kind = data.get("type")
    if not isinstance(kind, str):
        raise ProtocolError("malformed", "the message has no 'type'", request_id)
    if kind not in _FIELDS:
        raise ProtocolError("unknown_type", f"unknown message type {_short(kind)}", request_id)
    if request_id is None:
        raise ProtocolError("malformed", f"'id' must be a string of 1 to {MAX_ID} characters")
    if kind == "reload":
        return Request(kind, request_id, modules=_read_modules(data.get("modules"), request_id))
    if kind == "set_scope":
        scope = data.get("scope")
        if scope not in ("user", "all"):
            raise ProtocolError("malformed", "'scope' must be 'user' or 'all'", request_id)
        return Request(kind, request_id, scope=scope)
    return Request(kind, request_id)


def _read_id(value: Any) -> str | None:
    if isinstance(value, str) and 0 < len(value) <= MAX_ID:
        return value
    return None


def _read_modules(value: Any, request_id: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not 0 < len(value) <= MAX_MODULES:
        raise ProtocolError("malformed", f"'modules' must be a list of 1 to {MAX_MODULES} module names",
                            request_id)
    for name in value:
        if not (isinstance(name, str) and len(name) <= MAX_NAME and _MODULE_NAME.fullmatch(name)):
            raise ProtocolError("malformed", f"not a module name: {_short(name)}", request_id)
    return tuple(dict.fromkeys(value))


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# -- kernel → panel -------------------------------------------------------------------------
@functools.lru_cache(maxsize=1 << 15)
def relative_path(file: str | None, cwd: str) -> str | None:
    """``file`` relative to ``cwd`` with ``/`` separators (absolute if on another drive)."""
    if file is None:
        return None
    try:
        path = os.path.relpath(file, cwd)
    except ValueError:
        path = file
    return path.replace(os.sep, "/")


def row(status: ModuleStatus, cwd: str, reload_blocked: str | None = None) -> dict:
    """The protocol's Row for one module; ``reload_blocked`` says why the panel may not reload it."""
    last = status.last_reload
    return {
        "name": status.name,
        "state": status.state.value,
        "path": relative_path(status.file, cwd),
        "user": status.user,
        "importers": len(status.imported_by),
        "imported_by": list(status.imported_by[:IMPORTED_BY_SHOWN]),
        "reason": status.reason,
        "reload_blocked": reload_blocked,
        "last_reload": None if last is None else
        {"at": last.at, "ok": last.ok, "seconds": last.seconds, "error": last.error},
    }


def rows(statuses: Iterable[ModuleStatus], cwd: str, blocked: Callable[[str], str | None]) -> dict[str, dict]:
    """The Rows of ``statuses`` by name, sorted by name; ``blocked(name)`` is a row's ``reload_blocked``."""
    return {s.name: row(s, cwd, blocked(s.name)) for s in sorted(statuses, key=lambda s: s.name)}


def changes(sent: dict[str, dict], current: dict[str, dict]) -> tuple[list[dict], list[str]]:
    """What a ``delta`` from the rows ``sent`` to the rows ``current`` carries: the rows that are
    new or differ, and the names that left."""
    return [r for name, r in current.items() if sent.get(name) != r], [name for name in sent if name not in current]


def _message(kind: str, **fields: Any) -> dict:
    return {"v": VERSION, "type": kind, **fields}


def hello_message(version: str) -> dict:
    """The data of the kernel's ``comm_open``."""
    return _message("hello", version=version)


def snapshot_message(scope: Scope, rows: list[dict], request_ids: list[str]) -> dict:
    """Every module of ``scope``, answering the ``subscribe``/``rescan``/``set_scope`` requests
    ``request_ids`` (requests that arrived before it was built share one snapshot)."""
    return _message("snapshot", request_ids=list(request_ids), scope=scope, modules=rows)


def delta_message(scope: Scope, changed: list[dict], removed: list[str]) -> dict:
    """Rows that changed and names that left since the last push."""
    return _message("delta", scope=scope, changed=changed, removed=removed)


def queued_message(request_id: str) -> dict:
    """A reload waits for the running cell to end."""
    return _message("queued", request_id=request_id)


def result_message(request_id: str, report: ReloadReport) -> dict:
    """A reload that succeeded (or found nothing to do)."""
    shown = [m for m in report.modules if m.shown]
    modules = [{"name": m.name, "seconds": m.seconds, "action": m.action, "reason": m.reason,
                "patched": list(m.patched), "replaced": [{"name": n, "reason": why} for n, why in m.replaced]}
               for m in shown]
    return _message("result", request_id=request_id, ok=True, seconds=report.seconds,
                    modules=modules, checked=len(report.modules) - len(shown),
                    skipped=[{"name": n, "reason": why} for n, why in report.skipped],
                    error=None, workers=[engine_entry(e) for e in report.workers])


def engine_entry(engine: Any) -> dict:
    """The protocol's Engine for one :class:`~ipy_reimport.workers.EngineOutcome`: its counts
    and the first workers that are behind (or were not simply reloaded), one line each."""
    shown = [w for w in engine.workers if not w.current or w.files or w.error][:WORKER_DETAILS_SHOWN]
    return {"engine": engine.engine, "name": engine.name, "current": engine.current,
            "behind": engine.behind, "seconds": engine.seconds, "note": engine.note,
            "details": [{"worker": w.worker, "status": w.status, "message": w.what()} for w in shown]}


def failure_message(request_id: str, failure: ReloadFailed, cwd: str) -> dict:
    """A reload that failed and was rolled back."""
    error = {"module": failure.module, "path": relative_path(failure.location.file, cwd),
             "line": failure.location.line, "message": failure.detail,
             "rolled_back": True}
    return _message("result", request_id=request_id, ok=False, seconds=0.0, modules=[], checked=0,
                    skipped=[], error=error, workers=[])


def pong_message(request_id: str) -> dict:
    """The answer to a ``ping``: the kernel still serves this comm."""
    return _message("pong", request_id=request_id)


def goodbye_message(reason: str) -> dict:
    """The data of a ``comm_close``: ``unloaded`` (by the kernel), ``expired`` (the kernel did not
    hear from the panel for too long), ``page closed`` (by the panel)."""
    return _message("goodbye", reason=reason)


def error_message(error: BaseException, request_id: str | None = None) -> dict:
    """The answer to a request that could not be carried out: the one place where errors become
    the protocol's codes. A :class:`ProtocolError` (with the request's id when it could be read)
    and every :class:`~ipy_reimport.errors.ReimportError` carry their code; anything else is a
    bug, ``internal``."""
    if isinstance(error, ProtocolError):
        return _message("error", request_id=error.request_id, code=error.code, message=str(error))
    if isinstance(error, ReimportError):
        return _message("error", request_id=request_id, code=error.code, message=_one_line(str(error)))
    return _message("error", request_id=request_id, code="internal",
                    message=_one_line(f"{type(error).__name__}: {error}"))


def _one_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text
