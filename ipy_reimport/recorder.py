"""Noticing imports for (almost) free: a ``sys.meta_path`` finder that records and finds nothing.

It records every name being imported, so that after a cell only modules new to ``sys.modules``
are examined. For names that may be the user's, it also stats the source file the path finder
will hand to the loader, *before* the loader reads it: that stamp is the baseline of the version
that runs, so a save that lands while the module executes shows as stale.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterable
from importlib.machinery import SOURCE_SUFFIXES, PathFinder

from .baseline import Stamp, stamp_of

__all__ = ["ImportRecorder"]

Wants = Callable[[str, "Iterable[str] | None"], bool]


class ImportRecorder:
    """A ``sys.meta_path`` finder that notes which names are being imported.

    Each name is kept once until the next :meth:`drain`. Lookups that load nothing (failed
    imports, ``importlib.util.find_spec`` probes) are recorded too; if nobody drains for a long
    time (the public API used without the per-cell hooks), the record is compacted to the names
    that are loaded (the only ones a drain reports), so it never grows beyond ``sys.modules``
    plus ``limit``.

    Args:
        wants: ``wants(name, path)`` says whether to stamp the file an import of ``name`` along
            ``path`` will execute (an extra path-finder lookup, 20-40 µs); default: never.
        limit: how many names to hold before compacting.
    """

    def __init__(self, wants: Wants | None = None, limit: int = 10_000) -> None:
        self.limit = limit
        self.stamps: dict[str, tuple[str, Stamp]] = {}
        self._names: dict[str, None] = {}
        self._wants = wants
        self._lock = threading.Lock()

    def find_spec(self, fullname, path=None, target=None):
        """Record ``fullname`` (and maybe its file's stamp); let the real finders do the work."""
        with self._lock:
            self._names[fullname] = None
            if len(self._names) > self.limit + len(sys.modules):
                self._compact(fullname)
        if self._wants is not None:
            try:
                if self._wants(fullname, path):
                    self._stamp(fullname, path)
            except Exception:  # never break an import for the sake of observing it
                pass
        return None

    def _compact(self, keep: str) -> None:
        self._names = {n: None for n in self._names if n in sys.modules or n == keep}
        self.stamps = {n: s for n, s in self.stamps.items() if n in sys.modules or n == keep}

    def _stamp(self, fullname: str, path) -> None:
        spec = PathFinder.find_spec(fullname, path)
        origin = getattr(spec, "origin", None)
        if spec is None or not spec.has_location or not isinstance(origin, str):
            return
        if origin.endswith(tuple(SOURCE_SUFFIXES)):
            stamp = stamp_of(origin)
            if stamp is not None:
                self.stamps[fullname] = (os.path.abspath(origin), stamp)

    def stamp_before_import(self, name: str, file: str) -> Stamp | None:
        """The stamp ``file`` had when the import of ``name`` was about to read it (taken once)."""
        found = self.stamps.pop(name, None)
        return found[1] if found is not None and found[0] == file else None

    def __len__(self) -> int:
        return len(self._names)

    def drain(self) -> list[str]:
        """Names recorded since the last drain, each once, in the order first recorded."""
        if not self._names:
            return []
        with self._lock:
            taken, self._names = self._names, {}
        return list(taken)
