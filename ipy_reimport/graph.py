"""Import graph of loaded modules: who imports whom, dependents and reload order.

Pure logic: the only I/O is reading Python source files to find their imports.
Every traversal is iterative, so graphs with many thousands of modules are fine.
"""

from __future__ import annotations

import ast
import heapq
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

__all__ = ["imports_of", "resolve_from", "clear_cache", "ImportGraph"]

_CacheKey = tuple[int, int, str, bool]
_cache: dict[str, tuple[_CacheKey, frozenset[str]]] = {}
cache_hits = 0  # calls of imports_of answered from the cache


def clear_cache() -> None:
    """Drop every cached result of `imports_of`."""
    global cache_hits
    _cache.clear()
    cache_hits = 0


def imports_of(path: str, module_name: str, is_package: bool) -> frozenset[str]:
    """Absolute names a source file may import, relative imports resolved.

    Results are cached per path while the file's mtime and size and the
    arguments stay the same. Unreadable or unparsable files never raise.

    Args:
        path: Path of the Python source file.
        module_name: Dotted name of the module the file defines.
        is_package: Whether the file is a package's ``__init__``.

    Returns:
        Every imported module name and all of its parents. For
        ``from x import y`` both ``x`` and ``x.y`` are included, since ``y``
        may be a submodule. On error, the last good result for ``path`` or an
        empty set.
    """
    global cache_hits
    cached = _cache.get(path)
    try:
        st = os.stat(path)
        key = (st.st_mtime_ns, st.st_size, module_name, is_package)
        if cached is not None and cached[0] == key:
            cache_hits += 1
            return cached[1]
        with open(path, "rb") as f:
            source = f.read()
    except OSError:
        return cached[1] if cached is not None else frozenset()
    package = module_name if is_package else module_name.rpartition(".")[0]
    try:
        tree = ast.parse(source, filename=path)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return cached[1] if cached is not None else frozenset(_names_in(_import_lines(source), package, path))
    result = frozenset(_names_in(tree, package, path))
    _cache[path] = (key, result)
    return result


def _import_lines(source: bytes) -> ast.Module:
    """The one-line import statements of a source that does not parse as a whole."""
    body: list[ast.stmt] = []
    for line in source.decode("utf-8", "replace").splitlines():
        line = line.strip()
        if line.startswith(("import ", "from ")):
            try:
                body.extend(ast.parse(line).body)
            except (SyntaxError, ValueError):
                pass
    return ast.Module(body=body, type_ignores=[])


