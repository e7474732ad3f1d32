"""Auto mode is exact when a cell starts and never blocks the notebook (issue 9, points 5 and 6)."""

from __future__ import annotations

import pytest

from conftest import run


@pytest.fixture
def auto(ip, reimporter):
    """Auto mode on, with the file watcher running (the default)."""
    run(ip, "%reload_deep --auto on")
    return reimporter


def test_a_file_saved_just_before_the_cell_is_reloaded_before_it(ip, project, auto):
    project.package("quick", {"base": "V = 1\n", "use": "from .base import V\ndef get():\n    return V\n"})
    run(ip, "from quick.use import get")
    assert auto.watcher.running and auto.watcher.wait_ready()
    for value in range(2, 6):  # no time for the watcher between the save and the cell
        project.edit("quick/base.py", f"V = {value - 1}", f"V = {value}")
        assert run(ip, "get()") == value


def test_writefile_then_a_cell_using_the_module_gets_the_new_version(ip, project, auto):
    path = project.path("amod.py")
    run(ip, f"%%writefile {path}\nX = 1\n")
    run(ip, "import amod")
    for text in ("X = 22", "X = 333"):  # "Run All": each cell right after the previous one
        run(ip, f"%%writefile {path}\n{text}\n")
        assert run(ip, "amod.X") == int(text.split()[-1])


@pytest.mark.parametrize("raised", ["SystemExit(3)", "KeyboardInterrupt()", "Custom('odd')", "GeneratorExit()"])
def test_a_base_exception_at_import_never_blocks_later_cells(ip, project, auto, capsys, raised):
    run(ip, "%config Reimport.watch = False")  # stat after each cell: independent of the watcher's timing
    project.write("boom.py", "V = 1\n")
    run(ip, "import boom")
    project.write("boom.py", f"class Custom(BaseException):\n    pass\nV = 2\nraise {raised}\n")
    capsys.readouterr()
    for _ in range(3):
        assert run(ip, "boom.V") == 1  # the cell runs against the old code
    out = capsys.readouterr()
    failures = [line for line in out.err.splitlines() if "auto-reload failed" in line]
    assert len(failures) == 1, out
    assert "boom" in failures[0] and raised.split("(")[0] in failures[0]
    assert "Traceback" not in out.out + out.err
    run(ip, "%reload_deep --auto off")
    assert not auto.config.auto
    project.write("boom.py", "V = 3\n")
    run(ip, "%reload_deep")
    assert run(ip, "boom.V") == 3


def test_a_new_failure_after_a_change_is_reported_again(ip, project, auto, capsys):
    run(ip, "%config Reimport.watch = False")
    project.write("twice.py", "V = 1\n")
    run(ip, "import twice")
    project.write("twice.py", "raise SystemExit(1)\n")
    run(ip, "pass")
    run(ip, "pass")
    project.write("twice.py", "raise SystemExit(2)\n")
    run(ip, "pass")
    run(ip, "pass")
    assert capsys.readouterr().err.count("auto-reload failed") == 2
