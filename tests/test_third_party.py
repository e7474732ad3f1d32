"""A real third-party package with a deep internal import graph (rich), copied into a temporary
directory, edited and deep-reloaded, then used. Its ``Text`` class has ``__slots__`` and is
imported by dozens of rich's modules: after autoreload's reload of ``rich.text`` the package fails
with "descriptor ... doesn't apply to a 'Text' object"."""

from __future__ import annotations

import os
import sys

import pytest

from conftest import run, vendored_copy

pytest.importorskip("rich")


@pytest.fixture
def rich_copy(tmp_path, monkeypatch):
    with vendored_copy("rich", tmp_path, monkeypatch) as target:
        yield target


def test_rich_text_edit_is_deep_reloaded_and_rich_keeps_working(ip, rich_copy):
    run(
        ip,
        "from rich.console import Console\nfrom rich.table import Table\nfrom rich.text import Text\n"
        "import rich.text\nold = Text('hello')\nOldText = Text",
    )
    assert sys.modules["rich.text"].__file__ == str(rich_copy / "text.py")
    text_py = rich_copy / "text.py"
    source = text_py.read_text()
    assert "    def __str__(self) -> str:\n        return self.plain\n" in source
    text_py.write_text(
        source.replace(
            "    def __str__(self) -> str:\n        return self.plain\n",
            "    def __str__(self) -> str:\n        return '<' + self.plain + '>'\n",
        )
    )
    os.utime(text_py, ns=(1_600_000_100 * 10**9, 1_600_000_100 * 10**9))

    report = run(ip, "%reload_deep rich.text")

    order = report.order
    assert order[0] == "rich.text" and {"rich.console", "rich.table", "rich.markup"} <= set(order)
    assert len(order) == len(set(order))
    imports = {s.name: s.imports for s in run(ip, "%stale --all") if s.name.startswith("rich")}
    for position, name in enumerate(order):
        assert all(order.index(dep) < position for dep in imports[name] if dep in order), name
    assert run(ip, "(str(old), str(Text('x')), rich.text.Text is OldText, isinstance(Text('y'), OldText))") == (
        "<hello>",
        "<x>",
        True,
        True,
    )
    rendered = run(
        ip,
        "buffer = __import__('io').StringIO()\n"
        "table = Table('name')\ntable.add_row(Text('cell'))\ntable.add_row(old)\n"
        "Console(file=buffer, width=30, color_system=None).print(table, Text('after'))\n"
        "buffer.getvalue()",
    )
    assert "cell" in rendered and "hello" in rendered and "after" in rendered
    left = {s.name: s.state.value for s in run(ip, "%stale --all") if s.name.startswith("rich")}
    assert set(left.values()) == {"fresh"}, left
