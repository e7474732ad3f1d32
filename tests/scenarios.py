"""Reload scenarios kept as real files: ``tests/snippets/<case>/``.

A case is a package named after its folder. Its modules are plain ``name.py`` files, or
``name.v1.py``, ``name.v2.py``, ... for the versions of a module the user edits. The file
``scenario.py`` (not part of the package) says what the user does and what must hold::

    IMPORT = "from case import mod"          # run once, with version 1 of every module
    BEFORE = "obj = mod.Thing()"             # objects the user holds before any edit
    CHECKS = {2: {"label": "expression that must be true after reloading version 2"}}

The same scenarios drive the tests (tests/test_identity.py) and ``bench/compat.py``, which runs
them against other reload tools.
"""

from __future__ import annotations

import ast
import os
import re
from dataclasses import dataclass
from pathlib import Path

SNIPPETS = Path(__file__).resolve().parent / "snippets"
_VERSIONED = re.compile(r"^(?P<module>\w+)\.v(?P<version>\d+)\.py$")

# Helpers every scenario's expressions may use.
PRELUDE = """
import pickle, dataclasses, sys
def raises(call, error=Exception):
    try:
        call()
    except error:
        return True
    return False
"""


@dataclass(frozen=True)
class Scenario:
    """One case: its package files and what the user does."""

    name: str
    doc: str
    imports: str
    before: str
    checks: dict[int, dict[str, str]]

    @property
    def folder(self) -> Path:
        return SNIPPETS / self.name

    def files(self, version: int) -> dict[str, str]:
        """The package's files at ``version`` (relative path -> text): a module without a file
        for that version keeps its latest earlier one."""
        files: dict[str, str] = {}
        chosen: dict[str, int] = {}
        for path in sorted(self.folder.iterdir()):
            if path.name == "scenario.py" or path.suffix != ".py":
                continue
            match = _VERSIONED.match(path.name)
            if match is None:
                files[path.name] = path.read_text()
                continue
            module, number = match["module"], int(match["version"])
            if number <= version and number >= chosen.get(module, 0):
                chosen[module] = number
                files[f"{module}.py"] = path.read_text()
        files.setdefault("__init__.py", "")
        return files

    def write(self, root: Path, version: int, mtime_ns: int) -> list[str]:
        """Write the package at ``version`` under ``root`` with an explicit mtime; returns the
        files that changed."""
        changed = []
        for relative, text in self.files(version).items():
            path = root / self.name / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            if path.exists() and path.read_text() == text:
                continue
            path.write_text(text)
            os.utime(path, ns=(mtime_ns, mtime_ns))
            changed.append(relative)
        return changed


def load(name: str) -> Scenario:
    """Read ``tests/snippets/<name>/scenario.py``."""
    path = SNIPPETS / name / "scenario.py"
    tree = ast.parse(path.read_text())
    values = {
        node.targets[0].id: ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
    }
    return Scenario(
        name, ast.get_docstring(tree) or "", values.get("IMPORT", ""), values.get("BEFORE", ""), values["CHECKS"]
    )


def all_scenarios() -> list[Scenario]:
    """Every case under tests/snippets, by name."""
    return [load(p.name) for p in sorted(SNIPPETS.iterdir()) if (p / "scenario.py").exists()]
