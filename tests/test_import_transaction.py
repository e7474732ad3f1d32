"""A failed import undoes exactly its own work: ``%import_rel`` and the ledger underneath it."""

from __future__ import annotations

import importlib
import subprocess
import sys
import textwrap
import threading

import pytest
from IPython.core.error import UsageError

import ipy_reimport
from conftest import run
from ipy_reimport import ImportFailed
from ipy_reimport.ledger import ImportLedger, undone_on_failure

SYNC = """
import threading
started = threading.Event()
other_done = threading.Event()
"""


@pytest.fixture
def shapes(project):
    project.package(
        "shapes",
        {
            "units": "SCALE = 1\n",
            "geometry": "from .units import SCALE\nAREA = SCALE\n",
            "interrupted": "from . import units\nraise KeyboardInterrupt\n",
            "exits": "from . import geometry\nraise SystemExit(3)\n",
            "broken": "from . import units\nfrom . import geometry\nraise ValueError('broken')\n",
            "deep/__init__": "from .. import units\n",
        },
    )
    project.write("sync_point.py", SYNC)
    project.write("bystander.py", "NAME = 'bystander'\n")
    project.write(
        "waits.py",
        """
        import shapes.units
        import sync_point
        sync_point.started.set()
        assert sync_point.other_done.wait(10), "the other thread did not import"
        raise ValueError("fails after another thread imported")
        """,
    )
    return project


def _modules() -> dict[str, int]:
    return {name: id(module) for name, module in sys.modules.items()}


def test_a_module_another_thread_imports_meanwhile_stays(ip, shapes):
    import sync_point

    def other():
        sync_point.started.wait(10)
        importlib.import_module("bystander")
        sync_point.other_done.set()

    thread = threading.Thread(target=other)
    thread.start()
    error = ip.run_cell("%import_rel waits", store_history=False).error_in_exec
    thread.join(10)
    assert isinstance(error, ImportFailed) and "fails after another thread imported" in str(error)
    assert "bystander" in sys.modules
    assert not {"waits", "shapes", "shapes.units"} & set(sys.modules)


def test_from_form_with_a_missing_name_leaves_modules_and_namespace_as_before(ip, shapes):
    names, modules = dict(ip.user_ns), _modules()
    with pytest.raises(UsageError, match=r"no module named 'shapes\.nonexistent'"):
        ip.run_line_magic("import_rel", "from shapes import units, nonexistent")
    assert _modules() == modules
    assert ip.user_ns.keys() == names.keys()
    assert not [n for n in ip.user_ns if n in ("units", "nonexistent", "shapes")]
    assert "shapes" not in {s.name for s in ipy_reimport.status()}


@pytest.mark.parametrize("module, error", [("shapes.interrupted", KeyboardInterrupt), ("shapes.exits", SystemExit)])
def test_interrupt_or_exit_at_import_leaves_nothing_and_is_raised(ip, shapes, module, error):
    modules = _modules()
    with pytest.raises(error):
        ip.run_line_magic("import_rel", module)
    assert _modules() == modules


@pytest.mark.parametrize(
    "line",
    [
        "shapes.broken",  # raises while executing, after importing siblings
        "shapes.deep.nothere",  # parents import fine, the leaf does not exist
        "from shapes import units, nonexistent",  # a later item is missing
        "from shapes.geometry import AREA, missing",  # neither an attribute nor a submodule
        "from shapes import geometry, broken",  # a submodule item fails
        ".units",  # no anchor: fails before importing anything
    ],
)
def test_any_failure_of_import_rel_leaves_sys_modules_as_it_was(ip, shapes, line, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    modules = _modules()
    result = ip.run_cell(f"%import_rel {line}", store_history=False)
    assert result.error_in_exec is not None
    assert _modules() == modules


def test_modules_loaded_before_keep_their_objects(ip, shapes):
    run(ip, "import shapes.units")
    units = sys.modules["shapes.units"]
    modules = _modules()
    assert ip.run_cell("%import_rel from shapes import geometry, nonexistent").error_in_exec
    assert _modules() == modules and sys.modules["shapes.units"] is units
    assert not hasattr(sys.modules["shapes"], "geometry")


def test_the_api_undoes_the_same_way(project, shapes):
    modules = _modules()
    with pytest.raises(ImportFailed):
        ipy_reimport.import_rel("shapes.broken")
    assert _modules() == modules


# -- the ledger on its own (what the reloader's rollback uses) --------------------------------
def test_ledger_records_only_this_threads_imports(shapes):
    import sync_point

    ready = threading.Event()
    thread = threading.Thread(
        target=lambda: (ready.wait(10), importlib.import_module("bystander"), sync_point.other_done.set())
    )
    thread.start()
    with ImportLedger() as ledger:
        importlib.import_module("shapes.geometry")
        ready.set()
        assert sync_point.other_done.wait(10)
    thread.join(10)
    assert ledger.imported == ["shapes", "shapes.geometry", "shapes.units"]  # in lookup order
    assert ledger.undo() == ["shapes.units", "shapes.geometry", "shapes"]
    assert "bystander" in sys.modules and "shapes" not in sys.modules


def test_a_name_another_thread_loads_after_ours_failed_is_not_ours(project):
    """This thread's import of ``flaky`` fails; another thread then imports it successfully."""
    project.write(
        "flaky.py",
        "import threading\nif threading.current_thread() is threading.main_thread():\n"
        "    raise ValueError('only the main thread fails')\n",
    )
    with ImportLedger() as ledger:
        with pytest.raises(ValueError):
            importlib.import_module("flaky")
        thread = threading.Thread(target=importlib.import_module, args=("flaky",))
        thread.start()
        thread.join(10)
    assert "flaky" in sys.modules
    assert ledger.undo() == [] and "flaky" in sys.modules


def test_the_finder_is_on_meta_path_only_while_a_ledger_is_open(shapes):
    before = list(sys.meta_path)
    with pytest.raises(ValueError):
        with undone_on_failure():
            with undone_on_failure():
                importlib.import_module("shapes.units")
                assert len(sys.meta_path) == len(before) + 1
            raise ValueError("outer block fails")
    assert sys.meta_path == before and "shapes.units" not in sys.modules


def test_a_library_with_an_extension_module_stays_importable(project):
    """NumPy refuses to load its extension twice: a failed import that first imported NumPy must
    leave NumPy loaded, or the kernel can never import it again."""
    project.write("needs_numpy.py", "import numpy\nraise ValueError('after numpy')\n")
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(project.root)!r})
        from IPython.core.interactiveshell import InteractiveShell
        ip = InteractiveShell.instance()
        ip.run_line_magic("load_ext", "ipy_reimport")
        assert "numpy" not in sys.modules
        assert ip.run_cell("%import_rel needs_numpy").error_in_exec is not None
        assert "needs_numpy" not in sys.modules
        import numpy
        print(int(numpy.arange(4).sum()))
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().endswith("6")
