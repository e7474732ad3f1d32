"""Kinds of classes: how a kept class takes over the content of its new version.

A plain class takes the new methods, attributes and descriptors (see :mod:`.patching`). Classes
that a library or a metaclass builds need more, and each kind says what in one small adapter:
when the kept class must be replaced instead (and why), which members it updates itself, what to
do once the members are in place, and which edits it cannot take without running the class
statement again. Library adapters are active only when the library is already imported: nothing
here imports attrs or pydantic.
"""

from __future__ import annotations

import abc
import enum
import sys
import types
import typing
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .patching import Patcher
    from .source_diff import DefinitionChange

__all__ = ["ClassKind", "kinds_of", "CREATION_MEMBERS"]

# Members a subclass's creation reads from its bases (fields, slots, hooks): when one of them
# changed, a class statement that inherits must run again.
CREATION_MEMBERS = frozenset(
    {
        "__init_subclass__",
        "__slots__",
        "__annotations__",
        "__abstractmethods__",
        "__set_name__",
        "__dataclass_fields__",
        "__dataclass_params__",
        "__attrs_attrs__",
        "__pydantic_fields__",
        "__pydantic_decorators__",
        "model_config",
        "__class_getitem__",
        "_fields",
    }
)


class ClassKind:
    """The default: a class whose statement builds it completely."""

    name = "class"
    builds_members = False  # a decorator or metaclass derives members from the class body

    def applies(self, cls: type) -> bool:
        """Whether this kind describes ``cls``."""
        return True

    def unsafe(self, old: type, new: type) -> str | None:
        """Why ``old`` cannot take ``new``'s content (it must be replaced), or None."""
        return None

    def handled(self, old: type, new: type) -> frozenset[str]:
        """Members that :meth:`update` sets itself (the generic update leaves them alone)."""
        return frozenset()

    def update(self, old: type, new: type, patcher: Patcher) -> None:
        """Finish updating ``old`` after the generic update took the new members."""

    def in_place(self, cls: type, change: DefinitionChange) -> str | None:
        """Why a definitions-only edit of ``cls`` needs its class statement to run, or None."""
        if not self.builds_members or change.kind in ("moved",):
            return None
        name = change.path[-1]
        if change.kind in ("added", "removed") and (name.startswith("__") or _decorated(change)):
            return f"{'.'.join(change.path)} was {change.kind}, and a {self.name} builds its class from its members"
        if change.kind == "changed" and change.signature and _decorated(change):
            return (
                f"the signature of {'.'.join(change.path)} changed, and a {self.name} reads it when it builds the class"
            )
        return None


def _decorated(change: DefinitionChange) -> bool:
    node = change.node if change.node is not None else change.old
    return bool(getattr(node, "decorator_list", None))


class EnumKind(ClassKind):
    """``Enum``, ``IntEnum``, ``Flag``...: members keep their identity; added members join the
    kept class, removed ones leave it; a member whose value changed takes the new value (or, for
    a member that is an ``int``/``str``, is replaced)."""

    name = "Enum"
    builds_members = True

    def applies(self, cls: type) -> bool:
        return isinstance(cls, enum.EnumMeta)

    def unsafe(self, old: type, new: type) -> str | None:
        if old._member_type_ is not new._member_type_:
            return "Enum member type changed"
        return None

    def handled(self, old: type, new: type) -> frozenset[str]:
        return (
            frozenset(old.__members__)
            | frozenset(new.__members__)
            | frozenset(k for k in new.__dict__ if _is_sunder(k))
            | {"__new__"}
        )

    def update(self, old: type, new: type, patcher: Patcher) -> None:
        translate, undo = patcher.translator, patcher.undo
        previous = dict(old.__members__)
        made_on_demand = _pseudo_members(old.__dict__.get("_value2member_map_", {}), previous, new)
        for name, member in new.__members__.items():
            prior = previous.get(name)
            if prior is None or (not _same_value(prior, member) and old._member_type_ is not object):
                translate.adopt(member)
                if prior is not None:
                    patcher.note_replaced(f"{old.__qualname__}.{name}", "member value changed")
                continue
            if not _same_value(prior, member):
                undo.set(prior, "_value_", member._value_)
            translate.keep(member, prior)
        for key in [k for k in new.__dict__ if _is_sunder(k)]:
            undo.set(old, key, _translated_copy(new.__dict__[key], translate))
        undo.set(old, "_value2member_map_", {**made_on_demand, **old._value2member_map_})
        for name in new.__members__:
            undo.set(old, name, translate(new.__dict__.get(name, new.__members__[name])))
        for name in previous.keys() - new.__members__.keys():
            if name in old.__dict__:
                undo.delete(old, name)


