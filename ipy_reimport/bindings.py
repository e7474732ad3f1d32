"""Names that a module's source binds at module level.

Used to tell which names of a reloaded module's dictionary the new source no longer defines
(``importlib.reload`` keeps them). Returns None when the source binds names it cannot see
(``from x import *``), so that no false "left over" name is reported.
"""

from __future__ import annotations

import ast

__all__ = ["top_level_names"]


def top_level_names(source: str | bytes, filename: str = "<source>") -> frozenset[str] | None:
    """Names bound at module level by ``source``, or None if that cannot be known.

    Args:
        source: the module's source.
        filename: for error messages only.

    Returns:
        Assigned names, ``def``/``class`` names, imported names, loop/``with``/``except``
        targets at module level, and names declared ``global`` in functions; None for a source
        with a star import or one that does not parse.
    """
    try:
        tree = ast.parse(source, filename)
    except (SyntaxError, ValueError):
        return None
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names):
            return None
        if isinstance(node, ast.Global):
            names.update(node.names)
    _collect(tree.body, names)
    return frozenset(names)


_COMPOUND = (
    ast.If,
    ast.While,
    ast.For,
    ast.AsyncFor,
    ast.With,
    ast.AsyncWith,
    ast.Try,
    getattr(ast, "TryStar", ast.Try),
    ast.Match,
)


def _collect(body: list[ast.stmt], names: set[str]) -> None:
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, _COMPOUND):
            _collect_compound(node, names)
        else:
            names.update(_stored(node))


def _collect_compound(node: ast.stmt, names: set[str]) -> None:
    for header in ("test", "target", "iter", "items", "subject"):
        for part in _as_list(getattr(node, header, None)):
            names.update(_stored(part))
    for field in ("body", "orelse", "finalbody"):
        _collect(getattr(node, field, None) or [], names)
    for handler in getattr(node, "handlers", None) or []:
        if handler.name:
            names.add(handler.name)
        _collect(handler.body, names)
    for case in getattr(node, "cases", None) or []:
        names.update(n.name for n in ast.walk(case.pattern) if getattr(n, "name", None))
        _collect(case.body, names)


def _as_list(value) -> list:
    return value if isinstance(value, list) else ([value] if value is not None else [])


def _stored(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
