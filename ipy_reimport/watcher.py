"""The file watcher: a daemon thread that turns file events into "these paths changed".

It never reloads anything; it hands the paths to a callback (the tracker's ``files_changed``).
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Callable, Iterable

__all__ = ["Watcher"]

log = logging.getLogger(__name__)


class Watcher:
    """Watches directories (not recursively) with watchfiles in a daemon thread.

    Args:
        on_paths: called from the thread with the set of absolute paths that changed.
        on_failure: called from the thread, once, with the exception when watching is impossible
            (no inotify, too many watches...).
    """

    def __init__(self, on_paths: Callable[[set[str]], None],
                 on_failure: Callable[[BaseException], None]) -> None:
        self._on_paths = on_paths
        self._on_failure = on_failure
        self._thread: threading.Thread | None = None
        self._stop: threading.Event | None = None
        self._ready: threading.Event | None = None
        self.dirs: frozenset[str] = frozenset()
        self.failed: BaseException | None = None

    @property
    def running(self) -> bool:
        """True while the watching thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def watch(self, dirs: Iterable[str]) -> None:
        """(Re)start watching exactly ``dirs``; a no-op when they are already watched."""
        dirs = frozenset(d for d in dirs if os.path.isdir(d))
        if dirs == self.dirs and (self.running or not dirs):
            return
        self.stop()
        self.dirs = dirs
        if not dirs:
            return
        self._stop = threading.Event()
        ready = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(dirs, self._stop, ready),
                                        name="ipy_reimport-watcher", daemon=True)
        self._ready = ready
        self._thread.start()

    def wait_ready(self, timeout: float = 5.0) -> bool:
        """Block until the watches are in place (the first wake-up of the thread)."""
        return self._ready is not None and self._ready.wait(timeout)

    def stop(self) -> None:
        """Stop the thread and wait for it to end."""
        if self._stop is not None:
            self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
        self._thread = self._stop = None
        self.dirs = frozenset()

    def _run(self, dirs: frozenset[str], stop: threading.Event, ready: threading.Event) -> None:
        try:
            from watchfiles import watch

            events = watch(*sorted(dirs), recursive=False, stop_event=stop, debounce=300, step=30,
                           rust_timeout=250, yield_on_timeout=True, ignore_permission_denied=True)
            for changes in events:
                ready.set()
                paths = {os.path.abspath(path) for _, path in changes if path.endswith(".py")}
                if paths:
                    self._on_paths(paths)
        except Exception as exc:  # the watcher cannot run here: the caller falls back to stat scans
            log.warning("ipy_reimport: file watcher stopped: %s", exc)
            self.failed = exc
            self._on_failure(exc)
        finally:
            ready.set()
