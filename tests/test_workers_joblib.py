"""joblib's reused loky workers follow the kernel's reloads: real ``joblib.Parallel(n_jobs=2)``
calls on the reusable executor, every worker warmed before each edit."""

from __future__ import annotations

import itertools
import os
import sys

import pytest

from conftest import Project, once_only_module, run

joblib = pytest.importorskip("joblib")

_NAMES = itertools.count(1)
SOURCE = """
import os, time

def f(x):
    time.sleep(0.02)
    return os.getpid(), x + 1
"""


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """A folder on the kernel's ``sys.path`` and on the workers' ``PYTHONPATH``; the reusable
    executor is shut down at the end."""
    root = tmp_path_factory.mktemp("loky_user")
    saved = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(root), saved]))
    sys.path.insert(0, str(root))
    yield Project(root)
    from ipy_reimport.loky_workers import executors

    for _, executor in executors():
        executor.shutdown(wait=True, kill_workers=True)
    sys.path.remove(str(root))
    if saved is None:
        os.environ.pop("PYTHONPATH", None)
    else:
        os.environ["PYTHONPATH"] = saved


@pytest.fixture
def pkg(workspace):
    """A new package per test (the workers keep what they imported)."""
    name = f"lpkg{next(_NAMES)}"
    workspace.package(name, {"calc": SOURCE, "other": "def g(x):\n    return -x\n"})
    yield name
    for module in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
        del sys.modules[module]


def parallel(function, n_jobs=2, tasks=12) -> tuple[set[int], set[int]]:
    """Run ``function`` on ``tasks`` inputs; the worker pids and the results minus the inputs."""
    results = joblib.Parallel(n_jobs=n_jobs)(joblib.delayed(function)(i) for i in range(tasks))
    return {pid for pid, _ in results}, {value - i for i, (_, value) in enumerate(results)}


def warm(function, n_jobs=2) -> set[int]:
    """Run until every worker of the pool has run ``function`` (so has imported its module)."""
    for _ in range(5):
        pids, _ = parallel(function, n_jobs)
        if len(pids) == n_jobs:
            return pids
    raise AssertionError("not every loky worker took a task")


def loky_outcome(report):
    [engine] = [e for e in report.workers if e.engine == "loky"]
    return engine


def test_warm_workers_run_the_new_code_after_a_reload(ip, workspace, pkg):
    run(ip, f"from {pkg} import calc")
    pids = warm(ip.user_ns["calc"].f)
    workspace.edit(f"{pkg}/calc.py", "x + 1", "x + 100")

    report = run(ip, "%reload_deep")

    assert parallel(ip.user_ns["calc"].f) == (pids, {100})  # the same workers, the new code
    engine = loky_outcome(report)
    assert {w.pid: w.status for w in engine.workers} == {pid: "reloaded" for pid in pids}
    assert "2 current (2 reloaded), 0 behind" in str(report)
    assert "2 current (2 reloaded), 0 behind" in str(run(ip, "%stale"))


def test_a_failing_edit_leaves_kernel_and_workers_on_the_old_code(ip, workspace, pkg):
    run(ip, f"from {pkg} import calc")
    pids = warm(ip.user_ns["calc"].f)
    workspace.edit(f"{pkg}/calc.py", "def f(x):", "def f(x)")

    result = ip.run_cell("%reload_deep", store_history=False)

    assert "nothing changed" in str(result.error_in_exec)
    assert ip.user_ns["calc"].f(0)[1] == 1
    assert parallel(ip.user_ns["calc"].f) == (pids, {1})


def test_a_module_the_workers_never_imported_is_not_needed_there(ip, workspace, pkg):
    run(ip, f"from {pkg} import calc, other")
    pids = warm(ip.user_ns["calc"].f)
    workspace.edit(f"{pkg}/other.py", "-x", "-2 * x")

    engine = loky_outcome(run(ip, f"%reload_deep {pkg}.other"))

    assert {w.pid: w.status for w in engine.workers} == {pid: "not_needed" for pid in pids}
    assert "2 current (2 not needed), 0 behind" in engine.headline()


