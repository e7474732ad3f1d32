"""Tests of ipy_reimport.graph: import discovery, caching and graph ordering."""

from __future__ import annotations

import ast
import os
import textwrap

import pytest

from ipy_reimport import graph
from ipy_reimport.graph import ImportGraph, clear_cache, imports_of


@pytest.fixture(autouse=True)
def _fresh_cache():
    clear_cache()
    yield
    clear_cache()


def write(tmp_path, source, name="mod.py"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(source))
    return str(path)


def set_mtime(path, ns):
    os.utime(path, ns=(ns, ns))


# imports_of: import forms


def test_plain_import_includes_parents(tmp_path):
    path = write(tmp_path, "import a.b.c\nimport os\n")
    assert imports_of(path, "mod", False) == {"a", "a.b", "a.b.c", "os"}


def test_import_as(tmp_path):
    path = write(tmp_path, "import a.b.c as x\n")
    assert imports_of(path, "mod", False) == {"a", "a.b", "a.b.c"}


def test_from_import_includes_imported_names(tmp_path):
    path = write(tmp_path, "from x.y import z, w as v\n")
    assert imports_of(path, "mod", False) == {"x", "x.y", "x.y.z", "x.y.w"}


def test_from_import_star(tmp_path):
    path = write(tmp_path, "from x.y import *\n")
    assert imports_of(path, "mod", False) == {"x", "x.y"}


def test_own_package_is_a_dependency_only_for_values_taken_from_it(tmp_path):
    (tmp_path / "sibling.py").write_text("")
    (tmp_path / "subpkg").mkdir()
    path = write(tmp_path, "from . import sibling, subpkg\nimport pkg.other\n")
    assert imports_of(path, "pkg.mod", False) == {"pkg.sibling", "pkg.subpkg", "pkg.other"}
    path = write(tmp_path, "from . import sibling, VALUE\n")
    assert imports_of(path, "pkg.mod2", False) == {"pkg", "pkg.sibling", "pkg.VALUE"}


def test_relative_from_dot_import(tmp_path):
    path = write(tmp_path, "from . import y\n")
    assert imports_of(path, "pkg.mod", False) == {"pkg", "pkg.y"}


def test_relative_one_level(tmp_path):
    path = write(tmp_path, "from .x import y\n")
    assert imports_of(path, "pkg.mod", False) == {"pkg.x", "pkg.x.y"}


def test_relative_two_levels(tmp_path):
    path = write(tmp_path, "from ..a import b\n")
    assert imports_of(path, "p.q.mod", False) == {"p.a", "p.a.b"}


def test_relative_in_package_init_resolves_against_itself(tmp_path):
    path = write(tmp_path, "from .x import y\nfrom . import z\n", "__init__.py")
    assert imports_of(path, "pkg.sub", True) == {
        "pkg.sub",
        "pkg.sub.x",
        "pkg.sub.x.y",
        "pkg.sub.z",
    }


def test_relative_star(tmp_path):
    path = write(tmp_path, "from .x import *\n")
    assert imports_of(path, "p.q.mod", False) == {"p.q.x"}


def test_relative_above_top_level_is_ignored(tmp_path):
    path = write(tmp_path, "from ..x import y\nfrom ... import z\nimport ok\n")
    assert imports_of(path, "pkg.mod", False) == {"ok"}


def test_relative_in_top_level_module_is_ignored(tmp_path):
    path = write(tmp_path, "from . import y\nimport ok\n")
    assert imports_of(path, "mod", False) == {"ok"}


def test_import_time_imports_count_and_call_time_or_type_checking_ones_do_not(tmp_path):
    source = """
        from typing import TYPE_CHECKING
        import typing
        if TYPE_CHECKING:
            import checked
        else:
            import runtime_only
        if typing.TYPE_CHECKING:
            import checked_too
        try:
            import fast
        except ImportError:
            import slow
        def f():
            from .inner import thing
        class C:
            import in_class_body
            def m(self):
                import deep.mod
        handler = lambda: __import__("lazy")
        if __name__ == "__main__":
            import demo_only
    """
    path = write(tmp_path, source)
    assert imports_of(path, "pkg.mod", False) == {
        "typing",
        "typing.TYPE_CHECKING",
        "runtime_only",
        "fast",
        "slow",
        "in_class_body",
    }


def test_no_imports(tmp_path):
    path = write(tmp_path, "x = 1\n")
    assert imports_of(path, "mod", False) == frozenset()


# imports_of: cache and errors


def test_cache_hit_does_not_reparse(tmp_path, monkeypatch):
    path = write(tmp_path, "import a\n")
    first = imports_of(path, "mod", False)
    calls = []
    monkeypatch.setattr(ast, "parse", lambda *a, **k: calls.append(a) or ast.Module([], []))
    second = imports_of(path, "mod", False)
    assert second == {"a"}
    assert second is first
    assert calls == []
    assert graph.cache_hits == 1


