"""Benchmark: after an edit, how long until the worker processes run the new code.

Usage: ``python bench/workers.py [--quick] [--edits N]``

One run, side by side, in an IPython shell with ``%load_ext ipy_reimport``. The user's package
imports numpy (as a data scientist's does), and every worker has run it before each edit.

- Dask ``LocalCluster`` with 2 and 8 worker processes (one thread each):
  ``%reload_deep`` (kernel and every worker) against ``importlib.reload`` in the kernel plus
  ``client.restart()`` (which also loses the workers' data).
- joblib ``Parallel(n_jobs=2)`` (loky's reusable executor): ``%reload_deep`` reloading inside the
  workers, ``%reload_deep`` retiring them instead (the alternative ipy_reimport measured), and
  ``importlib.reload`` plus shutting the executor down by hand.

For each: the time until ``%reload_deep`` (or the alternative) returns, and the time until
every worker returned a result of the new code (Dask: one task per worker; loky: the next
``Parallel`` call). Each method runs its edits in a row; medians with min-max (the first reload
in a worker that never ran one also imports ipy_reimport there: the max). Tables to stdout,
progress to stderr.
"""

from __future__ import annotations

import argparse
import importlib
import os
import statistics
import sys
import tempfile
import time

MODEL = """\
import os
import time
import numpy as np

OFFSET = {offset}

def score(x):
    time.sleep(0.005)
    return os.getpid(), int(np.int64(x) + OFFSET)
"""

RESTART_TIMEOUT = 120  # seconds, distributed's default for client.restart()
# what a user does without ipy_reimport (in a cell, so that the shell's hooks see it)
RELOAD = "import importlib, wbench.model\n_ = importlib.reload(wbench.model)"


