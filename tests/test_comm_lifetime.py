"""The panel's comms over a real ipykernel: nothing is sent without a panel, every request gets
exactly one reply, and comms of pages that are gone are closed (goodbye, or lease)."""

from __future__ import annotations

import time
from collections import Counter

import pytest

from panel_kernel import BASE, WATCHING, PanelKernel, panel_ready_kernel, rows

LEASE = 1.0


def _closed(kernel: PanelKernel, comm_id: str) -> dict:
    return kernel.wait(lambda r: r.type == "comm_close" and r.msg["content"]["comm_id"] == comm_id).data


def test_without_a_panel_the_kernel_sends_nothing_after_its_announcement(pkg):
    kernel = PanelKernel(str(pkg.root))
    try:
        kernel.run("%load_ext ipy_reimport")  # what a user does in any frontend (nbclient, VS Code)
        kernel.run("import pkg.user")
        assert kernel.run(WATCHING).strip() == "True"
        announced = [r for r in kernel.log if r.type == "comm_open"]
        assert [r.data["type"] for r in announced] == ["hello"]
        announcement = announced[0].msg["content"]["comm_id"]
        # A panel connects later; the save it sees as a delta would have reached every comm
        # that gets pushes, in the same push or before.
        kernel.comm_id = kernel.open_comm()
        assert rows(kernel.subscribe())["pkg.base"]["state"] == "fresh"
        pkg.write("pkg/base.py", BASE.format(value=2))
        assert rows(kernel.panel("delta"))["pkg.base"]["state"] == "stale"
        assert kernel.panel_messages(announcement) == []
        others = [r for r in kernel.log if r.type == "comm_msg" and r.msg["content"]["comm_id"] != kernel.comm_id]
        assert others == []
    finally:
        kernel.close()


def test_back_to_back_requests_each_get_exactly_one_reply(kernel):
    kinds = ["rescan", "rescan", "ping", "set_scope", "rescan", "subscribe"]
    sent = []
    for i in range(250):
        kind = kinds[i % len(kinds)]
        request = {"v": 2, "type": kind, "id": f"q{i}", **({"scope": "user"} if kind == "set_scope" else {})}
        kernel.send(request)
        sent.append(request["id"])
    kernel.send({"v": 2, "type": "rescan", "id": "last"})
    kernel.panel("snapshot", request_id="last", timeout=60)
    answers = Counter()
    for message in kernel.panel_messages():
        if message["type"] == "snapshot":
            answers.update(message["request_ids"])
        elif message["type"] in ("pong", "error"):
            answers[message["request_id"]] += 1
    assert {i: answers[i] for i in sent if answers[i] != 1} == {}


def test_pages_that_said_goodbye_leave_no_comm_and_get_no_push(kernel, pkg):
    for i in range(100):  # 100 page reloads: each page opens its comm, subscribes, says goodbye
        page = kernel.open_comm()
        kernel.subscribe(page, f"page{i}")
        kernel.close_comm(page)
    assert kernel.open_comms() == {kernel.announcement_id, kernel.comm_id}
    saved = len(kernel.log)
    pkg.write("pkg/base.py", BASE.format(value=2))
    assert rows(kernel.panel("delta"))["pkg.base"]["state"] == "stale"
    kernel.send({"v": 2, "type": "rescan", "id": "after"})
    kernel.panel("snapshot", request_id="after")
    deltas = [r for r in kernel.log[saved:] if r.type == "comm_msg" and r.data["type"] == "delta"]
    assert len(deltas) == 1


@pytest.fixture
def short_lease_kernel(pkg):
    with panel_ready_kernel(
        str(pkg.root), f"import ipy_reimport.bridge; ipy_reimport.bridge.LEASE_SECONDS = {LEASE}"
    ) as kernel:
        yield kernel


def test_pages_gone_without_goodbye_are_closed_when_their_lease_ends(short_lease_kernel, pkg):
    kernel = short_lease_kernel
    gone = [kernel.open_comm() for _ in range(5)]
    for index, page in enumerate(gone):
        kernel.subscribe(page, f"gone{index}")
    until = time.monotonic() + 1.5 * LEASE
    while time.monotonic() < until:  # the live page pings; the others went away silently
        kernel.send({"v": 2, "type": "ping", "id": "alive"})
        kernel.panel("pong", request_id="alive")
    saved = len(kernel.log)
    pkg.write("pkg/base.py", BASE.format(value=2))
    assert rows(kernel.panel("delta"))["pkg.base"]["state"] == "stale"
    for page in gone:
        assert _closed(kernel, page) == {"v": 2, "type": "goodbye", "reason": "expired"}
    assert kernel.open_comms() == {kernel.announcement_id, kernel.comm_id}
    assert not [r for r in kernel.log[saved:] if r.type == "comm_msg" and r.msg["content"]["comm_id"] in gone]


def test_time_in_a_cell_does_not_count_against_the_lease(short_lease_kernel, pkg):
    """During a synchronous cell the kernel reads no pings: a silent panel is not closed for it."""
    pkg.write("pkg/late.py", "LATE = 1\n")
    kernel = short_lease_kernel
    kernel.run(f"import time; time.sleep({3 * LEASE}); import pkg.late")
    assert "pkg.late" in rows(kernel.panel("delta"))
    assert kernel.comm_id in kernel.open_comms()


def test_the_kernel_announces_itself_again_when_the_last_panel_leaves(kernel):
    kernel.close_comm(kernel.announcement_id)  # a frontend without the panel closed it
    kernel.close_comm(kernel.comm_id)  # the only page goes away
    reopened = kernel.wait(lambda r: r.type == "comm_open" and r.msg["content"]["target_name"] == "ipy_reimport")
    assert reopened.data["type"] == "hello"
    assert kernel.open_comms() == {reopened.msg["content"]["comm_id"]}
