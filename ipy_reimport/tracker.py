"""Module states and their baselines.

The tracker knows every module in ``sys.modules`` and whether its source changed since it ran.
It is fed three ways, cheapest first: an import recorder on ``sys.meta_path`` (so only modules
new to ``sys.modules`` are examined after a cell), changed paths from the file watcher, and exact
re-checks on explicit requests (``status``, ``%stale``, ``%reload_deep``, and before each cell in
auto mode). It reads modules only through their ``__dict__`` (see :func:`scope.namespace`), so
looking never triggers a lazy load.
"""

from __future__ import annotations

import itertools
import os
import sys
import threading
import time
from dataclasses import dataclass
from types import ModuleType
from typing import Callable, Iterable

from .baseline import UNKNOWN, Stamp, baseline_from_bytecode, missing_reason, stamp_of
from .graph import ImportGraph, imports_of
from .recorder import ImportRecorder
from .scope import UserScope, is_lazy, namespace, source_file, unreloadable_reason
from .states import LastReload, ModuleState, ModuleStatus

__all__ = ["ModuleState", "ModuleStatus", "LastReload", "Tracker"]


@dataclass
class _Entry:
    """What the tracker knows of one module.

    ``baseline`` is the stamp of the file version that was executed (``UNKNOWN`` when only
    known to differ from the file as it is); ``seen`` the stamp at the last check; ``real`` the
    file's resolved path when it differs (a symlink); ``missing`` why the source is missing.
    """

    name: str
    module: ModuleType
    file: str | None
    reason: str | None
    user: bool
    seq: int
    baseline: Stamp | None
    own: ModuleState
    last_reload: LastReload | None = None
    seen: Stamp | None = None
    real: str | None = None
    missing: str | None = None


Listener = Callable[[set], None]


