"""One cell of the compatibility matrix, in a fresh interpreter (started by ``compat.py``).

Usage: ``python compat_child.py SCENARIO TOOL ROOT OUT``

Writes version 1 of ``tests/snippets/SCENARIO`` under ROOT, imports it in a real IPython
``InteractiveShell`` with TOOL active (``ipy_reimport``, ``autoreload`` or ``jurigged``), then for
each later version writes the files (explicit, increasing mtimes), lets the tool apply the edit
the way a user would, and evaluates the scenario's checks. The outcome goes to OUT as JSON:
``{"checks": {version: {label: true/false}}, "notes": [...]}``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests"))
from scenarios import PRELUDE, Scenario, load

BASE_MTIME = 1_700_000_000  # seconds; version v is written at BASE_MTIME + 10 * v
JURIGGED_WAIT = 10.0  # seconds to wait for jurigged to apply an edit
JURIGGED_QUIET = 0.3  # and then for no further refresh (a write and its utime are two events)


def mtime_ns(version: int) -> int:
    """The explicit modification time of the files of ``version``."""
    return (BASE_MTIME + 10 * version) * 1_000_000_000


class Cell:
    """A cell runner that keeps the first line of each error as a note."""

    def __init__(self, shell, notes: list[str]) -> None:
        self.shell = shell
        self.notes = notes

    def __call__(self, code: str, what: str) -> bool:
        from IPython.utils.capture import capture_output

        with capture_output() as captured:
            result = self.shell.run_cell(code, store_history=False)
        error = result.error_before_exec or result.error_in_exec
        if error is not None:
            self.notes.append(f"{what}: {type(error).__name__}: {first_line(str(error))}")
        elif "failed" in captured.stderr:
            self.notes.append(f"{what}: {failure_summary(captured.stderr)}")
        return error is None

    def holds(self, expression: str) -> bool:
        """Whether ``expression`` evaluates to True in the user namespace (as tests/test_identity.py)."""
        result = self.shell.run_cell(f"__check__ = bool({expression})", store_history=False)
        return result.success and self.shell.user_ns.get("__check__") is True


def first_line(text: str) -> str:
    """The first line of ``text``, at most 200 characters."""
    return text.splitlines()[0][:200] if text else ""


def failure_summary(stderr: str) -> str:
    """``autoreload of m failed: TypeError: ...`` from a tool's traceback on stderr."""
    lines = [line for line in stderr.splitlines() if line.strip() and not line[0].isspace() and line != "]"]
    head = next((line for line in reversed(lines) if " failed" in line), lines[0])
    head = head[: head.index(" failed") + len(" failed")] if " failed" in head else head
    return f"{head.lstrip('[')}: {first_line(lines[-1])}"


class IpyReimport:
    """``%load_ext ipy_reimport``, then ``REPORT = %reload_deep`` after each edit."""

    def __init__(self, cell: Cell, package: Path) -> None:
        cell("%load_ext ipy_reimport", "load")
        self.cell = cell

    def apply(self, version: int, changed: list[Path]) -> None:
        self.cell("REPORT = %reload_deep", f"v{version} %reload_deep")


class Autoreload:
    """``%autoreload 2``; after each edit a cell runs, so that its pre-cell hook reloads."""

    def __init__(self, cell: Cell, package: Path) -> None:
        cell("%load_ext autoreload\n%autoreload 2", "load")
        self.cell = cell

    def apply(self, version: int, changed: list[Path]) -> None:
        self.cell("pass", f"v{version} autoreload")


class Jurigged:
    """``jurigged.watch`` on the package folder (before the import, as it must see the sources
    being imported); after each edit, wait until its watchdog thread refreshed every changed file."""

    def __init__(self, cell: Cell, package: Path) -> None:
        import jurigged

        self.notes = cell.notes
        self.done: dict[str, int] = {}
        self.running: dict[int, str] = {}
        self.changed = threading.Condition()
        self.watcher = jurigged.watch(str(package), logger=self._log)
        self.watcher.prerun.register(self._started)
        self.watcher.postrun.register(lambda path, codefile: self._finished(path))

    def _started(self, path: str, codefile) -> None:
        self.running[threading.get_ident()] = path

    def _finished(self, path: str) -> None:
        with self.changed:
            self.done[path] = self.done.get(path, 0) + 1
            self.changed.notify_all()

    def _log(self, event) -> None:
        if isinstance(event, BaseException):
            path = self.running.get(threading.get_ident(), "?")
            self.notes.append(f"jurigged {Path(path).name}: {type(event).__name__}: {first_line(str(event))}")
            self._finished(path)

    def apply(self, version: int, changed: list[Path]) -> None:
        deadline = time.monotonic() + JURIGGED_WAIT
        wanted = {str(p): self.done.get(str(p), 0) for p in changed}
        with self.changed:
            while not all(self.done.get(p, 0) > n for p, n in wanted.items()):
                if not self.changed.wait(timeout=deadline - time.monotonic()) and time.monotonic() > deadline:
                    self.notes.append(f"v{version}: jurigged applied no change within {JURIGGED_WAIT:.0f} s")
                    return
        self._settle()

    def _settle(self) -> None:
        """Wait until no refresh happened for JURIGGED_QUIET seconds (bounded)."""
        deadline = time.monotonic() + JURIGGED_WAIT
        with self.changed:
            seen = dict(self.done)
            while time.monotonic() < deadline:
                self.changed.wait(timeout=JURIGGED_QUIET)
                if self.done == seen:
                    return
                seen = dict(self.done)


TOOLS = {"ipy_reimport": IpyReimport, "autoreload": Autoreload, "jurigged": Jurigged}


def make_shell():
    """A real InteractiveShell with an in-memory history."""
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    config = Config()
    config.HistoryManager.hist_file = ":memory:"
    return InteractiveShell.instance(config=config)


def run(scenario: Scenario, tool: str, root: Path) -> dict:
    """Import version 1 with the tool active, then edit, apply and check each later version."""
    sys.path.insert(0, str(root))
    scenario.write(root, 1, mtime_ns(1))
    notes: list[str] = []
    cell = Cell(make_shell(), notes)
    active = TOOLS[tool](cell, root / scenario.name)
    for code, what in ((PRELUDE, "prelude"), (scenario.imports, "import"), (scenario.before, "before")):
        cell(code, what)
    checks: dict[int, dict[str, bool]] = {}
    for version in sorted(scenario.checks):
        changed = scenario.write(root, version, mtime_ns(version))
        active.apply(version, [root / scenario.name / name for name in changed])
        checks[version] = {label: cell.holds(expression) for label, expression in scenario.checks[version].items()}
    return {"checks": checks, "notes": notes}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario")
    parser.add_argument("tool", choices=sorted(TOOLS))
    parser.add_argument("root", type=Path)
    parser.add_argument("out")
    args = parser.parse_args()
    outcome = run(load(args.scenario), args.tool, args.root)
    with open(args.out, "w") as f:
        json.dump(outcome, f)
    sys.stdout.flush()
    os._exit(0)  # do not wait for the tools' watcher threads


if __name__ == "__main__":
    main()
