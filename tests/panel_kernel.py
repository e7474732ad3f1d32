"""A real ipykernel driven over jupyter_client the way the JupyterLab panel drives it."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
from jupyter_client.manager import start_new_kernel

from protocol_schema import assert_kernel_message

TARGET = "ipy_reimport"
VERSION = 2
# What the panel's Load button runs (docs/protocol.md, labextension/src/connection.ts).
LOAD_CODE = '%load_ext ipy_reimport\n__import__("ipy_reimport").open_panel_comm()'
# A cell that prints True once the kernel's file watcher is in place.
WATCHING = "import ipy_reimport; print(ipy_reimport.session().watcher.wait_ready())"
# pkg/base.py of the comm tests (the ``pkg`` fixture): it records when and on which thread it ran.
BASE = """
import builtins, threading
VALUE = {value}
SEEN_CELL_DONE = getattr(builtins, "cell_done", None)
THREAD = threading.current_thread().name
"""


def rows(message: dict) -> dict[str, dict]:
    """The rows of a snapshot or delta, by name."""
    return {row["name"]: row for row in message.get("modules", message.get("changed", []))}


@dataclass
class Received:
    """One iopub message, with the time it was read."""

    at: float
    msg: dict

    @property
    def type(self) -> str:
        return self.msg["msg_type"]

    @property
    def data(self) -> dict:
        return self.msg["content"].get("data", {})


def _checked(received: Received) -> Received:
    """Every message the kernel sends on a comm is held to the protocol's schema (except the
    empty comm_close with which ipykernel itself refuses a comm to a target nobody registered)."""
    content = received.msg["content"]
    if (
        received.type == "comm_msg"
        or (received.type == "comm_open" and content.get("target_name") == TARGET)
        or (received.type == "comm_close" and content.get("data") != {})
    ):
        assert_kernel_message(content.get("data"))
    return received


@dataclass
class PanelKernel:
    """A kernel started in ``cwd``, its client, and every iopub message read so far."""

    cwd: str
    log: list[Received] = field(default_factory=list)
    comm_id: str | None = None
    announcement_id: str | None = None

    def __post_init__(self) -> None:
        self.manager, self.client = start_new_kernel(kernel_name="python3", cwd=self.cwd)
        self._taken: set[int] = set()

    def close(self) -> None:
        self.client.stop_channels()
        self.manager.shutdown_kernel(now=True)

    # -- reading ---------------------------------------------------------------------------
    def wait(self, predicate: Callable[[Received], bool], timeout: float = 15.0) -> Received:
        """The first iopub message that satisfies ``predicate`` and was not returned before."""
        deadline = time.monotonic() + timeout
        while True:
            for index, received in enumerate(self.log):
                if index not in self._taken and predicate(received):
                    self._taken.add(index)
                    return received
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no matching message within {timeout} s; last: {[r.type for r in self.log[-8:]]}")
            try:
                msg = self.client.get_iopub_msg(timeout=min(remaining, 0.5))
            except Exception:
                continue
            self.log.append(_checked(Received(time.time(), msg)))

    def panel(self, kind: str, timeout: float = 15.0, comm_id: str | None = None, **match) -> dict:
        """The next message of type ``kind`` on the panel comm (or on ``comm_id``) with fields equal
        to ``match``; ``request_id`` also matches a snapshot whose ``request_ids`` hold it."""
        comm_id = comm_id or self.comm_id

        def matches(data: dict, key: str, value) -> bool:
            if key == "request_id" and "request_ids" in data:
                return value in data["request_ids"]
            return data.get(key) == value

        def wanted(r: Received) -> bool:
            return (
                r.type == "comm_msg"
                and r.msg["content"]["comm_id"] == comm_id
                and r.data.get("type") == kind
                and all(matches(r.data, k, v) for k, v in match.items())
            )

        return self.wait(wanted, timeout).data

    def panel_messages(self, comm_id: str | None = None) -> list[dict]:
        """Every message received on the panel comm (or on ``comm_id``) so far."""
        comm_id = comm_id or self.comm_id
        return [r.data for r in self.log if r.type == "comm_msg" and r.msg["content"]["comm_id"] == comm_id]

    # -- executing -------------------------------------------------------------------------
    def start(self, code: str) -> str:
        """Send an execute request without waiting; returns its msg_id."""
        return self.client.execute(code)

    def idle(self, msg_id: str, timeout: float = 30.0) -> Received:
        """Wait for the end of the execute request ``msg_id``."""
        return self.wait(
            lambda r: (
                r.type == "status"
                and r.msg["parent_header"].get("msg_id") == msg_id
                and r.msg["content"]["execution_state"] == "idle"
            ),
            timeout,
        )

    def run(self, code: str, timeout: float = 30.0) -> str:
        """Execute ``code``, wait until it ends, return its stdout; raise on an error."""
        msg_id = self.start(code)
        start = len(self.log)
        self.idle(msg_id, timeout)
        mine = [r for r in self.log[start:] if r.msg["parent_header"].get("msg_id") == msg_id]
        errors = [r.msg["content"] for r in mine if r.type == "error"]
        if errors:
            raise AssertionError(f"cell failed: {errors[0]['ename']}: {errors[0]['evalue']}")
        return "".join(
            r.msg["content"]["text"] for r in mine if r.type == "stream" and r.msg["content"]["name"] == "stdout"
        )

    def load_extension(self) -> dict:
        """Load the extension silently, as the panel's button does, then connect as the panel
        does: open its own comm and subscribe. Returns the snapshot."""
        self.client.execute(LOAD_CODE, silent=True, store_history=False)
        opened = self.wait(lambda r: r.type == "comm_open" and r.msg["content"]["target_name"] == TARGET)
        self.announcement_id = opened.msg["content"]["comm_id"]
        assert opened.data["type"] == "hello" and opened.data["v"] == VERSION
        self.comm_id = self.open_comm()
        return self.subscribe()

    def open_comm(self) -> str:
        """Open a comm from the client, as the panel does; returns its id."""
        comm_id = uuid.uuid4().hex
        self.client.shell_channel.send(
            self.client.session.msg("comm_open", {"comm_id": comm_id, "target_name": TARGET, "data": {}})
        )
        return comm_id

    def subscribe(self, comm_id: str | None = None, request_id: str = "sub") -> dict:
        """Subscribe ``comm_id`` (default: the panel comm); returns the snapshot answering it."""
        self.send({"v": VERSION, "type": "subscribe", "id": request_id}, comm_id=comm_id)
        return self.panel("snapshot", comm_id=comm_id, request_id=request_id)

    def close_comm(self, comm_id: str) -> None:
        """Close a comm from the client, with the panel's goodbye."""
        goodbye = {"v": VERSION, "type": "goodbye", "reason": "page closed"}
        self.client.shell_channel.send(self.client.session.msg("comm_close", {"comm_id": comm_id, "data": goodbye}))

    def open_comms(self) -> set[str]:
        """Ids of the comms of the target that the kernel has open (``comm_info``)."""
        reply = self.client.comm_info(target_name=TARGET, reply=True, timeout=10)
        return set(reply["content"]["comms"])

    # -- sending ---------------------------------------------------------------------------
    def send(self, data, subshell_id: str | None = None, comm_id: str | None = None) -> None:
        """A comm message from the panel (on a subshell when ``subshell_id`` is given)."""
        msg = self.client.session.msg("comm_msg", {"comm_id": comm_id or self.comm_id, "data": data})
        if subshell_id is not None:
            msg["header"]["subshell_id"] = subshell_id
        self.client.shell_channel.send(msg)

    def create_subshell(self) -> str:
        """A new kernel subshell (its own thread in ipykernel 7)."""
        info = self.client.kernel_info(reply=True, timeout=10)["content"]
        if "kernel subshells" not in info.get("supported_features", []):
            pytest.skip("this ipykernel has no subshells (ipykernel 7 has)")
        msg = self.client.session.msg("create_subshell_request", {})
        self.client.control_channel.send(msg)
        return self.client.control_channel.get_msg(timeout=10)["content"]["subshell_id"]

    def ipykernel_version(self) -> tuple[int, ...]:
        """The kernel's ipykernel version, e.g. ``(7, 4, 0)``."""
        text = self.run("import ipykernel; print(ipykernel.__version__)").strip()
        return tuple(int(part) for part in text.split(".")[:3] if part.isdigit())


@contextmanager
def panel_ready_kernel(cwd: str, first: str = "") -> Iterator[PanelKernel]:
    """A kernel in ``cwd`` that ran ``first``, loaded the extension, imported ``pkg.user`` (the
    ``pkg`` fixture) and watches its files, with the panel's comm subscribed."""
    kernel = PanelKernel(cwd)
    try:
        if first:
            kernel.run(first)
        kernel.load_extension()
        kernel.run("import pkg.user")
        kernel.panel("delta")
        assert kernel.run(WATCHING).strip() == "True"
        yield kernel
    finally:
        kernel.close()
