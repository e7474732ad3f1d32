"""The panel inside JupyterLab: it follows the current notebook's kernel across tabs, finds the
kernel's state again after a page reload, opens a module's file in the editor, filters and
rescopes its rows, and logs no error for a kernel without the extension.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect


def test_switching_notebook_tabs_switches_the_module_list(lab, project):
    first = project.notebook("nb1.ipynb")
    second = project.notebook("nb2.ipynb")
    lab.open_notebook(first)
    lab.panel.open()
    lab.run_cell("%load_ext ipy_reimport")
    lab.run_cell("import pkg.base")
    lab.panel.expect_state("pkg.base", "fresh")
    lab.shot("nb1-pkg-base")

    lab.open_another(second)
    # A second kernel, without the extension yet: none of nb1's rows.
    lab.panel.expect_connection("no-extension")
    expect(lab.panel.row("pkg.base")).to_have_count(0)
    lab.run_cell("%load_ext ipy_reimport")
    lab.run_cell("import other")
    lab.panel.expect_state("other", "fresh")
    expect(lab.panel.row("pkg.base")).to_have_count(0)
    lab.shot("nb2-other")

    lab.switch_to(first)
    lab.panel.expect_connection("connected")
    lab.panel.expect_state("pkg.base", "fresh")
    expect(lab.panel.row("other")).to_have_count(0)
    lab.shot("back-to-nb1")

    lab.switch_to(second)
    lab.panel.expect_state("other", "fresh")
    expect(lab.panel.row("pkg.base")).to_have_count(0)
    lab.shot("back-to-nb2")
    lab.assert_no_panel_errors()


def test_page_reload_reconnects_to_the_loaded_extension(loaded, project):
    lab = loaded
    project.edit("pkg/base.py", "VALUE = 1", "VALUE = 2")
    lab.panel.expect_state("pkg.base", "stale")

    lab.reload(f"{project.rel}/nb.ipynb")
    lab.panel.open()

    lab.panel.expect_connection("connected")
    expect(lab.panel.button("load-extension")).to_be_hidden()
    lab.panel.expect_state("pkg.base", "stale")  # the kernel's state, not a fresh start
    lab.panel.expect_state("pkg.user", "dependent")
    lab.shot("after-page-reload")
    lab.assert_no_panel_errors()


KERNEL_ANSWERED = """async () => {
    const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session?.kernel;
    if (!kernel || kernel.connectionStatus !== 'connected') { return false; }
    await kernel.info;
    return true;
}"""
COUNT_COMMS = ("print(len([c for c in get_ipython().kernel.comm_manager.comms.values() "
               "if c.target_name == 'ipy_reimport']))")


def test_page_reloads_leave_no_comm_behind(loaded, project):
    """Each page says goodbye when it goes: the kernel keeps its announcement and one comm for the
    page that is open, however often the page was reloaded."""
    lab = loaded
    for _ in range(3):
        lab.reload(f"{project.rel}/nb.ipynb")
        lab.panel.open()
        lab.panel.expect_connection("connected")
        lab.panel.expect_state("pkg.user", "fresh")
    cell = lab.run_cell(COUNT_COMMS)
    expect(lab.output(cell)).to_have_text(re.compile(r"^\s*2\s*$"))
    project.edit("pkg/base.py", "VALUE = 1", "VALUE = 2")
    lab.panel.expect_state("pkg.base", "stale")
    lab.shot("after-three-page-reloads")
    lab.assert_no_panel_errors()


def test_open_button_opens_the_module_file_in_an_editor(loaded, project):
    lab = loaded
    lab.panel.row_button("pkg.base", "open").click()

    lab.wait_for_current(f"{project.rel}/pkg/base.py")  # resolved against the notebook's folder
    expect(lab.page.locator("#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current")).to_contain_text("base.py")
    expect(lab.current().locator(".cm-content")).to_contain_text("VALUE = 1")
    lab.shot("file-open")
    lab.assert_no_panel_errors()


def test_filter_hides_rows_that_do_not_match(loaded):
    lab = loaded
    lab.panel.filter("user")
    expect(lab.panel.row("pkg.user")).to_be_visible()
    expect(lab.panel.row("pkg.base")).to_be_hidden()
    expect(lab.panel.row("pkg")).to_be_hidden()
    lab.shot("filtered")

    lab.panel.filter("")
    for name in ("pkg", "pkg.base", "pkg.user"):
        expect(lab.panel.row(name)).to_be_visible()
    lab.assert_no_panel_errors()


def test_scope_toggle_lists_library_modules_and_back(loaded):
    lab = loaded
    panel = lab.panel
    expect(panel.root).to_have_attribute("data-scope", "user")
    expect(panel.row("json")).to_have_count(0)

    panel.button("scope").click()
    expect(panel.root).to_have_attribute("data-scope", "all")
    panel.filter("json.decoder")  # the full list may be virtualised: bring the row into view
    panel.expect_state("json.decoder", "fresh")
    # The kernel says why the panel may not reload a library module; the button shows its reason.
    library = panel.row_button("json.decoder", "reload")
    expect(library).to_be_disabled()
    expect(library).to_have_attribute("title", re.compile(r"^(?!Reload ).+"))
    lab.shot("scope-all")

    panel.filter("")
    panel.button("scope").click()
    expect(panel.root).to_have_attribute("data-scope", "user")
    expect(panel.row("json.decoder")).to_have_count(0)
    panel.expect_state("pkg.base", "fresh")
    expect(panel.row_button("pkg.base", "reload")).to_be_enabled()
    expect(panel.row_button("pkg.base", "reload")).to_have_attribute("title", re.compile(r"^Reload pkg\.base"))

    panel.button("rescan").click()  # an exact re-check changes nothing here
    panel.expect_state("pkg.base", "fresh")
    panel.expect_state("pkg.user", "fresh")
    lab.shot("scope-user-rescanned")
    lab.assert_no_panel_errors()


def test_kernel_without_the_extension_logs_no_error(lab, project):
    lab.open_notebook(project.notebook())
    lab.panel.open()
    lab.panel.expect_connection("no-extension")
    cell = lab.run_cell("import pkg.user; print(pkg.user.VALUE)")
    expect(lab.output(cell)).to_have_text(re.compile(r"^\s*1\s*$"))
    lab.panel.expect_connection("no-extension")
    lab.shot("no-extension-after-cell")
    # Reloading the page asks the kernel again; still no comm opened to a missing target.
    lab.reload(f"{project.rel}/nb.ipynb")
    lab.panel.open()
    lab.panel.expect_connection("no-extension")
    lab.assert_no_panel_errors()
    assert not lab.errors_about("target"), lab.console_errors


def test_kernel_restart_reconnects_and_asks_to_load_again(loaded, project):
    lab = loaded
    lab.page.evaluate("() => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.restart()")
    # The new kernel process has not loaded the extension: the panel says so by itself.
    lab.panel.expect_connection("no-extension")
    expect(lab.panel.row("pkg.base")).to_have_count(0)
    # The new kernel answered kernel_info. (Not "idle": JupyterLab learns that from the new
    # kernel's "starting" broadcast, which it misses when its iopub subscription comes late.)
    lab.page.wait_for_function(KERNEL_ANSWERED, timeout=60_000, polling=100)
    lab.shot("after-restart")
    lab.panel.button("load-extension").click()
    lab.panel.expect_connection("connected")
    lab.run_cell("import pkg.user")
    lab.panel.expect_state("pkg.user", "fresh")
    lab.shot("loaded-again")
    lab.assert_no_panel_errors()


def test_the_keyboard_shortcut_reloads_the_stale_modules(loaded, project):
    lab = loaded
    project.edit("pkg/base.py", "VALUE = 1", "VALUE = 5")
    lab.panel.expect_state("pkg.base", "stale")
    lab.notebook().locator(".jp-Notebook").click()
    lab.page.keyboard.press("Escape")
    lab.page.keyboard.press("Control+Shift+F5")
    lab.panel.expect_state("pkg.base", "fresh")
    lab.panel.expect_state("pkg.user", "fresh")
    expect(lab.panel.result()).to_have_attribute("data-ok", "true")
    lab.shot("reloaded-by-shortcut")
    cell = lab.run_cell("print(pkg.user.twice_value())")
    expect(lab.output(cell)).to_contain_text("10")
