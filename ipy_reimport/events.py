"""What the tracker tells its subscribers: which modules changed, and why."""

from __future__ import annotations

import enum
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass

__all__ = ["Why", "ModulesChanged", "Listener", "Listeners"]


class Why(str, enum.Enum):
    """Why modules changed."""

    LOADED = "loaded"  # new in sys.modules, replaced there, or a lazy module that ran
    UNLOADED = "unloaded"  # left sys.modules
    STATE = "state"  # their own state changed: a file saved, deleted or restored
    RELOADED = "reloaded"  # a reload re-ran them from a new file version
    FAILED = "failed"  # a reload of them failed and was rolled back
    RESCOPED = "rescoped"  # which modules are the user's was decided again


@dataclass(frozen=True)
class ModulesChanged:
    """A change notification: ``names`` changed because of ``why``."""

    why: Why
    names: frozenset[str]


Listener = Callable[[ModulesChanged], None]


class Listeners:
    """The subscribers of one event source; they may be called from any thread."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []
        self._lock = threading.Lock()

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` with every notification; returns a function that unsubscribes."""
        with self._lock:
            self._listeners.append(listener)
        return lambda: self._unsubscribe(listener)

    def _unsubscribe(self, listener: Listener) -> None:
        with self._lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    def notify(self, why: Why, names: Iterable[str]) -> None:
        """Tell every subscriber that ``names`` changed because of ``why`` (nothing when none did)."""
        if names and self._listeners:
            change = ModulesChanged(why, frozenset(names))
            for listener in list(self._listeners):
                listener(change)
