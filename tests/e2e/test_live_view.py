"""``%stale --live`` in the browser: the output that the cell created shows a save and a reload
with no cell run for it, in JupyterLab and in Notebook 7 (the frontends route display updates by
their display id)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .harness import FRONTENDS


@pytest.mark.parametrize("frontend", FRONTENDS, indirect=True)
def test_the_live_table_follows_a_save_and_a_reload_in_place(loaded, project):
    lab = loaded
    live = lab.run_cell("%stale --live")
    table = lab.output(live)
    expect(table.locator("[data-module='pkg.base']")).to_have_attribute("data-state", "fresh")
    cells_before = lab.cells().count()

    project.edit("pkg/base.py", "VALUE = 1", "VALUE = 2")
    expect(table.locator("[data-module='pkg.base']")).to_have_attribute("data-state", "stale")
    expect(table.locator("[data-module='pkg.user']")).to_have_attribute("data-state", "dependent")
    assert lab.cells().count() == cells_before, "the live output changed with no cell run"
    lab.shot("live-stale")

    lab.run_cell("%reload_deep")
    expect(table.locator("[data-module='pkg.base']")).to_have_attribute("data-state", "fresh")
    expect(table.locator("[data-module='pkg.user']")).to_have_attribute("data-state", "fresh")
    expect(table).to_contain_text("Live: updated at")
    lab.shot("live-fresh")
    lab.assert_no_console_errors()
