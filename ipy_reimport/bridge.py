"""The kernel's end of the JupyterLab panel: one comm target, snapshots, deltas and reloads.

Data flows one way: the tracker tells the bridge which modules changed, a :class:`Coalescer`
turns bursts of changes into one ``delta`` per subscribed comm. Requests from the panel go through
:func:`~ipy_reimport.protocol.parse_request` and then to the same ``reload_deep`` the magics
call. A reload never runs concurrently with user code: one that arrives while a cell runs (or on
another thread) is queued and run on the main thread when the cell ends.

Comms (docs/protocol.md, "Comms and their lifetime"): the kernel opens one *announcement* comm
when the extension loads and sends nothing else on it; each panel opens its own comm and sends
``subscribe``. Only subscribed comms get pushes, so a frontend without the panel gets nothing.
A panel's comm is closed when the panel closes it (page unload) or when the kernel has not heard
from it for :data:`LEASE_SECONDS` of time without a running cell (a page that vanished).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .coalescer import Coalescer
from .errors import ReloadFailed, UsageProblem
from .events import ModulesChanged
from .mainthread import MainThreadQueue
from .protocol import (
    TARGET,
    ProtocolError,
    Request,
    Scope,
    changes,
    delta_message,
    error_message,
    failure_message,
    goodbye_message,
    hello_message,
    parse_request,
    pong_message,
    queued_message,
    result_message,
    rows,
    snapshot_message,
)
from .session import Reimporter

__all__ = ["PanelBridge", "LEASE_SECONDS"]

log = logging.getLogger(__name__)

PUSH_INTERVAL = 0.05
#: A panel's comm that sent nothing for this long (not counting time in cells) is closed. The
#: panel pings every 30 s; background tabs may delay timers to once a minute.
LEASE_SECONDS = 180.0


@dataclass(eq=False)
class _Link:
    """One open comm: its scope, the rows last sent on it, the requests a snapshot must answer."""

    comm: Any
    scope: Scope
    heard: float | None = None  # when the panel last sent anything; None: never (announcement)
    subscribed: bool = False
    sent: dict[str, dict] | None = None
    owed: list[str] = field(default_factory=list)
    recheck: bool = False
    closed: bool = False

    @property
    def due(self) -> bool:
        """Whether a push would send it something: a snapshot owed, or a delta."""
        return bool(self.owed) or (self.subscribed and self.sent is not None)

    def silent(self, now: float, idle_since: float, lease: float) -> bool:
        """Whether the panel sent nothing for longer than ``lease`` seconds, not counting time
        in cells (the kernel has been idle since ``idle_since``)."""
        return self.heard is not None and now - max(self.heard, idle_since) > lease

    def send(self, message: dict) -> None:
        if not self.closed:
            self.comm.send(message)

    def push(self, current: dict[str, dict], owed: list[str]) -> None:
        """Send the rows ``current``: a snapshot when requests are owed one, else what changed."""
        if owed:
            self.sent = current
            self.send(snapshot_message(self.scope, list(current.values()), owed))
            return
        changed, removed = changes(self.sent or {}, current)
        if changed or removed:
            self.sent = current
            self.send(delta_message(self.scope, changed, removed))


class PanelBridge:
    """Serves the ``ipy_reimport`` comm target of one kernel.

    Args:
        shell: the kernel's ``ZMQInteractiveShell``.
        reimporter: the session whose tracker and reloads the panel shows.
        comm_module: the ``comm`` package (its ``get_comm_manager`` and ``create_comm``).
        version: ipy_reimport's version, sent in ``hello``.
    """

    def __init__(self, shell: Any, reimporter: Reimporter, comm_module: Any, version: str) -> None:
        self.reimporter = reimporter
        self.tracker = reimporter.tracker
        self.lease = LEASE_SECONDS
        self._comm = comm_module
        self._version = version
        self._links: dict[str, _Link] = {}
        self._scope: Scope = "user"
        self._main = MainThreadQueue(shell)
        self._lock = threading.RLock()
        self._flush_lock = threading.Lock()
        self._pusher = Coalescer(self.flush, PUSH_INTERVAL, name="ipy_reimport-panel")
        self._detach: list[Callable[[], None]] = []

    @classmethod
    def attach(cls, shell: Any, reimporter: Reimporter, version: str) -> PanelBridge | None:
        """Start a bridge when ``shell`` runs in a kernel that has the ``comm`` package, else None."""
        if getattr(shell, "kernel", None) is None:
            return None
        try:
            import comm
        except ImportError:
            return None
        bridge = cls(shell, reimporter, comm, version)
        bridge.start()
        return bridge

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> None:
        """Register the comm target, follow the session's cells and modules, and announce the
        extension."""
        self._comm.get_comm_manager().register_target(TARGET, self._opened_by_panel)
        self._detach = [
            self.reimporter.cells.add(self._main.cell_started, self._main.cell_ended),
            self.tracker.subscribe(self._modules_changed),
        ]
        self.ensure_open()

    def ensure_open(self) -> None:
        """Open the announcement comm (``hello``) unless some comm is open: panels that are open
        learn that the extension is loaded, and later pages find the target in ``comm_info``."""
        with self._lock:
            if self._links:
                return
        self._adopt(self._comm.create_comm(target_name=TARGET, data=hello_message(self._version)), None)

    def stop(self) -> None:
        """Close every comm and remove the target, the hooks and the push thread."""
        for detach in self._detach:
            detach()
        manager = self._comm.get_comm_manager()
        if manager.targets.get(TARGET) == self._opened_by_panel:
            manager.unregister_target(TARGET, self._opened_by_panel)
        self._pusher.stop()
        with self._lock:
            links, self._links = list(self._links.values()), {}
        for link in links:
            self._close(link, "unloaded")

    def _opened_by_panel(self, comm: Any, message: dict) -> None:
        self._adopt(comm, time.monotonic())

    def _adopt(self, comm: Any, heard: float | None) -> None:
        link = _Link(comm, self._scope, heard)
        with self._lock:
            self._links[comm.comm_id] = link
        comm.on_msg(lambda message: self._received(link, message))
        comm.on_close(lambda message: self._closed(link))

    def _closed(self, link: _Link) -> None:
        """The frontend closed the comm (the panel's goodbye, or a frontend without the panel)."""
        link.closed = True
        with self._lock:
            self._links.pop(link.comm.comm_id, None)
            announce = link.heard is not None and not self._links
        if announce:
            self._main.call_on_main(self.ensure_open)

    def _close(self, link: _Link, reason: str) -> None:
        link.closed = True
        try:
            link.comm.close(data=goodbye_message(reason))
        except Exception:
            log.debug("closing a panel comm failed", exc_info=True)

    def _expire(self) -> None:
        """Close the panels' comms that have been silent longer than the lease (time in cells
        does not count: during a cell the kernel may not read their pings)."""
        now = time.monotonic()
        with self._lock:
            if self._main.in_cell:
                return
            idle_since = self._main.idle_since
            expired = [link for link in self._links.values() if link.silent(now, idle_since, self.lease)]
            for link in expired:
                link.closed = True
                del self._links[link.comm.comm_id]
            announce = bool(expired) and not self._links
        for link in expired:
            self._main.call_on_main(lambda link=link: self._close(link, "expired"))
        if announce:
            self._main.call_on_main(self.ensure_open)

    # -- pushes ----------------------------------------------------------------------------
    def _modules_changed(self, change: ModulesChanged) -> None:
        if any(link.subscribed for link in list(self._links.values())):
            self._pusher.poke()

    def flush(self) -> None:
        """Send each comm the snapshot its requests are owed, and each subscribed comm what changed
        since its last push. Nothing at all when no panel subscribed or asked.

        Runs on the push thread (and on the main thread after a reload), never holding the lock
        that the per-cell hooks take while it computes.
        """
        self._expire()
        with self._flush_lock:
            with self._lock:
                work = [(link, link.owed, link.recheck) for link in self._links.values() if link.due]
                for link, _, _ in work:
                    link.owed, link.recheck = [], False
            rechecks = [link.scope == "all" for link, owed, recheck in work if recheck]
            if rechecks:
                self.tracker.refresh(any(rechecks))
            current: dict[str, dict[str, dict]] = {}
            for link, owed, _ in work:
                if link.scope not in current:
                    current[link.scope] = self._rows(link.scope)
                link.push(current[link.scope], owed)

    def _rows(self, scope: Scope) -> dict[str, dict]:
        statuses = self.tracker.statuses(scope == "all", refresh=False)
        return rows(statuses, os.getcwd(), self._reload_blocked)

    def _reload_blocked(self, name: str) -> str | None:
        refusal = self.reimporter.reloader.panel_refusal(name)
        return None if refusal is None else str(refusal)

    # -- requests --------------------------------------------------------------------------
    def _received(self, link: _Link, message: dict) -> None:
        data = message.get("content", {}).get("data")
        link.heard = time.monotonic()
        request = None
        try:
            request = parse_request(data)
            self._serve(link, request)
        except Exception as error:
            link.send(_error_answer(error, request))

    def _serve(self, link: _Link, request: Request) -> None:
        if request.type == "ping":
            link.send(pong_message(request.id))
        elif request.type in ("reload", "reload_stale"):
            self._check_panel_may_reload(request.modules)
            if self._main.submit(lambda: self._reload(link, request)):
                link.send(queued_message(request.id))
        else:
            with self._lock:
                if request.type == "set_scope":
                    link.scope = self._scope = request.scope
                link.subscribed = link.subscribed or request.type == "subscribe"
                link.recheck = link.recheck or request.type == "rescan"
                link.owed.append(request.id)
            self._pusher.poke()

    def _check_panel_may_reload(self, names: tuple[str, ...]) -> None:
        """Raise the reloader's refusal of the first of ``names`` the panel may not reload."""
        if names:
            self.tracker.sync()
        for name in names:
            refusal = self.reimporter.reloader.panel_refusal(name)
            if refusal is not None:
                raise refusal

    def _reload(self, link: _Link, request: Request) -> None:
        cwd = os.getcwd()
        try:
            answer = result_message(request.id, self.reimporter.reload_deep(*request.modules))
        except ReloadFailed as failure:
            answer = failure_message(request.id, failure, cwd)
        except Exception as error:
            answer = _error_answer(error, request)
        self.flush()
        link.send(answer)


def _error_answer(error: Exception, request: Request | None) -> dict:
    """The ``error`` message for a request that ended in ``error`` (a bug is logged too)."""
    if not isinstance(error, (ProtocolError, UsageProblem)):
        log.error("ipy_reimport panel request failed", exc_info=error)
    return error_message(error, request.id if request is not None else None)
