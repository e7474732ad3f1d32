"""Benchmark of ipy_reimport against IPython's ``%autoreload 2``.

Usage: ``python bench/run.py [--quick] [--only cells,auto,root,repeat]``

Every measurement runs in its own fresh interpreter (``bench/child.py``), one per tool, in a
"data-science kernel" (numpy, pandas, scipy and a generated 300-module package loaded).
Scenarios: per-cell overhead (and how it grows with the module count), the same in auto mode,
editing the package's root module (a function body, a constant) with 300 and 3,000 dependents
against autoreload, a plain ``importlib.reload`` loop and ``--full``, and 40 repeated edits of one
module with millions of live objects. The tables go to stdout, progress to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import genpkg  # noqa: E402

TOOLS = {"none": "none", "autoreload": "autoreload 2", "ipy_reimport": "ipy_reimport"}
LABELS = {
    **TOOLS,
    "ipy_reimport_auto": "ipy_reimport --auto on",
    "ipy_reimport_full": "ipy_reimport --full",
    "reload_loop": "reload loop",
}
RESTART = (
    "import importlib, sys; import numpy, pandas, scipy.stats, scipy.optimize\n"
    "for i in range(300): importlib.import_module('benchpkg.m%03d' % i)"
)


class Runner:
    """Starts the child interpreters in a clean environment and collects their results."""

    def __init__(self, workdir: str) -> None:
        self.workdir = workdir
        self.env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        self.env["IPYTHONDIR"] = os.path.join(workdir, "ipython")
        self.count = 0

    def fresh_dir(self) -> str:
        """A new directory under the work dir (for a package copy that a child will edit)."""
        return tempfile.mkdtemp(dir=self.workdir)

    def child(self, scenario: str, tool: str, root: str, *options: str) -> dict | None:
        """Run ``child.py`` once; None (and the error on stderr) when it fails."""
        self.count += 1
        out = os.path.join(self.workdir, f"result{self.count}.json")
        print(f"  {scenario:6} {LABELS[tool]:12} {' '.join(options)}", file=sys.stderr, flush=True)
        cmd = [sys.executable, os.path.join(HERE, "child.py"), scenario, tool, root, out, *options]
        proc = subprocess.run(cmd, env=self.env, capture_output=True, text=True)
        if proc.returncode != 0:
            print(f"  FAILED ({proc.returncode}):\n{proc.stderr[-3000:]}", file=sys.stderr)
            return None
        with open(out) as f:
            return json.load(f)

    def restart_seconds(self, root: str, runs: int) -> list[float]:
        """Wall time of a fresh interpreter importing the stack and the generated package."""
        env = dict(self.env, PYTHONPATH=root)
        times = []
        for _ in range(runs):
            start = time.perf_counter_ns()
            subprocess.run([sys.executable, "-c", RESTART], env=env, check=True)
            times.append((time.perf_counter_ns() - start) / 1e9)
        return times


def fmt_ms(value: float | None) -> str:
    """Milliseconds with about three significant digits (microseconds below 0.01 ms)."""
    if value is None:
        return "error"
    if abs(value) >= 100:
        return f"{value:.0f} ms"
    if abs(value) >= 10:
        return f"{value:.1f} ms"
    if abs(value) >= 1:
        return f"{value:.2f} ms"
    if abs(value) >= 0.01:
        return f"{value:.3f} ms"
    return f"{value * 1000:.1f} µs"


def table(header: list[str], rows: list[list[str]]) -> str:
    """Left-aligned columns."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    return "\n".join(
        "  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=False)).rstrip() for r in [header, *rows]
    )


def ratio_text(big: float, small: float) -> str:
    """``big / small`` as 'Nx less', or a bound when ``small`` is below the noise."""
    if small <= 0.0005:
        return f">{big / 0.0005:,.0f}x less (at noise level)"
    return f"{big / small:,.0f}x less"


def overheads(results: dict) -> dict:
    """Per tool: median minus the median of 'none'."""
    base = results["none"]["median"] if results.get("none") else None
    return {t: (r["median"] - base if r and base is not None else None) for t, r in results.items()}


