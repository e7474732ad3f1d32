"""The browser benchmark still runs end to end (it is a benchmark: no time is asserted here)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_quick_panel_benchmark_runs(chromium_path):
    out = subprocess.run([sys.executable, str(REPO / "bench" / "panel.py"), "--quick", "--modules", "300"],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    for label in ("(a) file save -> row 'stale'", "(b) reload click -> row 'fresh'", "(c) render of the update",
                  "autoreload"):
        assert label in out.stdout, out.stdout
    assert " error" not in out.stdout, out.stdout
