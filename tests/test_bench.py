"""The benchmark still runs and its correctness columns hold (it is a benchmark, so no time is
asserted here)."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

pytest.importorskip("pandas")
pytest.importorskip("scipy")

BENCH = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "bench", "run.py")


def test_quick_benchmark_runs_and_deep_reload_reaches_every_dependent():
    out = subprocess.run([sys.executable, BENCH, "--quick"], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    text = out.stdout
    for heading in (
        "== 1. Per-cell overhead",
        "== 2a. Editing benchpkg.base",
        "== 2b. Editing benchpkg.base",
        "== 3. Repeated edits",
    ):
        assert heading in text
    rows = [re.split(r"\s{2,}", line.strip()) for line in text.splitlines() if line.startswith("300 ")]
    # every tool but autoreload brings all 300 dependents onto the new code, after both kinds of edit
    for tool in ("importlib.reload loop", "%reload_deep --full", "%reload_deep"):
        assert [row[-1] for row in rows if row[1] == tool] == ["300 of 300"] * 2, text


COMPAT = os.path.join(os.path.dirname(BENCH), "compat.py")


def test_compatibility_matrix_runs_every_tool_on_a_scenario():
    out = subprocess.run(
        [sys.executable, COMPAT, "--only", "frozen_dataclass"], capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr[-2000:]
    # one cell per tool, each a count of checks (not "crashed" or "timeout")
    assert re.search(r"^frozen_dataclass \(8\) +\d/8 +\d/8 +(\d/8|not installed)$", out.stdout, re.M), out.stdout
    assert re.search(r"^ipy_reimport 1/1 scenarios, \d+/8 checks", out.stdout, re.M), out.stdout
