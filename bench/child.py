"""One benchmark measurement in a fresh interpreter (started by ``run.py``).

Usage: ``python child.py SCENARIO TOOL ROOT OUT [options]`` (see ``main`` for the options)

SCENARIO is ``cells``, ``root`` or ``repeat``; TOOL is ``none``, ``autoreload``,
``ipy_reimport``, ``ipy_reimport_full`` (``--full``) or ``reload_loop`` (plain ``importlib.reload``
of the root and then of every dependent, in dependency order). The results are written to OUT as
JSON.
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import os
import statistics
import sys
import time
from typing import TYPE_CHECKING

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import genpkg

if TYPE_CHECKING:
    from IPython.core.interactiveshell import InteractiveShell

HEAVY = ("numpy", "pandas", "scipy", "scipy.stats", "scipy.optimize", "scipy.linalg")
ns = time.perf_counter_ns


def ms(values_ns) -> list[float]:
    """Durations in ns as ms."""
    return [v / 1e6 for v in values_ns]


def summary(values_ns) -> dict:
    """Median and p90 (ms) of a list of durations in ns."""
    values = sorted(ms(values_ns))
    return {
        "n": len(values),
        "median": statistics.median(values),
        "p90": values[min(len(values) - 1, int(0.9 * len(values)))],
    }


def setup(args) -> InteractiveShell:
    """Import the data-science stack and the generated packages, then create the shell."""
    sys.path.insert(0, args.root)
    for name in HEAVY:
        importlib.import_module(name)
    for name in genpkg.module_names("benchpkg", args.size) + [f"benchpkg.s{i:02d}" for i in range(genpkg.SHAPES_USERS)]:
        importlib.import_module(name)
    if args.extra:
        sys.path.insert(0, args.extra_root)
        for name in genpkg.module_names("extrapkg", args.extra_total)[: args.extra]:
            importlib.import_module(name)
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    config = Config()
    config.HistoryManager.hist_file = ":memory:"
    return InteractiveShell.instance(config=config)


def load_tool(ip, tool: str) -> tuple[float, dict]:
    """Load the tool the way a user would; returns the load time in ms and the event
    callbacks it registered."""
    before = {event: list(callbacks) for event, callbacks in ip.events.callbacks.items()}
    start = ns()
    if tool == "autoreload":
        ip.run_line_magic("load_ext", "autoreload")
        ip.run_line_magic("autoreload", "2")
    elif tool.startswith("ipy_reimport"):
        ip.run_line_magic("load_ext", "ipy_reimport")
        if tool == "ipy_reimport_auto":
            ip.run_line_magic("reload_deep", "--auto on")
    elapsed = (ns() - start) / 1e6
    added = {
        event: [cb for cb in callbacks if cb not in before.get(event, ())]
        for event, callbacks in ip.events.callbacks.items()
    }
    for _ in range(3):
        ip.run_cell("pass", store_history=False)
    return elapsed, {event: cbs for event, cbs in added.items() if cbs}


def user_files(tool: str) -> int | None:
    """How many module files ipy_reimport counts as the user's (what auto mode stats)."""
    if not tool.startswith("ipy_reimport"):
        return None
    import ipy_reimport

    return len(ipy_reimport.session().tracker.names())


def cell_ns(ip) -> int:
    """Duration of one 'pass' cell in ns."""
    start = ns()
    ip.run_cell("pass", store_history=False)
    return ns() - start


def timed(step, count: int, budget: float) -> list[int]:
    """Durations of up to ``count`` calls of ``step`` (at least 200, within ``budget`` s)."""
    times, deadline = [], time.monotonic() + budget
    while len(times) < count and (len(times) < 200 or time.monotonic() < deadline):
        start = ns()
        step()
        times.append(ns() - start)
    return times


def scenario_cells(ip, args, hooks: dict) -> dict:
    """Time 'pass' cells, then the tool's own per-cell callbacks called directly."""
    seen = {}
    remember = {
        "pre_run_cell": lambda info: seen.setdefault("info", info),
        "post_run_cell": lambda result: seen.setdefault("result", result),
    }
    for event, callback in remember.items():
        ip.events.register(event, callback)
    for _ in range(100):
        ip.run_cell("pass", store_history=False)
    for event, callback in remember.items():
        ip.events.unregister(event, callback)
    cells = timed(lambda: ip.run_cell("pass", store_history=False), args.cells, args.budget)
    call_args = {"pre_run_cell": (seen["info"],), "post_run_cell": (seen["result"],)}
    calls = [(cb, call_args.get(event, ())) for event, cbs in hooks.items() for cb in cbs]

    def run_hooks():
        for callback, arguments in calls:
            callback(*arguments)

    result = summary(cells)
    result["hooks"] = summary(timed(run_hooks, args.cells, args.budget / 2))["median"] if calls else 0.0
    return result


