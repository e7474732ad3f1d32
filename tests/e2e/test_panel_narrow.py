"""The panel at JupyterLab's default and minimum sidebar width (250 px) reads at a glance: what a
user sees is checked on the rendered page (element boxes against the panel's, clipped text), not
only attributes.

The package ``analytics`` has the long module names that used to be cut from the left
(``…ring_helpers``, ``…aration_pipeline``, ``…on_debug_options``).
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from .harness import write_package

SIDEBAR_WIDTH = 250

LONG_NAMES = {
    "analytics/__init__.py": "",
    "analytics/features/__init__.py": "",
    "analytics/features/scoring_helpers.py": "WEIGHT = 1\n",
    "analytics/ingestion/__init__.py": "",
    "analytics/ingestion/preparation_pipeline.py": "from analytics.features.scoring_helpers import WEIGHT\n",
    "analytics/debugging/__init__.py": "",
    "analytics/debugging/pydevd_json_debug_options.py": "OPTIONS = {}\n",
}
IMPORT = ("import analytics.ingestion.preparation_pipeline, analytics.debugging.pydevd_json_debug_options")

# Per rendered row: its name's last component and filter match, and the parts of each that are
# cut: wider than their box (an ellipsis), or outside the panel.
CLIPPED_PARTS = """(root) => {
    const panel = root.getBoundingClientRect();
    const cut = (el) => {
        const box = el.getBoundingClientRect();
        return el.scrollWidth > el.clientWidth || box.left < panel.left - 0.5 || box.right > panel.right + 0.5;
    };
    return [...root.querySelectorAll('[data-module][data-state]')].map((row) => {
        const leaf = [...row.querySelectorAll('.jp-ReimportPanel-leaf')];
        const match = [...row.querySelectorAll('.jp-ReimportPanel-match')];
        return {
            module: row.getAttribute('data-module'),
            leaf: leaf.map((el) => el.textContent).join(''),
            match: match.map((el) => el.textContent).join(''),
            cut: [...leaf, ...match].filter(cut).map((el) => el.textContent),
            cutMatch: match.filter(cut).map((el) => el.textContent),
            rowOverflows: row.scrollWidth > row.clientWidth,
        };
    });
}"""

FITS = """(el) => el.scrollWidth <= el.clientWidth && el.getBoundingClientRect().right
    <= document.querySelector('#ipy-reimport-panel').getBoundingClientRect().right + 0.5"""


def shown_rows(lab) -> list[dict]:
    return lab.panel.root.evaluate(CLIPPED_PARTS)


def assert_names_readable(lab, expected: set[str]) -> None:
    rows = {row["module"]: row for row in shown_rows(lab)}
    assert expected <= set(rows), f"rows shown: {sorted(rows)}"
    for name, row in rows.items():
        assert row["leaf"] == name.rsplit(".", 1)[-1], row
        assert not row["cut"], f"{name}: cut at {SIDEBAR_WIDTH} px: {row['cut']}"
        assert not row["rowOverflows"], row


def fits(locator) -> bool:
    return locator.evaluate(FITS)


def test_a_250px_panel_shows_every_module_by_its_last_component(lab, project):
    write_package(project.root, LONG_NAMES)
    lab.open_notebook(project.notebook())
    lab.panel.open()
    assert abs(lab.panel.set_width(SIDEBAR_WIDTH) - SIDEBAR_WIDTH) <= 1
    panel = lab.panel.root

    # The heading names the panel and the kernel.
    expect(panel.locator(".jp-ReimportPanel-title")).to_have_text("Python modules")
    expect(panel.locator(".jp-ReimportPanel-kernel")).to_have_text("Python 3 (ipykernel)")
    # Not loaded: one sentence with the command to type, and the button; no code to copy.
    lab.panel.expect_connection("no-extension")
    message = panel.locator(".jp-ReimportPanel-messageText")
    expect(message).to_have_text(
        "ipy_reimport is not loaded in this kernel: run %load_ext ipy_reimport in a cell, or load it here.")
    expect(panel).not_to_contain_text("__import__")
    assert fits(message) and fits(lab.panel.button("load-extension"))
    lab.shot("not-loaded")

    lab.panel.button("load-extension").click()
    lab.panel.expect_connection("connected")
    # Nothing of the user's imported yet: one sentence, right below the header.
    empty = panel.locator(".jp-ReimportPanel-empty")
    expect(empty).to_have_text("None of your modules is loaded yet.")
    assert empty.bounding_box()["y"] - panel.bounding_box()["y"] < 200
    lab.shot("empty")

    lab.run_cell(IMPORT)
    lab.panel.expect_state("analytics.debugging.pydevd_json_debug_options", "fresh")
    assert_names_readable(lab, {"analytics.ingestion.preparation_pipeline", "analytics.features.scoring_helpers"})
    # The package path is there, dimmed and shortened, and the full name is on hover.
    row = lab.panel.row("analytics.ingestion.preparation_pipeline")
    expect(row.locator(".jp-ReimportPanel-path")).to_have_text("analytics.ingestion.")
    expect(row).to_have_attribute("title", re.compile(r"^analytics\.ingestion\.preparation_pipeline\n"))
    lab.shot("fresh")

    # Stale and dependent rows carry wider badges: the names still read.
    project.edit("analytics/features/scoring_helpers.py", "WEIGHT = 1", "WEIGHT = 2")
    lab.panel.expect_state("analytics.features.scoring_helpers", "stale")
    lab.panel.expect_state("analytics.ingestion.preparation_pipeline", "dependent")
    assert_names_readable(lab, {"analytics.ingestion.preparation_pipeline", "analytics.features.scoring_helpers"})
    reload_stale = lab.panel.button("reload-stale")
    expect(reload_stale).to_have_text("Reload 1 stale + 1 dependent")
    assert fits(reload_stale)
    lab.shot("stale")
    lab.assert_no_console_errors()


def test_a_250px_panel_keeps_the_filter_match_in_view(loaded, project):
    lab = loaded
    write_package(project.root, LONG_NAMES)
    lab.run_cell(IMPORT)
    assert abs(lab.panel.set_width(SIDEBAR_WIDTH) - SIDEBAR_WIDTH) <= 1
    lab.panel.button("scope").click()
    expect(lab.panel.root).to_have_attribute("data-scope", "all")
    lab.panel.filter("json")
    lab.panel.expect_state("json.decoder", "fresh")
    rows = {row["module"]: row for row in shown_rows(lab)}
    readable = {"json", "json.decoder", "analytics.debugging.pydevd_json_debug_options", "ipykernel.jsonutil"}
    assert readable <= set(rows), sorted(rows)
    for name, row in rows.items():
        assert row["match"].lower() == "json", row  # highlighted in every row
        assert not row["cutMatch"], f"{name}: match cut at {SIDEBAR_WIDTH} px: {row}"
        assert not row["rowOverflows"], row
    for name in readable:
        assert not rows[name]["cut"], f"{name}: cut at {SIDEBAR_WIDTH} px: {rows[name]}"
    # A last component too long for the row is shortened before its match, never at it.
    debugpy = rows.get("_pydevd_bundle.pydevd_net_command_factory_json")
    if debugpy is not None:
        assert debugpy["cut"] == ["pydevd_net_command_factory_"], debugpy
    lab.shot("filtered-json")
    lab.assert_no_console_errors()


def test_a_reload_result_is_marked_outdated_and_can_be_dismissed(loaded, project):
    lab = loaded
    result = lab.panel.result()
    project.edit("pkg/base.py", "VALUE = 1", "VALUE = 2")
    lab.panel.expect_state("pkg.base", "stale")
    lab.panel.button("reload-stale").click()
    lab.panel.expect_state("pkg.base", "fresh")
    expect(result).to_have_attribute("data-ok", "true")
    expect(result).not_to_contain_text("Outdated")
    lab.shot("reloaded")

    # A new save: the result no longer describes the rows, and says so.
    project.edit("pkg/base.py", "VALUE = 2", "VALUE = 3")
    lab.panel.expect_state("pkg.base", "stale")
    expect(result).to_have_attribute("data-outdated", "true")
    expect(result.locator(".jp-ReimportPanel-resultNote")).to_be_visible()
    expect(result).to_contain_text("Outdated: modules changed since.")
    lab.shot("outdated")

    result.locator('[data-action="dismiss-result"]').click()
    expect(result).to_be_hidden()
    lab.panel.expect_state("pkg.base", "stale")
    lab.shot("dismissed")
    lab.assert_no_console_errors()
