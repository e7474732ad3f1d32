"""Running the source the user edited, and nothing else.

Before a module runs again, :func:`check_target` verifies that the import system would run the
tracked file (not a same-named file that now comes first on ``sys.path``) and that the module
object is the namespace its code runs in (not a stand-in put into ``sys.modules``).
:func:`read_source` reads the file's bytes and their stamp; :func:`run` compiles exactly those
bytes — never a bytecode cache, which can be stale (``unchecked-hash`` caches are never
validated) — and executes them in the module's own dictionary, as ``importlib.reload`` does.
"""

from __future__ import annotations
import __future__

import importlib.machinery
import importlib.util
import os
import py_compile
import sys
from dataclasses import dataclass
from types import CodeType, ModuleType

from .analysis import REPLACES_ITSELF, summary_of
from .baseline import Stamp, bytecode_header, stamp_of
from .errors import UsageProblem
from .scope import is_own

__all__ = [
    "Source",
    "check_target",
    "read_source",
    "compile_source",
    "run",
    "future_flags",
    "runs_source",
    "refresh_bytecode",
]


@dataclass(frozen=True)
class Source:
    """The bytes of a source file and the stamp they were read at."""

    file: str
    data: bytes
    stamp: Stamp


class ReplacedItself(Exception):
    """The module put another object into ``sys.modules`` under its own name while it ran."""


def check_target(name: str, module: ModuleType, file: str) -> None:
    """Verify that re-running ``name`` would execute ``file`` in ``module``.

    Raises:
        UsageProblem: another file would run, or ``module`` is not where its code runs.
    """
    if (
        vars(module).get("__name__") != name
        or sys.modules.get(name) is not module
        or _replaces_itself(name, module, file)
    ):
        raise UsageProblem(
            f"cannot reload {name}: its code puts another object into sys.modules[{name!r}] "
            "(a lazy-module trick), so a reload would leave two diverging module objects; "
            "restart the kernel to load its changes"
        )
    spec = _find_spec(name)
    origin = getattr(spec, "origin", None)
    if origin is None or not _same_file(origin, file):
        where = f"{origin} would run instead" if origin else "the import system cannot find it any more"
        raise UsageProblem(
            f"cannot reload {name} from {file}: {where} (a file of the same name earlier on "
            "sys.path?); remove or rename it, or reload in a fresh kernel"
        )


def _replaces_itself(name: str, module: ModuleType, file: str) -> bool:
    summary = summary_of(file, name, "__path__" in vars(module))
    return summary is not None and any(s.unsure == REPLACES_ITSELF for s in summary.statements)


def _find_spec(name: str):
    parent = name.rpartition(".")[0]
    path = getattr(sys.modules.get(parent), "__path__", None) if parent else None
    for finder in sys.meta_path:
        find = getattr(finder, "find_spec", None)
        if find is None or is_own(type(finder).__module__):
            continue
        spec = find(name, path, None)
        if spec is not None:
            return spec
    return None


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def read_source(file: str) -> Source:
    """The file's bytes, with the stamp they belong to (re-read if it changed while reading).

    Raises:
        OSError: the file cannot be read.
    """
    for _ in range(3):
        before = stamp_of(file)
        with open(file, "rb") as f:
            data = f.read()
        after = stamp_of(file)
        if before == after and after is not None:
            return Source(file, data, after)
    return Source(file, data, after or Stamp(len(data), 0))


def future_flags(code: CodeType) -> int:
    """The ``__future__`` compiler flags a compiled module was compiled with."""
    flags = 0
    for feature in __future__.all_feature_names:
        flag = getattr(__future__, feature).compiler_flag
        if code.co_flags & flag:
            flags |= flag
    return flags


_compiled: dict[str, tuple[bytes, CodeType]] = {}


def compile_source(source: Source) -> CodeType:
    """Compile the bytes of ``source`` (SyntaxError points at the file and line); the code of a
    file's current content is kept, so a dependent that runs again is not compiled again."""
    known = _compiled.get(source.file)
    if known is not None and known[0] == source.data:
        return known[1]
    code = compile(source.data, source.file, "exec", dont_inherit=True)
    _compiled[source.file] = (source.data, code)
    return code


def run(name: str, module: ModuleType, code: CodeType) -> None:
    """Execute ``code`` in the module's dictionary, as ``importlib.reload`` does.

    Raises:
        ReplacedItself: the module replaced itself in ``sys.modules`` while it ran.
    """
    exec(code, module.__dict__)
    if sys.modules.get(name) is not module:
        raise ReplacedItself(
            f"{name} put another object into sys.modules[{name!r}] while it ran; "
            "reloading it would leave two diverging objects"
        )


def runs_source(module: ModuleType, data: bytes, file: str) -> bool:
    """Whether ``module``'s functions and methods are those that ``data`` compiles to (the
    module runs that version of its source). A module without any is taken to run it."""
    from .functions import functions_in, same_code
    from .in_place import code_objects

    try:
        compiled = code_objects(compile(data, file, "exec", dont_inherit=True))
    except (SyntaxError, ValueError):
        return False
    found = {}
    for value in list(vars(module).values()):
        for function in functions_in(value, 3):
            if function.__code__.co_filename == file:
                found[(tuple(function.__qualname__.split(".")), function.__code__.co_firstlineno)] = function
        if isinstance(value, type):
            for member in list(value.__dict__.values()):
                for function in functions_in(member, 3):
                    if function.__code__.co_filename == file:
                        key = (tuple(function.__qualname__.split(".")), function.__code__.co_firstlineno)
                        found[key] = function
    return all(key in compiled and same_code(function.__code__, compiled[key]) for key, function in found.items())


def refresh_bytecode(module: ModuleType, source: Source) -> None:
    """After a committed reload, make the module's bytecode cache match the new source, so that
    other processes (workers) that import it run the same code: a stale ``unchecked-hash`` cache
    is rewritten, and a timestamp cache that the edit would not invalidate is removed."""
    cached = getattr(module, "__cached__", None)
    header = bytecode_header(cached)
    if header is None:
        return
    try:
        if header.hashed and not header.check_source:
            if header.source_hash != importlib.util.source_hash(source.data):
                py_compile.compile(
                    source.file,
                    cfile=cached,
                    doraise=True,
                    invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
                )
        elif header.matches(source.stamp):
            os.unlink(cached)
    except (OSError, py_compile.PyCompileError):
        pass