def test_cache_keyed_on_module_name_and_package_flag(tmp_path):
    path = write(tmp_path, "from . import y\n")
    assert imports_of(path, "pkg.mod", False) == {"pkg", "pkg.y"}
    assert imports_of(path, "pkg.mod", True) == {"pkg.mod", "pkg.mod.y"}
    assert imports_of(path, "other.mod", False) == {"other", "other.y"}
    assert graph.cache_hits == 0


def test_cache_invalidated_when_file_changes(tmp_path):
    path = write(tmp_path, "import a\n")
    set_mtime(path, 1_000_000_000_000_000_000)
    assert imports_of(path, "mod", False) == {"a"}
    write(tmp_path, "import b\n")
    set_mtime(path, 2_000_000_000_000_000_000)
    assert imports_of(path, "mod", False) == {"b"}
    assert graph.cache_hits == 0


def test_cache_invalidated_by_size_with_same_mtime(tmp_path):
    path = write(tmp_path, "import a\n")
    set_mtime(path, 1_000_000_000_000_000_000)
    assert imports_of(path, "mod", False) == {"a"}
    write(tmp_path, "import abc\n")
    set_mtime(path, 1_000_000_000_000_000_000)
    assert imports_of(path, "mod", False) == {"abc"}


def test_syntax_error_returns_last_good_result(tmp_path):
    path = write(tmp_path, "import a\n")
    set_mtime(path, 1_000_000_000_000_000_000)
    assert imports_of(path, "mod", False) == {"a"}
    write(tmp_path, "import b\ndef broken(:\n")
    set_mtime(path, 2_000_000_000_000_000_000)
    assert imports_of(path, "mod", False) == {"a"}


def test_syntax_error_without_history_falls_back_to_import_lines(tmp_path):
    path = write(tmp_path, "import b.c\nfrom .x import y\ndef broken(:\n    import hidden\n")
    assert imports_of(path, "pkg.mod", False) == {"b", "b.c", "pkg.x", "pkg.x.y", "hidden"}


def test_null_byte_source_is_empty(tmp_path):
    path = tmp_path / "mod.py"
    path.write_bytes(b"x = 1\x00\n")
    assert imports_of(str(path), "mod", False) == frozenset()


def test_missing_file_is_empty(tmp_path):
    assert imports_of(str(tmp_path / "nope.py"), "nope", False) == frozenset()


def test_deleted_file_returns_last_good_result(tmp_path):
    path = write(tmp_path, "import a\n")
    assert imports_of(path, "mod", False) == {"a"}
    os.remove(path)
    assert imports_of(path, "mod", False) == {"a"}


def test_clear_cache_forgets_results(tmp_path):
    path = write(tmp_path, "import a\n")
    assert imports_of(path, "mod", False) == {"a"}
    clear_cache()
    os.remove(path)
    assert imports_of(path, "mod", False) == frozenset()


# ImportGraph: structure


def chain(n):
    """m0 <- m1 <- ... : each module imports the previous one."""
    return {f"m{i}": [f"m{i - 1}"] if i else [] for i in range(n)}


def test_nodes_are_keys():
    g = ImportGraph({"a": ["b", "os"], "b": []})
    assert g.nodes == frozenset({"a", "b"})


def test_imports_filtered_to_nodes_without_self_edges():
    g = ImportGraph({"a": ["b", "os", "a", "a.x"], "b": ["a"], "c": iter(["b"])})
    assert g.imports("a") == {"b"}
    assert g.imports("b") == {"a"}
    assert g.imports("c") == {"b"}
    assert g.imports("os") == frozenset()


def test_imported_by():
    g = ImportGraph({"a": ["b", "os"], "b": [], "c": ["b", "a"]})
    assert g.imported_by("b") == {"a", "c"}
    assert g.imported_by("a") == {"c"}
    assert g.imported_by("c") == frozenset()
    assert g.imported_by("os") == frozenset()


# ImportGraph: dependents


def test_dependents_chain():
    g = ImportGraph({"a": [], "b": ["a"], "c": ["b"], "d": ["c"], "e": ["d"]})
    assert g.dependents(["a"]) == {"b", "c", "d", "e"}
    assert g.dependents(["c"]) == {"d", "e"}
    assert g.dependents(["e"]) == set()
    assert g.dependents(["b", "d"]) == {"c", "d", "e"}


def test_dependents_diamond():
    g = ImportGraph({"a": [], "b": ["a"], "c": ["a"], "d": ["b", "c"]})
    assert g.dependents(["a"]) == {"b", "c", "d"}
    assert g.dependents(["b"]) == {"d"}
    assert g.dependents(["d"]) == set()


