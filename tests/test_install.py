"""The installed package: JupyterLab finds the prebuilt panel with no Node.js step."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import ipy_reimport


def test_jupyter_lists_the_panel_as_enabled_and_ok():
    listing = subprocess.run(
        [sys.executable, "-m", "jupyter", "labextension", "list"], capture_output=True, text=True, timeout=120
    )
    text = re.sub(r"\x1b\[[0-9;]*m", "", listing.stdout + listing.stderr)
    line = next((entry for entry in text.splitlines() if "ipy-reimport" in entry), "")
    assert f"ipy-reimport v{ipy_reimport.__version__} enabled OK" in line, text


def test_the_installed_extension_is_the_built_one_with_its_schema():
    share = Path(sys.prefix) / "share" / "jupyter" / "labextensions" / "ipy-reimport"
    package = json.loads((share / "package.json").read_text())
    assert package["name"] == "ipy-reimport" and package["version"] == ipy_reimport.__version__
    assert (share / "static" / "style.js").is_file()
    assert list((share / "schemas" / "ipy-reimport").glob("*.json"))
    assert ipy_reimport._jupyter_labextension_paths() == [{"src": "labextension", "dest": "ipy-reimport"}]
