"""What a module does when it executes: its top-level statements, the names they bind and read.

Pure logic over ``ast``. A module's *import-time code* is everything that runs when the module
executes: module-level statements, class bodies, decorators, default values, base classes and
(without ``from __future__ import annotations``) annotations — but not function bodies, which run
when called. For each top-level statement the summary records the names it binds and the dotted
names it reads, with the way each is used (:class:`Use`), so that a reload can tell whether a
module's import-time results could differ after its dependencies changed.

What function bodies read is taken from their compiled code when it is needed (see
:func:`ipy_reimport.dependents.propagate`), not from the source.
"""

from __future__ import annotations

import ast
import enum
import functools
import os
from collections.abc import Iterator
from dataclasses import dataclass

from .graph import resolve_from

__all__ = [
    "REPLACES_ITSELF",
    "Use",
    "Read",
    "ImportBinding",
    "Statement",
    "ModuleSummary",
    "summarize",
    "summary_of",
    "clear_cache",
]


class Use(enum.IntEnum):
    """How import-time code uses a name it reads (higher values can run more code)."""

    TRANSFER = 0  # only stored: ``X = y``, ``[y]``, a default value
    BASE = 1  # a base class of a class statement
    USE = 2  # an operand, subscript, iteration, attribute of an object...
    DECORATOR = 3  # applied as a decorator
    CALL = 4  # called, or passed to a call (which may call it)


@dataclass(frozen=True)
class Read:
    """A dotted name read at import time (``nx._dispatchable`` is ``("nx", "_dispatchable")``)."""

    chain: tuple[str, ...]
    use: Use
    line: int


@dataclass(frozen=True)
class ImportBinding:
    """A name an import statement binds: ``import a.b`` binds ``a`` to module ``a``;
    ``import a.b as c`` binds ``c`` to ``a.b``; ``from a import x`` binds ``x`` to ``a``'s ``x``
    (or to module ``a.x``); ``from a import *`` has ``name`` None and ``star`` True."""

    name: str | None
    module: str
    attr: str | None = None

    @property
    def star(self) -> bool:
        """True for ``from module import *``."""
        return self.attr == "*"


@dataclass(frozen=True)
class Statement:
    """One top-level statement and what it does at import time.

    Attributes:
        line, end_line: where it is (1-based, inclusive).
        binds: names it binds at module level.
        reads: dotted names its import-time code reads.
        imports: for an import statement, what it binds.
        definition: the name of a ``def`` or ``class`` statement, else None.
        pure: it calls nothing and has no side effect besides binding names (safe to re-run alone).
        unsure: why its effect cannot be known from the source (``exec``, ``globals()``...), or None.
    """

    line: int
    end_line: int
    binds: frozenset[str]
    reads: tuple[Read, ...]
    imports: tuple[ImportBinding, ...] = ()
    definition: str | None = None
    pure: bool = False
    unsure: str | None = None


@dataclass(frozen=True)
class ModuleSummary:
    """Every top-level statement of a module."""

    statements: tuple[Statement, ...]
    lazy_annotations: bool

    @functools.cached_property
    def heads(self) -> frozenset[str]:
        """First components of every name the module's import-time code reads."""
        return frozenset(r.chain[0] for s in self.statements for r in s.reads)

    @property
    def unsure(self) -> str | None:
        """The first reason the module's import-time effects cannot be known, or None."""
        return next((f"{s.unsure} (line {s.line})" for s in self.statements if s.unsure), None)

    def readers_of(self, name: str) -> list[Statement]:
        """Statements whose import-time code reads ``name`` (first component of a dotted read)."""
        return [s for s in self.statements if any(r.chain[0] == name for r in s.reads)]


_IMPURE = (
    ast.Expr,
    ast.AugAssign,
    ast.Delete,
    ast.With,
    ast.AsyncWith,
    ast.For,
    ast.AsyncFor,
    ast.While,
    ast.Raise,
    ast.Assert,
    ast.Try,
    getattr(ast, "TryStar", ast.Try),
    ast.Global,
    ast.Nonlocal,
    ast.Match,
    ast.If,
    ast.Await,
    ast.Yield,
    ast.YieldFrom,
    ast.NamedExpr,
)
REPLACES_ITSELF = "assigns to sys.modules"
_UNSURE_CALLS = {
    "exec": "calls exec()",
    "eval": "calls eval()",
    "globals": "uses globals()",
    "locals": "uses locals()",
    "vars": "uses vars()",
    "__import__": "calls __import__()",
    "setattr": "calls setattr()",
}