def test_dependents_cycle_includes_given_name():
    g = ImportGraph({"a": [], "b": ["a", "c"], "c": ["b"], "d": ["c"]})
    assert g.dependents(["a"]) == {"b", "c", "d"}
    assert g.dependents(["b"]) == {"b", "c", "d"}
    assert g.dependents(["d"]) == set()


def test_dependents_unknown_names_ignored():
    g = ImportGraph({"a": [], "b": ["a"]})
    assert g.dependents(["zzz", "a"]) == {"b"}
    assert g.dependents(["zzz"]) == set()


def test_dependents_large_chain():
    g = ImportGraph(chain(10_000))
    result = g.dependents(["m0"])
    assert len(result) == 9_999
    assert "m0" not in result
    assert "m9999" in result


# ImportGraph: reload_order


def test_reload_order_chain_dependencies_first():
    g = ImportGraph({"e": ["d"], "d": ["c"], "c": ["b"], "b": ["a"], "a": []})
    assert g.reload_order(["e", "c", "a", "d", "b"]) == [["a"], ["b"], ["c"], ["d"], ["e"]]


def test_reload_order_chain_not_alphabetical():
    g = ImportGraph({"a": ["b"], "b": ["c"], "c": []})
    assert g.reload_order(["a", "b", "c"]) == [["c"], ["b"], ["a"]]


def test_reload_order_diamond():
    g = ImportGraph({"a": [], "b": ["a"], "c": ["a"], "d": ["b", "c"]})
    assert g.reload_order(["d", "c", "b", "a"]) == [["a"], ["b"], ["c"], ["d"]]


def test_reload_order_diamond_rank_puts_c_before_b():
    g = ImportGraph({"a": [], "b": ["a"], "c": ["a"], "d": ["b", "c"]})
    rank = {"a": 3, "b": 2, "c": 1, "d": 0}.__getitem__
    assert g.reload_order(["a", "b", "c", "d"], rank) == [["a"], ["c"], ["b"], ["d"]]


def test_reload_order_cycle_is_one_group_inside_chain():
    g = ImportGraph({"a": [], "b": ["a", "c"], "c": ["b"], "d": ["c"]})
    assert g.reload_order(["d", "c", "b", "a"]) == [["a"], ["b", "c"], ["d"]]


def test_reload_order_cycle_group_sorted_by_rank():
    g = ImportGraph({"x": ["y"], "y": ["z"], "z": ["x"], "w": ["x"]})
    rank = {"x": 2, "y": 0, "z": 1, "w": -5}.__getitem__
    assert g.reload_order(["w", "x", "y", "z"], rank) == [["y", "z", "x"], ["w"]]


def test_reload_order_ready_groups_by_smallest_rank():
    g = ImportGraph({"a": [], "b": [], "c": ["d"], "d": ["c"], "e": []})
    rank = {"a": 5, "b": 1, "c": 4, "d": 0, "e": 2}.__getitem__
    assert g.reload_order(["a", "b", "c", "d", "e"], rank) == [["d", "c"], ["b"], ["e"], ["a"]]


def test_reload_order_rank_ties_fall_back_to_name():
    g = ImportGraph({"c": [], "a": [], "b": []})
    assert g.reload_order(["c", "b", "a"], lambda n: 0) == [["a"], ["b"], ["c"]]


def test_reload_order_default_rank_is_name():
    g = ImportGraph({"c": [], "a": [], "b": []})
    assert g.reload_order(["b", "c", "a"]) == [["a"], ["b"], ["c"]]


def test_reload_order_uses_induced_subgraph():
    g = ImportGraph({"a": ["b"], "b": ["c"], "c": ["a"], "d": ["a"]})
    assert g.reload_order(["a", "b", "d"]) == [["b"], ["a"], ["d"]]


def test_reload_order_ignores_unknown_and_duplicate_names():
    g = ImportGraph({"a": [], "b": ["a"]})
    assert g.reload_order(["zzz", "b", "a", "b", "os"]) == [["a"], ["b"]]
    assert g.reload_order(["zzz"]) == []
    assert g.reload_order([]) == []


def test_reload_order_large_chain_without_recursion():
    g = ImportGraph(chain(10_000))
    order = g.reload_order(reversed(sorted(g.nodes)))
    assert order == [[f"m{i}"] for i in range(10_000)]


def test_reload_order_large_cycle_is_one_group():
    n = 10_000
    edges = {f"m{i}": [f"m{(i + 1) % n}"] for i in range(n)}
    order = ImportGraph(edges).reload_order(edges)
    assert order == [sorted(edges)]


def test_reload_order_each_name_once_with_mixed_sccs():
    edges = {
        "a": ["b"],
        "b": ["a", "c"],
        "c": [],
        "d": ["e", "b"],
        "e": ["d"],
        "f": ["d", "c"],
    }
    order = ImportGraph(edges).reload_order(edges)
    assert order == [["c"], ["a", "b"], ["d", "e"], ["f"]]
