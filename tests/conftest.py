"""Shared fixtures: a real InteractiveShell with the extension loaded, and a project folder on
sys.path whose files get explicit, distinct modification times."""

from __future__ import annotations

import importlib
import importlib.util
import itertools
import os
import shutil
import sys
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from IPython.core.interactiveshell import InteractiveShell

_CLOCK = itertools.count(1_600_000_000, 10)
#: Module sources the tests copy into their project folder (tests/snippets holds the scenarios).
SOURCES = Path(__file__).resolve().parent / "sources"


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

    def copy(self, name: str) -> None:
        """Write the files of ``tests/sources/<name>/`` (a package) under the same name."""
        for source in sorted((SOURCES / name).rglob("*.py")):
            self.write(str(source.relative_to(SOURCES)), source.read_text())

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


@contextmanager
def vendored_copy(name: str, tmp_path: Path, monkeypatch, ignore: tuple[str, ...] = ()) -> Iterator[Path]:
    """A copy of the installed package ``name`` first on ``sys.path`` (its files dated in the past),
    imported afresh; the real one is put back afterwards."""
    source = Path(importlib.util.find_spec(name).origin).parent
    saved = {n: m for n, m in sys.modules.items() if n == name or n.startswith(name + ".")}
    for loaded in saved:
        del sys.modules[loaded]
    target = tmp_path / "vendor" / name
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", *ignore))
    for path in target.rglob("*.py"):
        os.utime(path, ns=(1_600_000_000 * 10**9, 1_600_000_000 * 10**9))
    monkeypatch.syspath_prepend(str(target.parent))
    importlib.invalidate_caches()
    try:
        yield target
    finally:
        for loaded in [n for n in sys.modules if n == name or n.startswith(name + ".")]:
            del sys.modules[loaded]
        sys.modules.update(saved)


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


# -- the comm tests: a package and a real kernel -----------------------------------------------
@pytest.fixture
def pkg(tmp_path) -> Project:
    """``pkg.base`` (``panel_kernel.BASE``) and ``pkg.user``, which imports it."""
    from panel_kernel import BASE

    project = Project(tmp_path)
    project.package("pkg", {"base": BASE.format(value=1), "user": "from .base import VALUE\n"})
    return project


@pytest.fixture
def kernel(pkg):
    """A kernel in the project's folder with the extension loaded and ``pkg.user`` imported."""
    from panel_kernel import panel_ready_kernel

    with panel_ready_kernel(str(pkg.root)) as kernel:
        yield kernel


def once_only_module(name: str, body: str = "def f(x):\n    return x + 1\n") -> str:
    """A module that refuses to run a second time in any process but this one (as an import-time
    registration that rejects repeats does): line 3 raises there. ``body`` follows."""
    return (
        f"import builtins, os, time\n"
        f"if os.getpid() != {os.getpid()} and getattr(builtins, '_{name}', False):\n"
        f"    raise RuntimeError('already initialised in this worker')\n"
        f"builtins._{name} = True\n" + textwrap.dedent(body)
    )
