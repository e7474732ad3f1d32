"""A reload as a transaction: everything it changes can be put back, whatever interrupts it.

The transaction owns the undo log, the translation from new objects to kept ones, the record of
what changed (for the dependents' check), the containers of imported modules that re-executed
code may write into (registries), and the modules the attempt imported (an
:class:`~ipy_reimport.ledger.ImportLedger`: exactly those, not what other threads imported
meanwhile). :meth:`Transaction.commit`
and :meth:`Transaction.rollback` are made of idempotent steps that always run to completion
(the reloader holds Ctrl-C back meanwhile, :mod:`.interrupts`), so an interrupt never leaves some
modules on the new code and others on the old.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Callable, Iterable
from typing import Any

from .changes import Changes
from .interrupts import until_done
from .ledger import ImportLedger
from .patching import Patcher
from .translate import CONTAINERS, Translator
from .undo import UndoLog, same_contents

__all__ = ["Transaction"]


class Transaction:
    """The state of one reload until it is committed or rolled back."""

    def __init__(self, ledger: ImportLedger | None = None) -> None:
        self.undo = UndoLog()
        self._ledger = ledger
        self._ran: dict[str, types.ModuleType] = {}
        self.translator = Translator(self.undo)
        self.changes = Changes()
        self.patcher = Patcher(self.undo, self.translator, self.changes)
        self._watched: dict[int, tuple[Any, Any]] = {}
        self._by_module: dict[int, list[tuple[Any, Any]]] = {}
        self._caches: list[Callable[[], None]] = []

    # -- registries ------------------------------------------------------------------------------
    def watch_containers(self, modules: Iterable[types.ModuleType]) -> None:
        """Remember the module-level and class-level containers of ``modules`` (and their
        ``singledispatch`` registries) so that what re-executed code writes into them is
        translated, and undone on rollback."""
        for module in modules:
            if id(module) in self._by_module:
                continue
            watched = self._by_module[id(module)] = []
            for key, value in list(vars(module).items()):
                if key.startswith("__"):  # __builtins__, __annotations__...: not registries
                    continue
                self._watch(value, watched)
                if isinstance(value, type) and value.__module__ == module.__name__:
                    for member in list(value.__dict__.values()):
                        self._watch(member, watched)

    def _watch(self, value: Any, watched: list) -> None:
        if isinstance(value, CONTAINERS) and not isinstance(value, type):
            container = value
        else:
            container = _dispatch_registry(value)
            if container is not None and getattr(value, "_clear_cache", None) is not None:
                self._caches.append(value._clear_cache)
        if container is None:
            return
        if id(container) not in self._watched:
            prior = container.copy()
            self._watched[id(container)] = (container, prior)
            self.undo.keep_contents(container, prior)
        watched.append(self._watched[id(container)])

    def translate_containers(self, modules: Iterable[types.ModuleType] | None = None) -> None:
        """Put kept objects into the watched containers (of ``modules``, or all) that
        re-executed code changed."""
        if not self.translator:
            return
        if modules is None:
            pairs = list(self._watched.values())
        else:
            pairs = [pair for module in modules for pair in self._by_module.get(id(module), ())]
        for container, prior in pairs:
            if not same_contents(container, prior):
                self.translator.container(container, before=prior)

    def runs(self, name: str, module: types.ModuleType) -> None:
        """``module`` runs as ``sys.modules[name]``: a rollback puts it back there if its code
        replaced it."""
        self._ran.setdefault(name, module)

    def commit(self, actions: Callable[[], None]) -> bool:
        """Make the change final, then run ``actions`` (recording the new state). Each step runs
        to completion even if a Ctrl-C let through just before cuts it short.

        Returns:
            True when a ``KeyboardInterrupt`` was swallowed (the caller raises it).
        """
        interrupted = until_done(self.undo.commit)
        interrupted |= until_done(actions)
        interrupted |= until_done(self._clear_caches)
        return interrupted

    def rollback(self, on_restored: Callable[[], None] | None = None) -> bool:
        """Put back everything: patches, namespaces, containers, ``sys.modules``, then run
        ``on_restored``; each step runs to completion, as in :meth:`commit`.

        Returns:
            True when a ``KeyboardInterrupt`` was swallowed (the caller raises it).
        """
        interrupted = until_done(self.undo.rollback)
        interrupted |= until_done(self._restore_modules)
        interrupted |= until_done(self._clear_caches)
        if on_restored is not None:
            interrupted |= until_done(on_restored)
        return interrupted

    def _restore_modules(self) -> None:
        if self._ledger is not None:
            self._ledger.undo()
        for name, module in self._ran.items():
            if sys.modules.get(name) is not module:
                sys.modules[name] = module

    def _clear_caches(self) -> None:
        for clear in self._caches:
            clear()


def _dispatch_registry(value: Any) -> dict | None:
    """The dict behind a ``functools.singledispatch`` function's ``registry``."""
    if type(value) is not types.FunctionType or "register" not in value.__dict__:
        return None
    register = value.__dict__["register"]
    if not isinstance(register, types.FunctionType) or not hasattr(value, "dispatch"):
        return None
    for name, cell in zip(register.__code__.co_freevars, register.__closure__ or (), strict=False):
        if name == "registry":
            try:
                content = cell.cell_contents
            except ValueError:
                return None
            return content if isinstance(content, dict) else None
    return None
