"""%import_rel, %invalidate, %stale, %config and the extension's lifecycle, in a real shell."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import threading

import pytest
from IPython.core.error import UsageError
from IPython.utils.capture import capture_output

import ipy_reimport
from conftest import run
from ipy_reimport import ImportFailed, ModuleState


@pytest.fixture
def shapes(project):
    project.package(
        "shapes",
        {
            "__init__": "",
            "geometry": "from .units import SCALE\n"
            "def area(r):\n    return 3 * r * r * SCALE\n"
            "class Circle:\n    pass\n",
            "units": "SCALE = 1\n",
            "sub/__init__": "",
            "sub/deep": "from ..units import SCALE\nDEEP = SCALE\n",
        },
    )
    return project


def test_absolute_and_relative_imports_bind_names(ip, shapes):
    assert run(ip, "m = %import_rel shapes.geometry\nm.__name__") == "shapes.geometry"
    run(ip, "%import_rel .units --package shapes")
    run(ip, "%import_rel ..units as u -p shapes.sub")
    run(ip, "%import_rel .sub.deep --package shapes")
    assert run(ip, "(geometry.area(1), units.SCALE, u is units, deep.DEEP)") == (3, 1, True, 1)


def test_from_form_binds_attributes_submodules_and_aliases(ip, shapes):
    run(ip, "%import_rel from .geometry import area, Circle as C --package shapes")
    run(ip, "%import_rel from shapes import sub, units as un")
    assert run(ip, "(area(1), C.__name__, sub.__name__, un.SCALE)") == (3, "Circle", "shapes.sub", 1)
    run(ip, "%import_rel from shapes.geometry import *")
    assert run(ip, "SCALE") == 1


def test_configured_and_inferred_anchor(ip, shapes, monkeypatch):
    run(ip, "%config Reimport.package = 'shapes'")
    run(ip, "%import_rel .units")
    assert run(ip, "units.__name__") == "shapes.units"
    run(ip, "%config Reimport.package = None")
    monkeypatch.chdir(shapes.path("shapes/sub"))
    run(ip, "%import_rel ..geometry")
    assert run(ip, "geometry.__name__") == "shapes.geometry"


def test_relative_import_without_anchor_explains_how_to_set_it(ip, shapes, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UsageError, match=r"not a package.*--package PKG or set %config Reimport.package"):
        ip.run_line_magic("import_rel", ".units")


@pytest.mark.parametrize(
    "line, message",
    [
        ("", "the following arguments are required"),
        ("shapes.units as", "expected 'NAME \\[as ALIAS\\]'"),
        ("shapes.units as 9x", "'9x' is not a valid alias"),
        ("shapes..units", "is not a module name"),
        ("from shapes import", "expected 'from NAME import"),
        ("from shapes import a b", "cannot parse 'a b'"),
        ("shapes.nosuch", "no module named 'shapes.nosuch'"),
        ("..units --package shapes", "cannot resolve '..units' against package 'shapes'"),
    ],
)
def test_import_misuse_is_a_one_line_usage_error_and_binds_nothing(ip, shapes, line, message):
    names = set(ip.user_ns)
    modules = set(sys.modules)
    with pytest.raises(UsageError, match=message):
        ip.run_line_magic("import_rel", line)
    assert set(ip.user_ns) == names and set(sys.modules) == modules


def test_module_failing_at_import_is_removed_with_what_it_imported(ip, shapes):
    shapes.write("shapes/bad.py", "from . import units\nfrom . import geometry\nraise ValueError('bad module')\n")
    error = ip.run_cell("%import_rel shapes.bad", store_history=False).error_in_exec
    assert isinstance(error, ImportFailed)
    assert (error.location.file, error.location.line) == (str(shapes.path("shapes/bad.py")), 3)
    assert not {"shapes.bad", "shapes.units", "shapes.geometry"} & set(sys.modules)
    assert "bad" not in ip.user_ns


@pytest.fixture
def hidden_module(ip, project):
    """``hidden.py`` created in a directory the finder already listed, with the directory's mtime
    kept, so the finder's cache cannot see it: a plain ``import hidden`` fails."""
    project.write("seen.py", "A = 1\n")
    run(ip, "import seen")  # may create __pycache__, changing the directory's mtime
    assert importlib.util.find_spec("not_there_either") is None  # the finder lists the directory now
    stamp = os.stat(project.root).st_mtime_ns
    project.write("hidden.py", "HIDDEN = 42\n")
    os.utime(project.root, ns=(stamp, stamp))
    with pytest.raises(ModuleNotFoundError):
        run(ip, "import hidden")


def test_import_rel_retries_after_invalidating_finder_caches(ip, hidden_module):
    run(ip, "%import_rel hidden")
    assert run(ip, "hidden.HIDDEN") == 42


