/**
 * The texts and paths the panel shows, as pure functions (unit-tested).
 */
import { PathExt } from '@jupyterlab/coreutils';
import { IFailure, Outcome } from './model';
import { IEngine, IRow, ModuleState } from './protocol';

/** One line on what each state means. */
export const STATE_HELP: Record<ModuleState, string> = {
  stale: 'its file changed since it ran',
  dependent: 'imports a stale module',
  missing: 'its file was deleted',
  fresh: 'runs the code on disk',
  unreloadable: 'built-in, extension module or a loader that cannot reload'
};

/** Milliseconds, one decimal below 10 ms. */
export function formatMilliseconds(seconds: number): string {
  const ms = seconds * 1000;
  return ms < 10 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`;
}

/** Where a failure happened, as "in shapes/units.py, line 3 (module shapes.units)". */
function describeWhere(error: IFailure): string {
  const parts: string[] = [];
  if (error.path !== null) {
    parts.push(error.line !== null ? `in ${error.path}, line ${error.line}` : `in ${error.path}`);
  }
  if (error.module !== null) {
    parts.push(`(module ${error.module})`);
  }
  return parts.join(' ');
}

/** The one-line text of an outcome, as the result area shows it. */
export function describeOutcome(outcome: Outcome): string {
  if (!outcome.ok) {
    const where = describeWhere(outcome.error);
    return `${outcome.error.message}${where ? ' ' + where : ''}; nothing changed`;
  }
  let text: string;
  const n = outcome.order.length;
  if (n === 0) {
    text = 'Nothing was stale; nothing reloaded';
  } else {
    const noun = n === 1 ? 'module' : 'modules';
    const time = formatMilliseconds(outcome.seconds);
    text = `Reloaded ${n} ${noun} in ${time}: ${outcome.order.join(' → ')}`;
  }
  if (outcome.skipped.length > 0) {
    const skipped = outcome.skipped.map(s => `${s.name} (${s.reason})`);
    text += `; skipped ${skipped.join(', ')}`;
  }
  const behind = (outcome.workers ?? []).reduce((n, engine) => n + engine.behind, 0);
  if (behind > 0) {
    text += `; ${behind} ${behind === 1 ? 'worker is' : 'workers are'} behind`;
  }
  return text;
}

/** One line per engine: "Dask tcp://…: 2 current, 1 behind", or the child processes left behind. */
export function describeEngine(engine: IEngine): string {
  if (engine.engine === 'processes') {
    const n = engine.behind;
    return `${n} other worker ${n === 1 ? 'process' : 'processes'} cannot be reached and may run old code`;
  }
  const note = engine.note ? ` (${engine.note})` : '';
  return `${engine.name}: ${engine.current} current, ${engine.behind} behind${note}`;
}

/** The tooltip of an engine: its line, then one line per worker detail. */
export function engineTooltip(engine: IEngine): string {
  return [describeEngine(engine), ...engine.details.map(d => `${d.worker}: ${d.message}`)].join('\n');
}

/** Where a row's file is, for its open button. */
export type OpenTarget =
  | { kind: 'none' }
  | { kind: 'outside'; path: string }
  | { kind: 'inside'; path: string };

/** Resolve a row's path (relative to the kernel's directory) against the Jupyter root. */
export function resolveRowPath(basePath: string, path: string | null): OpenTarget {
  if (path === null || path === '') {
    return { kind: 'none' };
  }
  if (path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path)) {
    return { kind: 'outside', path };
  }
  const resolved = PathExt.normalize(PathExt.join(basePath, path));
  if (resolved === '..' || resolved.startsWith('../')) {
    return { kind: 'outside', path: resolved };
  }
  return { kind: 'inside', path: resolved };
}

/** The tooltip of a row: path, importers, reason, last reload. */
export function rowTooltip(row: IRow): string {
  const lines = [row.name, row.path ?? 'no source file'];
  const shown = row.imported_by.join(', ');
  if (row.importers === 0 && row.imported_by.length === 0) {
    lines.push('imported by: no loaded module');
  } else if (row.importers > row.imported_by.length) {
    lines.push(`imported by: ${shown}${shown ? ', ' : ''}… (${row.importers} in all)`);
  } else {
    lines.push(`imported by: ${shown}`);
  }
  lines.push(`${row.state}: ${row.reason ?? STATE_HELP[row.state]}`);
  const last = row.last_reload;
  if (last) {
    const at = new Date(last.at * 1000).toLocaleTimeString();
    lines.push(
      last.ok
        ? `last reload: ${at}, ${formatMilliseconds(last.seconds)}`
        : `last reload failed at ${at}: ${last.error ?? 'error'}`
    );
  }
  return lines.join('\n');
}

