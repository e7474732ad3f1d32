"""Noticing imports for free: a ``sys.meta_path`` finder that records names and finds nothing."""

from __future__ import annotations

import sys
import threading

__all__ = ["ImportRecorder"]


class ImportRecorder:
    """A ``sys.meta_path`` finder that only notes which names are being imported.

    Each name is kept once until the next :meth:`drain`. Lookups that load nothing (failed
    imports, ``importlib.util.find_spec`` probes) are recorded too; if nobody drains for a long
    time (the public API used without the per-cell hooks), the record is compacted to the names
    that are loaded (the only ones a drain reports), so it never grows beyond ``sys.modules``
    plus ``limit``.

    Args:
        limit: how many names to hold before compacting.
    """

    def __init__(self, limit: int = 10_000) -> None:
        self.limit = limit
        self._names: dict[str, None] = {}
        self._lock = threading.Lock()

    def find_spec(self, fullname, path=None, target=None):
        """Record ``fullname`` and let the real finders do the work."""
        with self._lock:
            self._names[fullname] = None
            if len(self._names) > self.limit + len(sys.modules):
                self._names = {n: None for n in self._names if n in sys.modules or n == fullname}
        return None

    def __len__(self) -> int:
        return len(self._names)

    def drain(self) -> list[str]:
        """Names recorded since the last drain, each once, in the order first recorded."""
        if not self._names:
            return []
        with self._lock:
            taken, self._names = self._names, {}
        return list(taken)
