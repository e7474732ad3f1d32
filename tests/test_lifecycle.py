"""Loading and unloading the extension, and using the API before loading it, leave nothing behind."""

from __future__ import annotations

import gc
import importlib.util
import re
import sys
import threading
import weakref

import ipy_reimport
from conftest import run
from ipy_reimport.recorder import ImportRecorder

CYCLES = 30


def _recorders() -> list[ImportRecorder]:
    return [f for f in sys.meta_path if isinstance(f, ImportRecorder)]


def _shell_state(shell) -> dict:
    return {
        "meta_path": list(sys.meta_path),
        "pre": list(shell.events.callbacks["pre_run_cell"]),
        "post": list(shell.events.callbacks["post_run_cell"]),
        "configurables": list(shell.configurables),
        "registry": dict(shell.magics_manager.registry),
        "line_magics": dict(shell.magics_manager.magics["line"]),
        "threads": sorted(t.name for t in threading.enumerate()),
    }


def test_load_unload_cycles_leave_no_session_alive_and_the_shell_as_before(shell, project):
    project.write("cycled.py", "class C:\n    pass\n")
    ipy_reimport.unload_ipython_extension(shell)  # whatever an earlier test left
    shell.run_line_magic("load_ext", "ipy_reimport")  # IPython realises its lazy magics on first use
    shell.run_line_magic("unload_ext", "ipy_reimport")
    before = _shell_state(shell)
    alive = []
    for _ in range(CYCLES):
        shell.run_line_magic("load_ext", "ipy_reimport")
        run(shell, "import cycled")
        session = ipy_reimport.session()
        alive += [weakref.ref(session), weakref.ref(session.tracker), weakref.ref(session.config)]
        del session
        shell.run_line_magic("unload_ext", "ipy_reimport")
    gc.collect()
    assert [ref for ref in alive if ref() is not None] == []
    assert _shell_state(shell) == before


def test_a_session_the_api_started_before_load_ext_is_retired(shell, project):
    ipy_reimport.status()  # the API works without %load_ext: it starts its own session
    api_session = ipy_reimport.session()
    (api_recorder,) = _recorders()
    shell.run_line_magic("load_ext", "ipy_reimport")
    try:
        assert ipy_reimport.session() is not api_session
        assert api_recorder not in sys.meta_path
        assert len(_recorders()) == 1
    finally:
        shell.run_line_magic("unload_ext", "ipy_reimport")
    assert _recorders() == []


def test_the_import_recorder_stays_bounded_when_nobody_drains_it(project):
    recorder = ImportRecorder(limit=50)
    sys.meta_path.insert(0, recorder)
    try:
        for _ in range(200):
            importlib.util.find_spec("no_such_module_anywhere")
        assert len(recorder) == 1
        for i in range(len(sys.modules) + 500):
            importlib.util.find_spec(f"no_such_module_{i}")
        assert len(recorder) <= 50 + len(sys.modules) + 1
        project.write("recorded.py", "A = 1\n")
        import recorded  # noqa: F401

        assert "recorded" in recorder.drain()
    finally:
        sys.meta_path.remove(recorder)


def test_cell_hooks_run_in_order_and_one_that_raises_keeps_the_others_and_is_shown(ip, reimporter, capsys):
    calls = []

    def boom():
        calls.append("boom")
        raise RuntimeError("hook broke")

    remove = reimporter.cells.add(boom, lambda: calls.append("ended"))
    reimporter.cells.add(lambda: calls.append("after boom"), lambda: None)
    try:
        assert run(ip, "1 + 1") == 2  # the cell itself runs
    finally:
        remove()
    assert calls == ["boom", "after boom", "ended"]
    assert "RuntimeError: hook broke" in re.sub(r"\x1b\[[0-9;]*m", "", capsys.readouterr().out)