def test_invalidate_makes_a_new_module_importable(ip, hidden_module):
    with capture_output() as captured:
        run(ip, "%invalidate")
    assert captured.stdout.count("\n") == 1 and captured.stdout.startswith("Invalidated import caches")
    assert run(ip, "import hidden; hidden.HIDDEN") == 42


def test_invalidate_reports_stale_modules(ip, project):
    project.write("st.py", "A = 1\n")
    run(ip, "import st")
    project.edit("st.py", "A = 1", "A = 2")
    assert ipy_reimport.invalidate().stale == ("st",)


def test_stale_table_text_html_and_all(ip, shapes):
    run(ip, "import shapes.geometry")
    shapes.edit("shapes/units.py", "SCALE = 1", "SCALE = 2")
    table = run(ip, "%stale")
    states = {s.name: s.state for s in table if s.name.startswith("shapes")}
    assert states == {
        "shapes": ModuleState.FRESH,
        "shapes.geometry": ModuleState.DEPENDENT,
        "shapes.units": ModuleState.STALE,
    }
    assert [s.name for s in table][:2] == ["shapes.units", "shapes.geometry"]
    assert "shapes.units" in str(table).splitlines()[2] and "1 stale, 1 dependent" in str(table)
    assert "data-module='shapes.units' data-state='stale'" in table._repr_html_()
    everything = {s.name: s.state for s in run(ip, "%stale --all")}
    assert everything["sys"] is ModuleState.UNRELOADABLE and everything["json"] is ModuleState.FRESH
    with pytest.raises(UsageError):
        ip.run_line_magic("stale", "--everything")


def test_status_records_imports_and_importers(ip, shapes):
    run(ip, "import shapes.geometry, shapes.sub.deep")
    records = {s.name: s for s in ipy_reimport.status()}
    assert records["shapes.units"].imported_by == ("shapes.geometry", "shapes.sub.deep")
    assert records["shapes.geometry"].imports == ("shapes.units",)
    assert records["shapes.units"].file == str(shapes.path("shapes/units.py"))


def test_config_traits_are_settable_and_validated(ip):
    config = ipy_reimport.session().config
    run(ip, "%config Reimport.auto = True")
    assert config.auto is True
    run(ip, "%reload_deep --auto off")
    assert config.auto is False
    with capture_output() as captured:
        run(ip, "%config Reimport")
    assert "Reimport.package" in captured.stdout and "Reimport.exclude" in captured.stdout
    ip.run_cell("%config Reimport.package = '..bad'", store_history=False)
    assert config.package is None


def test_include_and_exclude_patterns_change_the_user_scope(ip, project):
    project.write("mine.py", "A = 1\n")
    run(ip, "import mine, json")
    names = lambda: {s.name for s in ipy_reimport.status()}  # noqa: E731
    assert "mine" in names() and "json" not in names()
    run(ip, "%config Reimport.include = ['json']")
    run(ip, "%config Reimport.exclude = ['mi*']")
    assert "json" in names() and "mine" not in names()


def test_load_and_unload_add_and_remove_every_hook(shell, project):
    before_pre = list(shell.events.callbacks["pre_run_cell"])
    before_post = list(shell.events.callbacks["post_run_cell"])
    before_meta = list(sys.meta_path)
    project.write("w.py", "A = 1\n")
    shell.run_line_magic("load_ext", "ipy_reimport")
    run(shell, "import w")
    reimporter = ipy_reimport.session()
    assert "reload_deep" in shell.magics_manager.magics["line"] and reimporter.watcher.running
    shell.run_line_magic("unload_ext", "ipy_reimport")
    assert shell.events.callbacks["pre_run_cell"] == before_pre
    assert shell.events.callbacks["post_run_cell"] == before_post
    assert sys.meta_path == before_meta
    assert not {"import_rel", "reload_deep", "invalidate", "stale"} & set(shell.magics_manager.magics["line"])
    assert not reimporter.watcher.running
    assert not [t for t in threading.enumerate() if t.name == "ipy_reimport-watcher"]
    assert not [c for c in shell.configurables if type(c).__name__ == "Reimport"]


def test_config_file_setting_and_extensions_list(tmp_path):
    profile = tmp_path / "profile_default"
    profile.mkdir()
    (profile / "ipython_config.py").write_text(
        "c.InteractiveShellApp.extensions = ['ipy_reimport']\nc.Reimport.auto = True\n"
    )
    code = "import ipy_reimport\nprint('auto', ipy_reimport.session().config.auto)\n%stale"
    env = {**os.environ, "IPYTHONDIR": str(tmp_path)}
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "IPython",
            f"--ipython-dir={tmp_path}",
            "--profile-dir",
            str(profile),
            "--no-banner",
            "-c",
            code,
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert "auto True" in out.stdout, out.stdout + out.stderr
