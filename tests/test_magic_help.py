"""What the magics show a user: ``%magic?`` help, a cell's last line, HTML tables (issue 12)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from IPython.core.error import UsageError
from IPython.utils.capture import capture_output

from conftest import run
from ipy_reimport import ModuleState

MAGICS = ["import_rel", "reload_deep", "stale", "invalidate"]


def help_text(ip, magic: str) -> str:
    """What ``%magic?`` shows in a terminal (colours removed)."""
    return re.sub(r"\x1b\[[0-9;]*m", "", ip.object_inspect_text(f"%{magic}"))


def usage_lines(text: str) -> list[str]:
    """The lines of the help's ``Usage:`` block."""
    block = text.split("Usage:\n", 1)[1].split("\n\n", 1)[0]
    return [line.strip() for line in block.splitlines()]


@pytest.mark.parametrize("magic", MAGICS)
def test_help_is_plain_text_in_a_terminal_and_in_a_notebook(ip, magic):
    bundle = ip.object_inspect_mime(f"%{magic}")
    for shown in (help_text(ip, magic), bundle["text/plain"], bundle["text/html"]):
        assert "``" not in shown and "::" not in shown, shown
        assert not re.search(r"--\w[\w-]* <", shown), "option values in angle brackets"
    assert usage_lines(help_text(ip, magic))[0].startswith(f"%{magic}")


def test_import_rel_help_shows_one_import_per_call_in_its_two_forms(ip, project):
    project.package("shapes", {"units": "SCALE = 1\n"})
    lines = usage_lines(help_text(ip, "import_rel"))
    assert lines == ["%import_rel NAME [as ALIAS] [-p PKG]", "%import_rel from NAME import a, b as c [-p PKG]"]
    # each form, filled in, is accepted; two imports in one call are not
    run(ip, "%import_rel .units as u -p shapes")
    run(ip, "%import_rel from .units import SCALE, SCALE as S -p shapes")
    with pytest.raises(UsageError):
        ip.run_line_magic("import_rel", ".units .units")


def test_reload_deep_help_shows_auto_as_its_own_form(ip):
    lines = usage_lines(help_text(ip, "reload_deep"))
    assert lines == [
        "%reload_deep [MODULE ...] [--dry-run] [--full] [--no-patch] [--force] [-p PKG]",
        "%reload_deep --auto on|off",
    ]
    with pytest.raises(UsageError, match="--auto takes no modules"):
        ip.run_line_magic("reload_deep", "--auto on --dry-run")


def test_stale_help_says_what_each_state_means(ip):
    text = help_text(ip, "stale")
    for state in ModuleState:
        assert re.search(rf"^  {state.value} +\w", text, re.MULTILINE), f"{state.value} is not explained"
    assert "--live" in usage_lines(text)[0]


def test_a_trailing_from_import_shows_nothing_and_the_plain_form_shows_the_module(ip, project):
    project.package("shapes", {"units": "SCALE = 1\n"})
    with capture_output() as shown:
        ip.run_cell("%import_rel from shapes.units import SCALE")
    assert shown.stdout == "" and shown.outputs == []
    assert run(ip, "SCALE") == 1
    with capture_output() as shown:
        ip.run_cell("%import_rel shapes.units")
    assert "<module 'shapes.units' from " in shown.stdout


class _Cells(HTMLParser):
    """The ``(tag, style, text)`` of every table cell of an HTML fragment."""

    def __init__(self, fragment: str) -> None:
        super().__init__()
        self.cells: list[list[str]] = []
        self.feed(fragment)

    def handle_starttag(self, tag, attrs):
        if tag in ("td", "th"):
            self.cells.append([tag, dict(attrs).get("style") or "", ""])

    def handle_data(self, data):
        if self.cells:
            self.cells[-1][2] += data


def assert_text_left_numbers_right(fragment: str) -> None:
    cells = _Cells(fragment).cells
    assert cells
    for tag, style, text in (cell for cell in cells if cell[2].strip()):
        numeric = bool(re.fullmatch(r"#|time|\d+|[\d.]+ ms", text.strip()))
        wanted = "text-align:right" if numeric else "text-align:left"
        assert wanted in style, f"<{tag} style={style!r}>{text}"


def test_stale_and_report_tables_are_left_aligned_names_and_paths_included(ip, project):
    project.package("shapes", {"units": "SCALE = 1\n", "geometry": "from .units import SCALE\n"})
    run(ip, "import shapes.geometry")
    project.write("shapes/units.py", "SCALE = 2\n")
    table = run(ip, "%stale")._repr_html_()
    assert "shapes/units.py</td>" in table
    assert_text_left_numbers_right(table)
    report = run(ip, "%reload_deep")._repr_html_()
    assert "<code>shapes.units</code>" in report
    assert_text_left_numbers_right(report)
