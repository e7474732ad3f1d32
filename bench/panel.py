"""Browser benchmark of the JupyterLab panel: a real ``jupyter lab``, a real Chromium, a real kernel.

Usage: ``python bench/panel.py [--quick]`` (needs the labextension installed and a Chromium:
``$CHROME_PATH`` or ``/usr/bin/chromium``; ``scripts/ensure-chromium.sh`` finds or installs one).

Measures, as a user sees them:
  (a) file save -> the row's ``data-state`` turns ``stale`` (no cell run): from Python's
      ``time.time()`` just before the write to the page's ``Date.now()`` in a MutationObserver;
  (b) click on the row's reload button -> the row turns ``fresh`` (both times taken in the page);
      (a) and (b) run on a 3-module package, then again once the 3,000 modules below are loaded;
  (c) the panel's own render time (``performance.measure('ipy-reimport-render')``) for the
      update that brings 3,000 generated modules (one cell imports them), and for a snapshot of
      them (the rescan button).
It is a benchmark, not a test: it prints figures and targets and asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests" / "e2e"))
from harness import Lab, LabServer, find_chromium, launch_chromium, write_notebook, write_package, write_source  # noqa: E402
from playwright.sync_api import expect, sync_playwright  # noqa: E402

import genpkg  # noqa: E402

SAVE_TARGET_MS = 300
RENDER_TARGET_MS = 100
FAILURE_SHOT = HERE.parent / "test-artifacts" / "bench-panel-failure.png"
MEASURE = "ipy-reimport-render"

CLICK_RELOAD = """(module) => {
    const button = document.querySelector(
        `#ipy-reimport-panel [data-module="${module}"][data-state] [data-action="reload"]`);
    const t = Date.now();
    button.click();
    return t;
}"""
# The kernel's messages as the browser receives them (before the panel handles them), to split a
# figure into "until the message arrived" (kernel, watcher, server) and the panel's share.
LISTEN = """() => {
    const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
    const arrived = window.__ipyReimportArrived = [];
    kernel.anyMessage.connect((_, args) => {
        const msg = args.msg;
        if (args.direction !== 'recv' || msg.header.msg_type !== 'comm_msg') return;
        const data = msg.content.data || {};
        const rows = data.type === 'delta' ? data.changed : data.type === 'snapshot' ? data.modules : [];
        const t = Date.now();
        for (const row of rows || []) arrived.push({module: row.name, state: row.state, t});
    });
}"""
ARRIVED = """([module, state, since]) => {
    const hit = window.__ipyReimportArrived.find((c) => c.module === module && c.state === state && c.t >= since);
    return hit ? hit.t : null;
}"""
RENDERS = f"() => performance.getEntriesByName('{MEASURE}').map((e) => e.duration)"


def settled_renders(lab: Lab, quiet_s: float = 1.0, timeout_s: float = 60.0) -> list[float]:
    """The render measures once no new one has appeared for ``quiet_s``."""
    deadline = time.monotonic() + timeout_s
    seen, since = lab.page.evaluate(RENDERS), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.1)
        now = lab.page.evaluate(RENDERS)
        if len(now) != len(seen):
            seen, since = now, time.monotonic()
        elif seen and time.monotonic() - since >= quiet_s:
            break
    return seen


class Timings:
    """One figure per repetition, and how much of it passed before the kernel's message arrived."""

    def __init__(self) -> None:
        self.total: list[float] = []
        self.arrived: list[float] = []

    def add(self, lab: Lab, start: float, end: float, module: str, state: str) -> None:
        self.total.append(end - start)
        arrived = lab.page.evaluate(ARRIVED, [module, state, start])
        self.arrived.append(arrived - start if arrived is not None else float("nan"))


def edits_section(lab: Lab, root: Path, edits: int) -> tuple[Timings, Timings]:
    """(a) save -> stale and (b) click -> fresh, ``edits`` times on pkg.base."""
    lab.panel.observe()
    lab.page.evaluate(LISTEN)
    save, reload = Timings(), Timings()
    for i in range(edits):
        text = f"VALUE = {i + 2}\n\n\ndef double(x):\n    return 2 * x\n"
        saved = write_source(root / "pkg" / "base.py", text) * 1000
        save.add(lab, saved, lab.panel.when("pkg.base", "data-state", "stale", saved - 5), "pkg.base", "stale")
        clicked = lab.page.evaluate(CLICK_RELOAD, "pkg.base")
        reload.add(lab, clicked, lab.panel.when("pkg.base", "data-state", "fresh", clicked), "pkg.base", "fresh")
        expect(lab.panel.result()).to_have_attribute("data-ok", "true")
        expect(lab.panel.button("reload-stale")).to_have_text("Nothing stale")  # pkg.user too
        print(
            f"  edit {i + 1}/{edits}: save->stale {save.total[-1]:.0f} ms, click->fresh {reload.total[-1]:.0f} ms",
            file=sys.stderr,
            flush=True,
        )
    return save, reload


