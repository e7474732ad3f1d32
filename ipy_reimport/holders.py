"""Who still holds an object that a reload had to replace: variables of the user's namespace."""

from __future__ import annotations

import types
from collections.abc import Iterable
from typing import Any

__all__ = ["holders_of"]

_IGNORED = frozenset({"In", "Out", "exit", "quit", "get_ipython"})
_LIMIT = 8


def holders_of(namespace: dict | None, replaced: Iterable[Any]) -> dict[int, list[str]]:
    """Names in ``namespace`` (top level, and one level into lists, tuples, dicts and sets) that
    refer to a replaced object, or to an instance of a replaced class.

    Returns:
        For each replaced object's ``id``, up to eight names such as ``s``, ``items[2]``, ``d['k']``.
    """
    targets = {id(obj): obj for obj in replaced}
    found: dict[int, list[str]] = {}
    if not namespace or not targets:
        return found
    for name, value in list(namespace.items()):
        if name.startswith("_") or name in _IGNORED or isinstance(value, types.ModuleType):
            continue
        for label, item in _items(name, value):
            for key in _matches(item, targets):
                names = found.setdefault(key, [])
                if len(names) < _LIMIT and label not in names:
                    names.append(label)
    return found


def _items(name: str, value: Any):
    yield name, value
    if type(value) in (list, tuple):
        yield from ((f"{name}[{i}]", v) for i, v in enumerate(value[:1000]))
    elif type(value) is dict:
        yield from ((f"{name}[{k!r}]", v) for k, v in list(value.items())[:1000])
    elif type(value) in (set, frozenset):
        yield from ((f"{name} (an item)", v) for v in list(value)[:1000])


def _matches(item: Any, targets: dict[int, Any]) -> list[int]:
    keys = [id(item)] if id(item) in targets else []
    cls = type(item)
    if id(cls) in targets:
        keys.append(id(cls))
    if isinstance(item, type):
        keys.extend(id(base) for base in item.__mro__[1:] if id(base) in targets)
    return keys
