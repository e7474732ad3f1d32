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

__all__ = ["Stamp", "UNKNOWN", "stamp_of", "missing_reason", "baseline_from_bytecode",
           "drop_misleading_bytecode"]

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


def _read_header(cached: str | None) -> bytes | None:
    if not cached or not isinstance(cached, str):
        return None
    try:
        with open(cached, "rb") as f:
            header = f.read(16)
    except OSError:
        return None
    if len(header) < 16 or header[:4] != importlib.util.MAGIC_NUMBER:
        return None
    return header


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
    header = _read_header(namespace(module).get("__cached__"))
    if header is None:
        return current
    flags = int.from_bytes(header[4:8], "little")
    if flags & 0b1:
        return current if _hash_matches(file, header[8:16]) else UNKNOWN
    mtime = int.from_bytes(header[8:12], "little")
    size = int.from_bytes(header[12:16], "little")
    same = mtime == (current.mtime_ns // 1_000_000_000) & _MASK and size == current.size & _MASK
    return current if same else UNKNOWN


def _hash_matches(file: str, expected: bytes) -> bool:
    try:
        with open(file, "rb") as f:
            return importlib.util.source_hash(f.read()) == expected
    except OSError:
        return False


def drop_misleading_bytecode(module: ModuleType, current: Stamp) -> bool:
    """Delete a bytecode cache that would be taken for the edited source.

    The import system trusts a cache whose recorded whole-second mtime and size equal the
    source's. An edit that keeps the size within the same second would then re-run the old code.

    Returns:
        True when a cache file was removed.
    """
    cached = namespace(module).get("__cached__")
    header = _read_header(cached)
    if header is None or int.from_bytes(header[4:8], "little") & 0b1:
        return False
    mtime = int.from_bytes(header[8:12], "little")
    size = int.from_bytes(header[12:16], "little")
    if mtime == (current.mtime_ns // 1_000_000_000) & _MASK and size == current.size & _MASK:
        try:
            os.unlink(cached)
        except OSError:
            return False
        return True
    return False
