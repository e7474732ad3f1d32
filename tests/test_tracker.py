"""Staleness: every state, baselines from bytecode, the watcher, its fallback, the per-cell cost
(with auto mode off and on), and auto mode."""

from __future__ import annotations

import sys

import watchfiles

import ipy_reimport
from conftest import run, wait_until
from ipy_reimport import ModuleState, baseline
from ipy_reimport.events import ModulesChanged, Why


def _count_stats(monkeypatch) -> list[str]:
    """The paths the tracker stats from now on, in order."""
    calls = []
    real = baseline.stamp_of
    for module in ("tracker", "intake"):
        monkeypatch.setattr(f"ipy_reimport.{module}.stamp_of", lambda p: calls.append(p) or real(p))
    return calls


def states(prefix: str = "") -> dict[str, ModuleState]:
    return {s.name: s.state for s in ipy_reimport.status() if s.name.startswith(prefix)}


def test_fresh_stale_dependent_missing_and_back(ip, project):
    project.package("st", {"a": "A = 1\n", "b": "from .a import A\n", "c": "from . import b\n", "gone": "G = 1\n"})
    run(ip, "import st.c, st.gone")
    assert set(states("st.").values()) == {ModuleState.FRESH}
    project.edit("st/a.py", "A = 1", "A = 2")
    project.path("st/gone.py").unlink()
    assert states("st.") == {
        "st.a": ModuleState.STALE,
        "st.b": ModuleState.DEPENDENT,
        "st.c": ModuleState.DEPENDENT,
        "st.gone": ModuleState.MISSING,
    }
    run(ip, "%reload_deep")
    assert states("st.") == {
        "st.a": ModuleState.FRESH,
        "st.b": ModuleState.FRESH,
        "st.c": ModuleState.FRESH,
        "st.gone": ModuleState.MISSING,
    }


def test_unreloadable_modules_say_why(ip):
    everything = {s.name: s for s in ipy_reimport.status(all=True)}
    assert everything["sys"].state is ModuleState.UNRELOADABLE and everything["sys"].reason == "built-in module"
    assert everything["ipy_reimport.tracker"].reason == "part of ipy_reimport itself"
    assert not everything["ipy_reimport.tracker"].user


def test_module_imported_and_edited_before_the_extension_loaded_is_stale(shell, project, monkeypatch):
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    project.write("early.py", "A = 1\n")
    project.write("early_same.py", "A = 1\n")
    import early  # noqa: F401  (compiled to bytecode now)
    import early_same  # noqa: F401

    project.edit("early.py", "A = 1", "A = 2")
    shell.run_line_magic("load_ext", "ipy_reimport")
    try:
        assert states("early") == {"early": ModuleState.STALE, "early_same": ModuleState.FRESH}
    finally:
        shell.run_line_magic("unload_ext", "ipy_reimport")


def test_without_bytecode_writing_old_modules_are_taken_at_first_sight(shell, project, monkeypatch):
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    project.write("nobc.py", "A = 1\n")
    import nobc  # noqa: F401

    project.edit("nobc.py", "A = 1", "A = 2")
    shell.run_line_magic("load_ext", "ipy_reimport")
    try:
        assert states("nobc") == {"nobc": ModuleState.FRESH}
    finally:
        shell.run_line_magic("unload_ext", "ipy_reimport")


