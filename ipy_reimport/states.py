"""The states a loaded module can be in, and the record of one module that reports show."""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = ["ModuleState", "LastReload", "ModuleStatus"]


class ModuleState(str, enum.Enum):
    """The state of one loaded module."""

    FRESH = "fresh"
    STALE = "stale"
    DEPENDENT = "dependent"
    MISSING = "missing"
    UNRELOADABLE = "unreloadable"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class LastReload:
    """Outcome of the last reload that involved a module."""

    at: float
    ok: bool
    seconds: float
    error: str | None = None


@dataclass(frozen=True)
class ModuleStatus:
    """What is known about one loaded module (a row of ``%stale`` and of the panel)."""

    name: str
    state: ModuleState
    file: str | None
    user: bool
    imports: tuple[str, ...]
    imported_by: tuple[str, ...]
    reason: str | None = None
    last_reload: LastReload | None = None