class Package:
    """The user's package ``wbench`` in a temporary folder; each edit gets a new mtime."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.offset = 0
        self.clock = 1_700_000_000
        os.makedirs(os.path.join(root, "wbench"))
        self._write("__init__.py", "")
        self.edit()

    def _write(self, name: str, text: str) -> None:
        path = os.path.join(self.root, "wbench", name)
        with open(path, "w") as f:
            f.write(text)
        self.clock += 10
        os.utime(path, ns=(self.clock * 10**9,) * 2)

    def edit(self) -> int:
        """Write a new OFFSET; returns it."""
        self.offset += 1
        self._write("model.py", MODEL.format(offset=self.offset))
        return self.offset


def dask_rounds(shell, package: Package, workers: int, edits: int) -> dict[str, list[tuple[float, float] | None]]:
    """Per method, (call returned, every worker answered with the new code) for each edit;
    None for a ``client.restart()`` that timed out (the method's remaining edits are skipped)."""
    from distributed import Client, LocalCluster, wait

    model = importlib.import_module("wbench.model")
    results: dict[str, list[tuple[float, float] | None]] = {"%reload_deep": [], "client.restart()": []}
    with (
        LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):

        def everywhere(expected: int) -> None:
            """One task on each worker; again on the workers of the moment if one left meanwhile
            (after client.restart() the workers have new addresses, and on a busy machine a
            restarted worker can miss heartbeats and be replaced once more)."""
            while True:
                client.wait_for_workers(workers, timeout=RESTART_TIMEOUT)
                addresses = client.scheduler_info(n_workers=-1)["workers"]
                futures = [client.submit(model.score, 0, workers=[a], pure=False) for a in addresses]
                _done, pending = wait(futures, timeout=60)
                if not pending:
                    break
                client.cancel(list(pending))
            assert {f.result()[1] for f in futures} == {expected}, "a worker runs old code"

        everywhere(package.offset)
        for method in results:
            for _ in range(edits):
                offset = package.edit()
                start = time.perf_counter()
                if method == "%reload_deep":
                    shell.run_line_magic("reload_deep", "")
                else:
                    shell.run_cell(RELOAD, store_history=False)
                    try:
                        client.restart(timeout=RESTART_TIMEOUT)
                    except TimeoutError:  # seen with 8 workers here: some never come back
                        results[method].append(None)
                        break
                returned = time.perf_counter() - start
                everywhere(offset)
                results[method].append((returned, time.perf_counter() - start))
    return results


def loky_rounds(shell, package: Package, edits: int) -> dict[str, list[tuple[float, float]]]:
    """Per method, (call returned, next Parallel call returned new results) for each edit."""
    import joblib

    from ipy_reimport import loky_workers

    model = importlib.import_module("wbench.model")
    methods = ("%reload_deep (reload in workers)", "%reload_deep (retire workers)", "executor.shutdown()")
    results: dict[str, list[tuple[float, float]]] = {m: [] for m in methods}

    def parallel(expected: int | None = None) -> set[int]:
        out = joblib.Parallel(n_jobs=2)(joblib.delayed(model.score)(i) for i in range(16))
        if expected is not None:
            got = {v - i for i, (_, v) in enumerate(out)}
            assert got == {expected}, f"a worker runs old code: {got} != {expected}"
        return {pid for pid, _ in out}

    for method in methods:
        for _ in range(edits):
            while len(parallel()) < 2:  # every worker warm (and numpy imported there)
                pass
            offset = package.edit()
            start = time.perf_counter()
            if method == "executor.shutdown()":
                shell.run_cell(RELOAD, store_history=False)
                joblib.externals.loky.get_reusable_executor().shutdown(wait=True)
            else:
                loky_workers.STRATEGY = "retire" if "retire" in method else "reload"
                shell.run_line_magic("reload_deep", "")
            returned = time.perf_counter() - start
            parallel(offset)
            results[method].append((returned, time.perf_counter() - start))
    loky_workers.STRATEGY = "reload"
    joblib.externals.loky.get_reusable_executor().shutdown(wait=True, kill_workers=True)
    return results


def fmt(values: list[float]) -> str:
    ms = [v * 1000 for v in values]
    median = statistics.median(ms)
    return f"{median:7.0f} ms ({min(ms):.0f}-{max(ms):.0f})" if len(ms) > 1 else f"{median:7.0f} ms"


def table(title: str, results: dict[str, list[tuple[float, float] | None]], baseline: str) -> None:
    print(f"\n== {title}")
    print(f"  {'method':34} {'call returns':>22} {'new code from every worker':>30} {'ratio':>8}")
    ours = statistics.median(total for _, total in results[baseline])
    for method, rounds in results.items():
        done = [r for r in rounds if r is not None]
        failed = len(rounds) - len(done)
        note = f"  ({failed} timed out after {RESTART_TIMEOUT} s: workers did not come back)" if failed else ""
        if not done:
            print(f"  {method:34} {'-':>22} {'-':>30} {'-':>8}{note}")
            continue
        total = statistics.median(t for _, t in done)
        ratio = "1.0x" if method == baseline else f"{total / ours:.1f}x"
        print(f"  {method:34} {fmt([r for r, _ in done]):>22} {fmt([t for _, t in done]):>30} {ratio:>8}{note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 Dask workers only, one edit")
    parser.add_argument("--edits", type=int, default=4, help="edits per method (default 4)")
    args = parser.parse_args()
    edits = 1 if args.quick else args.edits

    from IPython.core.interactiveshell import InteractiveShell

    with tempfile.TemporaryDirectory(prefix="ipy_reimport-bench-") as root:
        package = Package(root)
        sys.path.insert(0, root)
        os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))
        shell = InteractiveShell.instance()
        shell.run_line_magic("load_ext", "ipy_reimport")
        shell.run_cell("import wbench.model", store_history=False)
        print(f"Python {sys.version.split()[0]}, {os.cpu_count()} cores, {edits} edits per method", file=sys.stderr)
        for workers in (2,) if args.quick else (2, 8):
            print(f"  Dask, {workers} workers", file=sys.stderr, flush=True)
            table(
                f"Dask LocalCluster, {workers} worker processes",
                dask_rounds(shell, package, workers, edits),
                "%reload_deep",
            )
        print("  joblib / loky", file=sys.stderr, flush=True)
        table(
            "joblib.Parallel(n_jobs=2), loky's reusable executor",
            loky_rounds(shell, package, edits),
            "%reload_deep (reload in workers)",
        )


if __name__ == "__main__":
    main()