def summarize(source: str | bytes, module_name: str, is_package: bool, filename: str = "<source>") -> ModuleSummary:
    """Summarise a module's source.

    Args:
        source: the module's source.
        module_name: its dotted name (relative imports are resolved against it).
        is_package: whether it is a package's ``__init__``.
        filename: for syntax errors.

    Raises:
        SyntaxError, ValueError: the source does not parse.
    """
    tree = ast.parse(source, filename)
    package = module_name if is_package else module_name.rpartition(".")[0]
    lazy = any(
        isinstance(n, ast.ImportFrom) and n.module == "__future__" and any(a.name == "annotations" for a in n.names)
        for n in tree.body
    )
    statements = tuple(_statement(node, package, lazy) for node in tree.body)
    return ModuleSummary(statements, lazy)


_cache: dict[tuple[str, str, bool], tuple[tuple[int, int], ModuleSummary | None]] = {}


def summary_of(path: str, module_name: str, is_package: bool) -> ModuleSummary | None:
    """:func:`summarize` of a file, cached while its size and mtime are unchanged; None when the
    file cannot be read or parsed."""
    key = (path, module_name, is_package)
    try:
        st = os.stat(path)
        stamp = (st.st_size, st.st_mtime_ns)
        cached = _cache.get(key)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        with open(path, "rb") as f:
            source = f.read()
    except OSError:
        return None
    try:
        summary = summarize(source, module_name, is_package, path)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        summary = None
    _cache[key] = (stamp, summary)
    return summary


def clear_cache() -> None:
    """Forget every cached summary."""
    _cache.clear()


# -- statements -----------------------------------------------------------------------------------


def _statement(node: ast.stmt, package: str, lazy: bool) -> Statement:
    collector = _Reads(lazy)
    imports: tuple[ImportBinding, ...] = ()
    definition = None
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        imports = tuple(_import_bindings(node, package))
    elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        definition = node.name
        collector.definition(node)
    else:
        collector.visit(node)
    binds = frozenset(_binds(node))
    first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", ()))])
    return Statement(
        first,
        getattr(node, "end_lineno", None) or node.lineno,
        binds,
        tuple(collector.reads),
        imports,
        definition,
        pure=not collector.impure and not imports and definition is None,
        unsure=collector.unsure,
    )


def _import_bindings(node: ast.Import | ast.ImportFrom, package: str) -> Iterator[ImportBinding]:
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.asname:
                yield ImportBinding(alias.asname, alias.name)
            else:
                yield ImportBinding(alias.name.split(".")[0], alias.name.split(".")[0])
        return
    base = resolve_from(node, package)
    if base is None:
        return
    for alias in node.names:
        if alias.name == "*":
            yield ImportBinding(None, base, "*")
        else:
            yield ImportBinding(alias.asname or alias.name, base, alias.name)


def _binds(node: ast.stmt) -> Iterator[str]:
    """Names a top-level statement binds in the module namespace."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        yield node.name
        return
    if isinstance(node, ast.Import):
        for alias in node.names:
            yield alias.asname or alias.name.split(".")[0]
        return
    if isinstance(node, ast.ImportFrom):
        yield from (a.asname or a.name for a in node.names if a.name != "*")
        return
    for child in ast.walk(node):
        if isinstance(child, ast.Name) and isinstance(child.ctx, (ast.Store, ast.Del)):
            yield child.id
        elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            yield child.name
        elif isinstance(child, (ast.Import, ast.ImportFrom)):
            yield from (a.asname or a.name.split(".")[0] for a in child.names if a.name != "*")
        elif isinstance(child, ast.ExceptHandler) and child.name:
            yield child.name
        elif isinstance(child, (ast.MatchAs, ast.MatchStar)) and child.name:
            yield child.name
        elif isinstance(child, ast.Global):
            yield from child.names


# -- reads ----------------------------------------------------------------------------------------


def _chain(node: ast.expr) -> tuple[str, ...] | None:
    """``a.b.c`` as ``("a", "b", "c")``; None for anything that is not a dotted name."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return tuple(reversed(parts))
    return None


