"""The panel's comm, end to end with a real ipykernel over jupyter_client (no browser)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from ipy_reimport.protocol import ProtocolError, parse_request
from panel_kernel import BASE, PanelKernel, rows


def test_load_opens_comm_and_snapshot_lists_modules_imported_before(pkg):
    kernel = PanelKernel(str(pkg.root))
    try:
        kernel.run("import pkg.user")
        snapshot = kernel.load_extension()
    finally:
        kernel.close()
    listed = rows(snapshot)
    assert snapshot["scope"] == "user" and snapshot["request_ids"] == ["sub"]
    assert set(listed) == {"pkg", "pkg.base", "pkg.user"}
    assert listed["pkg.base"]["path"] == "pkg/base.py"
    assert listed["pkg.base"]["imported_by"] == ["pkg.user"] and listed["pkg.base"]["importers"] == 1
    assert all(row["state"] == "fresh" and row["last_reload"] is None for row in listed.values())


def test_the_extension_has_one_hook_per_cell_event_in_a_kernel(kernel):
    count = (
        "ip = get_ipython(); print([sum(type(getattr(c, '__self__', None)).__module__.startswith('ipy_reimport')"
        " for c in ip.events.callbacks[e]) for e in ('pre_run_cell', 'post_run_cell')])"
    )
    assert kernel.run(count).strip() == "[1, 1]"


def test_a_cell_that_imports_sends_a_delta(pkg):
    kernel = PanelKernel(str(pkg.root))
    try:
        assert kernel.load_extension()["modules"] == []
        kernel.run("import pkg.user")
        delta = kernel.panel("delta")
    finally:
        kernel.close()
    assert set(rows(delta)) == {"pkg", "pkg.base", "pkg.user"} and delta["removed"] == []


def test_a_saved_file_turns_stale_without_any_cell(kernel, pkg):
    before = len(kernel.log)
    pkg.write("pkg/base.py", BASE.format(value=2))
    changed = rows(kernel.panel("delta"))
    assert changed["pkg.base"]["state"] == "stale"
    assert changed["pkg.user"]["state"] == "dependent"
    assert [r.type for r in kernel.log[before:]] == ["comm_msg"]


def test_reload_answers_with_the_order_and_rows_turn_fresh(kernel, pkg):
    pkg.write("pkg/base.py", BASE.format(value=2))
    kernel.panel("delta")
    kernel.send({"v": 2, "type": "reload", "id": "r1", "modules": ["pkg.base"]})
    fresh = rows(kernel.panel("delta"))
    result = kernel.panel("result", request_id="r1")
    assert result["ok"] and result["error"] is None
    assert [m["name"] for m in result["modules"]] == ["pkg.base", "pkg.user"]
    assert {fresh["pkg.base"]["state"], fresh["pkg.user"]["state"]} == {"fresh"}
    assert fresh["pkg.base"]["last_reload"]["ok"] is True
    assert kernel.run("print(pkg.user.VALUE)").strip() == "2"


def test_reload_stale_reloads_what_is_stale_and_nothing_when_nothing_is(kernel, pkg):
    kernel.send({"v": 2, "type": "reload_stale", "id": "r0"})
    assert kernel.panel("result", request_id="r0")["modules"] == []
    pkg.write("pkg/base.py", BASE.format(value=3))
    kernel.panel("delta")
    kernel.send({"v": 2, "type": "reload_stale", "id": "r1"})
    result = kernel.panel("result", request_id="r1")
    assert [m["name"] for m in result["modules"]] == ["pkg.base", "pkg.user"]
    assert kernel.run("print(pkg.user.VALUE)").strip() == "3"


def test_a_failing_reload_reports_where_and_rolls_back(kernel, pkg):
    pkg.write("pkg/base.py", "VALUE = (\n")
    kernel.panel("delta")
    kernel.send({"v": 2, "type": "reload", "id": "r1", "modules": ["pkg.base"]})
    result = kernel.panel("result", request_id="r1")
    assert result["ok"] is False and result["modules"] == []
    error = result["error"]
    assert error["module"] == "pkg.base" and error["path"] == "pkg/base.py" and error["line"] == 1
    assert error["message"].startswith("SyntaxError") and error["rolled_back"] is True
    kernel.send({"v": 2, "type": "rescan", "id": "s1"})
    after = rows(kernel.panel("snapshot", request_id="s1"))
    assert after["pkg.base"]["state"] == "stale" and after["pkg.user"]["state"] == "dependent"
    last = after["pkg.base"]["last_reload"]
    assert last["ok"] is False and last["error"].startswith("SyntaxError")
    assert last["error"].endswith("(base.py, line 1)") and str(pkg.root) not in last["error"]
    assert kernel.run("print(pkg.user.VALUE, pkg.base.VALUE)").strip() == "1 1"


# A statement added: the module re-executes (an edit of VALUE alone would run just that line),
# and records when and on which thread it ran.
REEXECUTING_EDIT = BASE.format(value=2) + "EDITED = True\n"

LONG_CELLS = {
    "sync": "import time, builtins\ntime.sleep(1.5)\nbuiltins.cell_done = True",
    "async": "import asyncio, builtins\nawait asyncio.sleep(1.5)\nbuiltins.cell_done = True",
}


@pytest.mark.parametrize("on_subshell", [False, True], ids=["shell", "subshell"])
@pytest.mark.parametrize("cell", sorted(LONG_CELLS))
def test_a_reload_requested_during_a_cell_runs_after_it_ends(kernel, pkg, cell, on_subshell):
    subshell = kernel.create_subshell() if on_subshell else None
    kernel.run("import builtins; builtins.cell_done = False")
    pkg.write("pkg/base.py", REEXECUTING_EDIT)
    kernel.panel("delta")
    running = kernel.start(LONG_CELLS[cell])
    kernel.wait(lambda r: r.type == "execute_input" and r.msg["parent_header"]["msg_id"] == running)
    kernel.send({"v": 2, "type": "reload", "id": "r1", "modules": ["pkg.base"]}, subshell)
    result = kernel.panel("result", request_id="r1")
    assert result["ok"]
    assert kernel.run("print(pkg.base.SEEN_CELL_DONE, pkg.base.THREAD)").split() == ["True", "MainThread"]
    if cell == "async" and kernel.ipykernel_version() >= (7, 4):
        # ipykernel 7.4 dispatches comm messages while a cell awaits: the kernel says it waits.
        assert {"v": 2, "type": "queued", "request_id": "r1"} in kernel.panel_messages()


def test_a_request_handled_off_the_main_thread_is_queued_until_the_cell_ends(kernel, pkg):
    """What a kernel that runs comm handlers on a subshell thread does (ipykernel 7 can)."""
    pkg.write("pkg/base.py", REEXECUTING_EDIT)
    kernel.panel("delta")
    kernel.run(
        _DELIVER_FROM_THREAD.format(comm_id=kernel.comm_id, delay=0.0) + "time.sleep(1.0)\nbuiltins.cell_done = True\n"
    )
    assert kernel.panel("queued", request_id="t1")
    kernel.panel("result", request_id="t1")
    assert kernel.run("print(pkg.base.SEEN_CELL_DONE, pkg.base.THREAD)").split() == ["True", "MainThread"]


def test_a_request_handled_off_the_main_thread_while_idle_runs_on_the_main_thread(kernel, pkg):
    pkg.write("pkg/base.py", REEXECUTING_EDIT)
    kernel.panel("delta")
    kernel.run(_DELIVER_FROM_THREAD.format(comm_id=kernel.comm_id, delay=0.3))
    assert kernel.panel("result", request_id="t1")["ok"]
    assert kernel.run("print(pkg.base.THREAD)").strip() == "MainThread"
    assert not any(m["type"] == "queued" for m in kernel.panel_messages())


_DELIVER_FROM_THREAD = """
import builtins, threading, time
builtins.cell_done = False
_comm = get_ipython().kernel.comm_manager.get_comm({comm_id!r})
_msg = {{"content": {{"comm_id": {comm_id!r},
         "data": {{"v": 2, "type": "reload", "id": "t1", "modules": ["pkg.base"]}}}}}}
