"""One ipy_reimport session: settings, tracker, watcher and reloader, wired together.

The magics, the per-cell hooks and the public functions all call a :class:`Reimporter`; they
share every code path below it.
"""

from __future__ import annotations

import importlib
import linecache
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import ModuleType

from .cells import CellHooks
from .config import Reimport
from .errors import ReloadFailed, locate
from .events import ModulesChanged, Why
from .importing import import_module, infer_package, resolve
from .ledger import undone_on_failure
from .reloader import Reloader
from .report import ReloadReport, StatusTable
from .scope import UserScope
from .sources import ExecutedSources
from .tracker import Tracker
from .watcher import Watcher
from .workers import after_reload

__all__ = ["Reimporter", "Invalidated"]

log = logging.getLogger(__name__)


def _main_namespace() -> dict | None:
    main = sys.modules.get("__main__")
    return getattr(main, "__dict__", None)


@dataclass(frozen=True)
class Invalidated:
    """What ``invalidate()`` did."""

    finders: int
    path_entries: int
    stale: tuple[str, ...]

    def __str__(self) -> str:
        stale = f"{len(self.stale)} stale: {', '.join(self.stale)}" if self.stale else "no module is stale"
        return (
            f"Invalidated import caches ({self.finders} finders, {self.path_entries} negative "
            f"path entries dropped), refreshed linecache; {stale}."
        )


class Reimporter:
    """Everything one interpreter needs: what the magics and the public API call.

    Args:
        config: the settings (a :class:`Reimport`); a default one when omitted.
        echo: where one-line notices go (auto-reload results, watcher fallback); stderr by default.
    """

    def __init__(
        self,
        config: Reimport | None = None,
        echo: Callable[[str], None] | None = None,
        user_namespace: Callable[[], dict | None] | None = None,
    ) -> None:
        self.config = config if config is not None else Reimport()
        self.echo = echo or (lambda text: print(text, file=sys.stderr))
        self.tracker = Tracker(UserScope(self.config.include, self.config.exclude))
        self.cells = CellHooks()  # the only per-cell hooks; the panel's bridge adds its own to them
        self.cells.add(self.before_cell, self.after_cell)
        self.sources = ExecutedSources()
        self.reloader = Reloader(self.tracker, self.sources, user_namespace or _main_namespace)
        self._unsubscribe_sources = self.tracker.subscribe(self._capture_sources)
        self.watching = _Watching(self.tracker, self.config, self.echo)
        self.watcher = self.watching.watcher
        self._failed_key: frozenset | None = None
        self.started = False
        self.config.observe(self._scope_changed, ["include", "exclude"])
        self.config.observe(self._watch_changed, ["watch"])

    # -- lifecycle -------------------------------------------------------------------------
    def start(self, watch: bool = True) -> None:
        """Begin tracking (and watching, when ``watch`` and the setting allow)."""
        self.tracker.start()
        self.started = True
        self.watching.wanted = watch
        self.watching.update()

    def stop(self) -> None:
        """Stop watching and tracking; nothing of ipy_reimport stays active."""
        self.watcher.stop()
        self.tracker.stop()
        self._unsubscribe_sources()
        self.config.unobserve(self._scope_changed, ["include", "exclude"])
        self.config.unobserve(self._watch_changed, ["watch"])
        self.started = False

    def _ensure_started(self) -> None:
        if not self.started:
            self.start(watch=False)

    # -- per cell --------------------------------------------------------------------------
    def after_cell(self) -> None:
        """Per-cell bookkeeping: take in new imports, keep the watcher on the user's directories."""
        self.tracker.poll()
        self.watching.after_cell()

    def before_cell(self) -> None:
        """In auto mode, deep-reload what is stale at this moment.

        The user's files are stat-ed first, so a file saved just before the cell counts even
        if the watcher has not reported it yet. A failure of any kind (``SystemExit`` and
        ``KeyboardInterrupt`` at import included) is reported once per change, in one line,
        and the cell runs against the old code.
        """
        if not self.config.auto:
            return
        self.tracker.poll(exact=True)
        stale = self.tracker.stale_names()
        if not stale:
            return
        key = frozenset((n, self.tracker.get(n).seen) for n in stale)
        if key == self._failed_key:
            return
        try:
            report = self.reload_deep()
        except BaseException as exc:  # a pre-cell hook must never stop the cell or the kernel
            self._failed_key = key
            self.echo(f"ipy_reimport: auto-reload failed, this cell runs with the old code: {_one_line(exc)}")
            return
        self._failed_key = None
        if report:
            self.echo(f"ipy_reimport: reloaded {', '.join(report.order)} ({report.seconds * 1000:.1f} ms)")

    # -- the API ---------------------------------------------------------------------------
    def anchor(self, package: str | None = None) -> str:
        """The package relative names resolve against: ``package``, the setting, or inferred."""
        return package or self.config.package or infer_package()

    def resolve(self, name: str, package: str | None = None) -> str:
        """Absolute module name for ``name`` (relative names use :meth:`anchor`)."""
        return resolve(name, self.anchor(package) if name.startswith(".") else package)

    def import_rel(self, name: str, package: str | None = None) -> ModuleType:
        """Import ``name`` (absolute, or relative to the anchor package) and return the module.
        On failure, the modules this attempt imported are removed again."""
        self._ensure_started()
        module = import_module(name, self.anchor(package) if name.startswith(".") else None)
        self.tracker.poll()
        return module

    @contextmanager
    def importing(self) -> Iterator[None]:
        """Several imports as one: if the block raises anything, every module this thread
        imported in it is removed again (as by :func:`~ipy_reimport.ledger.undone_on_failure`)
        and the tracker forgets them."""
        self._ensure_started()
        try:
            with undone_on_failure():
                yield
        except BaseException:
            self.tracker.sync()
            raise

    def reload_deep(
        self,
        *modules: str,
        dry_run: bool = False,
        patch: bool | None = None,
        package: str | None = None,
        full: bool = False,
        force: bool = False,
    ) -> ReloadReport:
        """Reload ``modules`` (default: every stale user module) and everything importing them.

        Args:
            modules: absolute or relative module names; none means every stale user module.
            dry_run: predict what would run; change nothing.
            patch: keep old functions and classes (default: the ``Reimport.patch`` setting).
            package: anchor of relative names.
            full: re-execute every module of the plan from the top (``importlib.reload``
                semantics) instead of re-running only what changed.
            force: allow naming a module of the standard library or of the shell itself.
        """
        self._ensure_started()
        names = [self.resolve(m, package) for m in modules] if modules else None
        plan = self.reloader.plan(names, full=full, force=force)
        patch = self.config.patch if patch is None else patch
        if not plan.groups:
            return ReloadReport(plan.groups, dry_run=dry_run, skipped=self._skipped(plan, names))
        if dry_run:
            return self.reloader.preview(plan, patch)
        return after_reload(self.reloader.execute(plan, patch), self.config.ship_sources, patch)

    def _capture_sources(self, change: ModulesChanged) -> None:
        """Keep the source of modules the tracker just saw, while their files are what ran."""
        if change.why is Why.UNLOADED:
            self.sources.forget(change.names)
            return
        for name in change.names:
            entry = self.tracker.get(name)
            if entry is not None and entry.user and entry.reloadable:
                self.sources.capture(name, entry.module, entry.file, entry.baseline)

    def _skipped(self, plan, names: list[str] | None) -> list[tuple[str, str]]:
        """What a plan skips; with nothing to reload, every missing user module too (so that
        "nothing to reload" is never said while something cannot be reloaded)."""
        skipped = list(plan.skipped)
        if names is None and not plan.groups:
            listed = {name for name, _ in skipped}
            skipped += [item for item in self.tracker.missing() if item[0] not in listed]
        return skipped

    def invalidate(self) -> Invalidated:
        """``importlib.invalidate_caches()``, forget failed path lookups, refresh linecache and
        re-check staleness, so that modules created since the kernel started are found."""
        self._ensure_started()
        importlib.invalidate_caches()
        finders = sum(1 for f in sys.path_importer_cache.values() if f is not None)
        negative = [p for p, f in list(sys.path_importer_cache.items()) if f is None]
        for path in negative:
            sys.path_importer_cache.pop(path, None)
        linecache.checkcache()
        self.tracker.refresh()
        return Invalidated(finders, len(negative), tuple(sorted(self.tracker.stale_names())))

    def status(self, all: bool = False) -> StatusTable:
        """Exact states of the user's modules (or of every module with ``all=True``)."""
        self._ensure_started()
        return StatusTable(self.tracker.statuses(all), everything=all)

    # -- settings ----------------------------------------------------------------------------
    def _scope_changed(self, change) -> None:
        self.tracker.reclassify(UserScope(self.config.include, self.config.exclude))

    def _watch_changed(self, change) -> None:
        if self.started:
            self.watching.update()


