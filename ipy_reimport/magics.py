"""The IPython magics: parse, call the :class:`~ipy_reimport.session.Reimporter`, show the result."""

from __future__ import annotations

import keyword
from dataclasses import dataclass

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring

from . import workers
from .errors import UsageProblem
from .live import LiveStatus
from .magic_help import usage
from .report import StatusTable
from .session import Reimporter

__all__ = ["ReimportMagics", "ImportSpec", "parse_import"]


@dataclass(frozen=True)
class ImportSpec:
    """A parsed ``%import_rel`` statement: ``NAME [as ALIAS]`` or ``from NAME import items``."""

    module: str
    alias: str | None = None
    items: tuple[tuple[str, str], ...] | None = None


def _is_module_name(name: str) -> bool:
    body = name.lstrip(".")
    return (body == "" and name != "") or all(p.isidentifier() and not keyword.iskeyword(p) for p in body.split("."))


def _identifier(word: str, what: str) -> str:
    if not word.isidentifier() or keyword.iskeyword(word):
        raise UsageError(f"%import_rel: {word!r} is not a valid {what}")
    return word


def parse_import(words: list[str]) -> ImportSpec:
    """Parse the words of ``%import_rel`` (without options).

    Raises:
        UsageError: the words do not form ``NAME [as ALIAS]`` or ``from NAME import a, b as c``.
    """
    if words and words[0] == "from":
        if len(words) < 4 or words[2] != "import":
            raise UsageError("%import_rel: expected 'from NAME import a, b as c'")
        module, items = words[1], []
        for chunk in " ".join(words[3:]).split(","):
            parts = chunk.split()
            if parts == ["*"] and not items and len(words) == 4:
                return ImportSpec(_module_name(module), items=(("*", "*"),))
            if len(parts) == 1:
                items.append((_identifier(parts[0], "name"),) * 2)
            elif len(parts) == 3 and parts[1] == "as":
                items.append((_identifier(parts[0], "name"), _identifier(parts[2], "alias")))
            else:
                raise UsageError(f"%import_rel: cannot parse {chunk.strip()!r} (expected 'name' or 'name as alias')")
        return ImportSpec(_module_name(module), items=tuple(items))
    if len(words) == 1:
        return ImportSpec(_module_name(words[0]))
    if len(words) == 3 and words[1] == "as":
        return ImportSpec(_module_name(words[0]), _identifier(words[2], "alias"))
    raise UsageError("%import_rel: expected 'NAME [as ALIAS]' or 'from NAME import a, b as c'")


def _module_name(word: str) -> str:
    if not _is_module_name(word):
        raise UsageError(f"%import_rel: {word!r} is not a module name (like pkg.mod, .mod or ..sub.mod)")
    return word