class Tracker:
    """Knows every loaded module's state.

    Args:
        scope: decides which modules are the user's.
    """

    def __init__(self, scope: UserScope) -> None:
        self.scope = scope
        self.polling = False
        self._entries: dict[str, _Entry] = {}
        self._names_by_file: dict[str, set[str]] = {}
        self._lock = threading.RLock()
        self._seq = itertools.count()
        self._recorder = ImportRecorder(lambda name, path: self.scope.may_hold(name, path))
        self._lazy: set[str] = set()
        self._listeners: list[Listener] = []
        self._stale: set[str] = set()
        self._version = 0
        self._graphs: dict[bool, tuple[tuple, ImportGraph]] = {}
        self._user_dirs: set[str] = set()
        self.user_dirs_version = 0

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> None:
        """Install the import recorder and take baselines of everything already loaded."""
        if self._recorder not in sys.meta_path:
            sys.meta_path.insert(0, self._recorder)
        self.sync(first_sight=False)

    def stop(self) -> None:
        """Remove the import recorder."""
        while self._recorder in sys.meta_path:
            sys.meta_path.remove(self._recorder)

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(names)`` whenever modules appear, vanish or change state.

        It may be called from the watcher thread. Returns a function that unsubscribes.
        """
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    # -- feeding ---------------------------------------------------------------------------
    def sync(self, first_sight: bool = True) -> set[str]:
        """Compare with ``sys.modules`` in full: add new or replaced modules, drop removed ones.

        Args:
            first_sight: baseline of new modules is the file as it is now; when False (modules
                that ran before the tracker started) the bytecode cache is consulted.
        """
        with self._lock:
            changed = self._absorb(self._recorder.drain()) | self._loaded_lazily()
            for name, module in list(sys.modules.items()):
                entry = self._entries.get(name)
                if entry is None or entry.module is not module:
                    self._add(name, module, first_sight)
                    changed.add(name)
            for name in [n for n in self._entries if n not in sys.modules]:
                self._remove(name)
                changed.add(name)
        self._notify(changed)
        return changed

    def poll(self, exact: bool = False) -> set[str]:
        """The per-cell check: only modules imported since the last poll are examined.

        Args:
            exact: also stat the user's files now (auto mode before a cell); in polling mode
                (no watcher) they are always stat-ed.

        Returns:
            The names that changed.
        """
        changed = set()
        names = self._recorder.drain()
        stat_files = exact or self.polling
        if names or stat_files or self._lazy:
            with self._lock:
                changed = self._absorb(names) | self._loaded_lazily()
                if stat_files:
                    changed |= self._recheck(e for e in self._entries.values() if e.user)
        self._notify(changed)
        return changed

    def files_changed(self, paths: Iterable[str]) -> set[str]:
        """Re-check the modules executed from ``paths`` (called by the file watcher)."""
        with self._lock:
            entries = [self._entries[n] for p in paths for n in self._names_by_file.get(p, ())]
            changed = self._recheck(entries)
        self._notify(changed)
        return changed

    def dirs_changed(self, dirs: Iterable[str]) -> set[str]:
        """Re-check every module whose file lies in ``dirs`` (the watcher calls this once its
        watches are in place: whatever was saved while nothing watched is seen)."""
        dirs = set(dirs)
        with self._lock:
            entries = [e for e in self._entries.values() if e.file is not None and
                       (os.path.dirname(e.file) in dirs or (e.real and os.path.dirname(e.real) in dirs))]
            changed = self._recheck(entries)
        self._notify(changed)
        return changed

    def refresh(self, everything: bool = False) -> set[str]:
        """Exact re-check now: sync with ``sys.modules`` and stat the user's files (or all)."""
        return self.sync() | self.recheck(everything)

    def recheck(self, everything: bool = False) -> set[str]:
        """Stat the user's files (or all) and update their states."""
        with self._lock:
            changed = self._recheck(e for e in self._entries.values() if everything or e.user)
        self._notify(changed)
        return changed

    def mark_reloaded(self, stamps: dict[str, Stamp | None], seconds: dict[str, float]) -> None:
        """Record that the modules of ``stamps`` were re-executed from those file versions."""
        now = time.time()
        with self._lock:
            self._absorb([n for n in self._recorder.drain() if n not in stamps])
            for name, stamp in stamps.items():
                self._recorder.stamps.pop(name, None)
                entry = self._entries.get(name)
                if entry is None or entry.module is not sys.modules.get(name):
                    self._add(name, sys.modules[name], True)
                    entry = self._entries[name]
                entry.baseline = stamp or UNKNOWN
                self._version += 1
                self._set_own(entry, self._own_state(entry))
                entry.last_reload = LastReload(now, True, seconds.get(name, 0.0))
        self._notify(set(stamps))

    def mark_failed(self, names: Iterable[str], error: str) -> None:
        """Record a failed (rolled back) reload attempt of ``names``."""
        failed = LastReload(time.time(), False, 0.0, error)
        names = set(names)
        with self._lock:
            self._absorb([n for n in self._recorder.drain() if n not in names])
            for name in names:
                self._recorder.stamps.pop(name, None)
            for name in names & self._entries.keys():
                self._entries[name].last_reload = failed
        self._notify(names)

    # -- queries ---------------------------------------------------------------------------
    def get(self, name: str) -> _Entry | None:
        """The entry of a loaded module (internal record), or None."""
        return self._entries.get(name)

    def rank(self, name: str) -> int:
        """Order in which the module was first seen (older first)."""
        entry = self._entries.get(name)
        return entry.seq if entry is not None else sys.maxsize

    def names(self, everything: bool = False) -> list[str]:
        """Names of the tracked modules: the user's, or all."""
        with self._lock:
            return [n for n, e in self._entries.items() if everything or e.user]

    def own_state(self, name: str) -> ModuleState | None:
        """The module's state ignoring its imports (never ``DEPENDENT``)."""
        entry = self._entries.get(name)
        return entry.own if entry is not None else None

    def stale_names(self, everything: bool = False) -> list[str]:
        """Modules whose own source changed, as last seen (no file is read)."""
        with self._lock:
            return [n for n in self._stale if everything or self._entries[n].user]

    def missing(self, everything: bool = False) -> list[tuple[str, str]]:
        """``(name, reason)`` of the modules whose source is missing, as last seen."""
        with self._lock:
            return sorted((e.name, e.missing or "source file deleted") for e in self._entries.values()
                          if e.own is ModuleState.MISSING and (everything or e.user))

    def reclassify(self) -> None:
        """Decide again which modules are the user's (after the include/exclude patterns changed)."""
        with self._lock:
            self._user_dirs.clear()
            for entry in self._entries.values():
                path = entry.file or namespace(entry.module).get("__file__")
                entry.user = self.scope.contains(entry.name, path if isinstance(path, str) else None)
                if entry.user and entry.file and entry.reason is None:
                    self._index(entry)
            self.user_dirs_version += 1
            self._version += 1
        self._notify(set(self._entries))

    def user_dirs(self) -> set[str]:
        """Directories that held the user's module files (what the watcher watches)."""
        with self._lock:
            return set(self._user_dirs)

    def _graph(self, names: Iterable[str]) -> ImportGraph:
        """The import graph among ``names`` (modules without source are left out)."""
        edges = {}
        for name in names:
            entry = self._entries.get(name)
            if entry is not None and entry.file and entry.reason is None:
                is_package = "__path__" in namespace(entry.module)
                edges[name] = imports_of(entry.file, name, is_package)
        return ImportGraph(edges)

    def import_graph(self, everything: bool = False) -> ImportGraph:
        """The import graph of the user's modules (or of all), reused until a module appears,
        vanishes, changes state, or a stale file changes again."""
        with self._lock:
            key = (self._version, frozenset((n, self._entries[n].seen) for n in self._stale))
            cached = self._graphs.get(everything)
            if cached is not None and cached[0] == key:
                return cached[1]
            names = self.names(everything)
        graph = self._graph(names)
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
            entries = [e for e in self._entries.values() if everything or e.user]
        graph = self.import_graph(everything)
        stale = {e.name for e in entries if e.own is ModuleState.STALE}
        dependent = graph.dependents(stale) - stale
        return [self._status(e, graph, dependent) for e in entries]

    # -- internals -------------------------------------------------------------------------
    def _status(self, e: _Entry, graph: ImportGraph, dependent: set[str]) -> ModuleStatus:
        state = e.own
        if state is ModuleState.FRESH and e.name in dependent:
            state = ModuleState.DEPENDENT
        reason = e.reason or ((e.missing or "source file deleted") if state is ModuleState.MISSING else None)
        return ModuleStatus(e.name, state, e.file, e.user, tuple(sorted(graph.imports(e.name))),
                            tuple(sorted(graph.imported_by(e.name))), reason, e.last_reload)

    def _absorb(self, names: Iterable[str]) -> set[str]:
        changed = set()
        for name in dict.fromkeys(names):
            module = sys.modules.get(name)
            if module is not None:
                self._add(name, module, True)
                changed.add(name)
            self._recorder.stamps.pop(name, None)
        return changed

    def _loaded_lazily(self) -> set[str]:
        """Lazy modules that ran since the last look: their baseline is taken now."""
        loaded = {n for n in self._lazy if not is_lazy(sys.modules.get(n))}
        for name in loaded:
            self._lazy.discard(name)
            if name in sys.modules:
                self._add(name, sys.modules[name], False)
        return loaded

    def _add(self, name: str, module: ModuleType, first_sight: bool) -> None:
        old = self._entries.get(name)
        if old is not None:
            self._remove(name)
        file = source_file(module)
        reason = unreloadable_reason(name, module)
        attrs = namespace(module)
        path = file or attrs.get("__file__")
        user = self.scope.contains(name, path if isinstance(path, str) else None)
        self._version += 1
        entry = _Entry(name, module, file, reason, user, old.seq if old else next(self._seq),
                       None, ModuleState.UNRELOADABLE, old.last_reload if old else None)
        if is_lazy(module):
            self._lazy.add(name)
        if reason is None and file is not None:
            current = stamp_of(file)
            entry.baseline = self._baseline(name, module, file, current, first_sight)
            self._set_own(entry, self._own_state(entry, current))
            self._index(entry)
            if user:
                imports_of(file, name, "__path__" in attrs)
        self._entries[name] = entry

    def _baseline(self, name: str, module: ModuleType, file: str, current: Stamp | None,
                  first_sight: bool) -> Stamp:
        """The stamp of the version that ran: taken by the recorder before the loader read the
        file when it could, else the file as it is now (checked against the bytecode cache for
        modules that ran before tracking started or lazily)."""
        before = self._recorder.stamp_before_import(name, file)
        if current is None:
            return before or UNKNOWN
        if before is not None:
            return before
        return current if first_sight else baseline_from_bytecode(module, file, current)

    def _index(self, entry: _Entry) -> None:
        self._names_by_file.setdefault(entry.file, set()).add(entry.name)
        if not entry.user:
            return
        if entry.real is None:
            real = os.path.realpath(entry.file)
            entry.real = real if real != entry.file else ""
        if entry.real:
            self._names_by_file.setdefault(entry.real, set()).add(entry.name)
        for file in filter(None, (entry.file, entry.real)):
            directory = os.path.dirname(file)
            if directory not in self._user_dirs:
                self._user_dirs.add(directory)
                self.user_dirs_version += 1

    def _remove(self, name: str) -> None:
        self._version += 1
        entry = self._entries.pop(name)
        self._stale.discard(name)
        self._lazy.discard(name)
        for file in filter(None, (entry.file, entry.real)):
            names = self._names_by_file.get(file)
            if names is not None:
                names.discard(name)
                if not names:
                    del self._names_by_file[file]

    def _recheck(self, entries: Iterable[_Entry]) -> set[str]:
        changed = set()
        for entry in entries:
            if entry.reason is None and entry.file is not None:
                current = stamp_of(entry.file)
                if current == entry.seen:  # as at the last look, so is the state (the hot path)
                    continue
                state = self._own_state(entry, current)
                if state is not entry.own:
                    self._set_own(entry, state)
                    changed.add(entry.name)
        return changed

    def _set_own(self, entry: _Entry, state: ModuleState) -> None:
        if state is not entry.own:
            self._version += 1
        entry.own = state
        if state is ModuleState.STALE:
            self._stale.add(entry.name)
        else:
            self._stale.discard(entry.name)

    @staticmethod
    def _own_state(entry: _Entry, current: Stamp | None | bool = False) -> ModuleState:
        if entry.reason is not None or entry.file is None:
            return ModuleState.UNRELOADABLE
        if current is False:
            current = stamp_of(entry.file)
        if current is None and (entry.missing is None or entry.seen is not None):
            entry.missing = missing_reason(entry.file)
        entry.seen = current
        if current is None:
            return ModuleState.MISSING
        return ModuleState.FRESH if current == entry.baseline else ModuleState.STALE

    def _notify(self, changed: set[str]) -> None:
        if changed:
            for listener in list(self._listeners):
                listener(changed)