def _pseudo_members(old_map: dict, previous: dict, new: type) -> dict:
    """Members the old class made on demand (``Flag`` combinations) that are still valid: kept,
    so that a combination held by the user still compares equal."""
    kept = {}
    mask = new.__dict__.get("_flag_mask_")
    for value, member in old_map.items():
        if getattr(member, "_name_", None) in previous or value in new._value2member_map_:
            continue
        if mask is None or (isinstance(value, int) and value & ~mask == 0):
            kept[value] = member
    return kept


def _is_sunder(key: str) -> bool:
    return len(key) > 2 and key[0] == key[-1] == "_" and key[1] != "_" and key[-2] != "_"


def _same_value(a: Any, b: Any) -> bool:
    try:
        return type(a._value_) is type(b._value_) and bool(a._value_ == b._value_)
    except Exception:
        return False


def _translated_copy(value: Any, translate) -> Any:
    if isinstance(value, dict):
        return {translate(k): translate(v) for k, v in value.items()}
    if isinstance(value, list):
        return [translate(v) for v in value]
    return translate(value)


class NamedTupleKind(ClassKind):
    """``typing.NamedTuple`` / ``collections.namedtuple``: instances are tuples of a fixed shape."""

    name = "named tuple"
    builds_members = True

    def applies(self, cls: type) -> bool:
        return issubclass(cls, tuple) and "_fields" in cls.__dict__

    def unsafe(self, old: type, new: type) -> str | None:
        if old.__dict__.get("_fields") != new.__dict__.get("_fields"):
            return "named tuple fields changed (existing instances have the old shape)"
        return None


class DataclassKind(ClassKind):
    """``@dataclass``: the generated methods come from the new class (see the generic update)."""

    name = "dataclass"
    builds_members = True

    def applies(self, cls: type) -> bool:
        return "__dataclass_fields__" in cls.__dict__


class AttrsKind(ClassKind):
    """attrs classes: generated methods and their private globals come from the new class."""

    name = "attrs class"
    builds_members = True

    def applies(self, cls: type) -> bool:
        return "attr" in sys.modules and "__attrs_attrs__" in cls.__dict__


class AbcKind(ClassKind):
    """``abc.ABC`` classes: the set of abstract methods is recomputed, for subclasses too."""

    name = "abstract class"

    def applies(self, cls: type) -> bool:
        return isinstance(cls, abc.ABCMeta)

    def handled(self, old: type, new: type) -> frozenset[str]:
        return frozenset({"__abstractmethods__", "_abc_impl"})

    def update(self, old: type, new: type, patcher: Patcher) -> None:
        patcher.on_done(lambda: refresh_abstract_methods(old, patcher))


def refresh_abstract_methods(cls: type, patcher: Patcher) -> None:
    """Recompute ``__abstractmethods__`` of ``cls`` and of its subclasses (through the undo log)."""
    for klass in [cls, *_subclasses(cls)]:
        if not isinstance(klass, abc.ABCMeta):
            continue
        abstract = {name for name, value in klass.__dict__.items() if getattr(value, "__isabstractmethod__", False)}
        for base in klass.__bases__:
            for name in getattr(base, "__abstractmethods__", ()):
                if getattr(getattr(klass, name, None), "__isabstractmethod__", False):
                    abstract.add(name)
        if frozenset(abstract) != klass.__abstractmethods__:
            patcher.undo.set(klass, "__abstractmethods__", frozenset(abstract))
        klass._abc_caches_clear()


def _subclasses(cls: type) -> Iterator[type]:
    seen, stack = set(), list(type.__subclasses__(cls))
    while stack:
        sub = stack.pop()
        if id(sub) not in seen:
            seen.add(id(sub))
            yield sub
            stack.extend(type.__subclasses__(sub))


