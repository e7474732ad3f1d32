"""The ``Reimport`` configurable: every setting of ipy_reimport in one place.

Set from ``ipython_config.py`` (``c.Reimport.auto = True``) or in a session
(``%config Reimport.auto = True``).
"""

from __future__ import annotations

from traitlets import Bool, List, TraitError, Unicode, validate
from traitlets.config import Configurable

__all__ = ["Reimport"]


class Reimport(Configurable):
    """Settings of the ipy_reimport extension."""

    package = Unicode(
        None,
        allow_none=True,
        help="""Package that relative names (``%import_rel .mod``) are resolved against.
        When unset, the package containing the current working directory is used.""",
    ).tag(config=True)

    auto = Bool(
        False,
        help="""Before each cell, deep-reload every stale module (dependency order, patching,
        rollback on failure). Same as ``%reload_deep --auto on``.""",
    ).tag(config=True)

    patch = Bool(
        True,
        help="""After a successful reload, update functions and classes the old module handed
        out in place, so that old references and existing instances use the new code.""",
    ).tag(config=True)

    include = List(
        Unicode(),
        help="""Glob patterns of modules that count as the user's own even when they live in
        site-packages or the standard library. A pattern matches the module name
        (``mypkg.*``), or the file path when it contains a ``/``.""",
    ).tag(config=True)

    exclude = List(
        Unicode(),
        help="""Glob patterns of modules that never count as the user's own (same syntax as
        ``include``; ``exclude`` wins).""",
    ).tag(config=True)

    watch = Bool(
        True,
        help="""Watch the directories of the user's modules with watchfiles so that the check
        before each cell costs nothing. When False (or when the watcher cannot run), the user's
        module files are stat-ed after each cell instead.""",
    ).tag(config=True)

    ship_sources = Bool(
        False,
        help="""After a reload, send the source of every reloaded module to worker processes
        (Dask workers) whose copy of the file differs from the kernel's or is missing, and write
        it over their copy before they reload. Off by default: such workers are then reported
        as behind, with the files that differ.""",
    ).tag(config=True)

    @validate("package")
    def _check_package(self, proposal):
        value = proposal["value"]
        if value is not None and not _is_dotted_name(value):
            raise TraitError(f"Reimport.package must be an absolute dotted module name, not {value!r}")
        return value


def _is_dotted_name(value: str) -> bool:
    return bool(value) and all(part.isidentifier() for part in value.split("."))
