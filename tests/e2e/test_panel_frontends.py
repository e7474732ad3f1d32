"""How a user finds the panel in each frontend: the View menu and the command palette open it, in
JupyterLab's left sidebar and in the left area of Notebook 7's notebook page, beside the notebook
it follows. Notebook 7's other pages (the file browser) get no panel. The scenarios with the
kernel (load, stale on save, reload, failed reload) run in both frontends in test_panel_reload.py.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .harness import FRONTENDS


@pytest.mark.parametrize("frontend", FRONTENDS, indirect=True)
def test_the_view_menu_and_the_palette_open_the_panel_beside_the_notebook(lab, project):
    lab.open_notebook(project.notebook())
    expect(lab.panel.root).to_be_hidden()

    lab.panel.open_from_view_menu()
    lab.panel.expect_connection("no-extension")
    panel = lab.panel.root.bounding_box()
    notebook = lab.notebook().bounding_box()
    assert panel["x"] + panel["width"] <= notebook["x"] + 1, (panel, notebook)  # left of the notebook
    expect(lab.panel.root.locator(".jp-ReimportPanel-kernel")).to_have_text("Python 3 (ipykernel)")
    lab.shot("from-view-menu")

    lab.panel.close()
    lab.panel.open_from_palette()
    lab.run_cell("%load_ext ipy_reimport")
    lab.panel.expect_connection("connected")
    lab.run_cell("import pkg.user")
    lab.panel.expect_state("pkg.user", "fresh")
    lab.shot("from-palette-loaded")
    lab.assert_no_console_errors()


@pytest.mark.parametrize("frontend", ["notebook"], indirect=True)
def test_notebook7_file_browser_page_has_no_panel(lab):
    lab.page.goto(f"{lab.server.url}/tree?token={lab.server.token}")
    lab.page.wait_for_function("() => !!window.jupyterapp")
    has_command = lab.page.evaluate(
        "(id) => window.jupyterapp.restored.then(() => window.jupyterapp.commands.hasCommand(id))",
        "ipy-reimport:show-panel")
    assert has_command is False
    expect(lab.panel.root).to_have_count(0)
    lab.assert_no_console_errors()
