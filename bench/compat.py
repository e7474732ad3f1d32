"""What survives a reload: every scenario of tests/snippets against ipy_reimport, IPython's
``%autoreload 2`` and (when installed) jurigged.

Usage: ``python bench/compat.py [--only CASE ...] [--tool TOOL ...] [--verbose] [--markdown]``

Each (scenario, tool) pair runs in its own fresh interpreter (``bench/compat_child.py``) with a
real IPython shell: the user imports the scenario's package, holds objects, the files are edited
(explicit mtimes) and the tool applies the edit as a user would let it; then the scenario's
checks are evaluated. The matrix goes to stdout, progress to stderr. The figures are
deterministic: run it twice and they are the same.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests"))
from scenarios import Scenario, all_scenarios, load  # noqa: E402

TOOLS = {"ipy_reimport": "ipy_reimport", "autoreload": "autoreload 2", "jurigged": "jurigged"}
DISTRIBUTIONS = {"ipy_reimport": "ipy-reimport", "autoreload": "ipython", "jurigged": "jurigged"}
TIMEOUT = 60  # seconds for one (scenario, tool) interpreter
NOT_INSTALLED = "not installed"


@dataclass
class Outcome:
    """What one tool did on one scenario: checks that held, failed, or do not apply to it."""

    passed: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    not_applicable: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: str | None = None  # the interpreter crashed or timed out; no check counts

    @property
    def total(self) -> int:
        return len(self.passed) + len(self.failed)

    @property
    def complete(self) -> bool:
        return self.error is None and not self.failed

    def cell(self) -> str:
        """The matrix cell: ``7/8``, with ``*`` when some checks did not apply."""
        if self.error is not None:
            return self.error
        return f"{len(self.passed)}/{self.total}" + ("*" if self.not_applicable else "")


def needs_report(expression: str) -> bool:
    """Checks that read ipy_reimport's report (``str(REPORT)``): other tools have none."""
    return "REPORT" in expression


def installed(tool: str) -> bool:
    """Whether the tool can be imported in a child (without importing it here)."""
    return tool != "jurigged" or importlib.util.find_spec("jurigged") is not None


def version_of(tool: str) -> str:
    """The installed version of the distribution behind the tool."""
    try:
        return importlib.metadata.version(DISTRIBUTIONS[tool])
    except importlib.metadata.PackageNotFoundError:
        return NOT_INSTALLED


