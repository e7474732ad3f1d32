"""The state shown is true: baselines are the executed file version, odd paths are missing, and
looking at a module never runs it (issue 9, points 6, 7 and 8)."""

from __future__ import annotations

import os
import sys

import pytest

import ipy_reimport
from conftest import run
from ipy_reimport import ModuleState


def states(prefix: str = "", all: bool = False) -> dict[str, ModuleState]:
    return {s.name: s.state for s in ipy_reimport.status(all=all) if s.name.startswith(prefix)}


# -- point 6: the baseline is the version that ran ---------------------------------------------
@pytest.mark.parametrize("bytecode", [True, False], ids=["bytecode", "no-bytecode"])
def test_edit_saved_while_the_module_is_being_imported_is_stale(ip, project, monkeypatch, bytecode):
    monkeypatch.setattr(sys, "dont_write_bytecode", not bytecode)
    # The module's import takes a while; the user saves a new version before it ends.
    project.write(
        "during.py",
        """
        import os
        with open(__file__, "w") as f:
            f.write("A = 2\\n")
        os.utime(__file__, ns=(1_650_000_000_000_000_000, 1_650_000_000_000_000_000))
        A = 1
    """,
    )
    run(ip, "import during")
    assert run(ip, "during.A") == 1
    assert states("during") == {"during": ModuleState.STALE}
    run(ip, "%reload_deep")
    assert run(ip, "during.A") == 2 and states("during") == {"during": ModuleState.FRESH}


def test_a_module_written_just_before_its_import_is_fresh(ip, project):
    project.write("just.py", "A = 1\n")
    run(ip, "import just")
    assert states("just") == {"just": ModuleState.FRESH}
    entry = ipy_reimport.session().tracker.get("just")
    assert entry.baseline.size == os.stat(entry.file).st_size


# -- point 7: anything that is not a regular file is missing ---------------------------------
def test_a_module_file_replaced_by_a_directory_is_missing_and_does_not_block_reloads(ip, project):
    project.package("dr", {"a": "A = 1\n", "b": "B = 1\n"})
    run(ip, "import dr.a, dr.b")
    project.path("dr/a.py").unlink()
    project.path("dr/a.py").mkdir()
    project.edit("dr/b.py", "B = 1", "B = 2")
    rows = {s.name: s for s in ipy_reimport.status()}
    assert rows["dr.a"].state is ModuleState.MISSING and "directory" in rows["dr.a"].reason
    assert rows["dr.b"].state is ModuleState.STALE
    report = run(ip, "%reload_deep")
    assert report.order == ["dr.b"] and run(ip, "dr.b.B") == 2
    assert states("dr.") == {"dr.a": ModuleState.MISSING, "dr.b": ModuleState.FRESH}


def test_nothing_stale_but_something_missing_says_so(ip, project):
    project.write("here.py", "A = 1\n")
    project.write("vanished.py", "A = 1\n")
    run(ip, "import here, vanished")
    project.path("vanished.py").unlink()
    report = run(ip, "%reload_deep")
    assert not report and report.skipped == [("vanished", "source file deleted")]
    text = str(report)
    assert text.splitlines()[0] == "Nothing to reload: no module is stale; 1 module cannot be reloaded:"
    assert "skipped vanished: source file deleted" in text
    assert "1 module cannot be reloaded" in report._repr_html_()


# -- point 8: observing does not change the kernel -------------------------------------------
LAZY = """
    import importlib.util, sys
    spec = importlib.util.find_spec("lazymod")
    spec.loader = importlib.util.LazyLoader(spec.loader)
    lazymod = importlib.util.module_from_spec(spec)
    sys.modules["lazymod"] = lazymod
    spec.loader.exec_module(lazymod)
"""


def test_a_lazy_module_is_never_loaded_by_looking_at_it(ip, project):
    log = project.path("lazymod.log")
    project.write(
        "lazymod.py",
        f"""
        with open({str(log)!r}, "a") as f:
            f.write("executed\\n")
        A = 1
    """,
    )
    run(ip, LAZY)
    run(ip, "pass")
    run(ip, "%stale --all")
    ipy_reimport.status(all=True)
    run(ip, "%reload_deep --dry-run")
    run(ip, "%invalidate")
    run(ip, "%reload_deep --auto on")
    run(ip, "pass")
    assert not log.exists(), "the tracker executed a lazy module"
    row = {s.name: s for s in ipy_reimport.status(all=True)}["lazymod"]
    assert row.state is ModuleState.UNRELOADABLE and "not loaded yet" in row.reason
    # Once the user touches it, it runs (once) and is tracked like any other module.
    assert run(ip, "lazymod.A") == 1
    assert log.read_text() == "executed\n"
    tracker = ipy_reimport.session().tracker
    assert tracker.own_state("lazymod") is ModuleState.FRESH  # noticed after the cell, no re-check
    assert tracker.get("lazymod").reason is None
    project.edit("lazymod.py", "A = 1", "A = 2")
    # auto mode reloads it; only the changed assignment runs again
    assert run(ip, "lazymod.A") == 2 and log.read_text() == "executed\n"