class _Watching:
    """Keeps the file watcher on the directories of the user's files, or the tracker polling
    them after each cell when there is no watcher (not wanted, turned off, or failed: a failure
    is told once, after the next cell)."""

    def __init__(self, tracker: Tracker, config: Reimport, echo: Callable[[str], None]) -> None:
        self.tracker = tracker
        self.config = config
        self.echo = echo
        self.watcher = Watcher(tracker.files_changed, self._failed, tracker.dirs_changed)
        self.wanted = False  # by the session: False for a session the public API started
        self._watched = -1  # the tracker's user_dirs_version the watcher follows
        self._notice: str | None = None

    def after_cell(self) -> None:
        """Follow the user's directories, and tell a failure of the watcher."""
        if self.tracker.user_dirs_version != self._watched:
            self.update()
        if self._notice:
            self.echo(self._notice)
            self._notice = None

    def update(self) -> None:
        """Watch the user's directories now, or poll them when watching is off (``Reimport.watch``)."""
        self._watched = self.tracker.user_dirs_version
        if not (self.wanted and self.config.watch) or self.watcher.failed:
            self.watcher.stop()
            self.tracker.polling = self.wanted
            return
        self.tracker.polling = False
        self.watcher.watch(self.tracker.user_dirs())

    def _failed(self, exc: BaseException) -> None:
        self.tracker.polling = True
        count = len(self.tracker.names())
        why = str(exc).split(" about [")[0].split(" (Error {")[0]  # drop watchfiles' debug dump
        self._notice = (
            f"ipy_reimport: cannot watch files ({type(exc).__name__}: {why}); "
            f"checking the {count} user module files after each cell instead."
        )


def _one_line(exc: BaseException) -> str:
    """A failed reload in one line: the reloader's own message, or the exception and where."""
    if isinstance(exc, ReloadFailed):
        return str(exc)
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}{': ' + text[0] if text else ''} at {locate(exc)}"
