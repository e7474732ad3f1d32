"""Report values: what a reload did, and the table of module states, as text and HTML."""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from .tracker import ModuleState, ModuleStatus

__all__ = ["ModuleReload", "ReloadReport", "StatusTable"]


@dataclass(frozen=True)
class ModuleReload:
    """One module of a reload: how long it took and what patching did."""

    name: str
    file: str | None
    seconds: float
    patched: tuple[str, ...] = ()
    replaced: tuple[tuple[str, str], ...] = ()
    leftover: tuple[str, ...] = ()


@dataclass
class ReloadReport:
    """The outcome of ``reload_deep``: modules in the order they were (or would be) reloaded.

    Attributes:
        groups: the plan; a group of more than one module is an import cycle.
        modules: per-module results (empty for a dry run).
        seconds: total wall time of the call.
        dry_run: True when nothing was executed.
        skipped: ``(name, reason)`` of dependents that could not be reloaded.
        workers: per engine (Dask client, loky executor, other child processes), what its
            worker processes did with the reload (:class:`~ipy_reimport.workers.EngineOutcome`).
    """

    groups: list[list[str]]
    modules: list[ModuleReload] = field(default_factory=list)
    seconds: float = 0.0
    dry_run: bool = False
    skipped: list[tuple[str, str]] = field(default_factory=list)
    workers: list = field(default_factory=list)

    @property
    def order(self) -> list[str]:
        """Names in reload order."""
        return [name for group in self.groups for name in group]

    def __bool__(self) -> bool:
        return bool(self.groups)

    def _headline(self) -> str:
        count = len(self.order)
        noun = "module" if count == 1 else "modules"
        if not count:
            return "Nothing to reload: no module is stale."
        if self.dry_run:
            return f"Would reload {count} {noun}, dependencies first (dry run: nothing changed):"
        return f"Reloaded {count} {noun} in {_ms(self.seconds)}, dependencies first:"

    def _details(self, item: ModuleReload) -> list[str]:
        parts = []
        if item.patched:
            parts.append("patched " + ", ".join(item.patched))
        parts.extend(f"replaced {name} ({why})" for name, why in item.replaced)
        if item.leftover:
            parts.append("left over from the old source: " + ", ".join(item.leftover))
        return parts

    def __str__(self) -> str:
        lines = [self._headline()]
        results = {m.name: m for m in self.modules}
        width = max((len(n) for n in self.order), default=0)
        number = 0
        for group in self.groups:
            cycle = " (import cycle)" if len(group) > 1 else ""
            for name in group:
                number += 1
                item = results.get(name)
                timing = f"  {_ms(item.seconds):>9}" if item else ""
                lines.append(f"  {number:>3}. {name:<{width}}{timing}{cycle}")
                lines.extend(f"         {part}" for part in (self._details(item) if item else []))
        lines.extend(f"  skipped {name}: {why}" for name, why in self.skipped)
        lines.extend(_worker_lines(self.workers))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)

    def _repr_pretty_(self, p, cycle: bool) -> None:
        p.text(str(self))

    def _repr_html_(self) -> str:
        results = {m.name: m for m in self.modules}
        rows = []
        for number, name in enumerate(self.order, 1):
            item = results.get(name)
            details = "<br>".join(html.escape(d) for d in (self._details(item) if item else []))
            timing = _ms(item.seconds) if item else ""
            rows.append(f"<tr><td>{number}</td><td><code>{html.escape(name)}</code></td>"
                        f"<td style='text-align:right'>{timing}</td><td>{details}</td></tr>")
        skipped = "".join(f"<li><code>{html.escape(n)}</code>: {html.escape(w)}</li>" for n, w in self.skipped)
        table = ("<table><thead><tr><th>#</th><th>module</th><th>time</th><th>details</th></tr></thead>"
                 f"<tbody>{''.join(rows)}</tbody></table>") if rows else ""
        return (f"<div class='ipy-reimport-report'><p>{html.escape(self._headline())}</p>{table}"
                + (f"<ul>{skipped}</ul>" if skipped else "") + _worker_html(self.workers) + "</div>")