class _Reads:
    """Collects the dotted names that import-time code reads, with their :class:`Use`."""

    def __init__(self, lazy_annotations: bool) -> None:
        self.lazy = lazy_annotations
        self.reads: list[Read] = []
        self.impure = False
        self.unsure: str | None = None

    def visit(self, node: ast.AST, use: Use = Use.USE) -> None:
        """Record the reads of ``node`` (a statement or an expression) used as ``use``."""
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            self.definition(node)
            return
        if isinstance(node, (ast.Name, ast.Attribute)):
            chain = _chain(node)
            if chain is not None:
                if isinstance(node.ctx, ast.Load):
                    self.reads.append(Read(chain, use, node.lineno))
                elif isinstance(node, ast.Attribute) or isinstance(node.ctx, ast.Del):
                    self.impure = isinstance(node, ast.Attribute) or self.impure
                    if len(chain) > 1:
                        self.reads.append(Read(chain[:-1], Use.USE, node.lineno))
                return
        if isinstance(node, ast.Call):
            self._call(node)
            return
        self._inner(node, use)

    def _inner(self, node: ast.AST, use: Use) -> None:
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            for target in getattr(node, "targets", None) or [node.target]:
                self.visit(target)
            if isinstance(node, ast.AnnAssign) and not self.lazy:
                self.visit(node.annotation, Use.USE)
            if node.value is not None:
                self.visit(node.value, Use.TRANSFER)
            return
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            for element in node.elts:
                self.visit(element, Use.TRANSFER if use is Use.TRANSFER else use)
            return
        if isinstance(node, ast.Dict):
            for part in [*node.keys, *node.values]:
                if part is not None:
                    self.visit(part, Use.TRANSFER if use is Use.TRANSFER else use)
            return
        if isinstance(node, ast.Starred):
            self.visit(node.value, use)
            return
        if (
            isinstance(node, ast.Subscript)
            and not isinstance(node.ctx, ast.Load)
            and _chain(node.value) in (("sys", "modules"), ("modules",))
            and self.unsure is None
        ):
            self.unsure = REPLACES_ITSELF
        docstring = isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        if (isinstance(node, _IMPURE) and not docstring) or (
            isinstance(node, ast.Subscript) and not isinstance(node.ctx, ast.Load)
        ):
            self.impure = True
        inner = Use.CALL if use is Use.CALL else Use.USE
        for child in ast.iter_child_nodes(node):
            self.visit(child, inner)

    def _call(self, node: ast.Call) -> None:
        self.impure = True
        chain = _chain(node.func)
        if chain is not None and len(chain) == 1 and chain[0] in _UNSURE_CALLS and self.unsure is None:
            self.unsure = _UNSURE_CALLS[chain[0]]
        if chain is not None and chain[-2:] == ("sys", "modules") and self.unsure is None:
            self.unsure = "changes sys.modules"
        for child in ast.iter_child_nodes(node):
            self.visit(child, Use.CALL)

    def definition(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> None:
        """The import-time part of a ``def`` or ``class`` statement."""
        for decorator in node.decorator_list:
            chain = _chain(decorator)
            if chain is not None:
                self.reads.append(Read(chain, Use.DECORATOR, decorator.lineno))
            else:
                self.visit(decorator, Use.CALL)
        if isinstance(node, ast.ClassDef):
            for base in node.bases:
                self.visit(base, Use.BASE)
            for keyword in node.keywords:
                self.visit(keyword.value, Use.CALL)
            for statement in node.body:
                self.visit(statement)
            return
        arguments = node.args
        for default in [*arguments.defaults, *(d for d in arguments.kw_defaults if d is not None)]:
            self.visit(default, Use.TRANSFER)
        if not self.lazy:
            for annotation in _annotations(node):
                self.visit(annotation, Use.USE)


def _annotations(node: ast.FunctionDef | ast.AsyncFunctionDef) -> Iterator[ast.expr]:
    arguments = node.args
    every = [
        *arguments.posonlyargs,
        *arguments.args,
        *arguments.kwonlyargs,
        *filter(None, [arguments.vararg, arguments.kwarg]),
    ]
    yield from (a.annotation for a in every if a.annotation is not None)
    if node.returns is not None:
        yield node.returns
