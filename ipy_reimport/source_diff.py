"""What an edit changed: the executed source of a module compared with its new source.

Pure logic over ``ast``, at the level of top-level statements and class bodies. An edit is
either *definitions only* — function and method bodies (with their signatures and docstrings)
changed, definitions added or removed, definitions moved — or it changed other statements, which
are then listed so that the caller can decide to run just them or to re-execute the module.
A changed decorator, base class or class keyword changes the statement itself.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Literal

__all__ = ["DefinitionChange", "SourceEdit", "compare_sources"]

_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
Definition = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
ChangeKind = Literal["changed", "added", "removed", "moved"]


@dataclass(frozen=True)
class DefinitionChange:
    """One definition that an edit touched.

    Attributes:
        path: names from the module down: ``("f",)``, ``("C", "m")``, ``("C", "Inner", "m")``.
        kind: ``changed`` (body or signature), ``added``, ``removed``, or ``moved`` (same code at
            other lines).
        node: the new definition (None when removed).
        old: the old definition (None when added).
        signature: the defaults or annotations changed (they must be evaluated again).
    """

    path: tuple[str, ...]
    kind: ChangeKind
    node: Definition | None
    old: Definition | None = None
    signature: bool = False

    @property
    def qualname(self) -> str:
        """Dotted path, as in a report (``C.m``)."""
        return ".".join(self.path)

    @property
    def is_function(self) -> bool:
        """True for a ``def``, False for a ``class``."""
        return not isinstance(self.node if self.node is not None else self.old, ast.ClassDef)


@dataclass
class SourceEdit:
    """The outcome of :func:`compare_sources`.

    Attributes:
        definitions: every definition that changed, was added, removed or moved.
        statements: indexes (into the new module's body) of other top-level statements that
            changed, when the old and new statements correspond one to one.
        problem: why only re-executing the module reproduces the edit (statements were added,
            removed or reordered, a decorator or base changed...), with the line; None otherwise.
        new_tree: the new module's AST.
    """

    definitions: list[DefinitionChange] = field(default_factory=list)
    statements: list[int] = field(default_factory=list)
    problem: str | None = None
    new_tree: ast.Module | None = None

    @property
    def unchanged(self) -> bool:
        """Nothing but line positions changed."""
        return self.problem is None and not self.statements and all(d.kind == "moved" for d in self.definitions)


def compare_sources(old: str | bytes, new: str | bytes, filename: str = "<source>") -> SourceEdit:
    """Compare two versions of a module's source.

    Raises:
        SyntaxError, ValueError: the new source does not parse (the old one is assumed to).
    """
    new_tree = ast.parse(new, filename)
    old_tree = ast.parse(old, filename)
    edit = SourceEdit(new_tree=new_tree)
    _compare_body(old_tree.body, new_tree.body, (), edit, top=True)
    return edit


def _dump(node: ast.AST) -> str:
    return ast.dump(node, include_attributes=False)


def _key(node: ast.stmt) -> tuple:
    if isinstance(node, _DEFS):
        return ("def", node.name)
    return ("stmt", _dump(node))


def _compare_body(old: list[ast.stmt], new: list[ast.stmt], path: tuple[str, ...], edit: SourceEdit, top: bool) -> None:
    old_defs, new_defs = _definitions(old), _definitions(new)
    for name in old_defs.keys() & new_defs.keys():
        if len(old_defs[name]) != len(new_defs[name]):
            edit.problem = (
                edit.problem
                or f"{_where(path)}{name} is defined a different number of times (line {new_defs[name][0].lineno})"
            )
            return
    removed = old_defs.keys() - new_defs.keys()
    added = new_defs.keys() - old_defs.keys()
    old_rest = [n for n in old if not (isinstance(n, _DEFS) and n.name in removed)]
    new_rest = [n for n in new if not (isinstance(n, _DEFS) and n.name in added)]
    if not _same_statements(old_rest, new_rest, path, edit, top, new):
        return
    for name in sorted(removed, key=lambda n: old_defs[n][0].lineno):
        edit.definitions.extend(DefinitionChange((*path, name), "removed", None, node) for node in old_defs[name])
    for name in sorted(added, key=lambda n: new_defs[n][0].lineno):
        edit.definitions.extend(DefinitionChange((*path, name), "added", node) for node in new_defs[name])
    for name, nodes in new_defs.items():
        for old_node, node in zip(old_defs.get(name, ()), nodes, strict=False):
            _compare_definition(old_node, node, (*path, name), edit)


def _definitions(body: list[ast.stmt]) -> dict[str, list[Definition]]:
    """Definitions by name, in order (a property's getter and setter share a name)."""
    found: dict[str, list[Definition]] = {}
    for node in body:
        if isinstance(node, _DEFS):
            found.setdefault(node.name, []).append(node)
    return found


def _same_statements(
    old: list[ast.stmt],
    new: list[ast.stmt],
    path: tuple[str, ...],
    edit: SourceEdit,
    top: bool,
    new_body: list[ast.stmt],
) -> bool:
    """Whether the statements other than added/removed definitions correspond; records the
    changed ones (top level) or the problem."""
    if len(old) != len(new):
        edit.problem = (
            edit.problem or f"{_where(path)}statements were added or removed (line {_first_difference(old, new)})"
        )
        return False
    changed = []
    for old_node, new_node in zip(old, new, strict=False):
        old_key, new_key = _key(old_node), _key(new_node)
        if old_key == new_key:
            continue
        if old_key[0] == "def" or new_key[0] == "def" or not top:
            where = "definitions were reordered" if old_key[0] == new_key[0] == "def" else "a statement changed"
            edit.problem = edit.problem or f"{_where(path)}{where} (line {new_node.lineno})"
            return False
        changed.append(new_body.index(new_node))
    edit.statements.extend(changed)
    return True


def _compare_definition(old: Definition, new: Definition, path: tuple[str, ...], edit: SourceEdit) -> None:
    if type(old) is not type(new) or _header(old) != _header(new):
        what = "class statement" if isinstance(new, ast.ClassDef) else "decorators"
        edit.problem = edit.problem or f"the {what} of {'.'.join(path)} changed (line {_first_line([new])})"
        return
    if isinstance(new, ast.ClassDef):
        _compare_body(old.body, new.body, path, edit, top=False)
        return
    if _dump(old) == _dump(new):
        if old.lineno != new.lineno:
            edit.definitions.append(DefinitionChange(path, "moved", new, old))
        return
    signature = _dump(old.args) != _dump(new.args) or _dump(old.returns or ast.Constant(None)) != _dump(
        new.returns or ast.Constant(None)
    )
    edit.definitions.append(DefinitionChange(path, "changed", new, old, signature))


def _header(node: Definition) -> str:
    """Everything of a definition that runs when its statement runs, except defaults and
    annotations: decorators, and for classes the bases and keywords."""
    parts = [_dump(d) for d in node.decorator_list]
    if isinstance(node, ast.ClassDef):
        parts += [_dump(b) for b in node.bases] + [_dump(k) for k in node.keywords]
    return "\n".join(parts)


def _where(path: tuple[str, ...]) -> str:
    return f"in class {'.'.join(path)}, " if path else ""


def _first_line(nodes: list[ast.stmt]) -> int:
    node = nodes[0] if nodes else None
    if node is None:
        return 1
    return min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", ()))])


def _first_difference(old: list[ast.stmt], new: list[ast.stmt]) -> int:
    for old_node, new_node in zip(old, new, strict=False):
        if _key(old_node) != _key(new_node):
            return new_node.lineno
    longer = new[len(old) :] or old[len(new) :]
    return longer[0].lineno if longer else 1
