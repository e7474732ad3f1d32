"""Dask workers follow the kernel's reloads: a real ``distributed.LocalCluster`` with two worker
processes (shared by the tests of this module), plus a worker started from its own copy of the
package, as on a machine without the kernel's file system."""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import sys

import pytest

from conftest import Project, once_only_module, run, wait_until

distributed = pytest.importorskip("distributed")

_NAMES = itertools.count(1)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """A folder on the kernel's ``sys.path`` and on the workers' ``PYTHONPATH``."""
    root = tmp_path_factory.mktemp("dask_user")
    saved = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(root), saved]))
    sys.path.insert(0, str(root))
    yield Project(root)
    sys.path.remove(str(root))
    if saved is None:
        os.environ.pop("PYTHONPATH", None)
    else:
        os.environ["PYTHONPATH"] = saved


@pytest.fixture(scope="module")
def client(workspace):
    main = sys.modules["__main__"]
    if not hasattr(main, "__spec__"):  # the shell's %reset -f (after other tests) removed it
        main.__spec__ = None  # multiprocessing's spawn reads it
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


@pytest.fixture
def pkg(workspace, client):
    """A new package (new name per test: the workers keep what they imported) with ``calc.f``."""
    name = f"dpkg{next(_NAMES)}"
    workspace.package(name, {"calc": "def f(x):\n    return x + 1\n", "other": "def g(x):\n    return -x\n"})
    yield name
    for module in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
        del sys.modules[module]


def on_each(client, function, *args, workers=None) -> dict:
    """``function(*args)`` as a task on each worker (all of the cluster's by default)."""
    workers = workers or sorted(client.scheduler_info(n_workers=-1)["workers"])
    futures = {w: client.submit(function, *args, workers=[w], allow_other_workers=False, pure=False) for w in workers}
    return {w: f.result(timeout=30) for w, f in futures.items()}


def dask_outcome(report_or_table):
    [engine] = [e for e in report_or_table.workers if e.engine == "dask"]
    return engine


def test_a_reload_reaches_every_worker(ip, client, workspace, pkg):
    run(ip, f"from {pkg} import calc")
    calc = ip.user_ns["calc"]
    assert set(on_each(client, calc.f, 1).values()) == {2}
    workspace.edit(f"{pkg}/calc.py", "x + 1", "x + 100")

    report = run(ip, "%reload_deep")

    assert calc.f(1) == 101
    assert set(on_each(client, calc.f, 1).values()) == {101}
    engine = dask_outcome(report)
    assert [w.status for w in engine.workers] == ["reloaded", "reloaded"]
    assert all(w.modules == (f"{pkg}.calc",) for w in engine.workers)
    assert "Workers:" in str(report) and "2 current (2 reloaded), 0 behind" in str(report)
    assert "2 current (2 reloaded), 0 behind" in str(run(ip, "%stale"))


def test_a_module_a_worker_never_imported_is_not_needed_there(ip, client, workspace, pkg):
    run(ip, f"from {pkg} import other")
    first, second = sorted(client.scheduler_info(n_workers=-1)["workers"])
    assert on_each(client, ip.user_ns["other"].g, 3, workers=[first]) == {first: -3}
    workspace.edit(f"{pkg}/other.py", "-x", "-2 * x")

    engine = dask_outcome(run(ip, "%reload_deep"))

    assert {w.worker: w.status for w in engine.workers} == {first: "reloaded", second: "not_needed"}
    assert on_each(client, ip.user_ns["other"].g, 3) == {first: -6, second: -6}
    assert "2 current (1 reloaded, 1 not needed), 0 behind" in engine.headline()


def test_a_failing_edit_leaves_kernel_and_workers_on_the_old_code(ip, client, workspace, pkg):
    run(ip, f"from {pkg} import calc")
    calc = ip.user_ns["calc"]
    on_each(client, calc.f, 1)
    workspace.edit(f"{pkg}/calc.py", "def f(x):", "def f(x)")

    result = ip.run_cell("%reload_deep", store_history=False)

    assert "nothing changed" in str(result.error_in_exec)
    assert calc.f(1) == 2
    assert set(on_each(client, calc.f, 1).values()) == {2}


def once_only_on_workers(ip, client, workspace, pkg):
    """``pkg.calc``, a module that cannot run twice, imported in the kernel and run on every worker."""
    workspace.write(f"{pkg}/calc.py", once_only_module(pkg))
    run(ip, f"from {pkg} import calc")
    calc = ip.user_ns["calc"]
    on_each(client, calc.f, 1)
    return calc