def combine(rounds: list[dict | None]) -> dict | None:
    """One tool's results over several rounds: medians of the per-round figures."""
    done = [r for r in rounds if r is not None]
    if not done:
        return None
    merged = dict(done[0])
    for key in ("median", "p90", "hooks", "load_ms"):
        merged[key] = statistics.median(r[key] for r in done)
    merged["n"] = sum(r["n"] for r in done)
    merged["rounds"] = len(done)
    return merged


def extra_options(extra_root: str, extra: int, total: int) -> list[str]:
    """Child options that load ``extra`` modules of the second generated package."""
    return ["--extra-root", extra_root, "--extra", str(extra), "--extra-total", str(total)] if extra else []


def cells_section(
    runner: Runner, pkg: str, extra_root: str, sizes: list[int], total: int, opts: list[str], rounds: int
) -> dict:
    """Scenario 1: per-cell overhead, then the flatness sweep over extra module counts."""
    print("Scenario 1 (per-cell overhead) ...", file=sys.stderr)
    sweep = {}
    for extra in sizes:
        more = extra_options(extra_root, extra, total)
        runs = {t: [] for t in TOOLS}
        for _ in range(rounds):
            for tool in TOOLS:
                runs[tool].append(runner.child("cells", tool, pkg, *opts, *more))
        sweep[extra] = {t: combine(r) for t, r in runs.items()}
    main = sweep[sizes[0]]
    over = overheads(main)
    count = main["none"]["modules"] if main["none"] else "?"
    print(
        f"\n== 1. Per-cell overhead ({count:,} modules in sys.modules; 'pass' cells after 100 warm-up "
        f"cells; median of the medians of {rounds} round(s), one process per tool and round) =="
    )
    rows = []
    for tool, r in main.items():
        if r is None:
            rows.append([TOOLS[tool], "error"])
            continue
        rows.append(
            [
                TOOLS[tool],
                f"{r['n']}",
                fmt_ms(r["median"]),
                fmt_ms(r["p90"]),
                "-" if tool == "none" else fmt_ms(over[tool]),
                "-" if tool == "none" else fmt_ms(r["hooks"]),
                "-" if tool == "none" else f"{r['modules_after']:,}",
                "-" if tool == "none" else fmt_ms(r["load_ms"]),
            ]
        )
    print(
        table(
            ["tool", "cells timed", "per cell", "p90", "overhead", "hooks alone", "modules after load", "load_ext"],
            rows,
        )
    )
    ar, ir = main["autoreload"], main["ipy_reimport"]
    if ar and ir and main["none"]:
        print(
            f"autoreload overhead / ipy_reimport overhead: {ratio_text(over['autoreload'], over['ipy_reimport'])}"
            f"   (hooks alone: {ratio_text(ar['hooks'], ir['hooks'])})"
        )
        met = over["ipy_reimport"] <= over["autoreload"] / 50 and over["ipy_reimport"] < 0.15
        print(
            f"target: ipy_reimport overhead <= 1/50 of autoreload's and < 0.15 ms -> "
            f"{'met' if met else 'NOT met'} ({fmt_ms(over['ipy_reimport'])} vs limit "
            f"{fmt_ms(min(0.15, over['autoreload'] / 50))})"
        )
    print(
        "('overhead' = median minus none's median, across processes; 'hooks alone' = the tool's "
        "pre/post-cell callbacks timed directly in-process)"
    )

    print("\n-- Flatness: overhead vs number of loaded modules (extra generated modules from a second package) --")
    rows = []
    for extra, results in sweep.items():
        over = overheads(results)
        row = [
            f"{extra:,}",
            f"{results['none']['modules']:,}" if results["none"] else "?",
            fmt_ms(results["none"]["median"]) if results["none"] else "error",
        ]
        for tool in ("autoreload", "ipy_reimport"):
            r = results[tool]
            row += [fmt_ms(over[tool]), fmt_ms(r["hooks"]) if r else "error"]
        rows.append(row)
    print(
        table(["extra", "modules", "none/cell", "autoreload overhead", "hooks", "ipy_reimport overhead", "hooks"], rows)
    )
    first, last = sweep[sizes[0]], sweep[sizes[-1]]
    for tool in ("autoreload", "ipy_reimport"):
        if first[tool] and last[tool]:
            print(
                f"{TOOLS[tool]}: hooks at +{sizes[-1]:,} modules / at +0: "
                f"{last[tool]['hooks'] / max(first[tool]['hooks'], 1e-6):.2f}x"
            )
    return sweep


