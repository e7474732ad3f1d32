"""Keeping identity: update old functions, wrappers and classes from their new versions.

After a module is re-executed, every module-level definition that exists in both versions keeps
its identity: the old object receives the new code and is bound again in the module, so
``from mod import f``, existing instances, bound methods, subclasses elsewhere and registries keep
working. Classes are updated through their kind (:mod:`.kinds`); wrappers — decorators with or
without ``functools.wraps``, ``functools.partial``, ``lru_cache``, callable objects holding a
function — are updated through the functions they hold. Every change goes through the undo log.
Where an object cannot be updated safely, the new object replaces it and the reason is reported.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .changes import Changes
from .functions import functions_in, same_code
from .translate import Translator
from .undo import UndoLog
from .update_callables import CallableUpdater
from .update_classes import ClassUpdater, detach

__all__ = ["UndoLog", "PatchResult", "Patcher", "functions_in", "same_code"]

_ABSENT = object()


@dataclass
class PatchResult:
    """What patching one module did.

    Attributes:
        patched: names (``f``, ``C``, ``C.m``) whose old object was kept and updated.
        replaced: ``(name, reason)`` for objects that could not be updated in place.
        replaced_objects: the old objects that were replaced (to find who still holds them).
    """

    patched: list[str] = field(default_factory=list)
    replaced: list[tuple[str, str]] = field(default_factory=list)
    replaced_objects: list[Any] = field(default_factory=list)


class Patcher:
    """Updates kept objects from new ones for one reload (a transaction).

    Args:
        undo: receives every change.
        translator: maps new objects to kept ones (shared by the whole reload).
        changes: records what runs other code now (read by the dependents' check).
    """

    def __init__(self, undo: UndoLog, translator: Translator, changes: Changes) -> None:
        self.undo = undo
        self.translator = translator
        self.changes = changes
        self.rebuilt_models: set[int] = set()
        self.discarded: list[type] = []
        self.result = PatchResult()
        self.file: str | None = None
        self.callables = CallableUpdater(self)
        self.classes = ClassUpdater(self)
        self._done: list[Callable[[], None]] = []

    # -- the module level ------------------------------------------------------------------------
    def module(self, name: str, file: str, old_ns: dict, namespace: dict) -> PatchResult:
        """Keep the definitions of ``old_ns`` that ``namespace`` (the re-executed module's
        dictionary) defines again, and bind them in ``namespace``.

        Args:
            name: the module's name.
            file: its source file (functions compiled from it are its definitions).
            old_ns: a copy of the module's dictionary taken before it was re-executed.
            namespace: the module's dictionary now.
        """
        self.result, self.file = PatchResult(), file
        classes, others = self._pairs(name, old_ns, namespace)
        reasons = self._keep_safe_classes(classes)
        done: dict[int, Any] = {}
        for key, old, new in [*classes, *others]:
            if id(new) in done:
                namespace[key] = done[id(new)]
                continue
            kept = self._pair(key, old, new, reasons)
            done[id(new)] = kept
            namespace[key] = kept
        self.translator.namespace(namespace, old_ns)
        result, self.result = self.result, PatchResult()
        return result

    def _pairs(self, name: str, old_ns: dict, namespace: dict):
        classes, others = [], []
        for key, new in namespace.items():
            old = old_ns.get(key, _ABSENT)
            if old is _ABSENT or old is new:
                continue
            if isinstance(old, type) and isinstance(new, type):
                if old.__qualname__ == new.__qualname__ and old.__module__ == name == new.__module__:
                    classes.append((key, old, new))
            elif self.callables.defined_here(old) or self.callables.defined_here(new):
                others.append((key, old, new))
        return classes, others

    def _keep_safe_classes(self, classes: list) -> dict[int, str]:
        """Provisionally keep every class pair, then drop the unsafe ones until none changes."""
        for _, old, new in classes:
            self.translator.keep(new, old)
        reasons: dict[int, str] = {}
        changed = True
        while changed:
            changed = False
            for _, old, new in classes:
                if id(new) not in reasons:
                    reason = self.classes.unsafe(old, new)
                    if reason:
                        reasons[id(new)] = reason
                        self.translator.forget(new)
                        changed = True
        return reasons

    def _pair(self, key: str, old: Any, new: Any, reasons: dict[int, str]) -> Any:
        """Update ``old`` from ``new`` and return the object to bind (``old``, or ``new`` when it
        had to be replaced)."""
        if isinstance(old, type) and isinstance(new, type):
            if id(new) in reasons:
                return self._replace(key, old, new, reasons[id(new)])
            self.classes.update(old, new)
            self.result.patched.append(key)
            return old
        mark = len(self.undo)
        try:
            reason = self.callables.update_callable(old, new)
        except (TypeError, ValueError, AttributeError) as exc:
            reason = f"update failed ({exc})"
        if reason is None:
            self.result.patched.append(key)
            return old
        self.undo.rollback(mark)
        return self._replace(key, old, new, reason)

    def _replace(self, key: str, old: Any, new: Any, reason: str) -> Any:
        self.translator.forget(new)
        self.result.replaced.append((key, reason))
        self.result.replaced_objects.append(old)
        self.callables.patch_inner_functions(old, new)
        if isinstance(new, type):
            self.classes.fix_replacement(new)
        return new

    def note_replaced(self, name: str, reason: str) -> None:
        """Report that a part of a kept object (an Enum member...) was replaced."""
        self.result.replaced.append((name, reason))

    def on_done(self, action: Callable[[], None]) -> None:
        """Run ``action`` once every module of the reload is patched (and before commit)."""
        self._done.append(action)

    def finish(self) -> None:
        """Run the actions kept for the end of the reload; detach discarded classes on commit."""
        while self._done:
            self._done.pop(0)()
        discarded, self.discarded = self.discarded, []
        self.undo.on_commit(lambda: [detach(cls) for cls in discarded])

    # -- what the kinds and the in-place editor call ----------------------------------------------
    def update_callable(self, old: Any, new: Any) -> str | None:
        """Make ``old`` (a function or wrapper) run ``new``'s code; the reason when it cannot."""
        return self.callables.update_callable(old, new)