def test_a_worker_whose_reload_fails_is_behind_and_the_kernel_keeps_its_reload(ip, client, workspace, pkg):
    # a module that cannot run twice outside the kernel (like a registration refusing repeats)
    calc = once_only_on_workers(ip, client, workspace, pkg)
    workspace.edit(f"{pkg}/calc.py", "x + 1", "x + 7")
    workspace.edit(f"{pkg}/calc.py", "def f(x):", "EDITED = True\ndef f(x):")  # the module runs again

    report = run(ip, "%reload_deep")

    assert calc.f(1) == 8
    assert set(on_each(client, calc.f, 1).values()) == {2}
    engine = dask_outcome(report)
    assert (engine.current, engine.behind) == (0, 2)
    error = engine.workers[0].error
    assert (error.module, error.line) == (f"{pkg}.calc", 3)
    assert error.file.endswith(f"{pkg}/calc.py") and "already initialised" in error.message
    text = str(report)
    assert "0 current, 2 behind" in text and "calc.py, line 3" in text and "runs the old code" in text
    assert "0 current, 2 behind" in str(run(ip, "%stale"))


def test_workers_re_run_only_what_changed_as_the_kernel_did(ip, client, workspace, pkg):
    # the same module: a body edit is patched in place, so nothing runs twice in the workers
    calc = once_only_on_workers(ip, client, workspace, pkg)
    workspace.edit(f"{pkg}/calc.py", "x + 1", "x + 7")

    report = run(ip, "%reload_deep")

    assert set(on_each(client, calc.f, 1).values()) == {8}
    engine = dask_outcome(report)
    assert (engine.current, engine.behind) == (2, 0)


class CopyWorker:
    """A worker process that imports from its own copy of a package (no shared files)."""

    def __init__(self, client, folder) -> None:
        self.client = client
        self.folder = folder
        self.process: subprocess.Popen | None = None

    def copy(self, source) -> None:
        """Copy a package folder as it is now."""
        shutil.copytree(source, self.folder / source.name, ignore=shutil.ignore_patterns("__pycache__"))

    def start(self) -> str:
        """Start the worker on the copies; returns its address once it joined."""
        before = set(self.client.scheduler_info(n_workers=-1)["workers"])
        env = {**os.environ, "PYTHONPATH": str(self.folder)}
        command = [
            sys.executable,
            "-m",
            "distributed.cli.dask_worker",
            self.client.scheduler.address,
            "--nthreads",
            "1",
            "--no-nanny",
            "--no-dashboard",
            "--name",
            "copy",
        ]
        self.process = subprocess.Popen(
            command, env=env, cwd=self.folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        self.client.wait_for_workers(len(before) + 1, timeout=60)
        [address] = set(self.client.scheduler_info(n_workers=-1)["workers"]) - before
        return address

    def stop(self) -> None:
        if self.process is not None:
            self.client.retire_workers(names=["copy"], close_workers=True)
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:  # it sometimes lingers after closing
                self.process.kill()
                self.process.wait(timeout=10)


@pytest.fixture
def copy_worker(client, tmp_path):
    worker = CopyWorker(client, tmp_path / "copy")
    worker.folder.mkdir()
    yield worker
    worker.stop()
    wait_until(
        lambda: len(client.scheduler_info(n_workers=-1)["workers"]) == 2, timeout=30, message="the copy worker to leave"
    )


def test_a_worker_that_joins_later_gets_the_current_code_or_says_it_is_behind(ip, client, workspace, pkg, copy_worker):
    run(ip, f"from {pkg} import calc")
    calc = ip.user_ns["calc"]
    on_each(client, calc.f, 1)
    copy_worker.copy(workspace.path(pkg))  # the copy says x + 1
    workspace.edit(f"{pkg}/calc.py", "x + 1", "x + 20")
    run(ip, "%config Reimport.ship_sources = True")
    run(ip, "%reload_deep")
    address = copy_worker.start()

    assert on_each(client, calc.f, 1, workers=[address]) == {address: 21}
    joined = next(w for w in dask_outcome(run(ip, "%stale")).workers if w.worker == address)
    assert joined.current and joined.files[0].problem == "written from the kernel's source"

    run(ip, "%config Reimport.ship_sources = False")
    workspace.edit(f"{pkg}/calc.py", "x + 20", "x + 300")
    report = run(ip, "%reload_deep")

    assert set(on_each(client, calc.f, 1).values()) == {301, 21}
    assert on_each(client, calc.f, 1, workers=[address]) == {address: 21}
    engine = dask_outcome(report)
    behind = next(w for w in engine.workers if w.worker == address)
    assert behind.status == "file_differs" and behind.files[0].module == f"{pkg}.calc"
    assert "2 current (2 reloaded), 1 behind" in engine.headline()
    assert "does not see the kernel's files" in str(report) and "ship_sources = True" in str(report)
    assert "2 current (2 reloaded), 1 behind" in str(run(ip, "%stale"))
