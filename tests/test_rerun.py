"""Re-run only what changed: import-time side effects do not repeat, dependents re-execute only
when what they computed at import could differ, and ``--full`` keeps the old behaviour."""

from __future__ import annotations

import pytest

from conftest import run


@pytest.fixture
def algos(ip, project):
    project.copy("rr")  # tests/sources/rr: a registry that refuses a second registration
    run(ip, "from rr import registry, algos; g = algos.Graph(); g.add(1); double = algos.double")
    return project


def test_a_body_edit_runs_no_other_module_level_code(ip, algos):
    algos.edit("rr/algos.py", "return x * 2", "return x * 20")
    report = run(ip, "%reload_deep")
    assert report.modules[0].action == "patched" and report.modules[0].patched == ("double",)
    assert run(ip, "(registry.LOADS, double(1), registry.TABLE['double'] is double)") == (["rr.algos"], 20, True)


def test_added_methods_and_functions_are_defined_once_with_their_decorators(ip, algos):
    algos.edit("rr/algos.py", "class Graph:", '@register("triple")\ndef triple(x):\n    return x * 3\n\nclass Graph:')
    algos.edit(
        "rr/algos.py",
        "        self.nodes.append(node)\n",
        "        self.nodes.append(node)\n    def size(self):\n        return len(self.nodes)\n",
    )
    report = run(ip, "%reload_deep")
    assert report.modules[0].action == "patched" and set(report.modules[0].added) == {"triple", "Graph.size"}
    assert run(ip, "(registry.LOADS, registry.TABLE['triple'](2), g.size(), sorted(registry.TABLE))") == (
        ["rr.algos"],
        6,
        1,
        ["double", "triple"],
    )


def test_full_re_executes_every_module_from_the_top(ip, algos):
    algos.edit("rr/algos.py", "return x * 2", "return x * 20")
    error = ip.run_cell("%reload_deep --full", store_history=False).error_in_exec
    assert "double is already registered" in str(error)  # the registry refuses the second run
    assert run(ip, "(registry.LOADS, double(1))") == (["rr.algos"], 2)


def test_a_changed_decorator_line_re_executes_the_module(ip, algos):
    algos.edit("rr/algos.py", '@register("double")', '@register("twice")')
    report = run(ip, "%reload_deep")
    assert report.modules[0].action == "executed" and "decorators of double changed" in report.modules[0].reason
    assert run(ip, "(registry.LOADS, sorted(registry.TABLE))") == (["rr.algos", "rr.algos"], ["double", "twice"])


DEPENDENTS = {
    "base": "CONST = 1\ndef scale(x):\n    return x * 10\ndef helper():\n    return scale(1)\n",
    "derived": "from .base import CONST\nDOUBLE = CONST * 2\n",
    "late": "from .base import CONST\ndef get():\n    return CONST\n",
    "table": "from . import base\nTABLE = [base.scale(i) for i in range(3)]\n",
    "indirect": "from .base import helper\nVALUE = helper()\n",
    "plain": "from .base import scale\ndef use(x):\n    return scale(x)\n",
    "sub": "from .base import CONST\nclass Model:\n    def kind(self):\n        return 'model'\n",
    "child": "from .sub import Model\nclass Child(Model):\n    pass\n",
}


@pytest.fixture
def deps(ip, project):
    project.package("dp", DEPENDENTS)
    run(ip, "import dp.derived, dp.late, dp.table, dp.indirect, dp.plain, dp.child")
    return project


def actions(report) -> dict[str, str]:
    return {m.name.split(".")[-1]: m.action for m in report.modules}


def test_a_constant_edit_reaches_what_reads_it_and_nothing_else(ip, deps):
    deps.edit("dp/base.py", "CONST = 1", "CONST = 5")
    report = run(ip, "%reload_deep dp.base")
    assert actions(report) == {
        "base": "statements",
        "derived": "executed",
        "late": "rebound",
        "sub": "rebound",
        "table": "unchanged",
        "indirect": "unchanged",
        "plain": "unchanged",
        "child": "unchanged",
    }
    assert run(ip, "(dp.derived.DOUBLE, dp.late.get(), dp.sub.CONST)") == (10, 5, 5)
    assert "line 2 reads CONST" in next(m.reason for m in report.modules if m.name == "dp.derived")


