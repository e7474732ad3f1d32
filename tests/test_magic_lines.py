"""Every line given to any magic of the extension either works or is one clear ``UsageError``."""

from __future__ import annotations

import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from IPython.core.error import UsageError
from IPython.utils.capture import capture_output

import ipy_reimport

MAGICS = ["import_rel", "reload_deep", "stale", "invalidate"]

# Words the magics know, names of the test project, and pieces that break shlex or argparse.
# No free-form identifiers: a random word must never name a real module that does something
# when imported (``this`` prints, ``antigravity`` opens a browser).
_WORDS = st.sampled_from(
    [
        "shapes",
        "shapes.units",
        ".units",
        "..units",
        "shapes.nosuch",
        "nosuch_pkg_xyz",
        "from",
        "import",
        "as",
        "u",
        "*",
        ",",
        "units,",
        "--dry-run",
        "--no-patch",
        "--auto",
        "on",
        "off",
        "--package",
        "-p",
        "--all",
        "--everything",
        "-x",
        "--",
        "-",
        "=",
        "9x",
        "class",
    ]
)
_JUNK = st.text(alphabet="\"'\\ \t-=.,;*#$%()[]{}0123456789", max_size=12)
_LINES = st.lists(_WORDS | _JUNK, max_size=6).map(" ".join)


@pytest.fixture
def shapes(project):
    project.package("shapes", {"units": "SCALE = 1\n", "geometry": "from .units import SCALE\n"})
    return project


@pytest.mark.parametrize("magic", MAGICS)
@pytest.mark.parametrize("line", ["'", 'a "b', "--package 'shapes", '"""', "from shapes import 'units"])
def test_an_unbalanced_quote_is_a_one_line_usage_error(ip, shapes, magic, line):
    with pytest.raises(UsageError) as caught:
        ip.run_line_magic(magic, line)
    assert f"%{magic}" in str(caught.value) and "\n" not in str(caught.value)


def test_any_line_works_or_is_one_usage_error_and_a_failure_changes_nothing(ip, shapes, monkeypatch):
    monkeypatch.chdir(shapes.root)  # where '.units' has no anchor: a usage error, not a crash
    config = ipy_reimport.session().config
    ip.run_cell("import shapes.geometry", store_history=False)

    @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
    @given(magic=st.sampled_from(MAGICS), line=_LINES)
    def any_line(magic, line):
        modules, names = set(sys.modules), set(ip.user_ns)
        try:
            with capture_output():
                ip.run_line_magic(magic, line)
        except UsageError as error:
            assert str(error) and "\n" not in str(error), repr(error)
            assert set(sys.modules) == modules and set(ip.user_ns) == names
        finally:
            config.auto = False
            config.package = None

    any_line()
