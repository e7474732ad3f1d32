"""The engine-neutral part of worker propagation: zero cost when unused, child processes that
cannot be reached, an engine that fails, and the protocol's shape of the outcomes."""

from __future__ import annotations

import json
import multiprocessing
import subprocess
import sys
import textwrap
import types

import pytest

from conftest import run
from ipy_reimport import workers
from ipy_reimport.protocol import result_message
from ipy_reimport.report import ModuleReload, ReloadReport
from ipy_reimport.workers import EngineOutcome, FileProblem, WorkerError, WorkerOutcome
from protocol_schema import assert_kernel_message

ENGINE_LIBRARIES = ("distributed", "dask", "joblib", "loky")


def test_nothing_is_imported_or_reported_when_no_engine_is_loaded(tmp_path):
    (tmp_path / "solo.py").write_text("VALUE = 1\n")
    script = textwrap.dedent(f"""
        import json, os, sys
        sys.path.insert(0, {str(tmp_path)!r})
        import ipy_reimport, solo
        with open(solo.__file__, "w") as f:
            f.write("VALUE = 2\\n")
        os.utime(solo.__file__, ns=(2_000_000_000 * 10**9,) * 2)
        report = ipy_reimport.reload_deep("solo")
        print(json.dumps({{"value": solo.VALUE, "workers": len(report.workers),
                          "status": len(ipy_reimport.workers.status()),
                          "loaded": sorted(m for m in sys.modules if m.split(".")[0] in {ENGINE_LIBRARIES!r}
                                           or m.startswith(("ipy_reimport.dask", "ipy_reimport.loky",
                                                            "ipy_reimport.children", "ipy_reimport.remote")))}}))
        """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout.splitlines()[-1]) == {"value": 2, "workers": 0, "status": 0, "loaded": []}


def spawn_pool(processes: int):
    """A ``spawn`` pool (the shell's ``%reset -f`` in earlier tests removed the ``__spec__`` of
    ``__main__``, which spawning reads)."""
    main = sys.modules["__main__"]
    if not hasattr(main, "__spec__"):
        main.__spec__ = None
    return multiprocessing.get_context("spawn").Pool(processes)


@pytest.fixture
def pool(ip):
    """A user's own pool of two worker processes, started before the reload."""
    pool = spawn_pool(2)
    pool.map(abs, range(4))
    yield pool
    pool.terminate()
    pool.join()


def test_child_processes_started_before_a_reload_are_named_as_unreachable(ip, project, pool):
    project.write("solo.py", "VALUE = 1\n")
    run(ip, "import solo")
    project.write("solo.py", "VALUE = 2\n")

    report = run(ip, "%reload_deep")

    [engine] = [e for e in report.workers if e.engine == "processes"]
    assert sorted(w.pid for w in engine.workers) == sorted(p.pid for p in pool._pool)
    text = str(report)
    assert "2 worker processes started before this reload cannot be reached" in text
    assert all(f"{p.name} (pid {p.pid})" in text for p in pool._pool)
    assert "2 worker processes started before this reload" in str(run(ip, "%stale"))
    pool.terminate()
    pool.join()
    assert not run(ip, "%stale").workers


def test_a_pool_started_after_the_last_reload_is_not_behind(ip, project):
    project.write("solo.py", "VALUE = 1\n")
    run(ip, "import solo")
    project.write("solo.py", "VALUE = 2\n")
    run(ip, "%reload_deep")
    later = spawn_pool(1)
    try:
        later.map(abs, range(2))
        assert not run(ip, "%stale").workers
    finally:
        later.terminate()
        later.join()


def test_an_engine_that_fails_is_reported_and_the_kernels_reload_stands(ip, project, monkeypatch):
    broken = types.ModuleType("broken_engine")

    def propagate(spec, known_pids):
        raise ConnectionError("scheduler gone")

    broken.propagate = propagate
    monkeypatch.setitem(sys.modules, "broken_engine", broken)
    monkeypatch.setattr(workers, "ENGINES", ((("broken_engine",), "broken_engine"),))
    project.write("solo.py", "VALUE = 1\n")
    run(ip, "import solo")
    project.write("solo.py", "VALUE = 2\n")

    report = run(ip, "%reload_deep")

    assert ip.user_ns["solo"].VALUE == 2
    [engine] = report.workers
    assert engine.note == "could not reach the workers: ConnectionError: scheduler gone"
    assert "could not reach the workers" in str(report) and "could not reach" in report._repr_html_()


def _engine() -> EngineOutcome:
    error = WorkerError("shapes.units", "/w/shapes/units.py", 3, "SyntaxError: invalid syntax")
    return EngineOutcome(
        "dask",
        "Dask tcp://127.0.0.1:8786",
        (
            WorkerOutcome("tcp://127.0.0.1:4001", "reloaded", ("shapes.units",), pid=11, generation=2),
            WorkerOutcome("tcp://127.0.0.1:4002", "failed", error=error, pid=12, generation=2),
            WorkerOutcome(
                "tcp://127.0.0.1:4003",
                "file_differs",
                pid=13,
                generation=2,
                files=(FileProblem("shapes.units", "/w/shapes/units.py", "differs from the kernel's"),),
            ),
        ),
        0.012,
    )


def test_outcomes_cross_processes_as_plain_data():
    for worker in _engine().workers:
        assert WorkerOutcome.from_wire(json.loads(json.dumps(worker.to_wire()))) == worker


def test_a_result_with_workers_matches_the_schema():
    report = ReloadReport(
        [["shapes.units"]], [ModuleReload("shapes.units", "/nb/shapes/units.py", 0.004)], 0.01, workers=[_engine()]
    )
    message = result_message("r7", report)
    [entry] = message["workers"]
    assert (entry["current"], entry["behind"]) == (1, 2)
    assert [d["status"] for d in entry["details"]] == ["failed", "file_differs"]
    assert "units.py, line 3" in entry["details"][0]["message"]
    assert_kernel_message(message)
