"""The exceptions of ipy_reimport.

They are raised by the Python API and translated only at the edges: the magics turn
:class:`UsageProblem` into IPython's ``UsageError``, the panel's comm answers with an ``error``
message whose code the error carries (``code``); :class:`ReloadFailed` renders itself as a few
lines that point at the user's own code instead of a page of importlib frames.
"""

from __future__ import annotations

import os
import traceback
from dataclasses import dataclass

__all__ = [
    "ReimportError",
    "UsageProblem",
    "NotLoaded",
    "Unreloadable",
    "NotYours",
    "ReloadFailed",
    "ImportFailed",
    "SourceLocation",
]


class ReimportError(Exception):
    """Base class of every error that ipy_reimport raises on purpose.

    Attributes:
        code: the protocol's error code when a panel's request ends in this error.
    """

    code = "internal"


class UsageProblem(ReimportError):
    """The request itself is wrong (unknown module, missing anchor, a reload refused...).

    Nothing was changed. The message is one line meant for the user.
    """

    code = "refused"


class NotLoaded(UsageProblem):
    """The module named is not loaded."""

    code = "unknown_module"

    def __init__(self, name: str) -> None:
        super().__init__(f"module {name!r} is not loaded; import it first (e.g. %import_rel {name})")


class Unreloadable(UsageProblem):
    """The module cannot be reloaded at all (built-in, extension, no source, lazy not loaded yet)."""

    code = "unreloadable"

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"cannot reload {name}: {reason}")


class NotYours(UsageProblem):
    """The module is not one of the user's, and the panel reloads only those."""

    code = "not_yours"

    def __init__(self, name: str) -> None:
        super().__init__(
            f"{name} is not one of your modules; the panel reloads only those (in a cell: %reload_deep {name})"
        )


@dataclass(frozen=True)
class SourceLocation:
    """Where an error happened in the user's code."""

    file: str | None
    line: int | None
    text: str | None = None

    def __str__(self) -> str:
        if self.file is None:
            return "<unknown location>"
        return f"{self.file}, line {self.line}" if self.line else self.file


def locate(exc: BaseException, files: set[str] | None = None) -> SourceLocation:
    """Find the most relevant location of ``exc`` in user code.

    Args:
        exc: the exception raised while executing a module.
        files: source files to prefer (those of the modules being executed).

    Returns:
        The location of a ``SyntaxError`` itself, else the innermost traceback frame in one of
        ``files``, else the innermost frame that is not part of the import machinery.
    """
    if isinstance(exc, SyntaxError) and exc.filename:
        text = (exc.text or "").strip() or None
        return SourceLocation(exc.filename, exc.lineno, text)
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if not _is_machinery(f.filename)]
    preferred = [f for f in frames if files and f.filename in files]
    chosen = (preferred or frames or [None])[-1]
    if chosen is None:
        return SourceLocation(None, None)
    return SourceLocation(chosen.filename, chosen.lineno, chosen.line or None)


_OWN_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def _is_machinery(filename: str) -> bool:
    return filename.startswith(("<frozen ", _OWN_DIR)) or f"{os.sep}importlib{os.sep}" in filename


class _ConciseError(ReimportError):
    """An error shown by IPython as a short message instead of a traceback."""

    location: SourceLocation | None = None

    def _render_traceback_(self) -> list[str]:
        lines = [f"{type(self).__name__}: {self}"]
        if self.location is not None and self.location.text:
            lines.append(f"    {self.location.text}")
        return lines


class ReloadFailed(_ConciseError):
    """A module of a reload plan failed to execute; every module of the plan was rolled back.

    Attributes:
        module: name of the module that failed.
        location: where, in that module's (or a module it imports) source.
        error: the original exception (also ``__cause__``).
        rolled_back: names of the modules restored to their state before the call.
        detail: the error in one line, e.g. ``SyntaxError: invalid syntax``.
        short: ``detail`` with the file's base name and line, e.g. ``... (units.py, line 3)``.
    """

    def __init__(self, module: str, location: SourceLocation, error: BaseException, rolled_back: list[str]):
        self.module = module
        self.location = location
        self.error = error
        self.rolled_back = rolled_back
        self.detail = f"{type(error).__name__}: {_first_line(error)}"
        where = os.path.basename(location.file) if location.file else None
        self.short = self.detail + (f" ({where}, line {location.line})" if where and location.line else "")
        count = len(rolled_back)
        super().__init__(
            f"reloading {module} failed at {location}: {self.detail} "
            f"(rolled back {count} module{'s' if count != 1 else ''}; nothing changed)"
        )


class ImportFailed(_ConciseError):
    """A module raised while being imported by ``import_rel``; modules it added were removed."""

    def __init__(self, module: str, location: SourceLocation, error: BaseException):
        self.module = module
        self.location = location
        self.error = error
        super().__init__(f"importing {module} failed at {location}: {type(error).__name__}: {_first_line(error)}")


def _first_line(error: BaseException) -> str:
    if isinstance(error, SyntaxError):
        return error.msg
    text = str(error)
    return text.splitlines()[0] if text else ""
