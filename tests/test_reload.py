"""%reload_deep: order, dependents, patching that keeps identity, and all-or-nothing rollback."""

from __future__ import annotations

import pickle
import sys

import pytest
from IPython.core.error import UsageError

from conftest import run
from ipy_reimport import ModuleState, ReloadFailed

LOG = "EXECUTED = []\n"


def chain(project, length: int = 5) -> list[str]:
    """pkg.m0 <- pkg.m1 <- ... each importing the previous; each logs its execution."""
    modules = {"log": LOG}
    for i in range(length):
        imports = "from . import log\n" + (f"from .m{i - 1} import VALUE as PREV\n" if i else "PREV = 0\n")
        modules[f"m{i}"] = imports + "log.EXECUTED.append(__name__)\nVALUE = PREV + 1\n"
    project.package("pkg", modules)
    return [f"pkg.m{i}" for i in range(length)]


def test_chain_reloads_dependents_in_order_once_each(ip, project):
    names = chain(project)
    run(ip, "import pkg.m4, pkg.log; pkg.log.EXECUTED.clear()")
    project.edit("pkg/m0.py", "VALUE = PREV + 1", "VALUE = PREV + 100")
    report = run(ip, "%reload_deep pkg.m0 --full")
    assert report.order == names
    assert sys.modules["pkg.log"].EXECUTED == names
    assert sys.modules["pkg.m4"].VALUE == 104
    html = report._repr_html_()
    assert html.index("<code>pkg.m0</code>") < html.index("<code>pkg.m4</code>") and "Reloaded 5 modules" in html


def test_diamond_reloads_base_first_and_top_last_once(ip, project):
    project.package(
        "dia",
        {
            "log": LOG,
            "a": "from . import log\nlog.EXECUTED.append(__name__)\nX = 1\n",
            "b": "from . import log\nfrom .a import X\nlog.EXECUTED.append(__name__)\n",
            "c": "from . import log\nfrom .a import X\nlog.EXECUTED.append(__name__)\n",
            "d": "from . import log\nfrom . import c, b\nlog.EXECUTED.append(__name__)\nY = b.X + c.X\n",
        },
    )
    run(ip, "import dia.d, dia.log; dia.log.EXECUTED.clear()")
    project.edit("dia/a.py", "X = 1", "X = 5")
    report = run(ip, "%reload_deep --full")
    # b and c do not depend on each other: they keep their first-import order (d imported c first)
    assert report.order == ["dia.a", "dia.c", "dia.b", "dia.d"]
    assert sys.modules["dia.log"].EXECUTED == ["dia.a", "dia.c", "dia.b", "dia.d"]
    assert sys.modules["dia.d"].Y == 10


def test_from_import_constant_in_dependent_is_updated(ip, project):
    project.package("pk", {"base": "CONST = 1\n", "user": "from .base import CONST\ndef get():\n    return CONST\n"})
    run(ip, "from pk.user import get")
    project.edit("pk/base.py", "CONST = 1", "CONST = 2")
    run(ip, "%reload_deep pk.base")
    assert run(ip, "get()") == 2
    assert sys.modules["pk.user"].CONST == 2


def test_import_cycle_is_one_group_reloaded_once(ip, project):
    project.package(
        "cyc",
        {
            "log": LOG,
            "a": "from . import log\nfrom . import b\nlog.EXECUTED.append(__name__)\nA = 1\n",
            "b": "from . import log\nfrom . import a\nlog.EXECUTED.append(__name__)\ndef get():\n    return a.A\n",
            "top": "from . import log\nfrom .b import get\nlog.EXECUTED.append(__name__)\n",
        },
    )
    run(ip, "import cyc.top, cyc.log; cyc.log.EXECUTED.clear()")
    project.edit("cyc/a.py", "A = 1", "A = 2")
    report = run(ip, "%reload_deep cyc.a --full")
    # one group, in first-import order (top imported b, which imported a)
    assert report.groups == [["cyc.b", "cyc.a"], ["cyc.top"]]
    assert sorted(sys.modules["cyc.log"].EXECUTED) == ["cyc.a", "cyc.b", "cyc.top"]
    assert run(ip, "cyc.top.get()") == 2
    assert "import cycle" in str(report)


def test_function_edit_is_seen_through_old_reference(ip, project):
    project.write("fmod.py", "def f(x=1):\n    return ('old', x)\n")
    run(ip, "from fmod import f; old = f")
    project.edit("fmod.py", "return ('old', x)", "return ('new', x)")
    project.edit("fmod.py", "x=1", "x=2")
    report = run(ip, "%reload_deep fmod")
    assert run(ip, "f()") == ("new", 2)
    assert run(ip, "import fmod; fmod.f is old")
    assert "f" in report.modules[0].patched


