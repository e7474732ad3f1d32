"""The exact source each module was executed from, so that an edit can be compared with it.

Captured when the tracker first sees a user's module whose file is still the version that ran
(its stamp equals the module's baseline), and recorded by every reload with the bytes it ran.
A module whose executed source is unknown is re-executed in full on its next reload.
"""

from __future__ import annotations

import threading
from types import ModuleType

from .baseline import Stamp
from .executing import Source, read_source

__all__ = ["ExecutedSources"]


class ExecutedSources:
    """Executed source per module name (for the module object that ran it)."""

    def __init__(self) -> None:
        self._sources: dict[str, tuple[int, Source]] = {}
        self._lock = threading.Lock()

    def capture(self, name: str, module: ModuleType, file: str, baseline: Stamp | None) -> None:
        """Remember ``file``'s content as what ``module`` ran, if the file is still that version."""
        with self._lock:
            known = self._sources.get(name)
            if known is not None and known[0] == id(module):
                return
        try:
            source = read_source(file)
        except OSError:
            return
        if baseline is not None and source.stamp == baseline:
            with self._lock:
                self._sources[name] = (id(module), source)

    def record(self, name: str, module: ModuleType, source: Source) -> None:
        """``module`` now runs ``source`` (after a committed reload)."""
        with self._lock:
            self._sources[name] = (id(module), source)

    def executed(self, name: str, module: ModuleType) -> Source | None:
        """What ``module`` ran, or None when unknown."""
        with self._lock:
            known = self._sources.get(name)
        return known[1] if known is not None and known[0] == id(module) else None

    def forget(self, names) -> None:
        """Drop modules that left ``sys.modules``."""
        with self._lock:
            for name in names:
                self._sources.pop(name, None)
