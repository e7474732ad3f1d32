"""The messages between the JupyterLab panel and the kernel (protocol version 2).

``docs/protocol.schema.json`` defines their shapes and ``docs/protocol.md`` what they mean.
:func:`parse_request` turns whatever the panel sent into a typed :class:`Request` or raises
:class:`ProtocolError` with the code to answer: it checks the version and the type itself (they
have their own codes), then the rest against the schema's definition of that type. The
``*_message`` functions build what the kernel sends. Nothing here touches ``sys.modules``,
imports or executes anything.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import fastjsonschema

from .errors import ReimportError, ReloadFailed
from .report import ReloadReport
from .states import ModuleStatus

__all__ = [
    "VERSION",
    "TARGET",
    "SCHEMA",
    "Scope",
    "Request",
    "ProtocolError",
    "parse_request",
    "row",
    "rows",
    "changes",
    "hello_message",
    "snapshot_message",
    "delta_message",
    "queued_message",
    "result_message",
    "failure_message",
    "error_message",
    "pong_message",
    "goodbye_message",
    "engine_entry",
]

VERSION = 2
WORKER_DETAILS_SHOWN = 20
TARGET = "ipy_reimport"
Scope = Literal["user", "all"]
IMPORTED_BY_SHOWN = 20


def _load_schema() -> dict:
    """The protocol's JSON Schema: in the installed package, or in ``docs/`` of a checkout."""
    here = Path(__file__).parent
    for path in (here / "protocol.schema.json", here.parent / "docs" / "protocol.schema.json"):
        if path.is_file():
            return json.loads(path.read_text(encoding="utf-8"))
    raise FileNotFoundError("protocol.schema.json is neither in the package nor in docs/")


SCHEMA = _load_schema()
_DEFS = SCHEMA["$defs"]
#: The schema's definition of each request type, by the ``type`` it carries.
_REQUESTS = {
    _DEFS[ref["$ref"].rpartition("/")[2]]["properties"]["type"]["const"]: ref["$ref"]
    for ref in _DEFS["PanelMessage"]["oneOf"]
}
_ID = _DEFS["RequestId"]


class ProtocolError(Exception):
    """A message that cannot be carried out; answered with an ``error`` message.

    Attributes:
        code: ``malformed``, ``version`` or ``unknown_type``.
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
        raise ProtocolError(
            "version", f"this kernel speaks protocol version {VERSION}; got {_short(data.get('v'))}", request_id
        )
    kind = data.get("type")
    if not isinstance(kind, str):
        raise ProtocolError("malformed", "the message has no 'type'", request_id)
    if kind not in _REQUESTS:
        raise ProtocolError("unknown_type", f"unknown message type {_short(kind)}", request_id)
    try:
        _validator(_REQUESTS[kind])(data)
    except fastjsonschema.JsonSchemaValueException as error:
        raise ProtocolError("malformed", _complaint(error), request_id) from None
    if kind == "reload":
        return Request(kind, data["id"], modules=tuple(dict.fromkeys(data["modules"])))
    return Request(kind, data["id"], scope=data["scope"] if kind == "set_scope" else None)


@functools.cache
def _validator(ref: str) -> Callable[[Any], Any]:
    """The compiled check of the schema's definition ``ref`` (compiled on first use)."""
    return fastjsonschema.compile({"$defs": _DEFS, "$ref": ref})


def _complaint(error: fastjsonschema.JsonSchemaValueException) -> str:
    """The validator's complaint in one short line, naming the field as the panel wrote it."""
    field = "".join(f"[{p}]" if p.isdigit() else f".{p}" for p in error.path[1:]).lstrip(".")
    where = f"'{field}'" if field else "the message"
    if error.rule == "pattern":
        return f"{where} is not a module name: {_short(error.value)}"
    return error.message.replace(error.name, where, 1)


def _read_id(value: Any) -> str | None:
    if isinstance(value, str) and _ID["minLength"] <= len(value) <= _ID["maxLength"]:
        return value
    return None


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
        "last_reload": None
        if last is None
        else {"at": last.at, "ok": last.ok, "seconds": last.seconds, "error": last.error},
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
    modules = [
        {
            "name": m.name,
            "seconds": m.seconds,
            "action": m.action,
            "reason": m.reason,
            "patched": list(m.patched),
            "replaced": [{"name": n, "reason": why} for n, why in m.replaced],
        }
        for m in shown
    ]
    return _message(
        "result",
        request_id=request_id,
        ok=True,
        seconds=report.seconds,
        modules=modules,
        checked=len(report.modules) - len(shown),
        skipped=[{"name": n, "reason": why} for n, why in report.skipped],
        error=None,
        workers=[engine_entry(e) for e in report.workers],
    )


def engine_entry(engine: Any) -> dict:
    """The protocol's Engine for one :class:`~ipy_reimport.workers.EngineOutcome`: its counts
    and the first workers that are behind (or were not simply reloaded), one line each."""
    shown = [w for w in engine.workers if not w.current or w.files or w.error][:WORKER_DETAILS_SHOWN]
    return {
        "engine": engine.engine,
        "name": engine.name,
        "current": engine.current,
        "behind": engine.behind,
        "seconds": engine.seconds,
        "note": engine.note,
        "details": [{"worker": w.worker, "status": w.status, "message": w.what()} for w in shown],
    }


def failure_message(request_id: str, failure: ReloadFailed, cwd: str) -> dict:
    """A reload that failed and was rolled back."""
    error = {
        "module": failure.module,
        "path": relative_path(failure.location.file, cwd),
        "line": failure.location.line,
        "message": failure.detail,
        "rolled_back": True,
    }
    return _message(
        "result",
        request_id=request_id,
        ok=False,
        seconds=0.0,
        modules=[],
        checked=0,
        skipped=[],
        error=error,
        workers=[],
    )


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
    return _message(
        "error", request_id=request_id, code="internal", message=_one_line(f"{type(error).__name__}: {error}")
    )


def _one_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text
