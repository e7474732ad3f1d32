"""A reload is a transaction: interrupts cannot split it, it runs the code the user edited and
nothing else, and it does not take the kernel down with it (issue "Reloads are transactions")."""

from __future__ import annotations

import os
import py_compile
import random
import signal
import subprocess
import sys
import types

import pytest
from IPython.core.error import UsageError

import ipy_reimport
from conftest import run

_PACKAGE_DIR = os.path.dirname(ipy_reimport.__file__)


# -- interrupts ---------------------------------------------------------------------------------


def _chain(project, name: str, length: int, broken: bool) -> list[str]:
    """A package where every module reads the previous one's value at import: editing the first
    re-executes them all. With ``broken``, the last module fails after the others ran."""
    modules = {"log": "RUNS = []\n"}
    for i in range(length):
        previous = f"from .m{i - 1} import VALUE as PREV\n" if i else "PREV = 0\n"
        modules[f"m{i}"] = (
            "from . import log\n" + previous + "VALUE = PREV + 1\nclass C:\n    def get(self):\n        return VALUE\n"
        )
    project.package(name, modules)
    return [f"{name}.m{i}" for i in range(length)]


def _edit_all(project, name: str, names: list[str], broken: bool) -> None:
    project.edit(f"{name}/m0.py", "VALUE = PREV + 1", "VALUE = PREV + 1000")
    if broken:
        last = names[-1].rpartition(".")[2]
        project.edit(f"{name}/{last}.py", "class C:", "raise RuntimeError('broken')\nclass C:")


def _snapshot(names):
    return {n: (sys.modules[n], dict(vars(sys.modules[n])), sys.modules[n].C.__dict__["get"].__code__) for n in names}


def _whole(names, before) -> str:
    """ "old" or "new" when every module is in the same state, else a description of the mix."""
    states = []
    for name in names:
        module, namespace, code = before[name]
        assert sys.modules[name] is module, f"{name} replaced in sys.modules"
        assert vars(module), f"{name} has an empty __dict__"
        old = all(vars(module).get(k) is v for k, v in namespace.items()) and module.C.get.__code__ is code
        states.append("old" if old else "new")
    if len(set(states)) == 1:
        return states[0]
    return f"{states.count('new')} new, {states.count('old')} old"


_CRITICAL = {
    ("undo.py", "set"),
    ("undo.py", "set_cell"),
    ("undo.py", "replace_contents"),
    ("undo.py", "rollback"),
    ("undo.py", "commit"),
    ("transaction.py", "commit"),
    ("transaction.py", "rollback"),
    ("transaction.py", "_restore_modules"),
}


def _interrupt_at(points: set[tuple], seen: list | None = None):
    """A trace function that delivers a real SIGINT, as a Ctrl-C or a kernel interrupt would
    arrive, when a line of ipy_reimport's own code runs: ``points`` are ``(file, function,
    line, occurrence)``. ``seen`` collects every such line event of the run."""
    counts: dict[tuple, int] = {}

    def trace(frame, event, arg):
        code = frame.f_code
        if not code.co_filename.startswith(_PACKAGE_DIR):
            return None
        if event == "line":
            key = (os.path.basename(code.co_filename), code.co_name, frame.f_lineno)
            counts[key] = counts.get(key, 0) + 1
            if seen is not None:
                seen.append((*key, counts[key]))
            if (*key, counts[key]) in points:
                signal.raise_signal(signal.SIGINT)
        return trace

    return trace


def _reload_with_interrupts(ip, package: str, points: set[tuple], seen: list | None = None) -> str:
    """Run ``%reload_deep`` of the package's first module with SIGINTs at ``points`` (earlier
    packages, left stale by rolled-back attempts, are not part of it); returns the outcome."""
    sys.settrace(_interrupt_at(points, seen))
    try:
        ip.run_line_magic("reload_deep", f"{package}.m0")
        return "committed"
    except KeyboardInterrupt:
        return "interrupted"
    except ipy_reimport.ReloadFailed:
        return "failed"
    finally:
        sys.settrace(None)


