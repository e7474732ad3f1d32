"""A real third-party package with a deep internal import graph (rich), copied into a temporary
directory, edited and deep-reloaded, then used. Its ``Text`` class has ``__slots__`` and is
imported by dozens of rich's modules: after autoreload's reload of ``rich.text`` the package fails
with "descriptor ... doesn't apply to a 'Text' object"."""

from __future__ import annotations

import importlib.util
import io
import os
import shutil
import sys
from pathlib import Path

import pytest

from conftest import run

pytest.importorskip("rich")


@pytest.fixture
def rich_copy(tmp_path, monkeypatch):
    source = Path(importlib.util.find_spec("rich").origin).parent
    saved = {n: m for n, m in sys.modules.items() if n == "rich" or n.startswith("rich.")}
    for name in saved:
        del sys.modules[name]
    target = tmp_path / "vendor" / "rich"
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
    for path in target.rglob("*.py"):
        os.utime(path, ns=(1_600_000_000 * 10**9, 1_600_000_000 * 10**9))
    monkeypatch.syspath_prepend(str(target.parent))
    importlib.invalidate_caches()
    yield target
    for name in [n for n in sys.modules if n == "rich" or n.startswith("rich.")]:
        del sys.modules[name]
    sys.modules.update(saved)


def test_rich_text_edit_is_deep_reloaded_and_rich_keeps_working(ip, rich_copy):
    run(ip, "from rich.console import Console\nfrom rich.table import Table\nfrom rich.text import Text\n"
            "import rich.text\nold = Text('hello')\nOldText = Text")
    assert sys.modules["rich.text"].__file__ == str(rich_copy / "text.py")
    text_py = rich_copy / "text.py"
    source = text_py.read_text()
    assert "    def __str__(self) -> str:\n        return self.plain\n" in source
    text_py.write_text(source.replace("    def __str__(self) -> str:\n        return self.plain\n",
                                      "    def __str__(self) -> str:\n        return '<' + self.plain + '>'\n"))
    os.utime(text_py, ns=(1_600_000_100 * 10**9, 1_600_000_100 * 10**9))

    report = run(ip, "%reload_deep rich.text")

    order = report.order
    assert order[0] == "rich.text" and {"rich.console", "rich.table", "rich.markup"} <= set(order)
    assert len(order) == len(set(order))
    imports = {s.name: s.imports for s in run(ip, "%stale --all") if s.name.startswith("rich")}
    for position, name in enumerate(order):
        assert all(order.index(dep) < position for dep in imports[name] if dep in order), name
    assert run(ip, "(str(old), str(Text('x')), rich.text.Text is OldText, isinstance(Text('y'), OldText))") \
        == ("<hello>", "<x>", True, True)
    rendered = run(ip, "buffer = __import__('io').StringIO()\n"
                       "table = Table('name')\ntable.add_row(Text('cell'))\ntable.add_row(old)\n"
                       "Console(file=buffer, width=30, color_system=None).print(table, Text('after'))\n"
                       "buffer.getvalue()")
    assert "cell" in rendered and "hello" in rendered and "after" in rendered
    assert isinstance(io.StringIO(), io.StringIO)