def _names_in(tree: ast.AST, package: str, path: str) -> Iterator[str]:
    """Imported names and their parents, except the module's own ancestor packages: importing a
    sibling does not make a module depend on its package's ``__init__`` (which often imports it
    back). ``from <ancestor> import value`` of a non-submodule still does."""
    ancestors = set(_with_parents(package)) if package else set()
    for node in _import_time_imports(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield from (n for n in _with_parents(alias.name) if n not in ancestors)
            continue
        base = resolve_from(node, package)
        if base is None:
            continue
        yield from (n for n in _with_parents(base) if n not in ancestors)
        if base in ancestors and _takes_values(node, base, package, path):
            yield base
        for alias in node.names:
            if alias.name != "*":
                yield f"{base}.{alias.name}"


def _takes_values(node: ast.ImportFrom, base: str, package: str, path: str) -> bool:
    """Whether ``from base import ...`` takes something other than submodules of ``base``."""
    directory = os.path.dirname(path)
    for _ in range(package.count(".") - base.count(".")):
        directory = os.path.dirname(directory)
    return any(
        alias.name == "*"
        or not (
            os.path.isfile(os.path.join(directory, alias.name + ".py"))
            or os.path.isdir(os.path.join(directory, alias.name))
        )
        for alias in node.names
    )


def _import_time_imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Import statements that run when the module executes.

    Imports inside functions run at call time and fetch the current module, and those under
    ``if TYPE_CHECKING:`` or ``if __name__ == "__main__":`` do not run on import: none of them
    makes the module depend on a re-execution.
    """
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, ast.If) and _skipped_on_import(node.test):
            stack.extend(reversed(node.orelse))
        elif not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            stack.extend(reversed(list(ast.iter_child_nodes(node))))


def _skipped_on_import(test: ast.expr) -> bool:
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq):
        sides = [test.left, *test.comparators]
        return any(isinstance(s, ast.Name) and s.id == "__name__" for s in sides) and any(
            isinstance(s, ast.Constant) and s.value == "__main__" for s in sides
        )
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def resolve_from(node: ast.ImportFrom, package: str) -> str | None:
    """The absolute module a ``from ... import`` statement in ``package`` imports from (None when
    its dots climb above the top-level package)."""
    if node.level == 0:
        return node.module
    parts = package.split(".") if package else []
    if node.level > len(parts):
        return None
    base = parts[: len(parts) - node.level + 1]
    if node.module:
        base.append(node.module)
    return ".".join(base)


def _with_parents(name: str) -> Iterator[str]:
    parts = name.split(".")
    for i in range(1, len(parts) + 1):
        yield ".".join(parts[:i])


class ImportGraph:
    """Which loaded modules import which.

    Args:
        edges: Maps each module name (a node) to the names it imports.
            Imported names that are not nodes, and self-imports, are dropped.
    """

    def __init__(self, edges: Mapping[str, Iterable[str]]) -> None:
        nodes = frozenset(edges)
        self._imports = {name: frozenset(d for d in deps if d in nodes and d != name) for name, deps in edges.items()}
        importers: dict[str, set[str]] = {name: set() for name in nodes}
        for name, deps in self._imports.items():
            for dep in deps:
                importers[dep].add(name)
        self._importers = {name: frozenset(s) for name, s in importers.items()}
        self._nodes = nodes

    @property
    def nodes(self) -> frozenset[str]:
        """All module names in the graph."""
        return self._nodes

    def imports(self, name: str) -> frozenset[str]:
        """Nodes that `name` imports directly (empty for unknown names)."""
        return self._imports.get(name, frozenset())

    def imported_by(self, name: str) -> frozenset[str]:
        """Nodes that import `name` directly (empty for unknown names)."""
        return self._importers.get(name, frozenset())

    def dependents(self, names: Iterable[str]) -> set[str]:
        """Every node importing any of `names`, directly or transitively.

        Args:
            names: Module names; those that are not nodes are ignored.

        Returns:
            The transitive closure of `imported_by` from `names`. A given name
            is included only if reached again, i.e. through a cycle.
        """
        result: set[str] = set()
        stack = [n for n in names if n in self._importers]
        while stack:
            for importer in self._importers[stack.pop()]:
                if importer not in result:
                    result.add(importer)
                    stack.append(importer)
        return result

    def reload_order(self, names: Iterable[str], rank: Callable[[str], Any] | None = None) -> list[list[str]]:
        """Groups of `names` to reload, dependencies first.

        Args:
            names: Modules to order; those that are not nodes are ignored.
            rank: Sort key of a module (default: its name). Ties fall back
                to the name.

        Returns:
            The strongly connected components of the subgraph induced by
            `names`, each sorted by rank. A group comes after the groups it
            imports; among ready groups, the smallest-ranked goes first.
        """
        rank_of = rank if rank is not None else (lambda n: n)
        key = {n: (rank_of(n), n) for n in names if n in self._imports}
        succ = {n: [d for d in self._imports[n] if d in key] for n in key}
        components = _sccs(sorted(key, key=key.__getitem__), succ)
        groups = [sorted(c, key=key.__getitem__) for c in components]
        group_of = {n: i for i, group in enumerate(groups) for n in group}
        waiting = [0] * len(groups)
        after: list[set[int]] = [set() for _ in groups]
        for name, deps in succ.items():
            me = group_of[name]
            for dep in deps:
                other = group_of[dep]
                if other != me and me not in after[other]:
                    after[other].add(me)
                    waiting[me] += 1
        heap = [(key[g[0]], i) for i, g in enumerate(groups) if not waiting[i]]
        heapq.heapify(heap)
        order: list[list[str]] = []
        while heap:
            i = heapq.heappop(heap)[1]
            order.append(groups[i])
            for j in after[i]:
                waiting[j] -= 1
                if not waiting[j]:
                    heapq.heappush(heap, (key[groups[j][0]], j))
        return order


def _sccs(nodes: list[str], succ: Mapping[str, list[str]]) -> list[list[str]]:
    """Strongly connected components by an iterative Tarjan's algorithm."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> tuple[str, Iterator[str]]:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        return node, iter(succ[node])

    for root in nodes:
        if root in index:
            continue
        work = [visit(root)]
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    work.append(visit(child))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    components.append(_pop_component(stack, on_stack, node))
    return components


def _pop_component(stack: list[str], on_stack: set[str], root: str) -> list[str]:
    component: list[str] = []
    while True:
        node = stack.pop()
        on_stack.discard(node)
        component.append(node)
        if node == root:
            return component