def test_subclass_in_other_module_and_isinstance_survive(ip, project):
    project.package(
        "inh",
        {
            "base": "class Base:\n    def who(self):\n        return 'base-old'\n",
            "sub": "from .base import Base\n"
            "class Sub(Base):\n    def who(self):\n        return 'sub+' + super().who()\n",
        },
    )
    run(ip, "import inh.base as base, inh.sub as sub; s = sub.Sub(); B, S = base.Base, sub.Sub")
    project.edit("inh/base.py", "base-old", "base-new")
    project.edit(
        "inh/sub.py",
        "        return 'sub+' + super().who()\n",
        "        return 'sub+' + super().who()\n    def added(self):\n        return 'added+' + super().who()\n",
    )
    run(ip, "%reload_deep inh.base")
    assert run(ip, "(s.who(), s.added())") == ("sub+base-new", "added+base-new")
    assert run(ip, "base.Base is B and sub.Sub is S and sub.Base is B")
    assert run(ip, "isinstance(s, base.Base) and isinstance(sub.Sub(), B) and issubclass(sub.Sub, base.Base)")


def test_slots_class_with_zero_argument_super_keeps_working(ip, project):
    project.package(
        "sl",
        {
            "text": "class Text:\n    __slots__ = ('_text',)\n    def __init__(self, t):\n        self._text = t\n"
            "    def plain(self):\n        return self._text\n",
            "rich": "from .text import Text\nclass Rich(Text):\n    __slots__ = ('style',)\n"
            "    def __init__(self, t):\n        super().__init__(t)\n        self.style = 'b'\n"
            "    def plain(self):\n        return '[' + super().plain() + ']'\n",
        },
    )
    run(ip, "import sl.rich as rich; r = rich.Rich('x')")
    project.edit("sl/text.py", "return self._text", "return self._text.upper()")
    run(ip, "%reload_deep sl.text")
    assert run(ip, "(r.plain(), rich.Rich('y').plain())") == ("[X]", "[Y]")


def test_dataclass_gains_a_field(ip, project):
    project.write("dc.py", "from dataclasses import dataclass\n@dataclass\nclass P:\n    x: int\n")
    run(ip, "import dc; old = dc.P(1)")
    project.edit("dc.py", "    x: int\n", "    x: int\n    y: int = 7\n")
    run(ip, "%reload_deep dc")
    assert run(ip, "(dc.P(1, 2), old.y, repr(old))") == (sys.modules["dc"].P(1, 2), 7, "P(x=1, y=7)")
    assert run(ip, "type(old) is dc.P")


def test_enum_members_keep_identity_and_equality(ip, project):
    project.write(
        "en.py", "import enum\nclass Color(enum.Enum):\n    RED = 1\n    def label(self):\n        return 'old'\n"
    )
    run(ip, "import en; red = en.Color.RED")
    project.edit("en.py", "'old'", "'new'")
    run(ip, "%reload_deep en")
    assert run(ip, "(red == en.Color.RED, red is en.Color(1), red.label())") == (True, True, "new")


def test_closure_with_changed_free_variables_is_replaced(ip, project):
    project.write("cl.py", "def outer():\n    return 1\nf = outer\n")
    project.write("cl2.py", "def make():\n    a = 1\n    def f():\n        return a\n    return f\nf = make()\n")
    run(ip, "import cl2; old = cl2.f")
    project.write(
        "cl2.py", "def make():\n    a, b = 1, 2\n    def f():\n        return a + b\n    return f\nf = make()\n"
    )
    report = run(ip, "%reload_deep cl2")
    assert ("f", "closure variables changed") in report.modules[0].replaced
    assert run(ip, "(cl2.f(), cl2.f is old, old())") == (3, False, 1)


def test_pickle_of_old_instance_and_registry_keyed_by_class(ip, project):
    project.package(
        "reg",
        {
            "models": "class M:\n    def __init__(self, v):\n        self.v = v\n"
            "    def get(self):\n        return self.v\n",
            "registry": "from .models import M\nHANDLERS = {M: 'handler'}\n",
        },
    )
    run(ip, "import reg.models as models, reg.registry as registry; m = models.M(4)")
    project.edit("reg/models.py", "return self.v", "return self.v * 10")
    run(ip, "%reload_deep reg.models")
    assert (
        run(ip, "pickle_roundtrip = __import__('pickle').loads(__import__('pickle').dumps(m)); pickle_roundtrip.get()")
        == 40
    )
    assert run(ip, "registry.HANDLERS[type(m)]") == "handler"
    assert pickle.loads(pickle.dumps(sys.modules["reg.models"].M(1))).get() == 10


