"""A real package whose import-time code refuses to run twice: a copy of networkx (its
``@_dispatchable`` decorator rejects a second registration of a name). Adding a method to
``Graph`` and a function to ``classes/function.py`` reloads, and the library keeps working."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from conftest import run, vendored_copy

pytest.importorskip("networkx")


@pytest.fixture
def networkx_copy(tmp_path, monkeypatch):
    with vendored_copy("networkx", tmp_path, monkeypatch, ignore=("tests",)) as target:
        yield target


def _edit(path: Path, old: str, new: str, second: int) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    os.utime(path, ns=(second * 10**9, second * 10**9))


def test_networkx_edits_reload_and_the_algorithms_keep_working(ip, networkx_copy):
    run(ip, "import networkx as nx\nG = nx.path_graph(5)\nOldGraph = nx.Graph")
    assert sys.modules["networkx"].__file__ == str(networkx_copy / "__init__.py")
    _edit(
        networkx_copy / "classes" / "graph.py",
        "    def __iter__(self):",
        "    def leaves(self):\n        return [n for n in self if self.degree(n) == 1]\n\n    def __iter__(self):",
        1_600_000_100,
    )
    _edit(
        networkx_copy / "classes" / "function.py",
        "def nodes(G):",
        "def node_total(G):\n    return sum(1 for _ in G)\n\n\ndef nodes(G):",
        1_600_000_100,
    )
    _edit(networkx_copy / "classes" / "function.py", "__all__ = [\n", '__all__ = [\n    "node_total",\n', 1_600_000_100)

    report = run(ip, "%reload_deep")

    assert {"networkx.classes.graph", "networkx.classes.function"} <= set(report.ran)
    assert run(ip, "(G.leaves(), nx.node_total(G), nx.Graph is OldGraph)") == ([0, 4], 5, True)
    assert run(
        ip,
        "(nx.shortest_path(G, 0, 4), nx.DiGraph(G).number_of_edges(), "
        "sorted(nx.connected_components(nx.Graph([(1, 2), (3, 4)]))))",
    ) == ([0, 1, 2, 3, 4], 8, [{1, 2}, {3, 4}])
    executed = [m.name for m in report.modules if m.action == "executed"]
    assert executed == [], f"re-executed: {executed}\n{report}"
