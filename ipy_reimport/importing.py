"""Relative and absolute imports from a notebook: the anchor package and a safe import."""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from types import ModuleType

from .errors import ImportFailed, UsageProblem, locate
from .ledger import undone_on_failure

__all__ = ["infer_package", "resolve", "import_module"]


def infer_package(cwd: str | None = None) -> str:
    """The dotted name of the package that contains ``cwd`` (default: the working directory).

    Walks up while the directories hold an ``__init__.py`` and maps the package's directory to
    a dotted name under a ``sys.path`` entry.

    Raises:
        UsageProblem: ``cwd`` is not inside an importable package.
    """
    cwd = os.path.abspath(cwd or os.getcwd())
    if not os.path.isfile(os.path.join(cwd, "__init__.py")):
        raise UsageProblem(
            f"cannot resolve a relative name: the working directory {cwd} is not a package "
            "(no __init__.py); pass --package PKG or set %config Reimport.package = 'PKG'"
        )
    roots = {os.path.realpath(p or os.getcwd()) for p in sys.path if isinstance(p, str)}
    parts, directory, best = [], cwd, None
    while os.path.isfile(os.path.join(directory, "__init__.py")):
        parts.insert(0, os.path.basename(directory))
        directory = os.path.dirname(directory)
        if os.path.realpath(directory) in roots and all(p.isidentifier() for p in parts):
            best = ".".join(parts)
    if best is None:
        raise UsageProblem(
            f"cannot resolve a relative name: the package at {cwd} is not under any sys.path entry; "
            "pass --package PKG or set %config Reimport.package = 'PKG'"
        )
    return best


def resolve(name: str, package: str | None) -> str:
    """The absolute module name of ``name`` (relative names need ``package``)."""
    if not name.startswith("."):
        return name
    if not package:
        raise UsageProblem(f"relative name {name!r} needs a package to resolve against")
    try:
        return importlib.util.resolve_name(name, package)
    except ImportError as exc:
        raise UsageProblem(f"cannot resolve {name!r} against package {package!r}: {exc}") from None


def import_module(name: str, package: str | None = None) -> ModuleType:
    """``importlib.import_module(name, package)``, retried once after ``invalidate_caches()``.

    On any failure (``KeyboardInterrupt`` and ``SystemExit`` included, which are re-raised as
    they are) the modules this thread imported during the attempt are removed again; modules
    other threads imported meanwhile stay (see :mod:`ipy_reimport.ledger`).

    Raises:
        UsageProblem: the module (or one of its parent packages) does not exist.
        ImportFailed: the module exists but raised while executing.
    """
    target = resolve(name, package)
    for attempt in (1, 2):
        try:
            with undone_on_failure():
                return importlib.import_module(target)
        except ModuleNotFoundError as exc:
            if attempt == 1:
                importlib.invalidate_caches()
                continue
            if exc.name and (target == exc.name or target.startswith(exc.name + ".")):
                raise UsageProblem(
                    f"no module named {exc.name!r}"
                    + (f" (resolved from {name!r} in package {package!r})" if target != name else "")
                ) from None
            raise ImportFailed(target, locate(exc), exc) from exc
        except Exception as exc:
            raise ImportFailed(target, locate(exc), exc) from exc
    raise AssertionError("unreachable")