_STATE_ORDER = {ModuleState.STALE: 0, ModuleState.DEPENDENT: 1, ModuleState.MISSING: 2,
                ModuleState.FRESH: 3, ModuleState.UNRELOADABLE: 4}
_STATE_COLOUR = {ModuleState.STALE: "var(--jp-error-color1, #c62828)",
                 ModuleState.DEPENDENT: "var(--jp-warn-color1, #ef6c00)",
                 ModuleState.MISSING: "var(--jp-error-color2, #6a1b9a)",
                 ModuleState.FRESH: "var(--jp-success-color1, #2e7d32)",
                 ModuleState.UNRELOADABLE: "var(--jp-ui-font-color2, #616161)"}


class StatusTable(list):
    """The rows of ``%stale``: a list of :class:`ModuleStatus`, stale ones first; ``workers``:
    per engine, its worker processes now (``%stale`` fills it)."""

    def __init__(self, statuses: list[ModuleStatus], everything: bool = False):
        super().__init__(sorted(statuses, key=lambda s: (_STATE_ORDER[s.state], s.name)))
        self.everything = everything
        self.workers: list = []

    def counts(self) -> dict[ModuleState, int]:
        """Number of modules in each state."""
        counts = {state: 0 for state in ModuleState}
        for status in self:
            counts[status.state] += 1
        return counts

    def summary(self) -> str:
        """One line: how many modules, and how many in each state that is not zero."""
        scope = "loaded modules" if self.everything else "user modules"
        parts = [f"{n} {state.value}" for state, n in self.counts().items() if n]
        return f"{len(self)} {scope}" + (": " + ", ".join(parts) if parts else "")

    def __str__(self) -> str:
        if not self:
            lines = ["No user modules are loaded." if not self.everything else "No modules are loaded."]
            return "\n".join(lines + _worker_lines(self.workers))
        width = max(len(s.name) for s in self)
        lines = [self.summary(), f"  {'module':<{width}}  {'state':<12}  file"]
        for s in self:
            extra = f"  ({s.reason})" if s.reason and s.state is not ModuleState.FRESH else ""
            lines.append(f"  {s.name:<{width}}  {s.state.value:<12}  {s.file or '-'}{extra}")
        return "\n".join(lines + _worker_lines(self.workers))

    def __repr__(self) -> str:
        return str(self)

    def _repr_pretty_(self, p, cycle: bool) -> None:
        p.text(str(self))

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr data-module='{html.escape(s.name)}' data-state='{s.state.value}'>"
            f"<td><code>{html.escape(s.name)}</code></td>"
            f"<td><span style='color:{_STATE_COLOUR[s.state]};font-weight:bold'>{s.state.value}</span></td>"
            f"<td>{html.escape(s.file or '')}</td><td>{html.escape(', '.join(s.imported_by))}</td>"
            f"<td>{html.escape(s.reason or '')}</td></tr>"
            for s in self)
        return (f"<div class='ipy-reimport-status'><p>{html.escape(self.summary())}</p><table><thead><tr>"
                "<th>module</th><th>state</th><th>file</th><th>imported by</th><th>note</th></tr></thead>"
                f"<tbody>{rows}</tbody></table>{_worker_html(self.workers)}</div>")


def _worker_lines(engines: list) -> list[str]:
    """The workers section of a text report: per engine a headline, then workers behind."""
    if not engines:
        return []
    return ["Workers:"] + [f"  {line}" for engine in engines for line in engine.lines()]


def _worker_html(engines: list) -> str:
    items = []
    for engine in engines:
        head, *rest = engine.lines()
        details = "".join(f"<li>{html.escape(line.strip())}</li>" for line in rest)
        behind = " data-behind='true'" if engine.behind else ""
        items.append(f"<li{behind}>{html.escape(head)}" + (f"<ul>{details}</ul>" if details else "") + "</li>")
    return f"<p>Workers:</p><ul class='ipy-reimport-workers'>{''.join(items)}</ul>" if items else ""


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"
