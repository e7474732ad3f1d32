"""Which modules *this thread* imported during a block, so that exactly those can be undone.

Diffing ``sys.modules`` before and after an attempt also catches modules that other threads
imported meanwhile (a watcher, a data loader, a kernel's subshell); removing those breaks code
that did nothing wrong. An :class:`ImportLedger` instead records the names that the import
system looked up *on the thread that opened it*: the lookup of a name that is not in
``sys.modules`` goes through every ``sys.meta_path`` finder, and the import lock makes the thread
that looks a name up the one that loads it. A lookup of the same name by another thread later
(that thread then loads it, after ours failed) takes the name off the ledger again.

Use :func:`undone_on_failure` around an attempt that must leave nothing behind when it fails,
or an :class:`ImportLedger` directly to decide yourself (the reloader's rollback)::

    with undone_on_failure():
        importlib.import_module("pkg.mod")   # raises: whatever this thread imported is gone
"""

from __future__ import annotations

import importlib.machinery
import logging
import sys
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from types import ModuleType

__all__ = ["ImportLedger", "undone_on_failure", "reimportable"]

log = logging.getLogger(__name__)

_lock = threading.Lock()
_open: dict[int, list[ImportLedger]] = {}


class _LedgerFinder:
    """The ``sys.meta_path`` finder that feeds open ledgers; it finds nothing itself."""

    def find_spec(self, fullname, path=None, target=None):
        """Note that the current thread is about to load ``fullname``; let the real finders work."""
        if fullname in sys.modules:
            return None  # importlib.reload or util.find_spec of a loaded module: not an import
        me = threading.get_ident()
        with _lock:
            for thread, ledgers in _open.items():
                for ledger in ledgers:
                    if thread == me:
                        ledger._names[fullname] = None
                    else:
                        ledger._names.pop(fullname, None)
        return None


_FINDER = _LedgerFinder()


class ImportLedger:
    """A record of the modules the current thread imports between ``__enter__`` and ``__exit__``.

    Only the opening thread's imports are recorded; ledgers nest (an inner block's imports are
    also the outer block's). While any ledger is open a finder sits first on ``sys.meta_path``;
    it is taken off when the last one closes. Leaving the block does not undo anything: call
    :meth:`undo`, or use :func:`undone_on_failure`.

    A module that a finder placed *before* the ledger's finder loads is not seen; ledgers are
    meant for the import system's usual finders.
    """

    def __init__(self) -> None:
        self._names: dict[str, None] = {}
        self._before: dict[str, ModuleType] = {}
        self._thread: int | None = None

    def __enter__(self) -> ImportLedger:
        self._before = dict(sys.modules)
        self._thread = threading.get_ident()
        with _lock:
            if not _open:
                _install()
            _open.setdefault(self._thread, []).append(self)
        return self

    def __exit__(self, *exc_info) -> None:
        with _lock:
            ledgers = _open.get(self._thread, [])
            if self in ledgers:
                ledgers.remove(self)
            if not ledgers:
                _open.pop(self._thread, None)
            if not _open:
                _uninstall()

    @property
    def imported(self) -> list[str]:
        """Names this thread imported while the ledger was open and that are still loaded, in
        the order they were looked up (a package before its submodules)."""
        with _lock:
            names = list(self._names)
        return [name for name in names if name in sys.modules]

    def undo(self, keep: Iterable[str] | None = None) -> list[str]:
        """Put ``sys.modules`` back as it was for every name this thread imported.

        A name that was loaded before the ledger opened (and re-imported meanwhile) gets its old
        module back; any other is removed, with the attribute its parent package got for it.
        Modules that cannot be imported twice in one process stay (see :func:`reimportable`).

        Args:
            keep: names to leave alone, decided by the caller (default: the non-reimportable ones).

        Returns:
            The names removed or restored, in the order they were undone.
        """
        names = self.imported
        kept = set(keep) if keep is not None else _not_reimportable(names)
        undone = []
        for name in reversed(names):
            if name not in kept:
                self._undo_one(name)
                undone.append(name)
        if kept:
            log.info("kept %d module(s) that cannot be imported twice: %s", len(kept), ", ".join(sorted(kept)))
        return undone

    def _undo_one(self, name: str) -> None:
        added = sys.modules.pop(name, None)
        old = self._before.get(name)
        if old is not None:
            sys.modules[name] = old
        parent_name, _, child = name.rpartition(".")
        parent = sys.modules.get(parent_name)
        if parent is not None and added is not None and getattr(parent, child, None) is added:
            if old is not None:
                setattr(parent, child, old)
            else:
                delattr(parent, child)


@contextmanager
def undone_on_failure() -> Iterator[ImportLedger]:
    """Run the block; if it raises anything (``KeyboardInterrupt`` and ``SystemExit`` included),
    undo every import this thread made in it, then re-raise."""
    with ImportLedger() as ledger:
        try:
            yield ledger
        except BaseException:
            ledger.undo()
            raise


def reimportable(module: object) -> bool:
    """Whether removing ``module`` from ``sys.modules`` and importing it again is safe.

    Extension and built-in modules are not: many refuse a second initialisation in one process
    (NumPy: "cannot load module more than once per process") or keep state across it.
    """
    spec = getattr(module, "__spec__", None)
    loader = getattr(spec, "loader", None)
    if loader is importlib.machinery.BuiltinImporter:
        return False
    if isinstance(loader, importlib.machinery.ExtensionFileLoader):
        return False
    origin = getattr(spec, "origin", None)
    return not (isinstance(origin, str) and origin.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES)))


def _not_reimportable(names: list[str]) -> set[str]:
    """The names to keep: modules that are not reimportable and every module of the same top-level
    package (NumPy's Python modules hold on to its extension's state)."""
    frozen_tops = {n.partition(".")[0] for n in names if not reimportable(sys.modules.get(n))}
    return {n for n in names if n.partition(".")[0] in frozen_tops}


def _install() -> None:
    # A new list rather than insert/remove in place: a thread iterating sys.meta_path in the
    # import system must not skip a finder because the list shifted under it.
    if not any(f is _FINDER for f in sys.meta_path):
        sys.meta_path = [_FINDER, *sys.meta_path]


def _uninstall() -> None:
    if any(f is _FINDER for f in sys.meta_path):
        sys.meta_path = [f for f in sys.meta_path if f is not _FINDER]