def test_code_called_at_import_time_re_runs_its_callers(ip, deps):
    deps.edit("dp/base.py", "return x * 10", "return x * 100")
    report = run(ip, "%reload_deep dp.base")
    assert actions(report)["base"] == "patched"
    # table calls scale at import; indirect calls helper, whose body calls scale
    assert actions(report)["table"] == actions(report)["indirect"] == "executed"
    assert actions(report)["plain"] == actions(report)["derived"] == "unchanged"
    assert run(ip, "(dp.table.TABLE, dp.indirect.VALUE, dp.plain.use(2))") == ([0, 100, 200], 100, 200)


def test_a_call_through_another_modules_unchanged_function_re_runs_its_caller(ip, project):
    # far calls relay at import; relay (in mid, unchanged) calls scale (in base, edited); leaf
    # imports far, but nothing imports leaf: its functions need not be followed
    project.package(
        "ch",
        {
            "base": "def scale(x):\n    return x * 10\n",
            "mid": "from .base import scale\ndef relay():\n    return scale(3)\n",
            "far": "from .mid import relay\nFAR = relay()\n",
            "leaf": "from .far import FAR\ndef get():\n    return FAR\n",
        },
    )
    run(ip, "import ch.leaf")
    project.edit("ch/base.py", "x * 10", "x * 100")
    report = run(ip, "%reload_deep ch.base")
    assert actions(report) == {"base": "patched", "mid": "unchanged", "far": "executed", "leaf": "rebound"}
    assert run(ip, "(ch.far.FAR, ch.leaf.get())") == (300, 300)


def test_a_class_updated_in_place_does_not_re_run_its_subclasses(ip, deps):
    deps.edit("dp/sub.py", "return 'model'", "return 'model v2'")
    report = run(ip, "%reload_deep dp.sub")
    assert actions(report) == {"sub": "patched", "child": "unchanged"}
    assert run(ip, "dp.child.Child().kind()") == "model v2"


def test_dry_run_predicts_what_will_run(ip, deps):
    deps.edit("dp/base.py", "CONST = 1", "CONST = 5")
    preview = run(ip, "%reload_deep dp.base --dry-run")
    report = run(ip, "%reload_deep dp.base")
    assert actions(preview) == actions(report)
    assert "derived  would re-execute: line 2 reads CONST" in str(preview)


def test_a_star_import_of_a_new_definition_is_rebound(ip, project):
    project.package("st", {"impl": "def a():\n    return 1\n", "__init__": "from .impl import *\n"})
    run(ip, "import st")
    project.edit("st/impl.py", "return 1\n", "return 1\ndef b():\n    return 2\n")
    report = run(ip, "%reload_deep st.impl")
    assert actions(report) == {"impl": "patched", "st": "rebound"}
    assert run(ip, "st.b()") == 2


def test_a_pure_statement_runs_alone_but_a_call_re_executes(ip, project):
    project.package(
        "ps", {"log": "RUNS = []\n", "m": "from . import log\nlog.RUNS.append(1)\nLIMIT = 3\nNAME = 'x'.upper()\n"}
    )
    run(ip, "import ps.m, ps.log")
    project.edit("ps/m.py", "LIMIT = 3", "LIMIT = 4")
    report = run(ip, "%reload_deep ps.m")
    assert report.modules[0].action == "statements" and run(ip, "(ps.log.RUNS, ps.m.LIMIT)") == ([1], 4)
    project.edit("ps/m.py", "'x'.upper()", "'y'.upper()")
    report = run(ip, "%reload_deep ps.m")
    assert report.modules[0].action == "executed" and "line 4 changed" in report.modules[0].reason
    assert run(ip, "(ps.log.RUNS, ps.m.NAME)") == ([1, 1], "Y")


def test_a_failure_after_in_place_patches_rolls_them_back(ip, project):
    project.package("fb", {"a": "def f():\n    return 'old'\n", "b": "from .a import f\nX = 1\n"})
    run(ip, "from fb.a import f; import fb.b")
    project.edit("fb/a.py", "'old'", "'new'")
    project.write("fb/b.py", "from .a import f\nX = (\n")
    error = ip.run_cell("%reload_deep", store_history=False).error_in_exec
    assert type(error).__name__ == "ReloadFailed" and error.module == "fb.b"
    assert run(ip, "f()") == "old"
