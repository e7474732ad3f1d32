"""How the tracker learns of modules from the import system: which ones are new since it last
looked, which left, and the entry it keeps for each (is it the user's, can it be reloaded, which
file version ran)."""

from __future__ import annotations

import itertools
import sys
from collections.abc import Callable, Iterable
from types import ModuleType

from .baseline import UNKNOWN, Stamp, baseline_from_bytecode, stamp_of
from .entries import Entry, EntryStore
from .graph import imports_of
from .recorder import ImportRecorder
from .scope import UserScope, is_lazy, namespace, source_file, unreloadable_reason
from .states import ModuleState

__all__ = ["Intake"]


class Intake:
    """Keeps an :class:`EntryStore` in step with ``sys.modules``: notices imports (an
    :class:`ImportRecorder` on ``sys.meta_path``) and lazy modules that ran since the last look,
    and makes the entries of loaded modules. The caller holds the store's lock.

    Args:
        store: where the entries go.
        scope: decides which modules are the user's (replaceable: ``intake.scope = ...``).
    """

    def __init__(self, store: EntryStore, scope: UserScope) -> None:
        self.store = store
        self.scope = scope
        self._recorder = ImportRecorder(lambda name, path: self.scope.may_hold(name, path))
        #: Lazy modules not run yet: they may run without an import being recorded.
        self.lazy: set[str] = set()
        self._seq = itertools.count()
        #: Names imported since the last call (each once, first imported first); called after
        #: every cell, so it is the recorder's own method.
        self.imported: Callable[[], list[str]] = self._recorder.drain

    def install(self) -> None:
        """Put the import recorder first on ``sys.meta_path``."""
        if self._recorder not in sys.meta_path:
            sys.meta_path.insert(0, self._recorder)

    def uninstall(self) -> None:
        """Take the import recorder off ``sys.meta_path``."""
        while self._recorder in sys.meta_path:
            sys.meta_path.remove(self._recorder)

    def take_in(self, names: Iterable[str]) -> set[str]:
        """Add the modules of ``names`` that are loaded, and the lazy modules that ran since the
        last look; returns their names."""
        loaded = set()
        for name in names:
            module = sys.modules.get(name)
            if module is not None:
                self.add(name, module, True)
                loaded.add(name)
            self._recorder.stamps.pop(name, None)
        ran = {n for n in self.lazy if not is_lazy(sys.modules.get(n))}
        self.lazy -= ran
        for name in ran:
            if name in sys.modules:
                self.add(name, sys.modules[name], False)
        return loaded | ran

    def take_in_all_but(self, names: set[str]) -> set[str]:
        """:meth:`take_in` what was imported except ``names`` (a reload's own modules), and
        drop the stamps the recorder took for those."""
        loaded = self.take_in([n for n in self.imported() if n not in names])
        for name in names:
            self._recorder.stamps.pop(name, None)
        return loaded

    def sync(self, first_sight: bool = True) -> tuple[set[str], set[str]]:
        """Compare the store with ``sys.modules`` in full; returns the names added (new or
        replaced modules) and the names removed."""
        loaded = self.take_in(self.imported())
        for name, module in list(sys.modules.items()):
            entry = self.store.get(name)
            if entry is None or entry.module is not module:
                self.add(name, module, first_sight)
                loaded.add(name)
        gone = {n for n in self.store.names() if n not in sys.modules}
        for name in gone:
            self.store.pop(name)
            self.lazy.discard(name)
            self._recorder.stamps.pop(name, None)
        return loaded, gone

    def rebase(self, name: str, baseline: Stamp) -> Entry:
        """``sys.modules[name]`` was executed again, from the file version ``baseline``."""
        entry = self.store.get(name)
        if entry is None or entry.module is not sys.modules.get(name):
            entry = self.add(name, sys.modules[name], True)
        entry.baseline = baseline
        self.store.version += 1
        self.store.set_state(entry, entry.see(stamp_of(entry.file) if entry.reloadable else None))
        return entry

    def reclassify(self) -> None:
        """Decide again which modules are the user's (after the scope changed)."""
        for entry in self.store.select(everything=True):
            path = entry.file or namespace(entry.module).get("__file__")
            entry.user = self.scope.contains(entry.name, path if isinstance(path, str) else None)
        self.store.reindex_user_dirs()

    def add(self, name: str, module: ModuleType, first_sight: bool) -> Entry:
        """Store a new entry for ``module``, loaded as ``name`` (see :meth:`entry`)."""
        entry = self.entry(name, module, first_sight, self.store.get(name))
        self.store.put(entry)
        return entry

    def entry(self, name: str, module: ModuleType, first_sight: bool, old: Entry | None = None) -> Entry:
        """A new entry for ``module``, loaded as ``name``.

        Args:
            first_sight: the baseline of a module the recorder did not stamp is the file as it
                is now; when False (it ran before tracking started, or lazily) the bytecode
                cache is consulted.
            old: the entry it replaces (its rank and last reload carry over).
        """
        file = source_file(module)
        reason = unreloadable_reason(name, module)
        attrs = namespace(module)
        path = file or attrs.get("__file__")
        user = self.scope.contains(name, path if isinstance(path, str) else None)
        entry = Entry(
            name,
            module,
            file,
            reason,
            user,
            old.seq if old else next(self._seq),
            None,
            ModuleState.UNRELOADABLE,
            old.last_reload if old else None,
        )
        self.lazy.discard(name)
        if is_lazy(module):
            self.lazy.add(name)
        if entry.reloadable:
            current = stamp_of(file)
            entry.baseline = self._baseline(name, module, file, current, first_sight)
            entry.own = entry.see(current)
            if user:
                imports_of(file, name, "__path__" in attrs)  # parsed now, while it is what ran
        return entry

    def _baseline(self, name: str, module: ModuleType, file: str, current: Stamp | None, first_sight: bool) -> Stamp:
        """The stamp of the version that ran: taken by the recorder before the loader read the
        file when it could, else the file as it is now (checked against the bytecode cache for
        modules that ran before tracking started or lazily)."""
        before = self._recorder.stamp_before_import(name, file)
        if current is None:
            return before or UNKNOWN
        if before is not None:
            return before
        return current if first_sight else baseline_from_bytecode(module, file, current)
