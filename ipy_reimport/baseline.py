"""What version of a source file a module was executed from.

A baseline is the file's size and ``mtime_ns``. For modules imported while ipy_reimport tracks,
it is the stamp the import recorder took just before the loader read the file; for older modules
the bytecode cache (``__cached__``) tells which source version was compiled, so an edit made
before the extension loaded is still noticed.
"""

from __future__ import annotations

import importlib.util
import os
import stat
import sys
from types import ModuleType
from typing import NamedTuple

from .scope import namespace

__all__ = [
    "Stamp",
    "UNKNOWN",
    "stamp_of",
    "missing_reason",
    "baseline_from_bytecode",
    "BytecodeHeader",
    "bytecode_header",
]

_MASK = 0xFFFFFFFF


class Stamp(NamedTuple):
    """Size and modification time of a file (``UNKNOWN`` matches nothing). A named tuple: made
    and compared for every user file before each cell in auto mode, so it must be cheap."""

    size: int
    mtime_ns: int


UNKNOWN = Stamp(-1, -1)


def stamp_of(path: str) -> Stamp | None:
    """The file's current stamp, or None when it is not a regular file (deleted, replaced by a
    directory, unreadable path...)."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return Stamp(st.st_size, st.st_mtime_ns) if stat.S_ISREG(st.st_mode) else None


def missing_reason(path: str) -> str:
    """Why ``path`` has no stamp, in a few words (for a module whose source is missing)."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "source file deleted"
    except OSError as exc:
        return f"source file unreadable ({exc.strerror or exc})"
    if stat.S_ISDIR(mode):
        return "source path is now a directory"
    return "source path is not a regular file" if not stat.S_ISREG(mode) else "source file changed"


class BytecodeHeader(NamedTuple):
    """What the 16-byte header of a bytecode cache (PEP 552) says about the source it was
    compiled from: its hash (``hashed``), or its whole-second mtime and size."""

    hashed: bool
    check_source: bool
    source_hash: bytes
    mtime: int
    size: int

    def matches(self, stamp: Stamp) -> bool:
        """Whether the import system takes this timestamp cache for a source of ``stamp``."""
        return not self.hashed and (self.mtime, self.size) == (
            (stamp.mtime_ns // 1_000_000_000) & _MASK,
            stamp.size & _MASK,
        )


def bytecode_header(cached: object) -> BytecodeHeader | None:
    """The header of the bytecode cache at ``cached`` (a module's ``__cached__``), or None when
    there is none this interpreter would read."""
    if not cached or not isinstance(cached, str):
        return None
    try:
        with open(cached, "rb") as f:
            header = f.read(16)
    except OSError:
        return None
    if len(header) < 16 or header[:4] != importlib.util.MAGIC_NUMBER:
        return None
    flags = int.from_bytes(header[4:8], "little")
    return BytecodeHeader(
        bool(flags & 0b1),
        bool(flags & 0b10),
        header[8:16],
        int.from_bytes(header[8:12], "little"),
        int.from_bytes(header[12:16], "little"),
    )


def baseline_from_bytecode(module: ModuleType, file: str, current: Stamp) -> Stamp:
    """Baseline of a module that was imported before it could be observed.

    Args:
        module: the loaded module.
        file: its source file.
        current: the source file's stamp now.

    Returns:
        ``current`` when the bytecode cache was compiled from the file as it is now (or when there
        is no usable cache: first sight), else ``UNKNOWN`` (the file changed since it ran).
    """
    if sys.dont_write_bytecode:
        return current
    header = bytecode_header(namespace(module).get("__cached__"))
    if header is None:
        return current
    same = _hash_matches(file, header.source_hash) if header.hashed else header.matches(current)
    return current if same else UNKNOWN


def _hash_matches(file: str, expected: bytes) -> bool:
    try:
        with open(file, "rb") as f:
            return importlib.util.source_hash(f.read()) == expected
    except OSError:
        return False