def render_section(lab: Lab, root: Path, modules: int, rescans: int) -> tuple[list[float], list[float]]:
    """(c) render measures for the update that brings ``modules`` modules, then for snapshots."""
    genpkg.generate(modules, "benchpkg", root=str(root))
    names = genpkg.module_names("benchpkg", modules)
    lab.page.evaluate(f"() => performance.clearMeasures('{MEASURE}')")
    print(f"  importing {modules:,} generated modules in the kernel ...", file=sys.stderr, flush=True)
    width = len(names[0]) - len("benchpkg.m")
    code = f"import importlib\nfor _i in range({modules}):\n    importlib.import_module(f'benchpkg.m{{_i:0{width}d}}')"
    lab.run_cell(code, typing=False)
    delta = settled_renders(lab)
    snapshot = []
    for _ in range(rescans):
        lab.page.evaluate(f"() => performance.clearMeasures('{MEASURE}')")
        lab.panel.button("rescan").click()
        snapshot.append(max(settled_renders(lab)))
    lab.panel.filter(names[-1])  # the last module is listed (the rows may be virtualised)
    expect(lab.panel.row(names[-1])).to_have_count(1)
    lab.panel.filter("")
    return delta, snapshot


def row(label: str, values: list[float] | Timings, target: float | None) -> list[str]:
    """A table row: count, median, min, max (and the median until the message arrived), target."""
    arrived = statistics.median(values.arrived) if isinstance(values, Timings) else None
    values = values.total if isinstance(values, Timings) else values
    if not values:
        return [label, "0", "-", "-", "-", "-", "-", "-"]
    median = statistics.median(values)
    met = "-" if target is None else ("met" if median < target else "NOT met")
    return [
        label,
        str(len(values)),
        f"{median:.0f} ms",
        f"{min(values):.0f} ms",
        f"{max(values):.0f} ms",
        "-" if arrived is None else f"{arrived:.0f} ms",
        "-" if target is None else f"< {target} ms",
        met,
    ]


def table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in [header, *rows])


def measure(lab: Lab, work: Path, modules: int, edits: int, rescans: int) -> dict:
    """Every figure, in one notebook whose kernel has the extension loaded."""
    lab.open_notebook("bench.ipynb")
    lab.panel.open()
    lab.run_cell("%load_ext ipy_reimport")
    lab.run_cell("import pkg.user")
    lab.panel.expect_state("pkg.base", "fresh")
    print("(a), (b): ...", file=sys.stderr, flush=True)
    save, reload = edits_section(lab, work, edits)
    print("(c): ...", file=sys.stderr, flush=True)
    delta, snapshot = render_section(lab, work, modules, rescans)
    print(f"(a), (b) again with {modules:,} more modules loaded: ...", file=sys.stderr, flush=True)
    lab.panel.filter("pkg.base")  # the rows may be virtualised: keep the measured row in the DOM
    big_save, big_reload = edits_section(lab, work, edits)
    return {
        "save": save,
        "reload": reload,
        "delta": delta,
        "snapshot": snapshot,
        "big_save": big_save,
        "big_reload": big_reload,
    }


def report(results: dict, modules: int) -> None:
    """The table of medians and targets."""
    delta = results["delta"]
    print(
        table(
            ["measure", "n", "median", "min", "max", "message arrived", "target", ""],
            [
                row("(a) file save -> row 'stale' (no cell run)", results["save"], SAVE_TARGET_MS),
                row("(b) reload click -> row 'fresh'", results["reload"], None),
                row(f"(a) again, {modules:,} more modules loaded", results["big_save"], SAVE_TARGET_MS),
                row(f"(b) again, {modules:,} more modules loaded", results["big_reload"], None),
                row(
                    f"(c) render of the update adding {modules:,} modules",
                    [max(delta)] if delta else [],
                    RENDER_TARGET_MS,
                ),
                row(
                    f"(c) render of a snapshot of {modules:,}+ modules (rescan)", results["snapshot"], RENDER_TARGET_MS
                ),
            ],
        )
    )
    print(
        "'message arrived': median time until the kernel's comm message reached the browser (kernel, watcher and "
        "server); the rest is the panel's."
    )
    print(f"(c) counts the heaviest of the {len(delta)} render(s) measured while the cell imported the modules.")
    print(
        "IPython's %autoreload 2 has no panel: it discovers a saved file only when the next cell runs, "
        "so there is no save-to-display time to compare with."
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 edits, 1 rescan (a smoke run, ~20 s)")
    parser.add_argument("--modules", type=int, default=3000, help="generated modules for the render figure")
    args = parser.parse_args()
    edits, rescans = (3, 1) if args.quick else (15, 5)
    chromium = find_chromium()
    if chromium is None:
        print("no Chromium: set CHROME_PATH or run scripts/ensure-chromium.sh", file=sys.stderr)
        return 2
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="ipy_reimport_bench_panel_"))
    write_package(work)
    write_notebook(work / "bench.ipynb")
    server = LabServer(work).start()
    try:
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright, chromium)
            print(
                f"Panel benchmark ({'quick' if args.quick else 'full'}): Chromium {browser.version}, "
                f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs",
                flush=True,
            )
            lab = Lab(browser.new_page(viewport={"width": 1400, "height": 900}), server, None, "bench")
            try:
                results = measure(lab, work, args.modules, edits, rescans)
            except Exception:
                FAILURE_SHOT.parent.mkdir(parents=True, exist_ok=True)
                lab.page.screenshot(path=str(FAILURE_SHOT))
                print(f"failed: screenshot in {FAILURE_SHOT}; server log (end):\n{server.log_tail()}", file=sys.stderr)
                raise
            finally:
                browser.close()
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    print()
    report(results, args.modules)
    print(f"\n(total {time.monotonic() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
