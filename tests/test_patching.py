"""The patcher and its undo log on namespaces executed directly (no import system involved)."""

from __future__ import annotations

import textwrap

from ipy_reimport.transaction import Transaction
from ipy_reimport.undo import UndoLog


def patch_module(name: str, old_ns: dict, namespace: dict, undo: UndoLog | None = None, transaction=None):
    """Patch a namespace executed from "<mod>" in a transaction (``undo`` receives the changes)."""
    transaction = transaction or Transaction()
    if undo is not None:
        transaction.undo = transaction.patcher.undo = transaction.translator.undo = undo
    return transaction.patcher.module(name, "<mod>", old_ns, namespace)


OLD = """
class Base:
    def who(self):
        return 'base-old'
class C(Base):
    LIMIT = 1
    def who(self):
        return 'c-old+' + super().who()
def f(x=1):
    return ('f-old', x)
"""
NEW = OLD.replace("-old", "-new").replace("LIMIT = 1", "LIMIT = 2").replace("x=1", "x=5")


def execute(source: str, namespace: dict) -> dict:
    exec(compile(textwrap.dedent(source), "<mod>", "exec"), namespace)
    return namespace


def fresh_pair():
    namespace = execute(OLD, {"__name__": "mod"})
    old_ns = dict(namespace)
    execute(NEW, namespace)
    return old_ns, namespace


def test_patch_keeps_identity_and_moves_the_new_code_in():
    old_ns, namespace = fresh_pair()
    instance = old_ns["C"]()
    undo = UndoLog()
    result = patch_module("mod", old_ns, namespace, undo)
    assert sorted(result.patched) == ["Base", "C", "f"] and result.replaced == []
    assert namespace["C"] is old_ns["C"] and namespace["f"] is old_ns["f"]
    assert instance.who() == "c-new+base-new" and old_ns["C"].LIMIT == 2
    assert old_ns["f"]() == ("f-new", 5)


def test_rollback_restores_every_function_and_class():
    old_ns, namespace = fresh_pair()
    C, f = old_ns["C"], old_ns["f"]
    code, defaults, who, limit = f.__code__, f.__defaults__, C.__dict__["who"], C.LIMIT
    undo = UndoLog()
    patch_module("mod", old_ns, namespace, undo)
    undo.rollback()
    assert f.__code__ is code and f.__defaults__ == defaults and f() == ("f-old", 1)
    assert C.__dict__["who"] is who and C.LIMIT == limit and C().who() == "c-old+base-old"


def test_commit_actions_run_only_on_commit():
    calls = []
    undo = UndoLog()
    undo.on_commit(lambda: calls.append("cleared"))
    undo.rollback()
    undo.commit()
    assert calls == []
    undo.on_commit(lambda: calls.append("cleared"))
    undo.commit()
    assert calls == ["cleared"]


def test_objects_defined_elsewhere_are_rebound_not_patched():
    import json

    old_ns = {"__name__": "mod", "loads": json.loads}
    namespace = {"__name__": "mod", "loads": json.dumps}
    result = patch_module("mod", old_ns, namespace, UndoLog())
    assert result.patched == [] and namespace["loads"] is json.dumps


def test_an_alias_of_a_patched_function_is_bound_to_the_kept_object_once():
    namespace = execute("def f():\n    return 'old'\nALIAS = f\n", {"__name__": "mod"})
    old_ns = dict(namespace)
    execute("def f():\n    return 'new'\nALIAS = f\n", namespace)
    result = patch_module("mod", old_ns, namespace, UndoLog())
    assert result.patched == ["f"] and namespace["ALIAS"] is old_ns["f"] is namespace["f"]
    assert old_ns["f"]() == "new"