def test_hash_based_bytecode_is_checked_by_content(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    import importlib.util
    import py_compile
    from types import SimpleNamespace

    source = tmp_path / "h.py"
    source.write_text("A = 1\n")
    cached = importlib.util.cache_from_source(str(source))
    py_compile.compile(str(source), cfile=cached, invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH)
    module = SimpleNamespace(__cached__=cached)
    current = baseline.stamp_of(str(source))
    assert baseline.baseline_from_bytecode(module, str(source), current) == current
    source.write_text("A = 2\n")
    assert baseline.baseline_from_bytecode(module, str(source), baseline.stamp_of(str(source))) is baseline.UNKNOWN


def test_watcher_marks_a_saved_file_stale_without_any_cell(ip, project, reimporter):
    project.write("wat.py", "A = 1\n")
    run(ip, "import wat")
    assert reimporter.watcher.running and reimporter.watcher.wait_ready()
    seen = []
    reimporter.tracker.subscribe(seen.append)
    project.edit("wat.py", "A = 1", "A = 2")
    wait_until(lambda: reimporter.tracker.own_state("wat") is ModuleState.STALE, message="watcher event")
    assert ModulesChanged(Why.STATE, frozenset({"wat"})) in seen


def test_per_cell_check_reads_no_file_when_nothing_changed(ip, project, monkeypatch):
    for i in range(50):
        project.write(f"many/m{i}.py", "A = 1\n")
    project.write("many/__init__.py", "")
    run(ip, "import " + ", ".join(f"many.m{i}" for i in range(50)))
    calls = _count_stats(monkeypatch)
    for _ in range(5):
        run(ip, "pass")
    assert calls == []
    run(ip, "import many.m0, json.decoder")
    assert calls == []
    project.write("newcomer.py", "A = 1\n")
    run(ip, "import newcomer")  # a module new to sys.modules is examined once
    assert calls == [str(project.path("newcomer.py"))]


def test_auto_mode_stats_each_user_file_once_before_a_cell_and_nothing_else(ip, project, reimporter, monkeypatch):
    project.package("cost", {f"m{i}": "A = 1\n" for i in range(5)})
    run(ip, "import json.decoder, " + ", ".join(f"cost.m{i}" for i in range(5)))
    run(ip, "%reload_deep --auto on")
    tracker = reimporter.tracker
    user_files = sorted(e.file for e in map(tracker.get, tracker.names()) if e.reason is None)
    assert str(project.path("cost/m4.py")) in user_files
    calls = _count_stats(monkeypatch)
    reimporter.before_cell()
    assert sorted(calls) == user_files  # proportional to the user's files, not to sys.modules
    calls.clear()
    reimporter.after_cell()
    assert calls == []


def test_watcher_failure_falls_back_to_stat_scan_and_says_so_once(shell, project, monkeypatch, capsys):
    def no_inotify(*args, **kwargs):
        raise OSError(28, "inotify watch limit reached")
        yield  # pragma: no cover

    monkeypatch.setattr(watchfiles, "watch", no_inotify)
    project.write("fb.py", "A = 1\n")
    shell.run_line_magic("load_ext", "ipy_reimport")
    try:
        run(shell, "import fb")
        reimporter = ipy_reimport.session()
        wait_until(lambda: reimporter.tracker.polling, message="fallback to polling")
        run(shell, "pass")
        run(shell, "pass")
        assert capsys.readouterr().err.count("cannot watch files (OSError") == 1
        project.edit("fb.py", "A = 1", "A = 2")
        run(shell, "pass")
        assert reimporter.tracker.own_state("fb") is ModuleState.STALE
    finally:
        shell.run_line_magic("unload_ext", "ipy_reimport")


def test_watch_setting_off_uses_stat_scan(ip, project, reimporter):
    run(ip, "%config Reimport.watch = False")
    assert not reimporter.watcher.running and reimporter.tracker.polling
    project.write("off.py", "A = 1\n")
    run(ip, "import off")
    project.edit("off.py", "A = 1", "A = 2")
    run(ip, "pass")
    assert reimporter.tracker.own_state("off") is ModuleState.STALE
    run(ip, "%config Reimport.watch = True")
    assert reimporter.watcher.running and not reimporter.tracker.polling


def test_module_replaced_in_sys_modules_gets_a_new_baseline(ip, project):
    project.write("rep.py", "A = 1\n")
    run(ip, "import rep")
    project.edit("rep.py", "A = 1", "A = 2")
    assert states("rep") == {"rep": ModuleState.STALE}
    run(ip, "import sys; del sys.modules['rep']; import rep")
    assert states("rep") == {"rep": ModuleState.FRESH} and run(ip, "rep.A") == 2


def test_auto_mode_reloads_before_the_cell_and_reports_a_failure_once(ip, project, reimporter, capsys):
    run(ip, "%config Reimport.watch = False")
    project.package("au", {"base": "V = 1\n", "use": "from .base import V\ndef get():\n    return V\n"})
    run(ip, "from au.use import get\n%reload_deep --auto on")
    project.edit("au/base.py", "V = 1", "V = 2")
    assert run(ip, "get()") == 2
    assert "ipy_reimport: reloaded au.base, au.use" in capsys.readouterr().err
    project.edit("au/base.py", "V = 2", "V = (")
    assert run(ip, "get()") == 2
    assert run(ip, "get()") == 2
    err = capsys.readouterr().err
    assert err.count("auto-reload failed, this cell runs with the old code") == 1
    assert "au/base.py, line 1" in err
    project.edit("au/base.py", "V = (", "V = 3")
    assert run(ip, "get()") == 3


def test_import_graph_follows_a_stale_file_edited_again(ip, project):
    project.package("gr", {"a": "A = 1\n", "b": "B = 1\n"})
    run(ip, "import gr.a, gr.b")
    project.edit("gr/b.py", "B = 1", "B = 2")
    assert run(ip, "%reload_deep gr.a --dry-run").order == ["gr.a"]
    project.edit("gr/b.py", "B = 2", "from .a import A\nB = A")
    assert run(ip, "%reload_deep gr.a --dry-run").order == ["gr.a", "gr.b"]
    assert states("gr.") == {"gr.a": ModuleState.FRESH, "gr.b": ModuleState.STALE}


def test_plain_importlib_reload_by_the_user_makes_the_module_fresh(ip, project):
    project.write("manual.py", "A = 1\n")
    run(ip, "import manual, importlib")
    project.edit("manual.py", "A = 1", "A = 2")
    assert states("manual") == {"manual": ModuleState.STALE}
    assert run(ip, "importlib.reload(manual).A") == 2
    assert states("manual") == {"manual": ModuleState.FRESH}
