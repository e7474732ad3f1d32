"""Python functions behind wrappers, and whether two code objects do the same thing.

A module-level name can bind a function, or a wrapper around one: ``functools.wraps``
decorators, decorators that are plain closures, ``classmethod``/``staticmethod``, properties,
``cached_property``, ``functools.partial``, callable objects holding a function
(``np.vectorize``'s ``pyfunc``). :func:`functions_in` finds the functions inside.
"""

from __future__ import annotations

import functools
import types
from collections.abc import Iterator
from typing import Any

__all__ = ["functions_in", "same_code"]


def functions_in(obj: Any, depth: int = 4) -> Iterator[types.FunctionType]:
    """Python functions reachable from ``obj`` through wrapper links: ``__wrapped__``,
    ``__func__``, property accessors, ``cached_property.func``, ``partial.func``, closure cells,
    and the attributes of callable objects (``np.vectorize``'s ``pyfunc``...)."""
    if type(obj) is types.FunctionType and not obj.__closure__ and not obj.__dict__:
        yield obj  # a plain function links to nothing: the common case, without the walk
        return
    seen: set[int] = set()
    stack = [(obj, 0)]
    while stack:
        current, level = stack.pop()
        if id(current) in seen or current is None:
            continue
        seen.add(id(current))
        if isinstance(current, types.FunctionType):
            yield current
        if level >= depth:
            continue
        stack.extend((link, level + 1) for link in _links(current))


def _links(obj: Any) -> list[Any]:
    if isinstance(obj, (type, types.ModuleType)):
        return []
    if isinstance(obj, (classmethod, staticmethod, types.MethodType)):
        return [obj.__func__]
    if isinstance(obj, property):
        return [obj.fget, obj.fset, obj.fdel]
    if isinstance(obj, functools.cached_property):
        return [obj.func]
    if isinstance(obj, functools.partial):
        return [obj.func]
    links = []
    if isinstance(obj, types.FunctionType):
        for cell in obj.__closure__ or ():
            try:
                links.append(cell.cell_contents)
            except ValueError:
                pass
    try:
        attributes = vars(obj)
    except TypeError:
        return links
    links.extend(
        v
        for k, v in attributes.items()
        if callable(v) and not isinstance(v, type) and (k == "__wrapped__" or not isinstance(obj, types.FunctionType))
    )
    return links


def same_code(a: types.CodeType, b: types.CodeType) -> bool:
    """Whether two code objects do the same thing (line numbers aside)."""
    if a is b:
        return True
    if (
        a.co_code,
        a.co_names,
        a.co_varnames,
        a.co_freevars,
        a.co_cellvars,
        a.co_flags,
        a.co_argcount,
        a.co_kwonlyargcount,
        a.co_posonlyargcount,
    ) != (
        b.co_code,
        b.co_names,
        b.co_varnames,
        b.co_freevars,
        b.co_cellvars,
        b.co_flags,
        b.co_argcount,
        b.co_kwonlyargcount,
        b.co_posonlyargcount,
    ) or len(a.co_consts) != len(b.co_consts):
        return False
    for x, y in zip(a.co_consts, b.co_consts, strict=False):
        if isinstance(x, types.CodeType) and isinstance(y, types.CodeType):
            if not same_code(x, y):
                return False
        elif type(x) is not type(y) or x != y:
            return False
    return True
