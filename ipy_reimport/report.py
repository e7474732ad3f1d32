"""Report values: what a reload did, and the table of module states, as text and HTML."""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from .states import ModuleState, ModuleStatus

__all__ = ["ModuleReload", "ReloadReport", "StatusTable"]


@dataclass
class ModuleReload:
    """One module of a reload: what ran, how long it took, and what keeping identity did.

    Attributes:
        action: ``executed`` (re-executed from the top: ``reason`` says why), ``patched`` (only
            definitions changed: the kept functions got the new code), ``statements`` (ran
            ``statements`` changed statements, and patched definitions), ``rebound`` (imported
            names now refer to new objects; nothing ran), ``unchanged`` (nothing to do), or for
            a dry run ``fails``.
        patched: definitions kept and updated (``f``, ``C``, ``C.m``).
        replaced: ``(name, reason)`` of objects that had to be replaced.
        leftover: names the new source no longer defines (they remain, as with ``importlib.reload``).
        added, removed: definitions added or removed by an in-place edit.
        rebound: names bound again to what they were imported from.
        held_by: ``(name, variables)``: user variables that still refer to a replaced object.
        previous: for a module whose source changed, the source it ran before (so that worker
            processes can re-run only what changed too).
    """

    name: str
    file: str | None
    seconds: float
    patched: tuple[str, ...] = ()
    replaced: tuple[tuple[str, str], ...] = ()
    leftover: tuple[str, ...] = ()
    action: str = "executed"
    reason: str | None = None
    statements: int = 0
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    rebound: tuple[str, ...] = ()
    held_by: tuple[tuple[str, tuple[str, ...]], ...] = ()
    previous: bytes | None = field(default=None, repr=False, compare=False)

    @property
    def ran(self) -> bool:
        """Whether anything of the module changed (it did more than confirm it was up to date)."""
        return self.action not in ("unchanged", "skipped")

    @property
    def shown(self) -> bool:
        """Whether a report lists the module (it changed, or it was left out on purpose)."""
        return self.action != "unchanged"

    def summary(self, dry_run: bool = False) -> str:
        """What happened (or would happen) to the module, in a few words."""
        verbs = {
            "executed": ("re-executed", "would re-execute"),
            "patched": ("patched in place", "would patch in place"),
            "rebound": ("rebound", "would rebind"),
            "unchanged": ("unchanged", "unchanged"),
            "skipped": ("skipped", "would skip"),
            "fails": ("fails", "would fail"),
        }
        if self.action == "statements":
            noun = "statement" if self.statements == 1 else "statements"
            text = f"{'would run' if dry_run else 'ran'} {self.statements} changed {noun}"
        else:
            text = verbs.get(self.action, (self.action, self.action))[1 if dry_run else 0]
        if self.action in ("executed", "fails", "skipped") and self.reason:
            text += f": {self.reason}"
        if self.action == "rebound":
            text += " " + ", ".join(self.rebound)
        return text

    def details(self) -> list[str]:
        """The lines below the module in a report."""
        parts = []
        if self.patched:
            parts.append("patched " + ", ".join(self.patched))
        if self.added:
            parts.append("added " + ", ".join(self.added))
        if self.rebound and self.action != "rebound":
            parts.append("rebound " + ", ".join(self.rebound))
        held = dict(self.held_by)
        for name, why in self.replaced:
            holders = held.get(name)
            parts.append(f"replaced {name} ({why})" + (f"; still held by: {', '.join(holders)}" if holders else ""))
        if self.leftover:
            parts.append("left over from the old source: " + ", ".join(self.leftover))
        return parts


