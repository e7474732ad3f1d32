"""Soak test of ipy_reimport: many edit-and-reload cycles and many load/unload cycles.

Usage: ``python bench/soak.py [--quick] [--cycles N]``

Runs in a real IPython ``InteractiveShell`` (no kernel), through the public magics only:

1. **Edit and reload.** A small package (``soakpkg``: a base module with a constant, a function,
   a class and a subclass elsewhere, and modules importing them) is edited ``N`` times; after each
   edit ``%reload_deep`` reloads the stale module and its dependents.
2. **Load and unload.** ``%load_ext ipy_reimport`` / a cell that imports the package /
   ``%unload_ext ipy_reimport``, ``N`` times.

For each part it prints the time per cycle (median of the first and of the last 100 cycles), the
resident memory (RSS) at the start and at the end, and what is still alive at the end: class
objects that the edits' executions created (found through weak references the package's own
code registers), and sessions of earlier load cycles. A flat time, a flat RSS and nothing old
alive is what a healthy engine shows. Progress goes to stderr, the results to stdout.
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import statistics
import sys
import tempfile
import textwrap
import time
import weakref

CLASS_REGISTRY = "soak_classes"  # a module outside the package, never reloaded

BASE = """
import {registry}

SCALE = {cycle}


def scaled(x):
    return x * SCALE + {cycle}


class Point:
    __slots__ = ("x", "y")

    def __init__(self, x, y):
        self.x, self.y = x, y

    def norm(self):
        return (self.x ** 2 + self.y ** 2) ** 0.5 + {cycle}


{registry}.created.append(__import__("weakref").ref(Point))
"""

SHAPES = """
import {registry}
from .base import SCALE, Point, scaled


class Labelled(Point):
    __slots__ = ("label",)

    def describe(self):
        return f"{{self.label}}: {{self.norm():.1f}} x{{SCALE}}"


{registry}.created.append(__import__("weakref").ref(Labelled))
"""

USE = """
from .shapes import Labelled
from .base import scaled

ORIGIN = Labelled(0, 0)


def total(n):
    return sum(scaled(i) for i in range(n))
"""


def rss_mb() -> float:
    """Resident memory of this process in MB (Linux /proc; elsewhere the peak)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024 if sys.platform == "darwin" else 1024)


class Package:
    """``soakpkg`` in a temporary folder on ``sys.path``; each write gets a new explicit mtime."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.stamp = int(time.time()) - 10_000_000
        for name, text in {"__init__": "", "base": BASE, "shapes": SHAPES, "use": USE}.items():
            self.write(name, text, 0)
        with open(os.path.join(root, f"{CLASS_REGISTRY}.py"), "w") as f:
            f.write("created = []\n")

    def write(self, module: str, template: str, cycle: int) -> None:
        path = os.path.join(self.root, "soakpkg", f"{module}.py")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(textwrap.dedent(template).format(cycle=cycle, registry=CLASS_REGISTRY))
        self.stamp += 10  # explicit and distinct: never rely on the clock's resolution
        os.utime(path, (self.stamp, self.stamp))


def medians(seconds: list[float]) -> tuple[float, float]:
    """Median of the first and of the last 100 cycles (a tenth of them on short runs), in ms."""
    window = max(1, min(100, len(seconds) // 10))
    return (statistics.median(seconds[:window]) * 1000, statistics.median(seconds[-window:]) * 1000)


def run_cell(shell, code: str) -> None:
    result = shell.run_cell(code, store_history=False)
    error = result.error_before_exec or result.error_in_exec
    if error is not None:
        raise RuntimeError(f"cell failed: {code!r}") from error


def edit_and_reload(shell, package: Package, cycles: int) -> dict:
    """Edit the base module ``cycles`` times, ``%reload_deep`` after each edit."""
    shell.run_line_magic("load_ext", "ipy_reimport")
    run_cell(shell, "import soakpkg.use, soak_classes\nkept = soakpkg.use.ORIGIN")
    gc.collect()
    start_rss, seconds = rss_mb(), []
    for cycle in range(1, cycles + 1):
        package.write("base", BASE, cycle)
        began = time.perf_counter()
        shell.run_line_magic("reload_deep", "")
        seconds.append(time.perf_counter() - began)
        if cycle % 100 == 0:
            print(f"  reload {cycle}/{cycles}", file=sys.stderr, flush=True)
    assert shell.ev("soakpkg.use.total(3)") == sum(i * cycles + cycles for i in range(3)), "old code runs"
    assert shell.ev("isinstance(kept, soakpkg.shapes.Labelled)"), "an old instance lost its class"
    gc.collect()
    created = shell.ev("soak_classes.created")
    first, by_edits = created[:2], created[2:]  # the first versions: the classes' kept identity
    shell.run_line_magic("unload_ext", "ipy_reimport")
    return {
        "seconds": seconds,
        "rss": (start_rss, rss_mb()),
        "created": len(by_edits),
        "alive": sum(1 for ref in by_edits if ref() is not None),
        "first_alive": sum(1 for ref in first if ref() is not None),
    }


def load_and_unload(shell, cycles: int) -> dict:
    """``%load_ext`` / a cell / ``%unload_ext``, ``cycles`` times; count the sessions left alive."""
    import ipy_reimport

    gc.collect()
    start_rss, seconds, sessions = rss_mb(), [], []
    for cycle in range(1, cycles + 1):
        began = time.perf_counter()
        shell.run_line_magic("load_ext", "ipy_reimport")
        run_cell(shell, "import soakpkg.use")
        sessions.append(weakref.ref(ipy_reimport.session()))
        shell.run_line_magic("unload_ext", "ipy_reimport")
        seconds.append(time.perf_counter() - began)
        if cycle % 100 == 0:
            print(f"  load/unload {cycle}/{cycles}", file=sys.stderr, flush=True)
    gc.collect()
    return {
        "seconds": seconds,
        "rss": (start_rss, rss_mb()),
        "alive": sum(1 for ref in sessions if ref() is not None),
        "created": len(sessions),
    }


def report(title: str, result: dict, what: str) -> None:
    first, last = medians(result["seconds"])
    start, end = result["rss"]
    print(f"{title} ({len(result['seconds'])} cycles)")
    print(f"  time per cycle, median: first {first:.2f} ms, last {last:.2f} ms (last/first {last / first:.2f})")
    print(f"  RSS: {start:.1f} MB at start, {end:.1f} MB at end ({end - start:+.1f} MB)")
    print(f"  {what} alive at the end: {result['alive']} of {result['created']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 cycles of each instead of 1,000")
    parser.add_argument("--cycles", type=int, help="cycles of each part (overrides --quick)")
    args = parser.parse_args()
    cycles = args.cycles or (100 if args.quick else 1000)

    from IPython.core.interactiveshell import InteractiveShell

    with tempfile.TemporaryDirectory(prefix="ipy_reimport_soak_") as root:
        package = Package(root)
        sys.path.insert(0, root)
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
        shell = InteractiveShell.instance()
        print(f"ipy_reimport soak: {cycles} cycles per part, Python {sys.version.split()[0]}", file=sys.stderr)
        reloads = edit_and_reload(shell, package, cycles)
        loads = load_and_unload(shell, cycles)
    report("Edit and %reload_deep", reloads, "class objects created by the edits' executions")
    print(f"  (the first versions, which patching keeps as the classes' identity: {reloads['first_alive']} of 2 alive)")
    report("%load_ext / %unload_ext", loads, "sessions of earlier cycles")


if __name__ == "__main__":
    main()