def test_no_patch_keeps_plain_reload_semantics(ip, project):
    project.write("np_.py", "def f():\n    return 'old'\n")
    run(ip, "from np_ import f as old")
    project.edit("np_.py", "'old'", "'new'")
    report = run(ip, "%reload_deep np_ --no-patch")
    assert run(ip, "(old(), __import__('np_').f())") == ("old", "new")
    assert report.modules[0].patched == ()


def test_names_dropped_from_source_remain_and_are_reported(ip, project):
    project.write("lo.py", "A = 1\nB = 2\n")
    run(ip, "import lo")
    project.write("lo.py", "A = 1\n")
    report = run(ip, "%reload_deep lo")
    assert report.modules[0].leftover == ("B",)
    assert run(ip, "lo.B") == 2


def test_try_except_nameerror_cache_idiom_keeps_its_data(ip, project):
    project.write("ca.py", "try:\n    cache\nexcept NameError:\n    cache = {}\nVERSION = 1\n")
    run(ip, "import ca; ca.cache['k'] = 'kept'")
    project.edit("ca.py", "VERSION = 1", "VERSION = 2")
    run(ip, "%reload_deep ca")
    assert run(ip, "(ca.cache, ca.VERSION)") == ({"k": "kept"}, 2)


def _module_state(names):
    return {n: (sys.modules[n], dict(sys.modules[n].__dict__)) for n in names}


def _assert_unchanged(before):
    for name, (module, namespace) in before.items():
        assert sys.modules[name] is module
        assert module.__dict__.keys() == namespace.keys()
        assert all(module.__dict__[k] is v for k, v in namespace.items()), name


@pytest.mark.parametrize(
    "breakage, line",
    [
        ("def broken(:\n", 4),
        ("from . import fresh_helper\nraise RuntimeError('boom at import')\n", 5),
    ],
)
def test_failure_in_dependent_rolls_everything_back(ip, project, breakage, line):
    project.package(
        "rb",
        {
            "base": "K = 1\ndef f():\n    return 'old'\nclass C:\n    def m(self):\n        return 'old'\n",
            "mid": "from .base import K, f, C\n",
            "top": "from .mid import K\nfrom .base import C\nVALUE = K\n",
            "fresh_helper": "X = 1\n",
        },
    )
    run(ip, "import rb.top; from rb.base import f, C; c = C(); old_f = f.__code__; old_m = C.m.__code__")
    before = _module_state(["rb", "rb.base", "rb.mid", "rb.top"])
    project.write(
        "rb/base.py", project.path("rb/base.py").read_text().replace("'old'", "'new'").replace("K = 1", "K = 2")
    )
    project.write("rb/top.py", "from .mid import K\nfrom .base import C\nVALUE = K\n" + breakage)

    error = ip.run_cell("%reload_deep rb.base", store_history=False).error_in_exec

    assert isinstance(error, ReloadFailed)
    assert (error.module, error.location.file, error.location.line) == ("rb.top", str(project.path("rb/top.py")), line)
    assert error.rolled_back == ["rb.base", "rb.mid", "rb.top"]
    rendered = error._render_traceback_()
    assert len(rendered) <= 2 and "rb/top.py, line" in rendered[0] and "importlib" not in "".join(rendered)
    _assert_unchanged(before)
    assert run(ip, "(f.__code__ is old_f, C.m.__code__ is old_m, c.m(), f(), rb.top.VALUE)") == (
        True,
        True,
        "old",
        "old",
        1,
    )
    assert "rb.fresh_helper" not in sys.modules and not hasattr(sys.modules["rb"], "fresh_helper")
    states = {s.name: s.state for s in run(ip, "%stale")}
    assert states["rb.base"] is ModuleState.STALE and states["rb.top"] is ModuleState.STALE


def test_dry_run_changes_nothing(ip, project):
    chain(project, 3)
    run(ip, "import pkg.m2")
    before = _module_state(["pkg.m0", "pkg.m1", "pkg.m2"])
    project.edit("pkg/m0.py", "PREV + 1", "PREV + 5")
    report = run(ip, "%reload_deep --dry-run")
    assert report.dry_run and report.order == ["pkg.m0", "pkg.m1", "pkg.m2"]
    assert [m.action for m in report.modules] == ["statements", "executed", "executed"]
    assert str(report).startswith("Would reload 3 modules")
    assert "pkg.m1  would re-execute: line 4 reads PREV, which now refers to a new object" in str(report)
    _assert_unchanged(before)
    assert {s.name: s.state for s in run(ip, "%stale")}["pkg.m0"] is ModuleState.STALE


