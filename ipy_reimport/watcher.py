"""The file watcher: a daemon thread that turns file events into "these paths changed".

It never reloads anything; it hands the paths to a callback (the tracker's ``files_changed``).
Nothing it watches may go unnoticed:

- each time its watches are (re)placed, it asks for the files of the watched directories to be
  re-checked once (``on_ready``), so a save made while no watch was in place is seen;
- it re-places its watches when a watched directory is deleted or moved (inotify watches an
  inode, not a path), and watches for a missing directory from its nearest existing ancestor,
  so a directory deleted and re-created is watched again;
- any directory it cannot watch (the inotify watch limit, say) is an error, reported once to
  ``on_failure``, never a silent partial watch.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterable

__all__ = ["Watcher"]

log = logging.getLogger(__name__)

_RETRIES = 5  # a directory that vanishes while the watches are placed: place them again


class Watcher:
    """Watches directories (not recursively) with watchfiles in a daemon thread.

    Args:
        on_paths: called from the thread with the set of absolute paths that changed.
        on_failure: called from the thread, once, with the exception when watching is impossible
            (no inotify, too many watches...).
        on_ready: called from the thread with the watched directories each time the watches
            have been placed (at start and after each re-placing), before any event of theirs.
    """

    def __init__(
        self,
        on_paths: Callable[[set[str]], None],
        on_failure: Callable[[BaseException], None],
        on_ready: Callable[[set[str]], None] | None = None,
    ) -> None:
        self._on_paths = on_paths
        self._on_failure = on_failure
        self._on_ready = on_ready or (lambda dirs: None)
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
        """(Re)start watching exactly ``dirs`` (those missing now are watched for from their
        parent); a no-op when they are already watched."""
        dirs = frozenset(os.path.abspath(d) for d in dirs)
        if dirs == self.dirs and (self.running or not dirs):
            return
        self.stop()
        self.dirs = dirs
        if not dirs:
            return
        self._stop = threading.Event()
        ready = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(dirs, self._stop, ready), name="ipy_reimport-watcher", daemon=True
        )
        self._ready = ready
        self._thread.start()

    def wait_ready(self, timeout: float = 5.0) -> bool:
        """Block until the watches are in place and the first re-check is done."""
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
            retries = 0
            while not stop.is_set():
                try:
                    if not self._watch_once(dirs, stop, ready):
                        break
                except FileNotFoundError:
                    retries += 1
                    if retries > _RETRIES:
                        raise
        except Exception as exc:  # the watcher cannot run here: the caller falls back to stat scans
            log.debug("file watcher stopped", exc_info=True)  # the caller tells the user, once
            self.failed = exc
            self._on_failure(exc)
        finally:
            ready.set()

    def _watch_once(self, dirs: frozenset[str], stop: threading.Event, ready: threading.Event) -> bool:
        """Watch until stopped (False) or until the watches must be placed again (True)."""
        from watchfiles import Change, watch

        targets = _targets(dirs)
        # ignore_permission_denied=True would make watchfiles skip *any* directory it cannot
        # watch, the watch limit included: a silent partial watch. Errors must surface.
        events = watch(
            *sorted(targets),
            recursive=False,
            stop_event=stop,
            debounce=300,
            step=30,
            rust_timeout=250,
            yield_on_timeout=True,
            ignore_permission_denied=False,
        )
        placed = False
        try:
            for changes in events:
                if not placed:
                    placed = True
                    self._on_ready(set(dirs & targets))
                    ready.set()
                paths = {os.path.abspath(path) for _, path in changes if path.endswith(".py")}
                if paths:
                    self._on_paths(paths)
                if any(
                    change is not Change.modified and _leads_to(os.path.abspath(path), dirs) for change, path in changes
                ):
                    return True
        finally:
            events.close()
        return False


def _targets(dirs: frozenset[str]) -> set[str]:
    """The directories to place watches on: each wanted directory that exists, and for each
    missing one its nearest existing ancestor (to see it created), when that can be read."""
    targets = set()
    for directory in dirs:
        if os.path.isdir(directory):
            targets.add(directory)
            continue
        parent = os.path.dirname(directory)
        while parent != os.path.dirname(parent) and not os.path.isdir(parent):
            parent = os.path.dirname(parent)
        if os.access(parent, os.R_OK | os.X_OK):
            targets.add(parent)
    return targets


def _leads_to(path: str, dirs: frozenset[str]) -> bool:
    """True when ``path`` is one of ``dirs`` or a directory above one of them."""
    prefix = path.rstrip(os.sep) + os.sep
    return path in dirs or any(d.startswith(prefix) for d in dirs)
