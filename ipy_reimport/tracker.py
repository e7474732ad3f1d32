"""Module states and their baselines.

The tracker knows every module in ``sys.modules`` and whether its source changed since it ran.
It is fed three ways, cheapest first: an import recorder on ``sys.meta_path`` (so only modules
new to ``sys.modules`` are examined after a cell, see :mod:`.intake`), changed paths from the
file watcher, and exact re-checks on explicit requests (``status``, ``%stale``, ``%reload_deep``,
and before each cell in auto mode). Its records live in an :class:`~.entries.EntryStore`; the
states shown are derived from them and the import graph by :func:`~.states.derive_statuses`.
Subscribers get :class:`~.events.ModulesChanged` notifications. It reads modules only through
their ``__dict__`` (see :func:`scope.namespace`), so looking never triggers a lazy load.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterable

from .baseline import UNKNOWN, Stamp, stamp_of
from .entries import Entry, EntryStore, graph_of
from .events import Listener, Listeners, Why
from .graph import ImportGraph
from .intake import Intake
from .scope import UserScope
from .states import LastReload, ModuleState, ModuleStatus, derive_statuses

__all__ = ["ModuleState", "ModuleStatus", "LastReload", "Tracker"]


class Tracker:
    """Knows every loaded module's state.

    Args:
        scope: decides which modules are the user's.
    """

    def __init__(self, scope: UserScope) -> None:
        self.polling = False
        self._store = EntryStore()
        self._intake = Intake(self._store, scope)
        self._lock = threading.RLock()
        self._listeners = Listeners()
        self._graphs: dict[bool, tuple[tuple, ImportGraph]] = {}  # the user's modules, all modules

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> None:
        """Install the import recorder and take baselines of everything already loaded."""
        self._intake.install()
        self.sync(first_sight=False)

    def stop(self) -> None:
        """Remove the import recorder."""
        self._intake.uninstall()

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` with a :class:`~.events.ModulesChanged` whenever modules appear,
        vanish or change state. It may be called from the watcher thread. Returns a function
        that unsubscribes."""
        return self._listeners.subscribe(listener)

    # -- feeding ---------------------------------------------------------------------------
    def sync(self, first_sight: bool = True) -> set[str]:
        """Compare with ``sys.modules`` in full: add new or replaced modules, drop removed ones.

        Args:
            first_sight: baseline of new modules is the file as it is now; when False (modules
                that ran before the tracker started) the bytecode cache is consulted.
        """
        with self._lock:
            loaded, gone = self._intake.sync(first_sight)
        self._listeners.notify(Why.LOADED, loaded)
        self._listeners.notify(Why.UNLOADED, gone)
        return loaded | gone

    def poll(self, exact: bool = False) -> set[str]:
        """The per-cell check: only modules imported since the last poll are examined.

        Args:
            exact: also stat the user's files now (auto mode before a cell); in polling mode
                (no watcher) they are always stat-ed.

        Returns:
            The names that changed.
        """
        names = self._intake.imported()
        stat_files = exact or self.polling
        if not (names or stat_files or self._intake.lazy):
            return set()
        with self._lock:
            loaded = self._intake.take_in(names)
        self._listeners.notify(Why.LOADED, loaded)
        return loaded | (self.recheck() if stat_files else set())

    def files_changed(self, paths: Iterable[str]) -> set[str]:
        """Re-check the modules executed from ``paths`` (called by the file watcher)."""
        return self._recheck(lambda store: store.of_files(paths))

    def dirs_changed(self, dirs: Iterable[str]) -> set[str]:
        """Re-check every module whose file lies in ``dirs`` (the watcher calls this once its
        watches are in place: whatever was saved while nothing watched is seen)."""
        return self._recheck(lambda store: store.in_dirs(set(dirs)))

    def refresh(self, everything: bool = False) -> set[str]:
        """Exact re-check now: sync with ``sys.modules`` and stat the user's files (or all)."""
        return self.sync() | self.recheck(everything)

    def recheck(self, everything: bool = False) -> set[str]:
        """Stat the user's files (or all) and update their states."""
        return self._recheck(lambda store: store.select(everything))

    def reclassify(self, scope: UserScope) -> None:
        """Decide again which modules are the user's, by ``scope`` (new include/exclude patterns)."""
        with self._lock:
            self._intake.scope = scope
            self._intake.reclassify()
            names = self._store.names()
        self._listeners.notify(Why.RESCOPED, names)

    # -- recording reloads -----------------------------------------------------------------
    def mark_reloaded(self, stamps: dict[str, Stamp | None], seconds: dict[str, float]) -> None:
        """Record that the modules of ``stamps`` were re-executed from those file versions."""
        now = time.time()
        with self._lock:
            loaded = self._intake.take_in_all_but(set(stamps))
            for name, stamp in stamps.items():
                entry = self._intake.rebase(name, stamp or UNKNOWN)
                entry.last_reload = LastReload(now, True, seconds.get(name, 0.0))
        self._listeners.notify(Why.LOADED, loaded)
        self._listeners.notify(Why.RELOADED, stamps)

    def mark_failed(self, names: Iterable[str], error: str) -> None:
        """Record a failed (rolled back) reload attempt of ``names``."""
        failed = LastReload(time.time(), False, 0.0, error)
        names = set(names)
        with self._lock:
            loaded = self._intake.take_in_all_but(names)
            for entry in filter(None, map(self._store.get, names)):
                entry.last_reload = failed
        self._listeners.notify(Why.LOADED, loaded)
        self._listeners.notify(Why.FAILED, names)

    # -- queries ---------------------------------------------------------------------------
    def get(self, name: str) -> Entry | None:
        """The entry of a loaded module (internal record), or None."""
        return self._store.get(name)

    def rank(self, name: str) -> int:
        """Order in which the module was first seen (older first)."""
        entry = self._store.get(name)
        return entry.seq if entry is not None else sys.maxsize

    def names(self, everything: bool = False) -> list[str]:
        """Names of the tracked modules: the user's, or all."""
        with self._lock:
            return [e.name for e in self._store.select(everything)]

    def own_state(self, name: str) -> ModuleState | None:
        """The module's state ignoring its imports (never ``DEPENDENT``)."""
        entry = self._store.get(name)
        return entry.own if entry is not None else None

    def stale_names(self, everything: bool = False) -> list[str]:
        """Modules whose own source changed, as last seen (no file is read)."""
        with self._lock:
            return [n for n in self._store.stale if everything or self._store.get(n).user]

    def missing(self, everything: bool = False) -> list[tuple[str, str]]:
        """``(name, reason)`` of the modules whose source is missing, as last seen."""
        with self._lock:
            return sorted(
                (e.name, e.missing or "source file deleted")
                for e in self._store.select(everything)
                if e.own is ModuleState.MISSING
            )

    def user_dirs(self) -> set[str]:
        """Directories that held the user's module files (what the watcher watches)."""
        with self._lock:
            return set(self._store.user_dirs)

    @property
    def user_dirs_version(self) -> int:
        """Changes whenever :meth:`user_dirs` grows or is collected again."""
        return self._store.user_dirs_version

    def import_graph(self, everything: bool = False) -> ImportGraph:
        """The import graph of the user's modules (or of all), reused until a module appears,
        vanishes, changes state, or a stale file changes again."""
        with self._lock:
            key = (self._store.version, frozenset((n, self._store.get(n).seen) for n in self._store.stale))
            cached = self._graphs.get(everything)
            if cached is not None and cached[0] == key:
                return cached[1]
            entries = self._store.select(everything)
        graph = graph_of(entries)
        self._graphs[everything] = (key, graph)
        return graph

    def statuses(self, everything: bool = False, refresh: bool = True) -> list[ModuleStatus]:
        """State of the user's modules (or of all), ``DEPENDENT`` included.

        Args:
            everything: every loaded module, not only the user's.
            refresh: re-check first, so that the states are exact now; without it, the states
                are those last seen by the per-cell check and the watcher (no file is read).
        """
        if refresh:
            self.refresh(everything)
        with self._lock:
            entries = self._store.select(everything)
        return derive_statuses(entries, self.import_graph(everything))

    # -- internals ------------------------------------------------------------------------
    def _recheck(self, select: Callable[[EntryStore], Iterable[Entry]]) -> set[str]:
        """Stat the files of the entries ``select`` picks and update their states."""
        changed = set()
        with self._lock:
            for entry in select(self._store):
                if entry.reloadable:
                    current = stamp_of(entry.file)
                    if current == entry.seen:  # as at the last look, so is the state (the hot path)
                        continue
                    if self._store.set_state(entry, entry.see(current)):
                        changed.add(entry.name)
        self._listeners.notify(Why.STATE, changed)
        return changed