def auto_section(
    runner: Runner, pkg: str, extra_root: str, sweep: dict, total: int, opts: list[str], rounds: int
) -> None:
    """Scenario 1b: per-cell cost in auto mode with nothing changed (the user's files are
    stat-ed before each cell), against autoreload 2 and the default mode of scenario 1."""
    print("Scenario 1b (per-cell overhead in auto mode) ...", file=sys.stderr)
    sizes = [min(sweep), max(sweep)]
    auto = {
        extra: combine(
            [
                runner.child("cells", "ipy_reimport_auto", pkg, *opts, *extra_options(extra_root, extra, total))
                for _ in range(rounds)
            ]
        )
        for extra in sizes
    }
    print(
        "\n== 1b. Per-cell overhead in auto mode, nothing changed (the extra generated modules are user files too) =="
    )
    rows = []
    for extra in sizes:
        results = dict(sweep[extra], ipy_reimport_auto=auto[extra])
        over = overheads(results)
        r = auto[extra]
        rows.append(
            [
                f"{extra:,}",
                f"{results['none']['modules']:,}" if results["none"] else "?",
                f"{r['user_files']:,}" if r else "error",
                *(
                    fmt_ms(over[t]) if results[t] else "error"
                    for t in ("autoreload", "ipy_reimport_auto", "ipy_reimport")
                ),
                fmt_ms(r["hooks"]) if r else "error",
            ]
        )
    print(
        table(
            [
                "extra",
                "modules",
                "user files",
                "autoreload 2 overhead",
                "auto on overhead",
                "auto off overhead",
                "auto on hooks",
            ],
            rows,
        )
    )
    print(
        "(auto on stats the user's module files before each cell, so a file saved just before a cell "
        "is reloaded before it; auto off stats nothing)"
    )


ROOT_TOOLS = {
    "autoreload": "autoreload 2 (next cell)",
    "reload_loop": "importlib.reload loop",
    "ipy_reimport_full": "%reload_deep --full",
    "ipy_reimport": "%reload_deep",
}


def root_section(runner: Runner, pkg: str, sizes: list[int], restart_runs: int) -> None:
    """Scenario 2: edit the package's root module (a function body, or a constant its dependents
    read at import), three times; compare the tools, and a kernel restart."""
    print("Scenario 2 (root edit) ...", file=sys.stderr)
    restart = runner.restart_seconds(pkg, restart_runs)
    for variant, what in (("body", "the body of double()"), ("const", "CONST, which every dependent reads at import")):
        print(f"\n== 2{'ab'[variant == 'const']}. Editing benchpkg.base: {what} ==")
        rows = []
        for size in sizes:
            for tool, label in ROOT_TOOLS.items():
                root = genpkg.generate(size, root=runner.fresh_dir())
                r = runner.child("root", tool, root, "--size", str(size), "--variant", variant)
                if r is None:
                    rows.append([f"{size:,}", label, "error"])
                    continue
                runs = r["runs"]
                executed = runs[-1]["executed"]
                rows.append(
                    [
                        f"{size:,}",
                        label,
                        *(fmt_ms(x["ms"]) for x in runs),
                        "1 (base only)" if executed is None else f"{executed:,}",
                        f"{min(x['seeing'] for x in runs):,} of {size:,}",
                    ]
                )
        print(
            table(
                [
                    "dependents",
                    "tool",
                    "edit 1 (cold)",
                    "edit 2",
                    "edit 3",
                    "modules re-executed",
                    "dependents on the new code",
                ],
                rows,
            )
        )
    print(
        f"kernel-restart reference (a fresh python importing numpy, pandas, scipy.stats, scipy.optimize "
        f"and the 300-module package): median {statistics.median(restart):.2f} s of {len(restart)}"
    )