def test_a_worker_that_joins_after_the_reload_runs_the_new_code(ip, workspace, pkg):
    run(ip, f"from {pkg} import calc")
    pids = warm(ip.user_ns["calc"].f)
    workspace.edit(f"{pkg}/calc.py", "x + 1", "x + 30")
    run(ip, "%reload_deep")

    # enough work that the third worker starts while the first two are busy
    grown, offsets = parallel(ip.user_ns["calc"].f, n_jobs=3, tasks=90)

    assert pids < grown and offsets == {30}


def test_workers_whose_reload_fails_are_retired_and_their_successors_run_the_new_code(ip, workspace, pkg):
    # a module that cannot run twice outside the kernel (like a registration refusing repeats)
    body = "def f(x):\n    time.sleep(0.02)\n    return os.getpid(), x + 1\n"
    workspace.write(f"{pkg}/calc.py", once_only_module(pkg, body))
    run(ip, f"from {pkg} import calc")
    pids = warm(ip.user_ns["calc"].f)
    workspace.edit(f"{pkg}/calc.py", "x + 1", "x + 5")
    workspace.edit(f"{pkg}/calc.py", "def f(x):", "EDITED = True\ndef f(x):")  # the module runs again

    report = run(ip, "%reload_deep")

    engine = loky_outcome(report)
    assert {w.pid: w.status for w in engine.workers} == {pid: "retired" for pid in pids}
    error = engine.workers[0].error
    assert (error.module, error.line) == (f"{pkg}.calc", 3) and "already initialised" in error.message
    assert "retired after its reload failed" in str(report)
    fresh, offsets = parallel(ip.user_ns["calc"].f)
    assert offsets == {5} and not fresh & pids


def test_the_panels_reload_result_lists_the_loky_workers(tmp_path):
    """In a real kernel over the panel's comm, as JupyterLab drives it."""
    from panel_kernel import PanelKernel

    project = Project(tmp_path)
    project.package("kpkg", {"calc": SOURCE})
    kernel = PanelKernel(str(tmp_path))
    try:
        kernel.load_extension()
        kernel.run(
            "import joblib\nfrom kpkg import calc\n"
            "pids = {p for p, _ in joblib.Parallel(n_jobs=2)(joblib.delayed(calc.f)(i) for i in range(12))}"
        )
        project.edit("kpkg/calc.py", "x + 1", "x + 9")
        kernel.send({"v": 2, "type": "reload", "id": "w1", "modules": ["kpkg.calc"]})
        result = kernel.panel("result", request_id="w1")
        after = kernel.run(
            "print(sorted({v - i for i, (_, v) in enumerate("
            "joblib.Parallel(n_jobs=2)(joblib.delayed(calc.f)(i) for i in range(12)))}))"
        )
        kernel.run("joblib.externals.loky.get_reusable_executor().shutdown(kill_workers=True)")
    finally:
        kernel.close()
    assert result["ok"] and after.strip() == "[9]"
    [engine] = [e for e in result["workers"] if e["engine"] == "loky"]
    assert engine["behind"] == 0 and engine["current"] >= 1 and engine["details"] == []


def test_a_busy_executor_is_left_alone_and_reported_behind(ip, workspace, pkg):
    import time

    from ipy_reimport.loky_workers import executors

    run(ip, f"from {pkg} import calc")
    warm(ip.user_ns["calc"].f)
    [(_, executor)] = list(executors())
    busy = executor.submit(time.sleep, 1.0)  # like a Parallel call running in another thread
    workspace.edit(f"{pkg}/calc.py", "x + 1", "x + 40")

    engine = loky_outcome(run(ip, "%reload_deep"))

    assert {w.status for w in engine.workers} == {"unknown"} and engine.behind == 2
    assert "busy with tasks; reload again when it is idle" in str(engine.workers[0].error)
    busy.result()
    assert loky_outcome(run(ip, f"%reload_deep {pkg}.calc")).current == 2
    assert parallel(ip.user_ns["calc"].f)[1] == {40}