@magics_class
class ReimportMagics(Magics):
    """``%import_rel``, ``%reload_deep``, ``%invalidate`` and ``%stale``."""

    def __init__(self, shell, reimporter: Reimporter) -> None:
        super().__init__(shell)
        self.reimporter = reimporter
        self.live: LiveStatus | None = None

    @usage("import_rel NAME [as ALIAS] [-p PKG]", "import_rel from NAME import a, b as c [-p PKG]")
    @magic_arguments()
    @argument(
        "words",
        nargs="+",
        metavar="STATEMENT",
        help="one import: NAME [as ALIAS], or from NAME import a, b as c",
    )
    @argument(
        "-p",
        "--package",
        metavar="PKG",
        help="package that relative names resolve against (default: Reimport.package, "
        "else the package containing the working directory)",
    )
    @line_magic
    def import_rel(self, line: str):
        """Import one module by absolute or relative name and bind it in the notebook.

        NAME is absolute (pkg.mod) or relative (.mod, ..sub.mod): relative names resolve against
        --package, else Reimport.package, else the package containing the working directory.
        The first form binds ALIAS, or the last part of the name (..sub.mod binds mod), and
        returns the module, so that m = %import_rel .mod works; the from form binds the names
        and returns nothing. A module the import system's caches could not see yet is found:
        the import is tried once more after invalidating them. If the import fails, nothing
        stays imported or bound.

        Examples:
          %import_rel .geometry
          %import_rel ..sub.mod as m --package mypkg.notebooks
          %import_rel from .geometry import area, Circle as C
        """
        args = _parse(self.import_rel, line)
        spec = parse_import(args.words)
        with self.reimporter.importing():
            module = _usage(self.reimporter.import_rel, spec.module, args.package)
            if spec.items is None:
                bound = {spec.alias or module.__name__.rpartition(".")[2]: module}
            else:
                bound = self._take(module, spec.items, args.package)
        self.shell.user_ns.update(bound)
        return module if spec.items is None else None

    def _take(self, module, items, package) -> dict:
        if items == (("*", "*"),):
            names = getattr(module, "__all__", None) or [n for n in vars(module) if not n.startswith("_")]
            return {n: getattr(module, n) for n in names}
        taken = {}
        for name, alias in items:
            if hasattr(module, name):
                taken[alias] = getattr(module, name)
            else:
                taken[alias] = _usage(self.reimporter.import_rel, f"{module.__name__}.{name}", package)
        return taken

    @usage(
        "reload_deep [MODULE ...] [--dry-run] [--full] [--no-patch] [--force] [-p PKG]",
        "reload_deep --auto on|off",
    )
    @magic_arguments()
    @argument(
        "modules",
        nargs="*",
        metavar="MODULE",
        help="modules to reload with everything that imports them (absolute or relative "
        "names); default: every stale module",
    )
    @argument("--dry-run", action="store_true", help="show the plan; change nothing")
    @argument(
        "--full",
        action="store_true",
        help="re-execute every module of the plan from the top (importlib.reload semantics) "
        "instead of re-running only what changed",
    )
    @argument(
        "--force",
        action="store_true",
        help="allow reloading a module of the standard library or of the shell itself "
        "(IPython, ipykernel, traitlets...), which can break the kernel",
    )
    @argument(
        "--no-patch",
        action="store_true",
        help="do not update old functions and classes in place (plain importlib.reload)",
    )
    @argument(
        "--auto",
        choices=["on", "off"],
        metavar="on|off",
        help="turn automatic deep reload of stale modules before each cell on or off",
    )
    @argument("-p", "--package", metavar="PKG", help="package that relative names resolve against")
    @line_magic
    def reload_deep(self, line: str):
        """Reload modules and everything that imports them, dependencies first, all or nothing.

        With no MODULE: every stale module. Each module of the plan is brought up to date once,
        dependencies first (an import cycle as one group), re-running only what changed; old
        functions and classes are updated in place, so existing references and instances run the
        new code. If any module fails, every module is put back as it was and the error names the
        file and line. Shows a report: the modules in order with their times and what ran.
        """
        args = _parse(self.reload_deep, line)
        if args.auto is not None:
            if args.modules or args.dry_run or args.no_patch or args.full or args.force:
                raise UsageError("%reload_deep: --auto takes no modules or other options")
            self.reimporter.config.auto = args.auto == "on"
            state = "on: stale modules are deep-reloaded before each cell" if args.auto == "on" else "off"
            print(f"Auto-reload is {state}.")
            return None
        return _usage(
            self.reimporter.reload_deep,
            *args.modules,
            dry_run=args.dry_run,
            patch=False if args.no_patch else None,
            package=args.package,
            full=args.full,
            force=args.force,
        )

    @usage("invalidate")
    @magic_arguments()
    @line_magic
    def invalidate(self, line: str):
        """Invalidate the import system's caches, so that modules created since the kernel
        started are found: importlib.invalidate_caches(), failed path lookups forgotten,
        linecache refreshed, states checked again. Prints one line."""
        _parse(self.invalidate, line)
        print(self.reimporter.invalidate())

    @usage("stale [--all] [--live]")
    @magic_arguments()
    @argument("--all", action="store_true", help="every loaded module, not only the user's")
    @argument(
        "--live",
        action="store_true",
        help="keep this output up to date, with no cell run, after every save and reload "
        "(needs a Jupyter frontend; a new live view replaces the previous one)",
    )
    @line_magic
    def stale(self, line: str):
        """Show the state of your modules (the files outside the standard library and
        site-packages), stale ones first:

          stale         its file changed since the module ran
          dependent     fresh itself, but imports (at import time) a stale or dependent module
          missing       its file was deleted, or is no longer a regular file
          fresh         its file is what ran
          unreloadable  built-in, frozen, an extension module, no source, or a lazy module
                        not loaded yet (the note says which)

        %reload_deep brings the stale and dependent ones up to date. When worker processes run
        your code (Dask clients, joblib's loky workers, other child processes), a Workers
        section says how many run the current code and which are behind.
        """
        args = _parse(self.stale, line)
        if args.live:
            live = self._live_view()
            self.reimporter.status(all=args.all)  # exact once; then the watcher's notifications
            live.show(everything=args.all)
            return None
        table = self.reimporter.status(all=args.all)
        table.workers = workers.status()
        return table

    def _live_view(self) -> LiveStatus:
        if getattr(self.shell, "kernel", None) is None:
            raise UsageError("%stale --live needs a Jupyter frontend (a kernel); here, run %stale when you need it")
        if self.live is None:
            self.live = LiveStatus(self.shell, self.reimporter.tracker.subscribe, self._live_table)
        return self.live

    def _live_table(self, everything: bool) -> StatusTable:
        """The states as last seen by the watcher and the per-cell check (no file is read)."""
        return StatusTable(self.reimporter.tracker.statuses(everything, refresh=False), everything=everything)

    def close(self) -> None:
        """Stop what the magics started (the live view), for ``%unload_ext``."""
        if self.live is not None:
            self.live.stop()
            self.live = None


def _parse(magic, line: str):
    """``parse_argstring``, with a line it cannot split (an unbalanced quote) as a one-line
    ``UsageError`` instead of shlex's ``ValueError``."""
    try:
        return parse_argstring(magic, line)
    except ValueError as exc:
        raise UsageError(f"%{magic.__name__}: cannot split the line into arguments: {exc}") from None


def _usage(call, *args, **kwargs):
    """``call(*args, **kwargs)``, turning a :class:`UsageProblem` into IPython's one-line error."""
    try:
        return call(*args, **kwargs)
    except UsageProblem as exc:
        raise UsageError(str(exc)) from None
