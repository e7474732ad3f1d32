"""``make wheel`` builds a wheel that installs without Node.js and brings the panel (issue 12)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import ipy_reimport

ROOT = Path(__file__).resolve().parent.parent
# Into an empty prefix, from the wheel alone; --ignore-installed: without it, pip would first
# uninstall the package from the environment running the tests (the checkout's editable install).
FRESH = ["--quiet", "--no-deps", "--no-index", "--ignore-installed"]


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The prefix into which the wheel of ``make wheel`` was installed by pip, with no Node.js
    (nor anything else) on PATH and no package index."""
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run(["make", "-s", "-C", str(ROOT), "wheel", f"DIST={dist}"], check=True, timeout=600)
    (wheel,) = dist.glob("ipy_reimport-*.whl")
    prefix = tmp_path_factory.mktemp("fresh")
    nothing_on_path = tmp_path_factory.mktemp("empty-path")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", *FRESH, "--prefix", str(prefix), wheel],
        check=True,
        timeout=300,
        env={"PATH": str(nothing_on_path), "HOME": os.environ.get("HOME", str(prefix))},
    )
    return prefix


def test_the_wheel_brings_the_built_panel(installed):
    share = installed / "share" / "jupyter" / "labextensions" / "ipy-reimport"
    package = json.loads((share / "package.json").read_text())
    assert (package["name"], package["version"]) == ("ipy-reimport", ipy_reimport.__version__)
    assert (share / "static" / "style.js").is_file() and list(share.glob("static/remoteEntry.*.js"))
    assert (share / "schemas" / "ipy-reimport" / "plugin.json").is_file()
    assert json.loads((share / "install.json").read_text())["packageName"] == "ipy-reimport"


def test_jupyter_lists_the_installed_panel_as_enabled_and_ok(installed):
    labextensions = installed / "share" / "jupyter" / "labextensions"
    listing = subprocess.run(
        [sys.executable, "-m", "jupyter", "labextension", "list"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "JUPYTER_PATH": str(installed / "share" / "jupyter")},
    )
    text = re.sub(r"\x1b\[[0-9;]*m", "", listing.stdout + listing.stderr)
    section = text.split(f"{labextensions}\n", 1)[1].split("\n\n", 1)[0]
    assert f"ipy-reimport v{ipy_reimport.__version__} enabled OK" in section, text


def test_the_installed_package_imports_and_finds_its_protocol_schema(installed):
    (site,) = installed.glob("lib/python*/site-packages")
    code = "import ipy_reimport.protocol as p; print(p.__file__); print(p.SCHEMA['$defs'] != {})"
    shown = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        cwd=installed,
        env={**os.environ, "PYTHONPATH": str(site)},
    ).stdout.split()
    assert shown == [str(site / "ipy_reimport" / "protocol.py"), "True"]


def test_installing_the_wheel_left_the_environment_of_the_tests_alone(installed):
    code = "import ipy_reimport; print(ipy_reimport.__file__)"
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=installed, timeout=60)
    assert shown.stdout.strip() == str(ROOT / "ipy_reimport" / "__init__.py"), shown.stderr
