"""Fixtures of the browser tests: one JupyterLab server and one Chromium for the whole session;
per test a fresh browser context, JupyterLab workspace and project folder (its own package copy,
notebooks and therefore kernels), and a screenshot folder ``test-artifacts/e2e/<test>/``.

Every test in this folder gets the ``e2e`` marker: ``pytest -m "not e2e"`` skips them.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect, sync_playwright

from .harness import Lab, LabServer, find_chromium, launch_chromium, write_notebook, write_package, write_source

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
ARTIFACTS = REPO / "test-artifacts" / "e2e"

expect.set_options(timeout=15_000)


def pytest_configure(config):
    config.addinivalue_line("markers", "e2e: end-to-end test in a real JupyterLab and Chromium (slow)")


def pytest_collection_modifyitems(items):
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-")


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = find_chromium()
    if path is None:
        pytest.skip("no Chromium: set CHROME_PATH, install /usr/bin/chromium, or run "
                    "scripts/ensure-chromium.sh (make test does)")
    return path


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory):
    """``jupyter lab`` serving a temporary root; its log goes to test-artifacts/e2e/server.log."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    server = LabServer(tmp_path_factory.mktemp("lab"), log_path=ARTIFACTS / "server.log").start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def notebook_server(lab_server):
    """``jupyter notebook`` (Notebook 7's own server, as its users start it) serving the same
    root as ``lab_server``; its log goes to test-artifacts/e2e/notebook-server.log."""
    server = LabServer(lab_server.root, log_path=ARTIFACTS / "notebook-server.log", app="notebook").start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser(chromium_path):
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright, chromium_path)
        yield browser
        browser.close()


class Project:
    """A test's own folder under the server root: the small package, notebooks, edits."""

    def __init__(self, root: Path, server_root: Path) -> None:
        self.root = root
        self.rel = root.relative_to(server_root).as_posix()

    def path(self, relative: str) -> Path:
        return self.root / relative

    def write(self, relative: str, text: str) -> float:
        """Write a file (explicit new mtime); the time just before the write."""
        return write_source(self.root / relative, text)

    def edit(self, relative: str, old: str, new: str) -> float:
        text = self.path(relative).read_text()
        assert old in text, f"{old!r} not in {relative}"
        return self.write(relative, text.replace(old, new))

    def notebook(self, name: str = "nb.ipynb", cells: list[str] = ()) -> str:
        """Write a notebook; its path relative to the server root (what JupyterLab opens)."""
        write_notebook(self.root / name, cells)
        return f"{self.rel}/{name}"


@pytest.fixture
def project(lab_server, request) -> Project:
    root = lab_server.root / _safe(request.node.name)
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir()
    write_package(root)
    return Project(root, lab_server.root)


@pytest.fixture
def frontend(request) -> str:
    """Which frontend a test's page runs: ``"lab"`` unless the test parametrizes it
    (``@pytest.mark.parametrize("frontend", FRONTENDS, indirect=True)``)."""
    return getattr(request, "param", "lab")


@pytest.fixture
def lab(browser, lab_server, frontend, request):
    """A fresh page (own context and workspace) of ``frontend``, served by the server its users
    start (``jupyter lab`` or ``jupyter notebook``). Screenshots and the console log go to
    test-artifacts/e2e/<test>/; a failing test also gets a last screenshot. Afterwards every
    kernel session is shut down."""
    server = request.getfixturevalue("notebook_server") if frontend == "notebook" else lab_server
    name = _safe(request.node.name)
    shots = ARTIFACTS / name
    shutil.rmtree(shots, ignore_errors=True)
    shots.mkdir(parents=True)
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    lab = Lab(page, server, shots, workspace=name, frontend=frontend)
    yield lab
    call = getattr(request.node, "report_call", None)
    if call is not None and call.failed:
        try:
            lab.shot("failed")
        except PlaywrightError:  # the page may be gone: the failure itself is what matters
            pass
    (shots / "console-errors.txt").write_text("\n".join(lab.console_errors))
    context.close()
    server.shutdown_sessions()


@pytest.fixture
def loaded(lab, project) -> Lab:
    """A notebook whose kernel has the extension loaded and ``pkg.user`` imported, typed into
    cells as a user would; the panel is open, connected, and shows the package fresh."""
    lab.open_notebook(project.notebook())
    lab.panel.open()
    lab.run_cell("%load_ext ipy_reimport")
    lab.panel.expect_connection("connected")
    lab.run_cell("import pkg.user")
    for name in ("pkg", "pkg.base", "pkg.user"):
        lab.panel.expect_state(name, "fresh")
    lab.shot("loaded")
    return lab