class PydanticKind(ClassKind):
    """pydantic v2 models: the validator, serializer and schema embed the class they were built
    for, so they are rebuilt for the kept class (``model_rebuild(force=True)``) once its fields
    are in place, and so are the other models that nest it."""

    name = "pydantic model"
    builds_members = True

    def applies(self, cls: type) -> bool:
        pydantic = sys.modules.get("pydantic")
        base = getattr(pydantic, "BaseModel", None)
        return isinstance(base, type) and issubclass(cls, base) and cls is not base

    def update(self, old: type, new: type, patcher: Patcher) -> None:
        translate = patcher.translator
        for info in (old.__dict__.get("__pydantic_fields__") or {}).values():
            annotation = getattr(info, "annotation", None)
            fixed = translate_type(annotation, translate)
            if fixed is not annotation:
                patcher.undo.set(info, "annotation", fixed)
        annotations = old.__dict__.get("__annotations__")  # noqa: RUF063 (the class's own dict, updated in place)
        if isinstance(annotations, dict):
            patcher.undo.replace_contents(
                annotations, {k: translate_type(v, translate) for k, v in annotations.items()}
            )
        rebuild_model(old, patcher)
        patcher.on_done(lambda: rebuild_nesting_models(old, patcher))


def rebuild_model(model: type, patcher: Patcher) -> None:
    """Rebuild a model's schema, validator and serializer for ``model`` itself (undoable)."""
    patcher.undo.keep_class_dict(model)
    model.model_rebuild(force=True, _parent_namespace_depth=0)


def rebuild_nesting_models(model: type, patcher: Patcher) -> None:
    """Rebuild every loaded model whose fields refer to ``model`` (directly or nested in a type)."""
    base = sys.modules["pydantic"].BaseModel
    done = patcher.rebuilt_models
    for other in _subclasses(base):
        if (
            other is model
            or id(other) in done
            or not _reachable(other)
            or (other.__dict__.get("__pydantic_generic_metadata__") or {}).get("origin")
        ):
            continue
        fields = other.__dict__.get("__pydantic_fields__") or {}
        if any(_mentions(getattr(info, "annotation", None), model) for info in fields.values()):
            done.add(id(other))
            rebuild_model(other, patcher)
            rebuild_nesting_models(other, patcher)


def _reachable(cls: type) -> bool:
    """Whether ``cls`` is the class its module binds under its qualified name (not a discarded
    version of it)."""
    obj: Any = sys.modules.get(cls.__module__)
    for part in cls.__qualname__.split("."):
        obj = getattr(obj, "__dict__", {}).get(part)
    return obj is cls


def _mentions(annotation: Any, cls: type, depth: int = 0) -> bool:
    if annotation is cls:
        return True
    if depth > 8:
        return False
    return any(_mentions(arg, cls, depth + 1) for arg in typing.get_args(annotation))


def translate_type(annotation: Any, translate, depth: int = 0) -> Any:
    """``annotation`` with new classes replaced by the kept ones, also inside ``list[X]``,
    ``X | None``, ``Optional[X]``, ``dict[str, X]``... (unknown forms are returned as they are)."""
    kept = translate(annotation)
    if kept is not annotation or depth > 8:
        return kept
    args = typing.get_args(annotation)
    if not args:
        return annotation
    fixed = tuple(translate_type(a, translate, depth + 1) for a in args)
    if all(a is b for a, b in zip(fixed, args, strict=False)):
        return annotation
    try:
        if isinstance(annotation, types.GenericAlias):
            return types.GenericAlias(annotation.__origin__, fixed)
        if isinstance(annotation, types.UnionType):
            result = fixed[0]
            for arg in fixed[1:]:
                result = result | arg
            return result
        copy_with = getattr(annotation, "copy_with", None)
        if copy_with is not None:
            return copy_with(fixed)
    except TypeError:
        pass
    return annotation


_KINDS = (EnumKind(), NamedTupleKind(), DataclassKind(), AttrsKind(), PydanticKind(), AbcKind())
_PLAIN = ClassKind()


def kinds_of(cls: type) -> list[ClassKind]:
    """The kinds that describe ``cls`` (the plain kind when no other applies)."""
    found = [kind for kind in _KINDS if kind.applies(cls)]
    return found or [_PLAIN]
