"""What survives a reload, on real code: every scenario of tests/snippets, in a real shell.

Each scenario is a small package built on a real library (dataclasses, attrs, pydantic, enum,
abc, functools, numpy) or a common pattern (registries, wrappers, aliases). The user imports it,
holds objects, edits the files (explicit mtimes), runs ``%reload_deep``, and then everything in the
scenario's CHECKS must hold. The scenario files are the specification; bench/compat.py runs the
same ones against IPython's autoreload and jurigged.
"""

from __future__ import annotations

import itertools
import sys

import pytest

from conftest import run
from scenarios import PRELUDE, all_scenarios, load

_CLOCK = itertools.count(1_700_000_000, 10)


def _mtime() -> int:
    return next(_CLOCK) * 1_000_000_000


@pytest.fixture
def scenario_shell(ip, project, request):
    """A shell holding one scenario's objects, and a function that edits it to a version,
    reloads, and returns the failed checks."""
    scenario = load(request.param)
    scenario.write(project.root, 1, _mtime())
    run(ip, PRELUDE)
    run(ip, scenario.imports)
    run(ip, scenario.before)

    def reload_to(version: int) -> list[str]:
        assert scenario.write(project.root, version, _mtime()), "the version changed no file"
        ip.user_ns["REPORT"] = run(ip, "%reload_deep")
        return [label for label, check in scenario.checks[version].items() if not _holds(ip, check)]

    yield scenario, reload_to
    for name in [n for n in sys.modules if n == scenario.name or n.startswith(scenario.name + ".")]:
        del sys.modules[name]


def _holds(ip, expression: str) -> bool:
    result = ip.run_cell(f"__check__ = bool({expression})", store_history=False)
    return result.success and ip.user_ns.get("__check__") is True


@pytest.mark.parametrize("scenario_shell", [s.name for s in all_scenarios()], indirect=True)
def test_scenario(scenario_shell):
    scenario, reload_to = scenario_shell
    for version in sorted(scenario.checks):
        failed = reload_to(version)
        assert not failed, f"{scenario.name} v{version}: {failed}\n{run_report()}"


def run_report() -> str:
    from IPython import get_ipython

    return str(get_ipython().user_ns.get("REPORT"))


def test_a_failed_reload_puts_registries_of_other_modules_back(ip, project):
    scenario = load("registry_decorator")
    scenario.write(project.root, 1, _mtime())
    run(ip, scenario.imports)
    handlers = dict(sys.modules["registry_decorator.registry"].HANDLERS)
    plugins = project.root / "registry_decorator" / "plugins.py"
    plugins.write_text(scenario.files(2)["plugins.py"] + "\nraise RuntimeError('broken after registering')\n")
    stamp = _mtime()
    __import__("os").utime(plugins, ns=(stamp, stamp))

    error = ip.run_cell("%reload_deep", store_history=False).error_in_exec

    assert type(error).__name__ == "ReloadFailed" and "broken after registering" in str(error)
    after = sys.modules["registry_decorator.registry"].HANDLERS
    assert after.keys() == handlers.keys() and all(after[k] is v for k, v in handlers.items())
    assert run(ip, "registry.HANDLERS['json']('x')") == ("json v1", "x")