def dependents_seeing(size: int, const: int, factor: int) -> int:
    """How many mNNN modules compute with the current ``CONST`` and call the current ``double``."""
    count = 0
    for name in genpkg.module_names("benchpkg", size):
        module = sys.modules[name]
        count += module.VALUE == 2 * const and module.double(1) == factor * const
    return count


def reload_root(ip, args) -> tuple[int, int | None]:
    """One reload of the edited root with the tool under test; returns (ns, modules re-executed)."""
    start = ns()
    if args.tool.startswith("ipy_reimport"):
        report = ip.run_line_magic(
            "reload_deep", "benchpkg.base" + (" --full" if args.tool == "ipy_reimport_full" else "")
        )
        elapsed = ns() - start
        return elapsed, sum(m.action == "executed" for m in report.modules)
    if args.tool == "reload_loop":
        importlib.reload(sys.modules["benchpkg.base"])
        for name in genpkg.module_names("benchpkg", args.size):
            importlib.reload(sys.modules[name])
        return ns() - start, 1 + args.size
    cell = cell_ns(ip)
    return cell, None


def scenario_root(ip, args, hooks: dict) -> dict:
    """Edit base.py three times (a constant, or the body of ``double``); each time time the
    reload and count the dependents that compute with the new code."""
    runs = []
    for k in (1, 2, 3):
        const, factor = (1 + k, 2) if args.variant == "const" else (1, 2 + k)
        genpkg.write_base(args.root, const, genpkg.PAST + 1000 * k, factor=factor)
        elapsed, executed = reload_root(ip, args)
        runs.append(
            {
                "ms": elapsed / 1e6,
                "executed": executed,
                "base_ok": sys.modules["benchpkg.base"].double(1) == factor * const,
                "seeing": dependents_seeing(args.size, const, factor),
            }
        )
    return {"runs": runs}


def scenario_repeat(ip, args, hooks: dict) -> dict:
    """40 edits of ``shapes`` with millions of live objects, 100k of them ``Circle`` instances."""
    shapes = sys.modules["benchpkg.shapes"]
    ip.user_ns["keep"] = [object() for _ in range(3_000_000)]
    ip.user_ns["circles"] = circles = [shapes.Circle(i % 10) for i in range(100_000)]
    times, orders = [], set()
    for k in range(1, args.edits + 1):
        genpkg.write_shapes(args.root, k, genpkg.PAST + 1000 + 10 * k)
        if args.tool == "ipy_reimport":
            start = ns()
            report = ip.run_line_magic("reload_deep", "benchpkg.shapes")
            times.append(ns() - start)
            orders.add(len(report.order))
        else:
            times.append(cell_ns(ip))
    new = sys.modules["benchpkg.shapes"]
    return {
        "ms": ms(times),
        "orders": sorted(orders),
        "module_ok": new.VERSION == args.edits,
        "instances_ok": math.isclose(circles[1].area(), math.pi + args.edits),
        "isinstance_ok": isinstance(circles[1], new.Circle),
        "users_ok": sys.modules["benchpkg.s00"].use00() > 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("scenario", choices=["cells", "root", "repeat"])
    parser.add_argument(
        "tool", choices=["none", "autoreload", "ipy_reimport", "ipy_reimport_auto", "ipy_reimport_full", "reload_loop"]
    )
    parser.add_argument("root")
    parser.add_argument("out")
    parser.add_argument("--extra-root")
    parser.add_argument("--extra", type=int, default=0)
    parser.add_argument("--extra-total", type=int, default=0)
    parser.add_argument("--cells", type=int, default=2000)
    parser.add_argument("--budget", type=float, default=6.0)
    parser.add_argument("--edits", type=int, default=40)
    parser.add_argument("--size", type=int, default=300)
    parser.add_argument("--variant", choices=["const", "body"], default="const")
    args = parser.parse_args()
    ip = setup(args)
    modules = len(sys.modules)
    load_ms, hooks = load_tool(ip, args.tool)
    result = {
        "modules": modules,
        "modules_after": len(sys.modules),
        "load_ms": load_ms,
        "bytecode": not sys.dont_write_bytecode,
        "user_files": user_files(args.tool),
    }
    result.update(
        {"cells": scenario_cells, "root": scenario_root, "repeat": scenario_repeat}[args.scenario](ip, args, hooks)
    )
    with open(args.out, "w") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main()