def run_child(scenario: Scenario, tool: str, workdir: str, env: dict) -> dict | str:
    """Run one (scenario, tool) cell; its JSON outcome, or a short error for the matrix."""
    root = tempfile.mkdtemp(dir=workdir)
    out = os.path.join(root, "outcome.json")
    cmd = [sys.executable, os.path.join(HERE, "compat_child.py"), scenario.name, tool, root, out]
    try:
        proc = subprocess.run(cmd, env=env, cwd=root, capture_output=True, text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return "timeout"
    if proc.returncode != 0 or not os.path.exists(out):
        print(f"  {scenario.name} / {tool} FAILED ({proc.returncode}):\n{proc.stderr[-2000:]}", file=sys.stderr)
        return "crashed"
    with open(out) as f:
        return json.load(f)


def outcome_of(scenario: Scenario, tool: str, result: dict | str) -> Outcome:
    """Sort the child's check results into passed, failed and not applicable."""
    if isinstance(result, str):
        return Outcome(error=result)
    outcome = Outcome(notes=result["notes"])
    for version, checks in sorted(scenario.checks.items()):
        for label, expression in checks.items():
            name = f"v{version}: {label}"
            if tool != "ipy_reimport" and needs_report(expression):
                outcome.not_applicable.append(name)
            elif result["checks"][str(version)][label]:
                outcome.passed.append(name)
            else:
                outcome.failed.append(name)
    return outcome


def measure(scenarios: list[Scenario], tools: list[str]) -> dict[str, dict[str, Outcome]]:
    """Every scenario against every installed tool, one fresh interpreter each."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    matrix: dict[str, dict[str, Outcome]] = {}
    with tempfile.TemporaryDirectory(prefix="compat-") as workdir:
        env["IPYTHONDIR"] = os.path.join(workdir, "ipython")
        for scenario in scenarios:
            matrix[scenario.name] = {}
            for tool in tools:
                if not installed(tool):
                    matrix[scenario.name][tool] = Outcome(error=NOT_INSTALLED)
                    continue
                print(f"  {scenario.name:20} {TOOLS[tool]}", file=sys.stderr, flush=True)
                result = run_child(scenario, tool, workdir, env)
                matrix[scenario.name][tool] = outcome_of(scenario, tool, result)
    return matrix


def table(header: list[str], rows: list[list[str]], markdown: bool) -> str:
    """Left-aligned columns, or a Markdown table."""
    if markdown:
        lines = [header, ["---"] + ["---:"] * (len(header) - 1), *rows]
        return "\n".join("| " + " | ".join(row) + " |" for row in lines)
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=False)).rstrip() for r in [header, *rows])


def report(scenarios: list[Scenario], tools: list[str], matrix: dict, verbose: bool, markdown: bool) -> None:
    """Print the matrix, the totals, the tool versions and (verbose) what failed."""
    rows = []
    for scenario in scenarios:
        count = sum(len(checks) for checks in scenario.checks.values())
        rows.append([f"{scenario.name} ({count})", *(matrix[scenario.name][t].cell() for t in tools)])
    if markdown:
        rows.append(["**every check holds**", *(score(matrix, scenarios, t)[0] for t in tools)])
        rows.append(["**checks that hold**", *(score(matrix, scenarios, t)[1] for t in tools)])
    print(table(["scenario (checks)", *(TOOLS[t] for t in tools)], rows, markdown))
    if any(o.not_applicable for row in matrix.values() for o in row.values()):
        print(
            "* not counted: checks of ipy_reimport's report (what was replaced and who holds the old "
            "objects); the other tools print none"
        )
    print()
    for tool in tools:
        print(totals(tool, [matrix[s.name][tool] for s in scenarios]))
    print("versions: " + ", ".join(f"{TOOLS[t]} {version_of(t)}" for t in tools) + f", Python {sys.version.split()[0]}")
    if verbose:
        print_failures(scenarios, tools, matrix)


def score(matrix: dict, scenarios: list[Scenario], tool: str) -> tuple[str, str]:
    """``('16/16', '97/97')``: complete scenarios and checks that held, for the Markdown table."""
    outcomes = [matrix[s.name][tool] for s in scenarios]
    if any(o.error == NOT_INSTALLED for o in outcomes):
        return NOT_INSTALLED, NOT_INSTALLED
    checks = f"{sum(len(o.passed) for o in outcomes)}/{sum(o.total for o in outcomes if o.error is None)}"
    return f"{sum(o.complete for o in outcomes)}/{len(outcomes)}", checks


def totals(tool: str, outcomes: list[Outcome]) -> str:
    """``ipy_reimport 16/16 scenarios, 98/98 checks``."""
    if all(o.error == NOT_INSTALLED for o in outcomes):
        return f"{TOOLS[tool]}: {NOT_INSTALLED}"
    complete = sum(o.complete for o in outcomes)
    passed = sum(len(o.passed) for o in outcomes)
    counted = sum(o.total for o in outcomes if o.error is None)
    skipped = sum(len(o.not_applicable) for o in outcomes)
    errors = sum(o.error is not None for o in outcomes)
    return (
        f"{TOOLS[tool]} {complete}/{len(outcomes)} scenarios, {passed}/{counted} checks"
        + (f" ({skipped} not applicable)" if skipped else "")
        + (f", {errors} scenarios crashed or timed out" if errors else "")
    )


def print_failures(scenarios: list[Scenario], tools: list[str], matrix: dict) -> None:
    """Per scenario and tool: the checks that failed and what the tool said."""
    print("\nWhat failed:")
    for scenario in scenarios:
        for tool in tools:
            outcome = matrix[scenario.name][tool]
            if outcome.error == NOT_INSTALLED or not (outcome.failed or outcome.notes or outcome.error):
                continue
            print(f"  {scenario.name} / {TOOLS[tool]}:" + (f" {outcome.error}" if outcome.error else ""))
            for label in outcome.failed:
                print(f"    - {label}")
            for note in outcome.notes:
                print(f"    ! {note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", metavar="CASE", help="run only this scenario (repeatable)")
    parser.add_argument("--tool", action="append", choices=sorted(TOOLS), help="run only this tool (repeatable)")
    parser.add_argument("--verbose", action="store_true", help="list the failed checks and the tools' errors")
    parser.add_argument("--markdown", action="store_true", help="print the matrix as a Markdown table")
    args = parser.parse_args()
    names = [s.name for s in all_scenarios()]
    unknown = [name for name in args.only or [] if name not in names]
    if unknown:
        parser.error(f"no scenario {', '.join(unknown)} (known: {', '.join(names)})")
    scenarios = [load(name) for name in args.only] if args.only else all_scenarios()
    tools = [t for t in TOOLS if not args.tool or t in args.tool]
    start = time.monotonic()
    matrix = measure(scenarios, tools)
    print(
        f"\n== What survives a reload: {len(scenarios)} scenario(s) of tests/snippets, a fresh interpreter "
        f"per scenario and tool =="
    )
    report(scenarios, tools, matrix, args.verbose, args.markdown)
    print(f"done in {time.monotonic() - start:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
