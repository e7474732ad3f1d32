"""Which loaded modules can be reloaded, and which of them are the user's own."""

from __future__ import annotations

import fnmatch
import importlib.machinery
import importlib.util
import os
import site
import sys
import sysconfig
from collections.abc import Iterable
from types import ModuleType

__all__ = ["is_own", "namespace", "is_lazy", "source_file", "unreloadable_reason", "shell_machinery", "UserScope"]

_OWN_PACKAGE = __name__.rpartition(".")[0]
_LAZY_TYPE = getattr(importlib.util, "_LazyModule", None)


def is_own(name: str) -> bool:
    """Whether module ``name`` is part of ipy_reimport itself."""
    return name.partition(".")[0] == _OWN_PACKAGE


def namespace(module: object) -> dict:
    """The module's ``__dict__``, read without attribute access.

    ``module.__dict__`` or ``getattr(module, ...)`` would run the module type's
    ``__getattribute__``: for a module registered with ``importlib.util.LazyLoader`` that executes
    it. Observing must never change the kernel, so everything the tracker reads comes from here.
    """
    try:
        found = object.__getattribute__(module, "__dict__")
    except (AttributeError, TypeError):
        return {}
    return found if isinstance(found, dict) else {}


def is_lazy(module: object) -> bool:
    """True for a ``LazyLoader`` module that has not been executed yet."""
    return _LAZY_TYPE is not None and issubclass(type(module), _LAZY_TYPE)


def source_file(module: ModuleType) -> str | None:
    """The ``.py`` file a module was executed from, or None when it has none."""
    attrs = namespace(module)
    spec = attrs.get("__spec__")
    origin = getattr(spec, "origin", None) if spec is not None else None
    path = origin if spec is not None and getattr(spec, "has_location", False) else None
    path = path or attrs.get("__file__")
    if not isinstance(path, str) or not path.endswith(tuple(importlib.machinery.SOURCE_SUFFIXES)):
        return None
    return os.path.abspath(path)


def unreloadable_reason(name: str, module: ModuleType) -> str | None:
    """Why ``module`` cannot be re-executed from source, or None when it can.

    Args:
        name: the module's key in ``sys.modules``.
        module: the module object.

    Returns:
        A short human reason ("extension module", "built-in module", ...) or None.
    """
    if is_own(name):
        return "part of ipy_reimport itself"
    if not issubclass(type(module), ModuleType):
        return f"not a module ({type(module).__name__})"
    if is_lazy(module):
        return "lazy module (LazyLoader), not loaded yet"
    attrs = namespace(module)
    spec = attrs.get("__spec__")
    origin = getattr(spec, "origin", None)
    if origin == "built-in" or name in sys.builtin_module_names:
        return "built-in module"
    if origin == "frozen":
        return "frozen module"
    file = attrs.get("__file__") or origin
    if isinstance(file, str) and file.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES)):
        return "extension module (compiled code cannot be re-initialised; restart the kernel)"
    if isinstance(file, str) and file.endswith(tuple(importlib.machinery.BYTECODE_SUFFIXES)):
        return "no source (bytecode only)"
    if spec is None:
        return "no import spec (created at run time)"
    if source_file(module) is None:
        return "namespace package (no source file)" if "__path__" in attrs else "no source file"
    if not isinstance(spec.loader, importlib.machinery.SourceFileLoader):
        return f"loaded by {type(spec.loader).__name__}, not from a source file"
    return None


# Packages the running shell is made of: re-executing one of their modules (or a module of the
# standard library, which they all use) can take the kernel down.
_SHELL_PACKAGES = frozenset(
    {
        "IPython",
        "ipykernel",
        "traitlets",
        "jupyter_client",
        "jupyter_core",
        "comm",
        "zmq",
        "tornado",
        "prompt_toolkit",
        "debugpy",
        "ipywidgets",
        "matplotlib_inline",
        "nest_asyncio",
        "jedi",
        "parso",
        "pygments",
        "stack_data",
        "executing",
        "asttokens",
        "pure_eval",
        "decorator",
        "pexpect",
        "ptyprocess",
        "wcwidth",
        "psutil",
        "platformdirs",
        "ipython_pygments_lexers",
        "watchfiles",
        "anyio",
        "sniffio",
        _OWN_PACKAGE,
    }
)


def shell_machinery(name: str) -> str | None:
    """Why re-executing module ``name`` could break the running shell, or None."""
    top = name.partition(".")[0]
    if top in getattr(sys, "stdlib_module_names", ()):
        return "it is part of the standard library, which the running shell itself uses"
    if top in _SHELL_PACKAGES:
        return f"it is part of {top}, which the running shell is made of"
    return None


def _library_dirs() -> tuple[str, ...]:
    paths = sysconfig.get_paths()
    dirs = {paths.get(key) for key in ("stdlib", "platstdlib", "purelib", "platlib")}
    dirs.update(getattr(site, "getsitepackages", lambda: [])())
    dirs.add(getattr(site, "getusersitepackages", lambda: None)())
    found = set()
    for d in filter(None, dirs):
        found.update({os.path.abspath(d), os.path.realpath(d)})
    return tuple(sorted(d.rstrip(os.sep) + os.sep for d in found))


class UserScope:
    """Decides which modules are "the user's": files outside the standard library and
    site-packages (editable installs count), adjusted by include/exclude glob patterns.

    A pattern matches the module name, or the file path when it contains a ``/``.
    """

    def __init__(self, include: list[str] | None = None, exclude: list[str] | None = None):
        self.include = list(include or [])
        self.exclude = list(exclude or [])
        self._library = _library_dirs()

    def contains(self, name: str, file: str | None) -> bool:
        """True when the module ``name`` (executed from ``file``) belongs to the user."""
        if is_own(name) or self._matches(self.exclude, name, file):
            return False
        if self._matches(self.include, name, file):
            return True
        return file is not None and not file.startswith(self._library)

    def may_hold(self, name: str, path: Iterable[str] | None) -> bool:
        """Whether an import of ``name`` searched along ``path`` may find one of the user's
        modules (a top-level name always may; a submodule only outside the libraries)."""
        if path is None or (self.include and self._matches(self.include, name, None)):
            return True
        for entry in path:
            if isinstance(entry, str) and not (entry + os.sep).startswith(self._library):
                return True
        return False

    @staticmethod
    def _matches(patterns: list[str], name: str, file: str | None) -> bool:
        for pattern in patterns:
            target = file if "/" in pattern else name
            if target is not None and fnmatch.fnmatchcase(target, pattern):
                return True
        return False
