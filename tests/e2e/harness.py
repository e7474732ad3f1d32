"""A real JupyterLab server, a real Chromium, and the few actions a user takes in them.

Shared by the end-to-end tests (``tests/e2e/conftest.py``) and the browser benchmark
(``bench/panel.py``), so both measure and check the same thing. Nothing here knows pytest.

* :class:`LabServer` runs ``python -m jupyter lab`` from this interpreter's environment with a
  temporary config, settings, workspaces, runtime and IPython directory and a random token.
* :func:`find_chromium` and :func:`launch_chromium` start ``$CHROME_PATH``, Debian's or Playwright's Chromium.
* :class:`Lab` wraps one browser page of JupyterLab or of Notebook 7 (served by the same
  server): open a notebook, wait for its kernel, type and run a cell, read outputs, drive the
  ipy_reimport panel, check the console, save numbered screenshots.
* :func:`write_source`, :func:`write_notebook` and :data:`SMALL_PACKAGE` write the files the
  kernel imports, each with an explicit mtime.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import nbformat
from playwright.sync_api import Browser, Locator, Page, Playwright, expect, sync_playwright

__all__ = [
    "CHROMIUM_ARGS", "Lab", "LabServer", "Panel", "SMALL_PACKAGE", "find_chromium",
    "launch_chromium", "write_notebook", "write_package", "write_source",
]

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic", "--disable-dev-shm-usage",
]
PANEL = "#ipy-reimport-panel"
SHOW_PANEL = "ipy-reimport:show-panel"
FRONTENDS = ("lab", "notebook")

# Errors a frontend logs by itself: reproduced with the ipy-reimport labextension disabled
# (page_config.json "disabledExtensions"). Notebook 7.6's notebook page: its shortcut settings
# read the schema of a plugin the page does not load; once JupyterLab has opened a notebook on
# the same server, its file browser restores a path with a command only the tree page has.
KNOWN_FRONTEND_ERRORS = {
    "lab": (),
    "notebook": (
        "Cannot read properties of undefined (reading 'schema')",
        "Command 'filebrowser:open-path' not registered",
    ),
}

# Explicit, distinct mtimes for every file written (file-system clocks can be coarse).
_CLOCK = itertools.count(int(time.time()) - 86_400, 10)

SMALL_PACKAGE = {
    "pkg/__init__.py": '"""A small package for the panel tests."""\n',
    "pkg/base.py": """\
        VALUE = 1


        def double(x):
            return 2 * x
        """,
    "pkg/user.py": """\
        from .base import VALUE, double


        def twice_value():
            return double(VALUE)
        """,
    "other.py": "NAME = 'other'\n",
}


def write_source(path: Path, text: str, mtime: int | None = None) -> float:
    """Write dedented ``text`` to ``path`` and give it an explicit mtime (10 s after the previous
    write by default). Returns ``time.time()`` taken just before the write, i.e. the "save" time."""
    path.parent.mkdir(parents=True, exist_ok=True)
    stamp = next(_CLOCK) if mtime is None else mtime
    saved = time.time()
    path.write_text(textwrap.dedent(text))
    os.utime(path, (stamp, stamp))
    return saved


def write_package(root: Path, files: dict[str, str] = SMALL_PACKAGE) -> None:
    """Write every ``relative path -> text`` of ``files`` under ``root``."""
    for relative, text in files.items():
        write_source(root / relative, text)


def write_notebook(path: Path, cells: list[str] = ()) -> Path:
    """An ipykernel notebook with the given code cells (one empty cell when none)."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    nb.cells = [nbformat.v4.new_code_cell(source) for source in (cells or [""])]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LabServer:
    """``jupyter lab`` (or ``jupyter notebook``, Notebook 7's own server) in a subprocess, serving
    ``root`` on 127.0.0.1 with a random token.

    Args:
        root: the server's root directory (notebooks and packages live under it).
        log_path: where the server's stdout/stderr go (default: inside the temporary home).
        app: ``"lab"`` or ``"notebook"``: the command a user runs.
    """

    def __init__(self, root: Path, log_path: Path | None = None, app: str = "lab") -> None:
        assert app in FRONTENDS, app
        self.app = app
        self.root = Path(root)
        self.token = uuid.uuid4().hex
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.home = Path(tempfile.mkdtemp(prefix="ipy_reimport_lab_"))
        self.log_path = log_path or self.home / "server.log"
        self.process: subprocess.Popen | None = None

    def _env(self) -> dict[str, str]:
        settings = self.home / "settings"
        notification = settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
        notification.parent.mkdir(parents=True)
        (self.home / "data").mkdir()
        notification.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))
        env = dict(os.environ)
        env.update(
            JUPYTER_CONFIG_DIR=str(self.home / "config"),
            JUPYTERLAB_SETTINGS_DIR=str(settings),
            JUPYTERLAB_WORKSPACES_DIR=str(self.home / "workspaces"),
            JUPYTER_RUNTIME_DIR=str(self.home / "runtime"),
            IPYTHONDIR=str(self.home / "ipython"),
            # The kernelspec says "python": make it this environment's.
            PATH=os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", ""),
        )
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        return env

    def start(self, timeout: float = 60.0) -> LabServer:
        """Start the server and wait until ``/api/status`` answers with the token."""
        cmd = [
            sys.executable, "-m", "jupyter", self.app, "--no-browser",
            "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={self.root}",
            "--LabApp.extension_manager=readonly", "--LabApp.expose_app_in_browser=True",
            "--JupyterNotebookApp.expose_app_in_browser=True",
            f"--NotebookNotary.data_dir={self.home / 'data'}",
        ]
        if os.getuid() == 0:
            cmd.append("--allow-root")
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(cmd, env=self._env(), stdout=self.log, stderr=subprocess.STDOUT,
                                        cwd=self.root)
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"jupyter {self.app} exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                self.api("GET", "/api/status")
                return self
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline:
                    self.stop()
                    message = f"jupyter {self.app} did not answer within {timeout:.0f} s:\n{self.log_tail()}"
                    raise RuntimeError(message) from None
                time.sleep(0.1)

    def api(self, method: str, path: str, body: dict | None = None):
        """One REST call with the token; the decoded JSON answer (None when empty)."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=10) as answer:
            text = answer.read()
        return json.loads(text) if text else None

    def shutdown_sessions(self) -> None:
        """Delete every session, which shuts its kernel down (between tests)."""
        for session in self.api("GET", "/api/sessions"):
            try:
                self.api("DELETE", f"/api/sessions/{session['id']}")
            except urllib.error.HTTPError:
                pass

    def lab_url(self, path: str, workspace: str | None = None) -> str:
        """The address that opens ``path`` (relative to the root) in JupyterLab; a separate
        ``workspace`` keeps tabs opened by other tests from being restored."""
        prefix = f"/lab/workspaces/{workspace}" if workspace else "/lab"
        return f"{self.url}{prefix}/tree/{path}?token={self.token}"

    def notebook_url(self, path: str) -> str:
        """The address that opens the notebook ``path`` (relative to the root) in Notebook 7."""
        return f"{self.url}/notebooks/{path}?token={self.token}"

    def log_tail(self, chars: int = 4000) -> str:
        """The end of the server's log."""
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def stop(self) -> None:
        """Stop the server (and with it its kernels); remove the temporary home (and the default
        log inside it)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        if getattr(self, "log", None):
            self.log.close()
        shutil.rmtree(self.home, ignore_errors=True)


def _executable(path: str | None) -> bool:
    return bool(path) and os.path.isfile(path) and os.access(path, os.X_OK)


def find_chromium() -> str | None:
    """``$CHROME_PATH`` when it is an executable, else ``/usr/bin/chromium``, else the Chromium
    that ``python -m playwright install chromium`` downloaded; None when there is none."""
    for path in (os.environ.get("CHROME_PATH"), "/usr/bin/chromium"):
        if _executable(path):
            return path
    with sync_playwright() as playwright:
        path = playwright.chromium.executable_path
    return path if _executable(path) else None


def launch_chromium(playwright: Playwright, executable: str) -> Browser:
    """Headless Chromium with the flags that work on these machines."""
    return playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)


_OBSERVE = """() => {
    const seen = window.__ipyReimportSeen = [];
    const root = document.querySelector('#ipy-reimport-panel');
    const note = (el, attribute) => seen.push({module: el.getAttribute('data-module'), attribute,
                                               value: el.getAttribute(attribute), t: Date.now()});
    const visit = (node) => {
        if (node.nodeType !== 1) return;
        const rows = [node, ...node.querySelectorAll('[data-module][data-state]')];
        for (const row of rows) {
            if (!row.hasAttribute('data-module') || !row.hasAttribute('data-state')) continue;
            note(row, 'data-state');
            note(row, 'data-pending');
        }
    };
    new MutationObserver((records) => {
        for (const r of records) {
            if (r.type === 'attributes') {  // a recycled row may change data-module: note both
                if (r.target.hasAttribute('data-module') && r.target.hasAttribute('data-state')) {
                    note(r.target, 'data-state');
                    note(r.target, 'data-pending');
                }
            } else {
                r.addedNodes.forEach(visit);
            }
        }
    }).observe(root, {subtree: true, childList: true, attributes: true,
                      attributeFilter: ['data-module', 'data-state', 'data-pending']});
}"""
_FIRST_SEEN = """([module, attribute, value, since]) => {
    const hit = window.__ipyReimportSeen.find((c) => c.module === module && c.attribute === attribute
                                                     && c.value === value && c.t >= since);
    return hit ? hit.t : null;
}"""

_KERNEL_READY = """(path) => {
    const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
    if (!w || !w.context || (path && w.context.path !== path)) return false;
    const k = w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
    return !!k && k.connectionStatus === 'connected' && k.status === 'idle';
}"""


class Lab:
    """One browser page of JupyterLab or Notebook 7, seen the way a user acts on it.

    Args:
        page: the Playwright page (console errors are collected from it).
        server: the running :class:`LabServer`.
        shots: folder for the numbered screenshots (``NN-step.png``); None: no screenshots.
        workspace: JupyterLab workspace name used for every address this page opens.
        frontend: ``"lab"`` (JupyterLab) or ``"notebook"`` (Notebook 7: one notebook per page).
    """

    def __init__(self, page: Page, server: LabServer, shots: Path | None, workspace: str,
                 frontend: str = "lab") -> None:
        assert frontend in FRONTENDS, frontend
        self.page = page
        self.server = server
        self.shots = shots
        self.workspace = workspace
        self.frontend = frontend
        self.console_errors: list[str] = []
        self._shot = itertools.count(1)
        page.on("console", lambda msg: msg.type == "error" and self.console_errors.append(msg.text))
        page.on("pageerror", lambda error: self.console_errors.append(f"page error: {error}\n{error.stack}"))
        self.panel = Panel(self)

    # -- screenshots -----------------------------------------------------------------------

    def shot(self, step: str) -> None:
        """Save ``NN-<step>.png`` into the test's artifact folder."""
        if self.shots is None:
            return
        name = re.sub(r"[^A-Za-z0-9_.-]+", "-", step).strip("-")
        self.page.screenshot(path=str(self.shots / f"{next(self._shot):02d}-{name}.png"))

    # -- notebooks and kernels -------------------------------------------------------------

    def open_notebook(self, path: str) -> None:
        """Load the frontend on ``path`` (relative to the server root) and wait for its kernel."""
        if self.frontend == "notebook":
            self.page.goto(self.server.notebook_url(path))
        else:
            self.page.goto(self.server.lab_url(path, self.workspace))
        self.wait_for_kernel(path)

    def open_another(self, path: str) -> None:
        """Open ``path`` in a new tab of the already loaded JupyterLab and wait for its kernel."""
        self.page.evaluate("(path) => window.jupyterapp.commands.execute('docmanager:open', {path})", path)
        self.wait_for_kernel(path)

    def switch_to(self, path: str) -> None:
        """Click the tab of the open document ``path`` in the main area."""
        name = path.rsplit("/", 1)[-1]
        self.page.locator("#jp-main-dock-panel .lm-TabBar-tab", has_text=name).click()
        self.wait_for_current(path)

    def wait_for_current(self, path: str) -> None:
        """Wait until the current main-area tab shows the document ``path``."""
        self.page.wait_for_function(
            "(path) => { const w = window.jupyterapp.shell.currentWidget; "
            "return !!w && !!w.context && w.context.path === path; }", arg=path)

    def reload(self, path: str) -> None:
        """Reload the browser page (F5) and wait for the kernel of ``path`` again."""
        self.page.reload()
        self.wait_for_kernel(path)

    def wait_for_kernel(self, path: str | None = None, timeout: float = 60_000) -> None:
        """Wait until the current widget (the notebook ``path``) has a connected, idle kernel:
        typing earlier would be dropped silently."""
        self.page.wait_for_function(_KERNEL_READY, arg=path, timeout=timeout, polling=100)

    def current(self) -> Locator:
        """The widget of the current main-area tab (a notebook, an editor...)."""
        widget_id = self.page.evaluate("() => window.jupyterapp.shell.currentWidget.id")
        return self.page.locator(f"[id='{widget_id}']")

    def notebook(self) -> Locator:
        """The current notebook panel."""
        return self.current()

    def cells(self) -> Locator:
        return self.notebook().locator(".jp-Notebook .jp-Cell")

    def run_cell(self, code: str, typing: bool = True) -> Locator:
        """Type ``code`` into the last cell of the current notebook, press Shift+Enter and wait
        until it ran (its prompt shows an execution count). Returns the cell.

        ``typing=False`` inserts the text in one go (no auto-indent or bracket closing), for
        multi-line cells; the key press that runs it is the same.
        """
        cells = self.cells()
        cell = cells.nth(cells.count() - 1)
        editor = cell.locator(".cm-content")
        editor.click()
        if typing:
            self.page.keyboard.type(code)
        else:
            self.page.keyboard.insert_text(code)
        if "\n" not in code:  # what landed in the editor is what was typed (no auto-closed extras)
            expect(editor).to_have_text(code)
        self.page.keyboard.press("Shift+Enter")
        expect(cell.locator(".jp-InputPrompt")).to_have_text(re.compile(r"\[\d+\]"), timeout=60_000)
        return cell

    def output(self, cell: Locator) -> Locator:
        """A cell's output area."""
        return cell.locator(".jp-OutputArea")

    def start_cell(self, code: str) -> Locator:
        """Type ``code`` into the last cell and press Shift+Enter without waiting for it to end."""
        cells = self.cells()
        cell = cells.nth(cells.count() - 1)
        cell.locator(".cm-content").click()
        self.page.keyboard.type(code)
        self.page.keyboard.press("Shift+Enter")
        expect(cell.locator(".jp-InputPrompt")).to_have_text(re.compile(r"\[\*\]"))
        return cell

    def wait_for_cell(self, cell: Locator, timeout: float = 60_000) -> None:
        """Wait until ``cell`` shows its execution count."""
        expect(cell.locator(".jp-InputPrompt")).to_have_text(re.compile(r"\[\d+\]"), timeout=timeout)

    def errors_about(self, *words: str) -> list[str]:
        """Console errors that mention any of ``words`` (case-insensitive)."""
        return [e for e in self.console_errors if any(w.lower() in e.lower() for w in words)]

    def assert_no_panel_errors(self) -> None:
        """No console error so far mentions ipy_reimport, the panel or a comm."""
        errors = self.errors_about("ipy_reimport", "ipy-reimport", "comm")
        assert not errors, f"console errors about the panel or a comm: {errors}"

    def assert_no_console_errors(self) -> None:
        """No console error or uncaught page error so far, but those the frontend logs by itself
        (``KNOWN_FRONTEND_ERRORS``)."""
        known = KNOWN_FRONTEND_ERRORS[self.frontend]
        errors = [e for e in self.console_errors if not any(k in e for k in known)]
        assert not errors, f"console errors in {self.frontend}: {errors}"


