"""Shared fixtures: a real InteractiveShell with the extension loaded, and a project folder on
sys.path whose files get explicit, distinct modification times."""

from __future__ import annotations

import importlib
import itertools
import os
import sys
import textwrap
import time
from pathlib import Path

import pytest
from IPython.core.interactiveshell import InteractiveShell

_CLOCK = itertools.count(1_600_000_000, 10)


class Project:
    """A folder on ``sys.path`` to write modules into; every write gets a new explicit mtime."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, relative: str) -> Path:
        return self.root / relative

    def write(self, relative: str, text: str, mtime_ns: int | None = None) -> Path:
        """Write dedented ``text`` and set the mtime (10 s after the previous write by default)."""
        path = self.path(relative)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))
        stamp = mtime_ns if mtime_ns is not None else next(_CLOCK) * 1_000_000_000
        os.utime(path, ns=(stamp, stamp))
        return path

    def edit(self, relative: str, old: str, new: str) -> Path:
        """Replace ``old`` by ``new`` in a file (which must contain it)."""
        text = self.path(relative).read_text()
        assert old in text, f"{old!r} not in {relative}"
        return self.write(relative, text.replace(old, new))

    def package(self, name: str, modules: dict[str, str]) -> None:
        """Write package ``name`` with an empty ``__init__`` unless given, and its modules."""
        modules = {"__init__": "", **modules}
        for module, text in modules.items():
            self.write(f"{name}/{module}.py", text)


def wait_until(condition, timeout: float = 10.0, message: str = "condition") -> None:
    """Wait for ``condition()`` to become true (polling), failing after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {message}")
        time.sleep(0.01)


@pytest.fixture
def project(tmp_path, monkeypatch):
    root = tmp_path / "proj"
    root.mkdir()
    monkeypatch.syspath_prepend(str(root))
    importlib.invalidate_caches()
    yield Project(root)
    for name, module in list(sys.modules.items()):
        if str(getattr(module, "__file__", None) or "").startswith(str(tmp_path)):
            del sys.modules[name]


@pytest.fixture(scope="session")
def shell():
    return InteractiveShell.instance()


@pytest.fixture
def ip(shell, project):
    """The shell with ``%load_ext ipy_reimport``; unloaded and reset afterwards."""
    shell.run_line_magic("load_ext", "ipy_reimport")
    yield shell
    shell.run_line_magic("unload_ext", "ipy_reimport")
    shell.run_line_magic("reset", "-f")
    shell.config.pop("Reimport", None)


@pytest.fixture
def reimporter(ip):
    import ipy_reimport

    return ipy_reimport.session()


def run(ip, code: str):
    """Run a cell; fail with its exception if it raised."""
    result = ip.run_cell(code, store_history=False)
    if result.error_before_exec or result.error_in_exec:
        raise result.error_before_exec or result.error_in_exec
    return result.result
