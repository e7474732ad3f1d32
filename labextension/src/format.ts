/**
 * The texts and paths the panel shows, as pure functions (unit-tested).
 */
import { PathExt } from '@jupyterlab/coreutils';
import { IFailure, Outcome } from './model';
import {
  Action,
  IEngine,
  IReloaded,
  IResult,
  IRow,
  ModuleState
} from './protocol';

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
    parts.push(
      error.line !== null
        ? `in ${error.path}, line ${error.line}`
        : `in ${error.path}`
    );
  }
  if (error.module !== null) {
    parts.push(`(module ${error.module})`);
  }
  return parts.join(' ');
}

/** What each action did to a module, in a few words (as `%reload_deep` says it). */
const ACTION_TEXT: Record<Action, string> = {
  executed: 're-executed',
  patched: 'patched in place',
  statements: 'ran changed statements',
  rebound: 'rebound',
  skipped: 'left out'
};

/** "2 re-executed, 1 patched in place": how many modules each action ran, in reload order. */
function countActions(modules: readonly IReloaded[]): string {
  const counts = new Map<Action, number>();
  for (const m of modules) {
    counts.set(m.action, (counts.get(m.action) ?? 0) + 1);
  }
  return Array.from(
    counts,
    ([action, n]) => `${n} ${ACTION_TEXT[action]}`
  ).join(', ');
}

/** The one-line text of a successful result: what ran, how long it took, what was left. */
function describeResult(result: IResult): string {
  const ran = result.modules.filter(m => m.action !== 'skipped');
  const leftOut = result.modules.filter(m => m.action === 'skipped');
  const n = ran.length;
  const parts: string[] = [];
  if (n === 0) {
    parts.push('Nothing reloaded');
  } else {
    const time = formatMilliseconds(result.seconds);
    const names = ran.map(m => m.name).join(' → ');
    parts.push(
      `Reloaded ${n} ${n === 1 ? 'module' : 'modules'} in ${time} (${countActions(ran)}): ${names}`
    );
  }
  if (leftOut.length > 0) {
    parts.push(`left out ${leftOut.map(m => m.name).join(', ')}`);
  }
  if (result.checked > 0) {
    parts.push(
      `${result.checked} ${result.checked === 1 ? 'dependent' : 'dependents'} needed nothing`
    );
  }
  if (result.skipped.length > 0) {
    parts.push(
      `skipped ${result.skipped.map(s => `${s.name} (${s.reason})`).join(', ')}`
    );
  }
  const behind = result.workers.reduce((sum, engine) => sum + engine.behind, 0);
  if (behind > 0) {
    parts.push(
      `${behind} ${behind === 1 ? 'worker is' : 'workers are'} behind`
    );
  }
  return parts.join('; ');
}

/** The one-line text of an outcome, as the result area shows it. */
export function describeOutcome(outcome: Outcome): string {
  if (outcome.ok) {
    return describeResult(outcome.result);
  }
  const where = describeWhere(outcome.error);
  return `${outcome.error.message}${where ? ' ' + where : ''}; nothing changed`;
}

/** The result area's tooltip: one line per module, with what ran and why. */
export function outcomeTooltip(outcome: Outcome): string | null {
  if (!outcome.ok || outcome.result.modules.length === 0) {
    return null;
  }
  return outcome.result.modules
    .map(m => {
      const parts = [ACTION_TEXT[m.action] + (m.reason ? `: ${m.reason}` : '')];
      if (m.patched.length > 0) {
        parts.push(`patched ${m.patched.join(', ')}`);
      }
      for (const replaced of m.replaced) {
        parts.push(`replaced ${replaced.name} (${replaced.reason})`);
      }
      return `${m.name}: ${parts.join('; ')}`;
    })
    .join('\n');
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
  return [
    describeEngine(engine),
    ...engine.details.map(d => `${d.worker}: ${d.message}`)
  ].join('\n');
}

/** Where a row's file is, for its open button. */
export type OpenTarget =
  | { kind: 'none' }
  | { kind: 'outside'; path: string }
  | { kind: 'inside'; path: string };

/** Resolve a row's path (relative to the kernel's directory) against the Jupyter root. */
export function resolveRowPath(
  basePath: string,
  path: string | null
): OpenTarget {
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
    lines.push(
      `imported by: ${shown}${shown ? ', ' : ''}… (${row.importers} in all)`
    );
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
