"""Run every notebook of notebooks/ headless (on a copy) and check what the demo shows.

A cell that raises fails the test, except cells tagged ``raises-exception`` (nbclient lets those
fail). The notebooks run in a copy of the folder under ``tmp_path``, so the repository is never
touched; the test also checks that a notebook puts back every file it edits.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
PATHS = sorted(NOTEBOOKS.glob("*.ipynb"))
CACHES = ("__pycache__", ".ipynb_checkpoints")


def snapshot(root: Path, skip_caches: bool = False) -> dict[str, bytes]:
    """Every file under ``root`` (relative path -> content)."""
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and not (skip_caches and any(p in CACHES for p in path.relative_to(root).parts))
    }


def execute(notebook: Path, tmp_path: Path) -> tuple[nbformat.NotebookNode, Path]:
    """Copy notebooks/ into ``tmp_path`` and execute ``notebook`` there; cell errors raise."""
    work = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOKS, work, ignore=shutil.ignore_patterns(*CACHES))
    nb = nbformat.read(work / notebook.name, as_version=4)
    client = NotebookClient(
        nb, timeout=120, kernel_name="python3", allow_errors=False, resources={"metadata": {"path": str(work)}}
    )
    client.execute()
    return nb, work


def output_text(cell) -> str:
    """Everything a code cell showed, as text: streams, plain-text results, errors."""
    parts = []
    for out in cell.get("outputs", []):
        if out.output_type == "stream":
            parts.append(out.text)
        elif out.output_type in ("execute_result", "display_data"):
            parts.append(out.data.get("text/plain", ""))
        elif out.output_type == "error":
            parts.append(f"{out.ename}: {out.evalue}\n" + "\n".join(out.traceback))
    return "\n".join(parts)


def code_cells(nb) -> list:
    return [cell for cell in nb.cells if cell.cell_type == "code"]


def errors(cell) -> list:
    return [out for out in cell.get("outputs", []) if out.output_type == "error"]


def reload_order(text: str) -> list[str]:
    """Module names of a ``%reload_deep`` report, in the order listed."""
    return re.findall(r"^\s+\d+\.\s+(\S+)", text, flags=re.MULTILINE)


def state_of(text: str, module: str) -> str | None:
    """The state of ``module`` in a ``%stale`` table."""
    found = re.search(rf"^\s+{re.escape(module)}\s+(\w+)\s", text, flags=re.MULTILINE)
    return found.group(1) if found else None


def check_demo(nb) -> None:
    """What demo.ipynb is meant to show, on its executed outputs."""
    cells = code_cells(nb)
    sources = [cell.source.strip() for cell in cells]
    texts = [output_text(cell) for cell in cells]

    # The first %stale: units.py was edited, its importers are dependent.
    first_stale = texts[sources.index("%stale")]
    assert state_of(first_stale, "shapes.units") == "stale", first_stale
    assert state_of(first_stale, "shapes.geometry") == "stale", first_stale
    assert state_of(first_stale, "shapes.report") == "dependent", first_stale
    assert state_of(first_stale, "shapes") == "dependent", first_stale

    # The dry run and every successful reload list dependencies first.
    dry = texts[sources.index("%reload_deep --dry-run")]
    assert "dry run: nothing changed" in dry, dry
    reloads = [i for i, s in enumerate(sources) if s == "%reload_deep" and not errors(cells[i])]
    assert len(reloads) == 2, "expected two successful %reload_deep cells"
    for text in [dry] + [texts[i] for i in reloads]:
        order = reload_order(text)
        assert {"shapes.units", "shapes.geometry", "shapes.report"} <= set(order), text
        assert order.index("shapes.units") < order.index("shapes.geometry") < order.index("shapes.report"), text
    # Only what changed runs: two assignments, one method body; report's UNIT is rebound.
    first = texts[reloads[0]]
    assert "shapes.units" in first and "ran 2 changed statements" in first, first
    assert "patched Circle.describe" in first and "rebound UNIT" in first, first
    assert "re-executed" not in first, first

    # After the first reload the old objects run the new code and see the new units.
    after = texts[reloads[0] + 1]
    assert "circle of diameter 40 mm" in after, after
    assert "total area 2157 mm²" in after, after
    assert after.rstrip().endswith("True"), after  # isinstance(c, geometry.Circle)

    # The broken edit: exactly the tagged cell fails, with a short ReloadFailed naming the file.
    failed = [i for i, cell in enumerate(cells) if errors(cell)]
    assert len(failed) == 1, f"expected one failing cell, got {failed}"
    (index,) = failed
    assert "raises-exception" in cells[index].metadata.get("tags", [])
    error = errors(cells[index])[0]
    assert error.ename == "ReloadFailed", error
    assert "geometry.py, line" in error.evalue and "rolled back" in error.evalue, error.evalue

    # ... after which everything still runs the previous code, and the files are still stale.
    assert "circle of diameter 40 mm" in texts[index + 1], texts[index + 1]
    assert "2157 mm²" in texts[index + 1], texts[index + 1]
    assert state_of(texts[index + 2], "shapes.units") == "stale", texts[index + 2]
    assert state_of(texts[index + 2], "shapes.geometry") == "stale", texts[index + 2]

    # The fixed edit reloads: metres now.
    assert reloads[1] > index
    assert "circle of diameter 0.04 m" in texts[reloads[1] + 1], texts[reloads[1] + 1]

    # %invalidate prints one line; the new module is imported and used.
    invalidated = texts[sources.index("%invalidate")]
    assert invalidated.startswith("Invalidated import caches") and invalidated.count("\n") <= 1, invalidated
    assert "'square of side 0.01 m'" in texts[sources.index("%invalidate") + 1]

    # joblib's reused workers run the new code after %reload_deep, and the report counts them.
    in_workers = texts[sources.index("%reload_deep .geometry") - 2]
    assert "['circle of diameter 0.04 m']" in in_workers, in_workers
    report = texts[sources.index("%reload_deep .geometry")]
    assert re.search(r"joblib \(loky\): 2 current \(.*\), 0 behind", report), report
    assert "['round shape of diameter 0.04 m']" in texts[sources.index("%reload_deep .geometry") + 1]


CHECKS = {"demo.ipynb": check_demo}


def test_demo_notebook_exists():
    assert NOTEBOOKS / "demo.ipynb" in PATHS


@pytest.mark.parametrize("notebook", PATHS, ids=lambda path: path.name)
def test_notebook_is_stored_clean(notebook):
    nb = nbformat.read(notebook, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata.kernelspec.name == "python3"
    for cell in code_cells(nb):
        assert cell.outputs == [] and cell.execution_count is None, f"outputs not cleared: {cell.source!r}"


@pytest.mark.parametrize("notebook", PATHS, ids=lambda path: path.name)
def test_notebook_runs(notebook, tmp_path):
    repository_before = snapshot(NOTEBOOKS)
    copied = snapshot(NOTEBOOKS, skip_caches=True)

    nb, work = execute(notebook, tmp_path)

    assert snapshot(work, skip_caches=True) == copied, "the notebook did not restore the files it changed"
    assert snapshot(NOTEBOOKS) == repository_before, "running the test changed notebooks/ in the repository"
    CHECKS.get(notebook.name, lambda nb: None)(nb)
