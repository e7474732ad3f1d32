"""ipy_reimport: dependency-ordered, all-or-nothing module reloading for IPython and Jupyter.

Load it in IPython with ``%load_ext ipy_reimport``; the same functions are usable without IPython.
"""

from __future__ import annotations

import weakref
from types import ModuleType

from .config import Reimport
from .errors import ImportFailed, ReimportError, ReloadFailed, UsageProblem
from .report import ModuleReload, ReloadReport, StatusTable
from .session import Invalidated, Reimporter
from .states import ModuleState, ModuleStatus

__all__ = [
    "import_rel",
    "reload_deep",
    "invalidate",
    "status",
    "session",
    "Reimport",
    "Reimporter",
    "ReloadReport",
    "ModuleReload",
    "StatusTable",
    "ModuleState",
    "ModuleStatus",
    "Invalidated",
    "ReimportError",
    "UsageProblem",
    "ReloadFailed",
    "ImportFailed",
    "load_ipython_extension",
    "unload_ipython_extension",
    "open_panel_comm",
    "_jupyter_labextension_paths",
]
__version__ = "0.1.0"

_current: Reimporter | None = None
_loaded: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def session() -> Reimporter:
    """The active :class:`Reimporter`: the one of the IPython shell that loaded the extension,
    else one created on first use (tracking starts then; no watcher)."""
    global _current
    if _current is None:
        _current = Reimporter()
    return _current


def import_rel(name: str, package: str | None = None) -> ModuleType:
    """Import ``name`` (``pkg.mod``, ``.mod``, ``..sub.mod``) relative to ``package``.

    Args:
        name: absolute or relative module name.
        package: anchor for relative names; default ``Reimport.package``, else the package that
            contains the working directory.

    Returns:
        The module.
    """
    return session().import_rel(name, package)


def reload_deep(
    *modules: str, dry_run: bool = False, patch: bool = True, full: bool = False, force: bool = False
) -> ReloadReport:
    """Reload ``modules`` and every loaded module that imports them, dependencies first.

    Args:
        modules: module names; none means every stale user module.
        dry_run: only plan; change nothing.
        patch: update old functions and classes in place.
        full: re-execute every module of the plan from the top instead of re-running only what
            changed.
        force: allow naming a module of the standard library or of the shell itself.

    Returns:
        The report. Raises :class:`ReloadFailed` (after rolling everything back) on failure.
    """
    return session().reload_deep(*modules, dry_run=dry_run, patch=patch, full=full, force=force)


def invalidate() -> Invalidated:
    """Invalidate import caches so that newly created modules are found; re-check staleness."""
    return session().invalidate()


def status(all: bool = False) -> StatusTable:
    """States of the user's modules (``all=True``: of every loaded module), exact now."""
    return session().status(all=all)


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    """Where JupyterLab finds the panel (installed by the wheel's shared data)."""
    return [{"src": "labextension", "dest": "ipy-reimport"}]


def open_panel_comm(ip=None) -> None:
    """Open a comm to JupyterLab's module panel unless one is open.

    The panel's *Load* button runs ``%load_ext ipy_reimport`` and then this: when the extension
    was already loaded but every frontend closed its comm, ``%load_ext`` does nothing and this
    reconnects. Does nothing outside a kernel or when the extension is not loaded.
    """
    if ip is None:
        from IPython import get_ipython

        ip = get_ipython()
    entry = _loaded.get(ip) if ip is not None else None
    if entry is not None and entry[2] is not None:
        entry[2].ensure_open()


def load_ipython_extension(ip) -> None:
    """Called by ``%load_ext ipy_reimport``: magics, per-cell hooks, ``%config Reimport``, and
    in a Jupyter kernel the comm that the JupyterLab panel talks to."""
    global _current
    if ip in _loaded:
        return
    from .bridge import PanelBridge
    from .magics import ReimportMagics

    _retire_api_session()
    config = Reimport(parent=ip)
    shell = weakref.ref(ip)
    reimporter = Reimporter(config, user_namespace=lambda: getattr(shell(), "user_ns", None))
    reimporter.start()
    magics = ReimportMagics(ip, reimporter)
    ip.register_magics(magics)
    ip.configurables.append(config)
    reimporter.cells.register(ip)
    bridge = PanelBridge.attach(ip, reimporter, __version__)
    _loaded[ip] = (reimporter, magics, bridge)
    _current = reimporter


def unload_ipython_extension(ip) -> None:
    """Called by ``%unload_ext ipy_reimport``: removes every hook, magic and thread it added."""
    global _current
    reimporter, magics, bridge = _loaded.pop(ip, (None, None, None))
    if reimporter is None:
        return
    if bridge is not None:
        bridge.stop()
    magics.close()
    reimporter.cells.unregister()
    for kind, table in magics.magics.items():
        for name in table:
            ip.magics_manager.magics[kind].pop(name, None)
    if ip.magics_manager.registry.get(type(magics).__name__) is magics:
        del ip.magics_manager.registry[type(magics).__name__]
    # Magics.__init__ appended the magics to the shell's configurables, and they hold the session.
    ip.configurables[:] = [c for c in ip.configurables if c is not magics and c is not reimporter.config]
    reimporter.stop()
    if _current is reimporter:
        _current = None


def _retire_api_session() -> None:
    """Stop the session that the public functions started before ``%load_ext`` (its import
    recorder would stay on ``sys.meta_path`` with nobody reading it); the shell's takes over."""
    global _current
    if _current is not None and not any(entry[0] is _current for entry in _loaded.values()):
        _current.stop()
        _current = None