@dataclass
class ReloadReport:
    """The outcome of ``reload_deep``: modules in the order they were (or would be) reloaded.

    Attributes:
        groups: the plan; a group of more than one module is an import cycle.
        modules: per-module results (predictions for a dry run).
        seconds: total wall time of the call.
        dry_run: True when nothing was executed.
        skipped: ``(name, reason)`` of modules that could not be reloaded.
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

    @property
    def ran(self) -> list[str]:
        """Names of the modules that changed (not merely checked), in order."""
        results = {m.name: m for m in self.modules}
        return [n for n in self.order if n not in results or results[n].ran]

    def __bool__(self) -> bool:
        return bool(self.groups)

    def _headline(self) -> str:
        count = len(self.order)
        if not count and self.skipped:
            skipped = len(self.skipped)
            return (
                f"Nothing to reload: no module is stale; {skipped} "
                f"{'module' if skipped == 1 else 'modules'} cannot be reloaded:"
            )
        if not count:
            return "Nothing to reload: no module is stale."
        ran = len(self.ran)
        noun = "module" if ran == 1 else "modules"
        checked = f" ({count - ran} more checked: nothing they computed at import changed)" if ran < count else ""
        if self.dry_run:
            return f"Would reload {ran} {noun}, dependencies first{checked} (dry run: nothing changed):"
        return f"Reloaded {ran} {noun} in {_ms(self.seconds)}, dependencies first{checked}:"

    def __str__(self) -> str:
        lines = [self._headline()]
        results = {m.name: m for m in self.modules}
        shown = [n for n in self.order if n not in results or results[n].shown]
        width = max((len(n) for n in shown), default=0)
        cycles = {n for group in self.groups if len(group) > 1 for n in group}
        for number, name in enumerate(shown, 1):
            item = results.get(name)
            timing = f"  {_ms(item.seconds):>9}" if item and not self.dry_run else ""
            action = f"  {item.summary(self.dry_run)}" if item else ""
            cycle = " (import cycle)" if name in cycles else ""
            lines.append(f"  {number:>3}. {name:<{width}}{timing}{action}{cycle}")
            lines.extend(f"         {part}" for part in (item.details() if item else []))
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
        shown = [n for n in self.order if n not in results or results[n].shown]
        for number, name in enumerate(shown, 1):
            item = results.get(name)
            details = "<br>".join(
                html.escape(d) for d in ([item.summary(self.dry_run), *item.details()] if item else [])
            )
            timing = _ms(item.seconds) if item and not self.dry_run else ""
            rows.append(
                f"<tr>{_cell(str(number), _RIGHT)}{_cell(f'<code>{html.escape(name)}</code>')}"
                f"{_cell(timing, _RIGHT)}{_cell(details)}</tr>"
            )
        skipped = "".join(f"<li><code>{html.escape(n)}</code>: {html.escape(w)}</li>" for n, w in self.skipped)
        table = (
            (
                f"<table><thead><tr>{_head('#', _RIGHT)}{_head('module')}{_head('time', _RIGHT)}{_head('what ran')}"
                f"</tr></thead><tbody>{''.join(rows)}</tbody></table>"
            )
            if rows
            else ""
        )
        return (
            f"<div class='ipy-reimport-report'><p>{html.escape(self._headline())}</p>{table}"
            + (f"<ul>{skipped}</ul>" if skipped else "")
            + _worker_html(self.workers)
            + "</div>"
        )


_STATE_COLOUR = {
    ModuleState.STALE: "var(--jp-error-color1, #c62828)",
    ModuleState.DEPENDENT: "var(--jp-warn-color1, #ef6c00)",
    ModuleState.MISSING: "var(--jp-error-color2, #6a1b9a)",
    ModuleState.FRESH: "var(--jp-success-color1, #2e7d32)",
    ModuleState.UNRELOADABLE: "var(--jp-ui-font-color2, #616161)",
}


class StatusTable(list):
    """The rows of ``%stale``: a list of :class:`ModuleStatus`, stale ones first; ``workers``:
    per engine, its worker processes now (``%stale`` fills it); ``note``: a line shown last
    (a live view that stopped says so)."""

    def __init__(self, statuses: list[ModuleStatus], everything: bool = False):
        super().__init__(sorted(statuses, key=lambda s: (s.state.rank, s.name)))
        self.everything = everything
        self.workers: list = []
        self.note = ""

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

    def _headline(self) -> str:
        if not self:
            return "No user modules are loaded." if not self.everything else "No modules are loaded."
        return self.summary()

    def __str__(self) -> str:
        lines = [self._headline()]
        if self:
            width = max(len(s.name) for s in self)
            lines.append(f"  {'module':<{width}}  {'state':<12}  file")
        for s in self:
            extra = f"  ({s.reason})" if s.reason and s.state is not ModuleState.FRESH else ""
            lines.append(f"  {s.name:<{width}}  {s.state.value:<12}  {s.file or '-'}{extra}")
        return "\n".join(lines + _worker_lines(self.workers) + ([self.note] if self.note else []))

    def __repr__(self) -> str:
        return str(self)

    def _repr_pretty_(self, p, cycle: bool) -> None:
        p.text(str(self))

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr data-module='{html.escape(s.name)}' data-state='{s.state.value}'>"
            + _cell(f"<code>{html.escape(s.name)}</code>")
            + _cell(f"<span style='color:{_STATE_COLOUR[s.state]};font-weight:bold'>{s.state.value}</span>")
            + _cell(html.escape(s.file or ""))
            + _cell(html.escape(", ".join(s.imported_by)))
            + _cell(html.escape(s.reason or ""))
            + "</tr>"
            for s in self
        )
        heads = "".join(_head(title) for title in ("module", "state", "file", "imported by", "note"))
        table = f"<table><thead><tr>{heads}</tr></thead><tbody>{rows}</tbody></table>" if rows else ""
        note = f"<p><em>{html.escape(self.note)}</em></p>" if self.note else ""
        return (
            f"<div class='ipy-reimport-status'><p>{html.escape(self._headline())}</p>{table}"
            f"{_worker_html(self.workers)}{note}</div>"
        )


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


# JupyterLab right-aligns the cells of rendered HTML tables; its own tables read from the left.
_LEFT = "text-align:left"
_RIGHT = "text-align:right"


def _cell(content: str, align: str = _LEFT) -> str:
    """A table cell holding ``content`` (HTML), aligned explicitly (numbers right, text left)."""
    return f"<td style='{align}'>{content}</td>"


def _head(title: str, align: str = _LEFT) -> str:
    return f"<th style='{align}'>{html.escape(title)}</th>"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"