_thread = threading.Thread(target=lambda: (time.sleep({delay}), _comm.handle_msg(_msg)))
_thread.start()
_thread.join() if {delay} == 0 else None
"""


def test_set_scope_and_rescan_answer_with_snapshots(kernel):
    kernel.send({"v": 2, "type": "set_scope", "id": "s1", "scope": "all"})
    everything = kernel.panel("snapshot", request_id="s1")
    assert everything["scope"] == "all"
    listed = rows(everything)
    assert "json" in listed and listed["json"]["user"] is False and "pkg.base" in listed
    assert listed["sys"]["state"] == "unreloadable" and listed["sys"]["reason"]
    kernel.send({"v": 2, "type": "set_scope", "id": "s2", "scope": "user"})
    assert set(rows(kernel.panel("snapshot", request_id="s2"))) == {"pkg", "pkg.base", "pkg.user"}


def test_requests_for_modules_that_are_not_loaded_or_not_reloadable_change_nothing(kernel):
    for name, code in [
        ("antigravity", "unknown_module"),
        ("pkg.nothere", "unknown_module"),
        ("sys", "unreloadable"),
        ("json", "not_yours"),
        ("ipykernel.kernelbase", "not_yours"),
    ]:
        kernel.send({"v": 2, "type": "reload", "id": "x", "modules": ["pkg.base", name]})
        error = kernel.panel("error", request_id="x")
        assert error["code"] == code and name in error["message"]
    assert kernel.run("import sys; print('antigravity' in sys.modules)").strip() == "False"
    kernel.send({"v": 2, "type": "rescan", "id": "s"})
    assert all(row["last_reload"] is None for row in rows(kernel.panel("snapshot", request_id="s")).values())


def test_rows_say_whether_the_panel_may_reload_them_and_a_reload_is_refused_the_same_way(kernel, pkg):
    pkg.write("pkg/gone.py", "G = 1\n")
    kernel.run("import pkg.gone")
    pkg.path("pkg/gone.py").unlink()
    kernel.send({"v": 2, "type": "set_scope", "id": "s1", "scope": "all"})
    kernel.panel("snapshot", request_id="s1")
    kernel.send({"v": 2, "type": "rescan", "id": "s2"})
    listed = rows(kernel.panel("snapshot", request_id="s2"))
    assert listed["pkg.base"]["reload_blocked"] is None and listed["pkg.gone"]["state"] == "missing"
    for name, code in [("json", "not_yours"), ("sys", "unreloadable"), ("pkg.gone", "refused")]:
        kernel.send({"v": 2, "type": "reload", "id": name, "modules": ["pkg.base", name]})
        error = kernel.panel("error", request_id=name)
        assert (error["code"], error["message"]) == (code, listed[name]["reload_blocked"])
    assert "not one of your modules" in listed["json"]["reload_blocked"]
    assert listed["pkg.gone"]["reload_blocked"] == "cannot reload pkg.gone: source file deleted"


# -- junk: every malformed message gets exactly one error and changes nothing -----------------
_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=8), inner, max_size=5),
    max_leaves=15,
)
_names = st.sampled_from(
    [
        "antigravity",
        "this",
        "pkg.nothere",
        "os",
        "sys",
        "json",
        "ipykernel.kernelbase",
        "__main__",
        "pkg..base",
        "pkg.base; import os",
        "../pkg",
        "",
        "a" * 300,
    ]
)
_near_valid = st.fixed_dictionaries(
    {
        "v": st.sampled_from([2, 2, 2, 0, 1, 3, "2", True, None]),
        "type": st.sampled_from(
            ["reload", "reload_stale", "rescan", "set_scope", "subscribe", "ping", "exec", "", None, 1]
        ),
        "id": st.sampled_from(["j", "", None, 5, "x" * 65]) | st.text(min_size=1, max_size=5),
    },
    optional={
        "modules": st.lists(_names | _json, max_size=4)
        | _json
        | st.just(["pkg.base"] * 1001)
        | st.just([f"m{i}" for i in range(5000)]),
        "scope": st.sampled_from(["user", "all", "everything", None, 3]) | _json,
    },
)

_reload_of_foreign_names = st.lists(_names, min_size=1, max_size=3).map(
    lambda names: {"v": 2, "type": "reload", "id": "j", "modules": names}
)


def _is_junk(data) -> bool:
    """What the protocol rejects, or a reload of something the panel may not reload."""
    try:
        request = parse_request(data)
    except ProtocolError:
        return True
    return request.type == "reload" and any(
        not name.startswith("pkg.") or name == "pkg.nothere" for name in request.modules
    )


@pytest.fixture
def junk_kernel(kernel):
    kernel.run("import sys; before = set(sys.modules)")
    return kernel


def test_junk_gets_an_error_reply_and_changes_nothing(junk_kernel):
    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(
        data=_json
        | _near_valid
        | _reload_of_foreign_names
        | st.text(max_size=2000).map(lambda t: {"v": 2, "type": "reload", "id": t})
    )
    def send_junk(data):
        assume(_is_junk(data))
        junk_kernel.send(data)
        reply = junk_kernel.wait(lambda r: r.type == "comm_msg" and r.data.get("type") != "delta").data
        assert reply["type"] == "error" and reply["code"] in CODES and reply["message"]
        assert "\n" not in reply["message"]

    send_junk()
    assert junk_kernel.run("print(sorted(set(sys.modules) - before))").strip() == "[]"
    junk_kernel.send({"v": 2, "type": "rescan", "id": "s"})
    listed = rows(junk_kernel.panel("snapshot", request_id="s"))
    assert set(listed) == {"pkg", "pkg.base", "pkg.user"}
    assert all(row["state"] == "fresh" and row["last_reload"] is None for row in listed.values())


CODES = {"malformed", "version", "unknown_type", "unknown_module", "unreloadable", "not_yours"}


def test_unloading_closes_the_comms_and_removes_the_target(kernel):
    assert _panel_can_open(kernel)
    kernel.run("%unload_ext ipy_reimport")
    for comm_id in (kernel.comm_id, kernel.announcement_id):
        closed = kernel.wait(
            lambda r, comm_id=comm_id: r.type == "comm_close" and r.msg["content"]["comm_id"] == comm_id
        )
        assert closed.data == {"v": 2, "type": "goodbye", "reason": "unloaded"}
    assert not _panel_can_open(kernel)
    assert (
        kernel.run(
            "import threading; print([t.name for t in threading.enumerate() if t.name.startswith('ipy_reimport')])"
        ).strip()
        == "[]"
    )


def test_loading_again_reopens_a_comm_that_a_frontend_closed(kernel):
    kernel.close_comm(kernel.comm_id)  # the panel leaves; the announcement is still open
    kernel.close_comm(kernel.announcement_id)  # a frontend without the panel closes it
    assert kernel.open_comms() == set()
    snapshot = kernel.load_extension()
    assert set(rows(snapshot)) == {"pkg", "pkg.base", "pkg.user"}


def _panel_can_open(kernel: PanelKernel) -> bool:
    """Open a comm from the client the way the panel does: the kernel answers with a snapshot
    when the target is registered, and closes the comm when it is not."""
    comm_id = kernel.open_comm()
    kernel.send({"v": 2, "type": "subscribe", "id": "probe"}, comm_id=comm_id)
    answer = kernel.wait(lambda r: r.type in ("comm_msg", "comm_close") and r.msg["content"]["comm_id"] == comm_id)
    return answer.type == "comm_msg" and answer.data["type"] == "snapshot"
