"""Take the README's screenshots: the demo package, one module edited, in JupyterLab with the
panel at the default sidebar width of 250 px (docs/panel.png) or in Notebook 7's notebook page
(``--frontend notebook``: docs/panel-notebook7.png).

Run with the project's environment: ``.venv/bin/python scripts/screenshot.py [--frontend notebook]
[--dark]``. It uses the browser-test harness: a temporary copy of notebooks/, a real server and
Debian's Chromium.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "e2e"))

from harness import FRONTENDS, Lab, LabServer, find_chromium, launch_chromium, write_notebook  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

SIDEBAR_WIDTH = 250  # JupyterLab's default and minimum
OUT = {"lab": REPO / "docs" / "panel.png", "notebook": REPO / "docs" / "panel-notebook7.png"}

CELLS = [
    "%load_ext ipy_reimport",
    "%config Reimport.package = 'shapes'\n%import_rel from .report import summary\ngeometry = %import_rel .geometry",
    "c = geometry.Circle(2)\nprint(summary([c]))",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frontend", choices=FRONTENDS, default="lab")
    parser.add_argument("--out", help="default: docs/panel.png, or docs/panel-notebook7.png")
    parser.add_argument("--dark", action="store_true", help="use JupyterLab's dark theme")
    args = parser.parse_args()
    args.out = args.out or str(OUT[args.frontend])
    root = Path(tempfile.mkdtemp(prefix="ipy_reimport_shot_"))
    shutil.copytree(REPO / "notebooks" / "shapes", root / "shapes")
    write_notebook(root / "explore.ipynb")
    server = LabServer(root).start()
    try:
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright, find_chromium())
            page = browser.new_page(viewport={"width": 1100, "height": 560}, device_scale_factor=1)
            lab = Lab(page, server, None, "shot", frontend=args.frontend)
            lab.open_notebook("explore.ipynb")
            if args.dark:
                page.evaluate(
                    "() => window.jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Dark'})"
                )
            lab.panel.open()
            if args.frontend == "lab":
                lab.panel.set_width(SIDEBAR_WIDTH)
            for code in CELLS:
                lab.run_cell(code, typing=False)
            lab.panel.expect_state("shapes.units", "fresh")
            units = root / "shapes" / "units.py"
            units.write_text(units.read_text().replace("SCALE = 1.0", "SCALE = 10.0"))
            stamp = time.time() + 5
            os.utime(units, (stamp, stamp))
            lab.panel.expect_state("shapes.units", "stale")
            lab.panel.expect_state("shapes.geometry", "dependent")
            page.mouse.move(0, 0)
            page.screenshot(path=args.out)
            browser.close()
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