class Panel:
    """The ipy_reimport panel of a :class:`Lab` page (DOM contract: ``#ipy-reimport-panel``)."""

    def __init__(self, lab: Lab) -> None:
        self.lab = lab
        self.page = lab.page
        self.root = lab.page.locator(PANEL)

    def open(self) -> None:
        """Show the panel in the left sidebar (the ``ipy-reimport:show-panel`` command)."""
        has_command = self.page.evaluate(
            "(id) => window.jupyterapp.restored.then(() => window.jupyterapp.commands.hasCommand(id))", SHOW_PANEL)
        assert has_command, f"JupyterLab has no command {SHOW_PANEL!r}: is the ipy-reimport labextension installed?"
        self.page.evaluate("(id) => window.jupyterapp.commands.execute(id)", SHOW_PANEL)
        expect(self.root).to_be_visible()

    def open_from_view_menu(self) -> None:
        """Show the panel as a user does: the View menu's "Show module panel"."""
        menubar = "#jp-menu-panel" if self.lab.frontend == "lab" else "#menu-panel"
        self.page.locator(f"{menubar} .lm-MenuBar-itemLabel", has_text="View").click()
        self.page.locator(".lm-Menu-itemLabel", has_text="Show module panel").click()
        expect(self.root).to_be_visible()

    def open_from_palette(self) -> None:
        """Show the panel from the command palette (Ctrl+Shift+C, type, Enter)."""
        self.page.keyboard.press("Control+Shift+C")
        search = self.page.locator(".lm-CommandPalette-input")
        expect(search).to_be_focused()
        search.press_sequentially("Show module panel")
        item = self.page.locator(".lm-CommandPalette-item.lm-mod-active")
        expect(item).to_contain_text("Show module panel")
        self.page.keyboard.press("Enter")
        expect(self.root).to_be_visible()

    def close(self) -> None:
        """Collapse the left area that holds the panel (both shells have ``collapseLeft``)."""
        self.page.evaluate("() => window.jupyterapp.shell.collapseLeft()")
        expect(self.root).to_be_hidden()

    def set_width(self, width: int) -> float:
        """Drag the handle right of the left area until the panel is ``width`` px wide (as far
        as the shell lets it); returns the panel's width."""
        split = "#jp-main-split-panel" if self.lab.frontend == "lab" else "#main-split-panel"
        stack = self.page.locator("#jp-left-stack").bounding_box()
        for handle in self.page.locator(f"{split} > .lm-SplitPanel-handle").all():
            box = handle.bounding_box()
            if box and abs(box["x"] - (stack["x"] + stack["width"])) < 4:
                break
        else:
            raise AssertionError("no split handle right of the left area")
        y = box["y"] + box["height"] / 2
        self.page.mouse.move(box["x"] + box["width"] / 2, y)
        self.page.mouse.down()
        panel = self.root.bounding_box()
        target = box["x"] + box["width"] / 2 + (width - panel["width"])
        self.page.mouse.move(target, y, steps=5)
        self.page.mouse.up()
        return self.root.bounding_box()["width"]

    def expect_connection(self, state: str, timeout: float | None = None) -> None:
        expect(self.root).to_have_attribute("data-connection", state, timeout=timeout)

    def row(self, module: str) -> Locator:
        """The row of ``module`` (rows carry ``data-module`` and ``data-state``)."""
        return self.root.locator(f'[data-module="{module}"][data-state]')

    def rows(self) -> Locator:
        return self.root.locator("[data-module][data-state]")

    def expect_state(self, module: str, state: str, timeout: float | None = None) -> None:
        expect(self.row(module)).to_have_attribute("data-state", state, timeout=timeout)

    def button(self, action: str) -> Locator:
        return self.root.locator(f'[data-action="{action}"]')

    def row_button(self, module: str, action: str) -> Locator:
        return self.row(module).locator(f'[data-action="{action}"]')

    def result(self) -> Locator:
        return self.root.locator('[data-role="result"]')

    def observe(self) -> None:
        """From now on, record in the page every ``data-state`` and ``data-pending`` a row shows,
        with the page's clock (``Date.now()``), as the DOM changes (a MutationObserver)."""
        self.page.evaluate(_OBSERVE)

    def when(self, module: str, attribute: str, value: str, since_ms: float, timeout: float = 30_000) -> float:
        """Wait until ``module``'s row showed ``attribute=value`` at or after ``since_ms`` (page
        clock, ms) and return when it first did. Needs :meth:`observe`."""
        return self.page.wait_for_function(_FIRST_SEEN, arg=[module, attribute, value, since_ms],
                                           timeout=timeout).json_value()

    def seen(self, module: str, attribute: str) -> list[str | None]:
        """Every value of ``attribute`` recorded for ``module``'s row since :meth:`observe`."""
        return self.page.evaluate(
            "([m, a]) => window.__ipyReimportSeen.filter((c) => c.module === m && c.attribute === a)"
            ".map((c) => c.value)", [module, attribute])

    def filter(self, text: str) -> None:
        """Type ``text`` into the filter box (replacing what was there)."""
        box = self.button("filter")
        box.fill("")
        box.press_sequentially(text)