def repeat_section(runner: Runner, edits: int) -> None:
    """Scenario 3: repeated edits of benchpkg.shapes with a big heap."""
    print("Scenario 3 (repeated edits) ...", file=sys.stderr)
    results = {
        t: runner.child("repeat", t, genpkg.generate(root=runner.fresh_dir()), "--edits", str(edits))
        for t in ("autoreload", "ipy_reimport")
    }
    print(
        f"\n== 3. Repeated edits: {edits} edits of benchpkg.shapes (imported by 10 modules), "
        f"3,000,000 objects + 100,000 Circle instances live =="
    )
    rows, growth = [], {}
    for tool, r in results.items():
        if r is None:
            rows.append([TOOLS[tool], "error"])
            continue
        times = r["ms"]
        first, last = statistics.median(times[:5]), statistics.median(times[-5:])
        growth[tool] = last / first
        checks = all(r[k] for k in ("module_ok", "instances_ok", "isinstance_ok", "users_ok"))
        modules = ",".join(map(str, r["orders"])) if r["orders"] else "1"
        rows.append(
            [
                TOOLS[tool],
                fmt_ms(first),
                fmt_ms(last),
                f"{growth[tool]:.2f}",
                fmt_ms(statistics.median(times)),
                fmt_ms(max(times)),
                modules,
                "yes" if checks else "NO",
            ]
        )
    print(
        table(
            [
                "tool",
                "first-5 median",
                "last-5 median",
                "growth",
                "median",
                "max",
                "modules",
                "old instances use new code",
            ],
            rows,
        )
    )
    if "ipy_reimport" in growth:
        flat = growth["ipy_reimport"] <= 1.25
        print(
            f"target: ipy_reimport flat (last-5 / first-5 <= 1.25) -> {'met' if flat else 'NOT met'} "
            f"({growth['ipy_reimport']:.2f})"
        )
    print(
        "(ipy_reimport: '%reload_deep benchpkg.shapes'; autoreload 2: the next 'pass' cell, "
        "which includes its per-cell check of every module)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer cells, edits and sizes (~40 s)")
    parser.add_argument(
        "--only",
        default="cells,auto,root,repeat",
        help="comma-separated scenarios to run (auto needs cells): cells, auto, root, repeat",
    )
    args = parser.parse_args()
    only = set(args.only.split(","))
    if not only <= {"cells", "auto", "root", "repeat"} or ("auto" in only and "cells" not in only):
        parser.error(f"--only {args.only}: choose among cells, auto (with cells), root, repeat")
    started = time.monotonic()
    workdir = tempfile.mkdtemp(prefix="ipy_reimport_bench_run_")
    runner = Runner(workdir)
    try:
        sizes = [0, 3000] if args.quick else [0, 1000, 3000]
        cell_opts = ["--cells", "500", "--budget", "2"] if args.quick else ["--cells", "2000", "--budget", "2"]
        pkg = genpkg.generate(root=os.path.join(workdir, "pkg"))
        extra = genpkg.generate(sizes[-1], "extrapkg", root=os.path.join(workdir, "extra"))
        print(
            f"ipy_reimport benchmark ({'quick' if args.quick else 'full'}), Python "
            f"{sys.version.split()[0]}, {os.cpu_count()} CPUs; bytecode cache on in the children"
        )
        if "cells" in only:
            sweep = cells_section(runner, pkg, extra, sizes, sizes[-1], cell_opts, 1 if args.quick else 3)
        if "auto" in only:
            auto_section(runner, pkg, extra, sweep, sizes[-1], cell_opts, 1 if args.quick else 3)
        if "root" in only:
            root_section(runner, pkg, [300] if args.quick else [300, 3000], 1 if args.quick else 3)
        if "repeat" in only:
            repeat_section(runner, 10 if args.quick else 40)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"\n(total {time.monotonic() - started:.0f} s)")


if __name__ == "__main__":
    main()
