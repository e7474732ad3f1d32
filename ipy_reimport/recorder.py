"""Noticing imports for free: a ``sys.meta_path`` finder that records names and finds nothing."""

from __future__ import annotations

__all__ = ["ImportRecorder"]


class ImportRecorder:
    """A ``sys.meta_path`` finder that only notes which names are being imported."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def find_spec(self, fullname, path=None, target=None):
        """Record ``fullname`` and let the real finders do the work."""
        self.names.append(fullname)
        return None

    def drain(self) -> list[str]:
        """Names recorded since the last drain."""
        if not self.names:
            return []
        count = len(self.names)
        taken = self.names[:count]
        del self.names[:count]
        return taken
