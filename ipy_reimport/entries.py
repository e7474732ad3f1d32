"""The tracker's record of each loaded module, and the indexes its feeds look entries up by."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from types import ModuleType

from .baseline import Stamp, missing_reason
from .graph import ImportGraph, imports_of
from .scope import namespace
from .states import LastReload, ModuleState, own_state

__all__ = ["Entry", "EntryStore", "graph_of"]


@dataclass
class Entry:
    """What the tracker knows of one module.

    ``reason`` says why it cannot be reloaded (None when it can); ``baseline`` is the stamp of
    the file version that was executed (``UNKNOWN`` when only known to differ from the file as
    it is); ``seen`` the stamp at the last check; ``own`` its state ignoring its imports;
    ``real`` the file's resolved path when it differs (a symlink); ``missing`` why the source is
    missing.
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

    @property
    def reloadable(self) -> bool:
        """Whether it runs from a source file that a reload can execute again."""
        return self.reason is None and self.file is not None

    def see(self, current: Stamp | None) -> ModuleState:
        """Take ``current`` (the file's stamp now, None when it is gone) as seen; returns the
        module's own state. The first time the file is missing, find out why."""
        if not self.reloadable:
            return ModuleState.UNRELOADABLE
        if current is None and (self.missing is None or self.seen is not None):
            self.missing = missing_reason(self.file)
        self.seen = current
        return own_state(self.baseline, current)


class EntryStore:
    """Entries by name, indexed for the feeds: names by file (the watcher's paths), the
    directories of the user's files (what the watcher watches), and the stale names.

    ``version`` changes whenever an entry appears, vanishes or changes state, and
    ``user_dirs_version`` whenever a directory is added to ``user_dirs``. Not thread-safe: the
    tracker holds its lock around every call.
    """

    def __init__(self) -> None:
        self._entries: dict[str, Entry] = {}
        self._by_file: dict[str, set[str]] = {}
        self.stale: set[str] = set()
        self.user_dirs: set[str] = set()
        self.user_dirs_version = 0
        self.version = 0

    def get(self, name: str) -> Entry | None:
        """The entry of ``name``, or None."""
        return self._entries.get(name)

    def names(self) -> list[str]:
        """Every name, in the order first stored."""
        return list(self._entries)

    def select(self, everything: bool = False) -> list[Entry]:
        """The user's entries, or all."""
        return [e for e in self._entries.values() if everything or e.user]

    def of_files(self, paths: Iterable[str]) -> list[Entry]:
        """The entries executed from ``paths`` (a symlinked user file also by its real path)."""
        return [self._entries[n] for p in paths for n in self._by_file.get(p, ())]

    def in_dirs(self, dirs: set[str]) -> list[Entry]:
        """The entries whose file (or its real path) lies in one of ``dirs``."""
        return [
            e
            for e in self._entries.values()
            if e.file is not None and (os.path.dirname(e.file) in dirs or (e.real and os.path.dirname(e.real) in dirs))
        ]

    def put(self, entry: Entry) -> None:
        """Store ``entry`` in place of any entry of the same name."""
        if entry.name in self._entries:
            self.pop(entry.name)
        self._entries[entry.name] = entry
        self.version += 1
        if entry.own is ModuleState.STALE:
            self.stale.add(entry.name)
        if entry.reloadable:
            self._index(entry)

    def pop(self, name: str) -> Entry:
        """Remove and return the entry of ``name``."""
        entry = self._entries.pop(name)
        self.version += 1
        self.stale.discard(name)
        for file in filter(None, (entry.file, entry.real)):
            names = self._by_file.get(file)
            if names is not None:
                names.discard(name)
                if not names:
                    del self._by_file[file]
        return entry

    def set_state(self, entry: Entry, state: ModuleState) -> bool:
        """Set the entry's own state; returns whether it changed."""
        changed = state is not entry.own
        if changed:
            self.version += 1
            entry.own = state
        if state is ModuleState.STALE:
            self.stale.add(entry.name)
        else:
            self.stale.discard(entry.name)
        return changed

    def reindex_user_dirs(self) -> None:
        """Collect the user's directories again (after entries changed hands between the user
        and the libraries)."""
        self.user_dirs.clear()
        for entry in self._entries.values():
            if entry.user and entry.reloadable:
                self._index(entry)
        self.user_dirs_version += 1
        self.version += 1

    def _index(self, entry: Entry) -> None:
        self._by_file.setdefault(entry.file, set()).add(entry.name)
        if not entry.user:
            return
        if entry.real is None:
            real = os.path.realpath(entry.file)
            entry.real = real if real != entry.file else ""
        if entry.real:
            self._by_file.setdefault(entry.real, set()).add(entry.name)
        for file in filter(None, (entry.file, entry.real)):
            directory = os.path.dirname(file)
            if directory not in self.user_dirs:
                self.user_dirs.add(directory)
                self.user_dirs_version += 1


def graph_of(entries: Iterable[Entry]) -> ImportGraph:
    """The import graph among ``entries`` (modules without source are left out)."""
    edges = {}
    for entry in entries:
        if entry.reloadable:
            edges[entry.name] = imports_of(entry.file, entry.name, "__path__" in namespace(entry.module))
    return ImportGraph(edges)
