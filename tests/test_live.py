"""``%stale --live``: one output kept up to date in a real kernel, with no cell run (issue 12)."""

from __future__ import annotations

import threading

import pytest
from IPython.core.error import UsageError

from panel_kernel import BASE, WATCHING, PanelKernel, Received


@pytest.fixture
def plain_kernel(pkg):
    """A kernel with the extension loaded (no panel connected), ``pkg.user`` imported, watching."""
    kernel = PanelKernel(str(pkg.root))
    try:
        kernel.run("%load_ext ipy_reimport\nimport pkg.user")
        assert kernel.run(WATCHING).strip() == "True"
        yield kernel
    finally:
        kernel.close()


def _display_id(received: Received) -> str | None:
    return received.msg["content"].get("transient", {}).get("display_id")


def _html(received: Received) -> str:
    return received.msg["content"]["data"]["text/html"]


def show_live(kernel: PanelKernel, line: str = "%stale --live") -> tuple[str, str]:
    """Run ``line``; returns the cell's msg_id and the display id of the live output it showed."""
    msg_id = kernel.start(line)
    shown = kernel.wait(lambda r: r.type == "display_data" and r.msg["parent_header"].get("msg_id") == msg_id)
    kernel.idle(msg_id)
    assert "data-module='pkg.base' data-state='fresh'" in _html(shown)
    assert "Live: updated at " in _html(shown)  # its age shows where a frontend stops updating it
    return msg_id, _display_id(shown)


def next_update(kernel: PanelKernel, display_id: str, showing: str = "", timeout: float = 10.0) -> Received:
    """The next update of the output ``display_id`` whose HTML contains ``showing``."""
    return kernel.wait(
        lambda r: r.type == "update_display_data" and _display_id(r) == display_id and showing in _html(r), timeout
    )


def updates(kernel: PanelKernel, display_id: str) -> list[Received]:
    return [r for r in kernel.log if r.type == "update_display_data" and _display_id(r) == display_id]


def test_a_save_and_a_reload_update_the_live_output_in_place_under_its_cell(plain_kernel, pkg):
    cell, display_id = show_live(plain_kernel)
    # A later cell becomes the kernel's current parent: the update must still belong to the live cell.
    later = plain_kernel.start("x = 1")
    plain_kernel.idle(later)
    before = len(plain_kernel.log)

    pkg.write("pkg/base.py", BASE.format(value=2))
    saved = next_update(plain_kernel, display_id)
    executed = [r for r in plain_kernel.log[before:] if r.type == "execute_input"]
    assert not executed, "the update came without any cell run"
    assert saved.msg["parent_header"]["msg_id"] == cell
    assert "data-module='pkg.base' data-state='stale'" in _html(saved)
    assert "data-module='pkg.user' data-state='dependent'" in _html(saved)
    assert "3 user modules: 1 stale, 1 dependent, 1 fresh" in saved.msg["content"]["data"]["text/plain"]

    plain_kernel.run("%reload_deep")
    reloaded = next_update(plain_kernel, display_id)
    assert reloaded.msg["parent_header"]["msg_id"] == cell
    assert "data-state='stale'" not in _html(reloaded) and "data-state='dependent'" not in _html(reloaded)


def test_a_new_live_view_takes_over_and_unload_ends_it(plain_kernel, pkg):
    _, first = show_live(plain_kernel)
    _, second = show_live(plain_kernel, "%stale --live --all")
    assert second != first
    retired = next_update(plain_kernel, first, "Not live any more: a newer %stale --live took over.")

    pkg.write("pkg/base.py", BASE.format(value=2))
    update = next_update(plain_kernel, second, "data-module='pkg.base' data-state='stale'")
    assert "data-module='sys'" in _html(update), "--all shows every loaded module"
    plain_kernel.run("pass")  # the update of the old view, if any, would have been sent with the new one's
    assert updates(plain_kernel, first) == [retired]

    plain_kernel.run("%unload_ext ipy_reimport")
    stopped = next_update(plain_kernel, second, "Not live any more: ipy_reimport was unloaded.")
    assert stopped is updates(plain_kernel, second)[-1]
    threads = plain_kernel.run("import threading; print([t.name for t in threading.enumerate()])")
    assert "ipy_reimport-live" not in threads


def test_in_a_terminal_live_says_in_one_line_that_it_needs_a_jupyter_frontend(ip):
    with pytest.raises(UsageError, match=r"^%stale --live needs a Jupyter frontend"):
        ip.run_line_magic("stale", "--live")
    assert not [t for t in threading.enumerate() if t.name == "ipy_reimport-live"]
