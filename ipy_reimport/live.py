"""``%stale --live``: one output of a notebook that keeps showing the module states.

Data flows one way: the tracker's change notifications poke a :class:`Coalescer`, whose thread
computes the table and sends it as an ``update_display_data`` to the output that
``%stale --live`` created. With no live view, nothing is subscribed and nothing runs.

Frontends route an update by its ``display_id`` (JupyterLab, Notebook 7, VS Code), some by its
parent header. A thread without a parent of its own publishes under ipykernel's *global* parent,
the execute request that ran last; every message of a live view is therefore sent under the
header of the cell that created it.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from .coalescer import Coalescer
from .events import ModulesChanged
from .report import StatusTable

__all__ = ["LiveStatus"]

log = logging.getLogger(__name__)

#: The shortest time between two updates of the live output, in seconds (a burst of saves is
#: one update; jupyter_server drops iopub messages above about 1,000 per second).
UPDATE_INTERVAL = 0.1


class LiveStatus:
    """The live ``%stale`` output of one kernel (at most one; a new one takes over).

    Args:
        shell: the kernel's shell (its ``display_pub`` publishes the updates).
        subscribe: subscribes a listener to the tracker's notifications; returns the unsubscriber.
        table: computes the current table (``everything``: every module, not only the user's).
    """

    def __init__(
        self,
        shell: Any,
        subscribe: Callable[[Callable[[ModulesChanged], None]], Callable[[], None]],
        table: Callable[[bool], StatusTable],
    ) -> None:
        self.shell = shell
        self._subscribe = subscribe
        self._table = table
        self._lock = threading.Lock()
        self._view: _View | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._pusher: Coalescer | None = None

    @property
    def display_id(self) -> str | None:
        """The display id of the output that is live now, if any."""
        view = self._view
        return view.display_id if view is not None else None

    def show(self, everything: bool = False) -> None:
        """Display the table as a new output that stays live; the previous live output stops."""
        view = _View(self.shell, uuid.uuid4().hex, everything)
        view.display(self._table(everything))
        with self._lock:
            previous, self._view = self._view, view
            if self._unsubscribe is None:
                self._pusher = Coalescer(self._push, UPDATE_INTERVAL, name="ipy_reimport-live")
                self._unsubscribe = self._subscribe(self._changed)
        if previous is not None:
            previous.retire(self._table(previous.everything), "a newer %stale --live took over")

    def stop(self) -> None:
        """End the live view (``%unload_ext``): no subscription and no thread remain."""
        with self._lock:
            view, self._view = self._view, None
            unsubscribe, self._unsubscribe = self._unsubscribe, None
            pusher, self._pusher = self._pusher, None
        if unsubscribe is not None:
            unsubscribe()
        if pusher is not None:
            pusher.stop()
        if view is not None:
            view.retire(self._table(view.everything), "ipy_reimport was unloaded")

    def _changed(self, change: ModulesChanged) -> None:
        pusher = self._pusher
        if pusher is not None:
            pusher.poke()

    def _push(self) -> None:
        view = self._view
        if view is not None:
            view.update(self._table(view.everything))


class _View:
    """One live output: its display id, the cell that created it, and what it shows."""

    def __init__(self, shell: Any, display_id: str, everything: bool) -> None:
        self.shell = shell
        self.display_id = display_id
        self.everything = everything
        # the header of the execute request running now (ipykernel's display publisher has it)
        self.parent = dict(getattr(shell.display_pub, "parent_header", None) or {})
        self._shown: dict | None = None
        self._retired = False
        self._lock = threading.Lock()  # an update being sent finishes before the view retires

    def display(self, table: StatusTable) -> None:
        """Show ``table`` as a new output (on the main thread, in the creating cell)."""
        with self._lock:
            self._publish(table, update=False)

    def update(self, table: StatusTable) -> None:
        """Replace the output by ``table``, unless it would look the same or the view retired."""
        with self._lock:
            if not self._retired:
                self._publish(table, update=True)

    def retire(self, table: StatusTable, why: str) -> None:
        """Show ``table`` one last time, marked as no longer live."""
        table.note = f"Not live any more: {why}."
        with self._lock:
            self._retired = True
            self._publish(table, update=True)

    def _publish(self, table: StatusTable, update: bool) -> None:
        data, metadata = self.shell.display_formatter.format(table)
        if update and data == self._shown:
            return
        self._shown = data
        if not table.note:
            # a frontend that stops applying updates (a page reloaded) then shows its age
            table.note = f"Live: updated at {time.strftime('%H:%M:%S')}, after every save and reload."
            data, metadata = self.shell.display_formatter.format(table)
        publisher = self.shell.display_pub
        publisher.register_hook(self._under_parent)  # the hooks are the calling thread's own
        try:
            publisher.publish(data, metadata, transient={"display_id": self.display_id}, update=update)
        finally:
            publisher.unregister_hook(self._under_parent)

    def _under_parent(self, msg: dict) -> dict:
        """Send the message as output of the cell that created the view."""
        if self.parent:
            msg["parent_header"] = self.parent
        return msg