def _points(ip, project, package: str, length: int, broken: bool, spread: int) -> list[tuple]:
    """Interrupt points of one uninterrupted run: every line of the undo log's mutations and of
    commit and rollback (an interrupt between a change and its record would lose it), and
    ``spread`` more, evenly spread over the rest."""
    names = _chain(project, package, length, broken)
    run(ip, f"import {package}.m{length - 1}")
    _edit_all(project, package, names, broken)
    seen: list[tuple] = []
    _reload_with_interrupts(ip, package, set(), seen)
    critical = [p for p in seen if p[:2] in _CRITICAL]
    return sorted(set(critical[:: max(1, len(critical) // 40)] + seen[:: max(1, len(seen) // spread)]))


@pytest.mark.parametrize("broken", [False, True], ids=["commit", "rollback"])
def test_a_ctrl_c_at_any_line_leaves_every_module_old_or_every_module_new(ip, project, broken):
    """Deterministic: a SIGINT at each of many points of the reload (during a rollback too)."""
    points = _points(ip, project, "ic0", 3, broken, 30)
    assert len(points) > 30
    for attempt, point in enumerate(points):
        package = f"ic{attempt + 1}"
        names = _chain(project, package, 3, broken)
        run(ip, f"import {package}.m2")
        before = _snapshot(names)
        _edit_all(project, package, names, broken)
        outcome = _reload_with_interrupts(ip, package, {point})
        state = _whole(names, before)
        assert state in ("old", "new"), (point, outcome, state)
        assert state == ("new" if outcome == "committed" else "old") or outcome == "interrupted", (
            point,
            outcome,
            state,
        )
        if broken:
            assert state == "old", (point, outcome)


def test_repeated_interrupts_during_a_long_reload_are_all_or_nothing(ip, project):
    """Randomized (fixed seed): bursts of SIGINTs during a 60-module reload that fails at its
    last module, so that most of them land while it is rolled back."""
    rng = random.Random(20261205)
    points = _points(ip, project, "burst0", 60, True, 400)
    for attempt in range(1, 13):
        package = f"burst{attempt}"
        names = _chain(project, package, 60, True)
        run(ip, f"import {package}.m59")
        before = _snapshot(names)
        _edit_all(project, package, names, True)
        outcome = _reload_with_interrupts(ip, package, set(rng.sample(points, 5)))
        assert _whole(names, before) == "old", (attempt, outcome)


def test_an_interrupted_reload_says_it_was_rolled_back(ip, project):
    project.write("slow.py", "import signal\nVALUE = 1\n")
    run(ip, "import slow")
    project.write("slow.py", "import signal\nsignal.raise_signal(signal.SIGINT)\nVALUE = 2\n")
    with pytest.raises(KeyboardInterrupt) as caught:
        ip.run_line_magic("reload_deep", "slow")
    assert "rolled back; nothing changed" in "".join(getattr(caught.value, "__notes__", []))
    assert run(ip, "slow.VALUE") == 1


# -- it runs the code the user edited -----------------------------------------------------------


def test_an_unchecked_hash_bytecode_cache_does_not_run_instead_of_the_source(ip, project, monkeypatch):
    path = project.write("hashed.py", "def version():\n    return 1\n")
    cached = py_compile.compile(
        str(path), doraise=True, invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH
    )
    run(ip, "import hashed")
    assert run(ip, "hashed.__cached__") == cached
    project.write("hashed.py", "def version():\n    return 2\n")
    run(ip, "%reload_deep")
    assert run(ip, "hashed.version()") == 2
    assert {s.name: s.state.value for s in run(ip, "%stale")}["hashed"] == "fresh"
    # a new process (a worker) that imports it runs the new code too: the cache was rewritten
    fresh = subprocess.run(
        [sys.executable, "-c", "import hashed; print(hashed.version())"],
        cwd=project.root,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(project.root)},
    )
    assert fresh.stdout.strip() == "2", fresh.stderr


def test_a_same_named_file_earlier_on_sys_path_is_refused(ip, project, tmp_path, monkeypatch):
    project.write("shadowed.py", "VALUE = 1\n")
    run(ip, "import shadowed")
    other = tmp_path / "earlier"
    other.mkdir()
    (other / "shadowed.py").write_text("VALUE = 'the wrong file'\n")
    monkeypatch.syspath_prepend(str(other))
    project.write("shadowed.py", "VALUE = 2\n")
    with pytest.raises(
        UsageError, match=r"cannot reload shadowed from .*proj/shadowed.py: .*earlier/shadowed.py would run"
    ):
        ip.run_line_magic("reload_deep", "")
    assert run(ip, "shadowed.VALUE") == 1
    assert {s.name: s.state.value for s in run(ip, "%stale")}["shadowed"] == "stale"


def test_a_module_that_replaces_itself_in_sys_modules_is_refused(ip, project):
    project.write(
        "lazyself.py",
        """
        import sys, types
        class _Lazy(types.ModuleType):
            pass
        _module = _Lazy(__name__)
        _module.__dict__.update({k: v for k, v in globals().items() if k != "_module"})
        sys.modules[__name__] = _module
        VALUE = 1
        """,
    )
    run(ip, "import lazyself")
    project.edit("lazyself.py", "VALUE = 1", "VALUE = 2")
    with pytest.raises(UsageError, match=r"cannot reload lazyself: its code puts another object into sys.modules"):
        ip.run_line_magic("reload_deep", "")
    assert isinstance(sys.modules["lazyself"], types.ModuleType)


# -- it does not take the kernel down -----------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["json", "threading", "logging", "importlib", "traitlets", "IPython.core.interactiveshell"]
)
def test_modules_the_shell_is_made_of_are_refused_with_a_way_forward(ip, name):
    with pytest.raises(UsageError, match=f"refusing to reload {name}: .* add --force"):
        ip.run_line_magic("reload_deep", name)


def test_force_reloads_a_standard_library_module_deliberately(ip):
    import colorsys

    function = colorsys.rgb_to_hsv
    report = ip.run_line_magic("reload_deep", "colorsys --force")
    assert report.order == ["colorsys"] and colorsys.rgb_to_hsv is function


def test_dependents_outside_your_modules_are_not_re_executed(ip, project):
    project.package("scoped", {"base": "CONST = 1\n", "theirs": "from .base import CONST\nDOUBLE = CONST * 2\n"})
    run(ip, "%config Reimport.exclude = ['scoped.*']")  # a library of someone else's
    run(ip, "import scoped.theirs")
    project.edit("scoped/base.py", "CONST = 1", "CONST = 2")
    report = run(ip, "%reload_deep scoped.base")
    item = {m.name: m for m in report.modules}["scoped.theirs"]
    assert item.action == "skipped" and "not one of your modules" in item.reason
    assert "%reload_deep scoped.theirs" in str(report)
    assert run(ip, "scoped.theirs.DOUBLE") == 2


def test_the_gate_lets_one_ctrl_c_through_and_holds_the_others_until_the_state_is_whole():
    from ipy_reimport.interrupts import InterruptGate, until_done

    attempts = []

    def step():
        attempts.append(1)
        if len(attempts) == 1:
            raise KeyboardInterrupt  # a Ctrl-C let through just before the gate closed

    held = []
    with pytest.raises(KeyboardInterrupt):
        with InterruptGate() as gate:
            with pytest.raises(KeyboardInterrupt):
                signal.raise_signal(signal.SIGINT)  # the first one stops the work
            signal.raise_signal(signal.SIGINT)  # the next ones wait
            gate.close()
            signal.raise_signal(signal.SIGINT)
            held.append(gate.pending)
            held.append(until_done(step) and len(attempts) == 2)
    assert held == [True, True]  # ... and are raised when the gate is left
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


# -- it undoes only its own work ----------------------------------------------------------------


def test_a_failed_reload_removes_only_the_modules_it_imported(ip, project):
    import threading

    project.write("sync_here.py", "import threading\nstarted = threading.Event()\nother_done = threading.Event()\n")
    project.write("bystander.py", "X = 1\n")
    project.write("fresh_dep.py", "Y = 1\n")
    project.write("target.py", "A = 1\n")
    run(ip, "import target, sync_here")
    project.write(
        "target.py",
        "import fresh_dep\nimport sync_here\nsync_here.started.set()\n"
        "sync_here.other_done.wait(10)\nraise RuntimeError('fails after another thread imported')\n",
    )
    sync = sys.modules["sync_here"]

    def other():
        sync.started.wait(10)
        __import__("bystander")
        sync.other_done.set()

    thread = threading.Thread(target=other)
    thread.start()
    error = ip.run_cell("%reload_deep target", store_history=False).error_in_exec
    thread.join(10)
    assert type(error).__name__ == "ReloadFailed" and "fails after another thread imported" in str(error)
    assert "bystander" in sys.modules and "fresh_dep" not in sys.modules
    assert run(ip, "target.A") == 1