def test_nothing_stale_reports_nothing_to_do(ip, project):
    project.write("quiet.py", "A = 1\n")
    run(ip, "import quiet")
    report = run(ip, "%reload_deep")
    assert not report and str(report) == "Nothing to reload: no module is stale."


def test_edit_within_the_same_second_and_size_is_not_masked_by_bytecode(ip, project, monkeypatch):
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    second = 1_650_000_000 * 1_000_000_000
    project.write("same.py", "V = 'aaa'\n", mtime_ns=second)
    run(ip, "import same")
    project.write("same.py", "V = 'bbb'\n", mtime_ns=second + 400_000_000)
    run(ip, "%reload_deep same")
    assert run(ip, "same.V") == "bbb"


@pytest.mark.parametrize(
    "line, message",
    [
        ("nosuch_module_xyz", "module 'nosuch_module_xyz' is not loaded"),
        ("sys", "cannot reload sys: built-in module"),
        ("--auto maybe", "argument --auto: invalid choice"),
        ("fmodx --auto on", "--auto takes no modules"),
        ("--bogus", "unrecognized arguments: --bogus"),
    ],
)
def test_misuse_raises_one_line_usage_error(ip, project, line, message):
    project.write("fmodx.py", "A = 1\n")
    run(ip, "import fmodx")
    with pytest.raises(UsageError, match=message):
        ip.run_line_magic("reload_deep", line)


def test_extension_module_is_refused_with_a_clear_message(ip):
    import importlib.machinery

    name = next(
        n
        for n, m in sys.modules.items()
        if str(getattr(m, "__file__", "")).endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES))
    )
    with pytest.raises(UsageError, match=f"cannot reload {name}: extension module"):
        ip.run_line_magic("reload_deep", name)


def test_deleted_file_cannot_be_reloaded(ip, project):
    project.write("gone.py", "A = 1\n")
    run(ip, "import gone")
    project.path("gone.py").unlink()
    with pytest.raises(UsageError, match=r"cannot reload gone: source file deleted .*gone\.py"):
        ip.run_line_magic("reload_deep", "gone")
    assert {s.name: s.state for s in run(ip, "%stale")}["gone"] is ModuleState.MISSING


def test_relative_module_name_resolves_against_package(ip, project):
    project.package("rel", {"a": "X = 1\n"})
    run(ip, "import rel.a")
    project.edit("rel/a.py", "X = 1", "X = 3")
    report = run(ip, "%reload_deep .a --package rel")
    assert report.order == ["rel.a"] and sys.modules["rel.a"].X == 3


def test_package_init_reexport_is_not_a_cycle_and_runs_after_its_submodules(ip, project):
    project.package(
        "ex",
        {
            "__init__": "from .a import A\n",
            "a": "from .c import C\nclass A:\n    pass\n",
            "b": "from .c import C\n",
            "c": "C = 3\n",
        },
    )
    run(ip, "import ex, ex.b")
    project.write("ex/a.py", "from .c import C\nclass A(dict):\n    x = 2\n")
    assert {s.name: s.state for s in run(ip, "%stale")}["ex.b"] is ModuleState.FRESH
    report = run(ip, "%reload_deep")
    assert report.groups == [["ex.a"], ["ex"]]
    assert run(ip, "ex.A is __import__('sys').modules['ex.a'].A and ex.A.x") == 2


@pytest.mark.parametrize("enabled", [True, False])
def test_the_garbage_collector_is_left_as_it_was(ip, project, enabled):
    """A reload holds the cyclic collector while it runs, then puts it back as the user had it,
    whether the reload succeeds or fails; the collector is held while module code runs."""
    import gc

    project.package("gcp", {"m": "import gc\nRUNNING = gc.isenabled()\n"})
    run(ip, "import gcp.m")
    (gc.enable if enabled else gc.disable)()
    try:
        project.edit("gcp/m.py", "RUNNING = gc.isenabled()", "RUNNING = gc.isenabled() or None")
        run(ip, "%reload_deep gcp.m")
        assert sys.modules["gcp.m"].RUNNING is None and gc.isenabled() is enabled
        project.edit("gcp/m.py", "or None", "or 1 / 0")
        with pytest.raises(ReloadFailed):
            ip.run_line_magic("reload_deep", "gcp.m")
        assert gc.isenabled() is enabled
    finally:
        gc.enable()
