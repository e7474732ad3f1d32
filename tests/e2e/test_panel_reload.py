"""A user's session with the panel: load the extension from the panel, see imported modules,
save a file and watch the rows turn stale with no cell run, reload from a row, survive a broken
edit, and click reload while a cell is still running. The first four run in JupyterLab and in
Notebook 7 (the panel in the notebook page's left area), with no console error in either.

Each test starts from its own notebook, kernel and copy of the small package ``pkg``
(``pkg/base.py`` defines ``VALUE = 1`` and ``double``; ``pkg/user.py`` does
``from .base import VALUE, double``). Screenshots: ``test-artifacts/e2e/<test>/``.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .harness import FRONTENDS

# The scenarios every frontend must pass (the `frontend` fixture is in conftest.py).
IN_BOTH_FRONTENDS = pytest.mark.parametrize("frontend", FRONTENDS, indirect=True)

BROKEN_BASE = """\
    VALUE = 3

    def broken(:
        return VALUE
    """
BROKEN_LINE = 3


@IN_BOTH_FRONTENDS
def test_load_button_connects_and_imported_modules_appear_fresh(lab, project):
    lab.open_notebook(project.notebook())
    lab.panel.open()
    lab.panel.expect_connection("no-extension")
    expect(lab.panel.rows()).to_have_count(0)
    lab.shot("no-extension")

    lab.panel.button("load-extension").click()
    lab.panel.expect_connection("connected")
    expect(lab.panel.button("load-extension")).to_be_hidden()
    lab.shot("connected")

    cell = lab.run_cell("import pkg.user")
    # The load button ran %load_ext silently: it used no execution count.
    expect(cell.locator(".jp-InputPrompt")).to_have_text("[1]:")
    for name in ("pkg", "pkg.base", "pkg.user"):
        lab.panel.expect_state(name, "fresh")
    expect(lab.panel.row("other")).to_have_count(0)  # on disk, never imported
    expect(lab.panel.button("reload-stale")).to_have_text("Nothing stale")
    expect(lab.panel.button("reload-stale")).to_be_disabled()
    lab.shot("rows-fresh")
    lab.assert_no_console_errors()


@IN_BOTH_FRONTENDS
def test_saving_a_file_marks_it_stale_and_its_importers_dependent_without_running_a_cell(loaded, project):
    lab = loaded
    cells_before = lab.cells().count()

    project.edit("pkg/base.py", "VALUE = 1", "VALUE = 2")

    lab.panel.expect_state("pkg.base", "stale")
    lab.panel.expect_state("pkg.user", "dependent")
    lab.panel.expect_state("pkg", "fresh")  # the empty __init__ imports nothing
    # The button says what it reloads: the stale module and the one that imports it.
    expect(lab.panel.button("reload-stale")).to_have_text("Reload 1 stale + 1 dependent")
    assert lab.cells().count() == cells_before, "no cell may run for the panel to notice a save"
    lab.shot("stale-after-save")
    lab.assert_no_console_errors()


@IN_BOTH_FRONTENDS
def test_row_reload_makes_rows_fresh_and_the_kernel_runs_the_new_code(loaded, project):
    lab = loaded
    project.edit("pkg/base.py", "VALUE = 1", "VALUE = 2")
    lab.panel.expect_state("pkg.base", "stale")
    lab.shot("stale")

    lab.panel.row_button("pkg.base", "reload").click()

    lab.panel.expect_state("pkg.base", "fresh")
    lab.panel.expect_state("pkg.user", "fresh")
    result = lab.panel.result()
    expect(result).to_have_attribute("data-ok", "true")
    expect(result).to_contain_text(re.compile(r"pkg\.base|2 modules"))
    # What ran in each module, as the kernel reported it (not a guess of the panel).
    expect(result).to_contain_text(re.compile(r"\(\d+ (re-executed|patched in place|ran changed statements|rebound)"))
    expect(result).to_contain_text(re.compile(r"\d\s*(ms|s)\b|µs"))  # how long it took
    lab.shot("reloaded")

    cell = lab.run_cell("print(pkg.user.VALUE, pkg.user.twice_value())")
    expect(lab.output(cell)).to_have_text(re.compile(r"^\s*2 4\s*$"))
    lab.shot("new-value-in-cell")
    lab.assert_no_console_errors()


@IN_BOTH_FRONTENDS
def test_failed_reload_shows_where_and_changes_nothing(loaded, project):
    lab = loaded
    project.write("pkg/base.py", BROKEN_BASE)
    lab.panel.expect_state("pkg.base", "stale")
    lab.shot("broken-file-stale")

    lab.panel.row_button("pkg.base", "reload").click()

    result = lab.panel.result()
    expect(result).to_have_attribute("data-ok", "false")
    expect(result).to_contain_text("pkg.base")
    expect(result).to_contain_text("base.py")
    expect(result).to_contain_text(re.compile(rf"line\W*{BROKEN_LINE}\b|base\.py:{BROKEN_LINE}\b"))
    lab.panel.expect_state("pkg.base", "stale")
    lab.panel.expect_state("pkg.user", "dependent")
    lab.shot("reload-failed")

    cell = lab.run_cell("print(pkg.user.VALUE, pkg.base.double(21))")
    expect(lab.output(cell)).to_have_text(re.compile(r"^\s*1 42\s*$"))  # the old code still runs
    lab.shot("old-value-still-works")

    # Fixing the file and using the header's "Reload stale" button recovers.
    project.write("pkg/base.py", "VALUE = 5\n\n\ndef double(x):\n    return 2 * x\n")
    expect(lab.panel.button("reload-stale")).to_have_text("Reload 1 stale + 1 dependent")
    lab.panel.button("reload-stale").click()
    lab.panel.expect_state("pkg.base", "fresh")
    lab.panel.expect_state("pkg.user", "fresh")
    expect(result).to_have_attribute("data-ok", "true")
    expect(lab.panel.button("reload-stale")).to_have_text("Nothing stale")
    cell = lab.run_cell("print(pkg.user.VALUE)")
    expect(lab.output(cell)).to_have_text(re.compile(r"^\s*5\s*$"))
    lab.shot("fixed-and-reloaded")
    lab.assert_no_console_errors()


def test_reload_clicked_while_a_cell_runs_waits_for_the_cell(loaded, project):
    lab = loaded
    project.edit("pkg/base.py", "VALUE = 1", "VALUE = 2")
    lab.panel.expect_state("pkg.base", "stale")
    lab.panel.observe()
    # The cell reads VALUE after it slept: if the reload ran concurrently it would print 2.
    cell = lab.start_cell("import time; time.sleep(4); print(pkg.user.VALUE)")

    lab.panel.row_button("pkg.base", "reload").click()

    expect(lab.panel.row("pkg.base")).to_have_attribute("data-pending", re.compile(r"^(queued|running)$"))
    lab.panel.expect_state("pkg.base", "stale")
    expect(cell.locator(".jp-InputPrompt")).to_have_text("[*]:")  # still running: no fixed wait above
    lab.shot("pending-while-cell-runs")

    lab.wait_for_cell(cell)
    expect(lab.output(cell)).to_have_text(re.compile(r"^\s*1\s*$"))
    lab.panel.expect_state("pkg.base", "fresh")
    lab.panel.expect_state("pkg.user", "fresh")
    expect(lab.panel.row("pkg.base")).not_to_have_attribute("data-pending", re.compile("."))
    expect(lab.panel.result()).to_have_attribute("data-ok", "true")
    cell = lab.run_cell("print(pkg.user.VALUE)")
    expect(lab.output(cell)).to_have_text(re.compile(r"^\s*2\s*$"))
    lab.shot("reloaded-after-cell")
    lab.assert_no_panel_errors()

    # The protocol says the kernel answers `queued` while a cell runs, shown as data-pending="queued".
    pending = lab.panel.seen("pkg.base", "data-pending")
    if "queued" not in pending:
        pytest.xfail(f"the kernel never answered `queued` (pending values seen: {pending}): ipykernel 7.4 "
                     "routes a comm_msg to the subshell of the comm's last kernel message (the main shell), "
                     "so the request is only read after the cell")
