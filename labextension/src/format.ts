/**
 * The texts and paths the panel shows, as pure functions (unit-tested). Every
 * text goes through the translator; what the kernel wrote (reasons, errors,
 * names) is shown as it is.
 */
import { PathExt } from '@jupyterlab/coreutils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { IFailure, IReloadCounts, Outcome } from './model';
import {
  Action,
  IEngine,
  IReloaded,
  IResult,
  IRow,
  ModuleState
} from './protocol';

/** The word shown for each state (badges and counts). */
export function stateLabels(
  trans: TranslationBundle
): Record<ModuleState, string> {
  return {
    stale: trans.__('stale'),
    dependent: trans.__('dependent'),
    missing: trans.__('missing'),
    fresh: trans.__('fresh'),
    unreloadable: trans.__('unreloadable')
  };
}

/** One line on what each state means. */
export function stateHelp(
  trans: TranslationBundle
): Record<ModuleState, string> {
  return {
    stale: trans.__('its file changed since it ran'),
    dependent: trans.__('imports a stale module'),
    missing: trans.__('its file was deleted'),
    fresh: trans.__('runs the code on disk'),
    unreloadable: trans.__(
      'built-in, extension module or a loader that cannot reload'
    )
  };
}

/** The reload-stale button's label: how many modules it reloads ("Reload 1 stale + 2 dependents"). */
export function reloadStaleLabel(
  trans: TranslationBundle,
  counts: IReloadCounts
): string {
  if (counts.stale === 0) {
    return trans.__('Nothing stale');
  }
  if (counts.dependents === 0) {
    return trans.__('Reload %1 stale', counts.stale);
  }
  return trans._n(
    'Reload %2 stale + %1 dependent',
    'Reload %2 stale + %1 dependents',
    counts.dependents,
    counts.stale
  );
}

/** What each action did to a module, in a few words (as `%reload_deep` says it). */
function actionText(trans: TranslationBundle, action: Action): string {
  switch (action) {
    case 'executed':
      return trans.__('re-executed');
    case 'patched':
      return trans.__('patched in place');
    case 'statements':
      return trans.__('ran changed statements');
    case 'rebound':
      return trans.__('rebound');
    case 'skipped':
      return trans.__('left out');
  }
}

/** Milliseconds, one decimal below 10 ms. */
export function formatMilliseconds(
  trans: TranslationBundle,
  seconds: number
): string {
  const ms = seconds * 1000;
  return trans.__('%1 ms', ms < 10 ? ms.toFixed(1) : String(Math.round(ms)));
}

/** Where a failure happened, as "in shapes/units.py, line 3 (module shapes.units)". */
function describeWhere(trans: TranslationBundle, error: IFailure): string {
  const parts: string[] = [];
  if (error.path !== null && error.line !== null) {
    parts.push(trans.__('in %1, line %2', error.path, error.line));
  } else if (error.path !== null) {
    parts.push(trans.__('in %1', error.path));
  }
  if (error.module !== null) {
    parts.push(trans.__('(module %1)', error.module));
  }
  return parts.join(' ');
}

/** "2 re-executed, 1 patched in place": how many modules each action ran, in reload order. */
function countActions(
  trans: TranslationBundle,
  modules: readonly IReloaded[]
): string {
  const counts = new Map<Action, number>();
  for (const m of modules) {
    counts.set(m.action, (counts.get(m.action) ?? 0) + 1);
  }
  return Array.from(counts, ([action, n]) =>
    trans.__('%1 %2', n, actionText(trans, action))
  ).join(', ');
}

/** The one-line text of a successful result: what ran, how long it took, what was left. */
function describeResult(trans: TranslationBundle, result: IResult): string {
  const ran = result.modules.filter(m => m.action !== 'skipped');
  const leftOut = result.modules.filter(m => m.action === 'skipped');
  const parts: string[] = [];
  if (ran.length === 0) {
    parts.push(trans.__('Nothing reloaded'));
  } else {
    parts.push(
      trans._n(
        'Reloaded %1 module in %2 (%3): %4',
        'Reloaded %1 modules in %2 (%3): %4',
        ran.length,
        formatMilliseconds(trans, result.seconds),
        countActions(trans, ran),
        ran.map(m => m.name).join(' → ')
      )
    );
  }
  if (leftOut.length > 0) {
    const names = leftOut.map(m => m.name).join(', ');
    parts.push(trans.__('left out %1', names));
  }
  if (result.checked > 0) {
    parts.push(
      trans._n(
        '%1 dependent needed nothing',
        '%1 dependents needed nothing',
        result.checked
      )
    );
  }
  if (result.skipped.length > 0) {
    const skipped = result.skipped.map(s => `${s.name} (${s.reason})`);
    parts.push(trans.__('skipped %1', skipped.join(', ')));
  }
  const behind = result.workers.reduce((sum, e) => sum + e.behind, 0);
  if (behind > 0) {
    parts.push(
      trans._n('%1 worker is behind', '%1 workers are behind', behind)
    );
  }
  return parts.join('; ');
}

/** The one-line text of an outcome, as the result area shows it. */
export function describeOutcome(
  trans: TranslationBundle,
  outcome: Outcome
): string {
  if (outcome.ok) {
    return describeResult(trans, outcome.result);
  }
  const where = describeWhere(trans, outcome.error);
  const what = where
    ? `${outcome.error.message} ${where}`
    : outcome.error.message;
  return trans.__('%1; nothing changed', what);
}

/** The result area's tooltip: one line per module, with what ran and why. */
export function outcomeTooltip(
  trans: TranslationBundle,
  outcome: Outcome
): string | null {
  if (!outcome.ok || outcome.result.modules.length === 0) {
    return null;
  }
  const line = (m: IReloaded): string => {
    const action = actionText(trans, m.action);
    const parts = [m.reason ? `${action}: ${m.reason}` : action];
    if (m.patched.length > 0) {
      parts.push(trans.__('patched %1', m.patched.join(', ')));
    }
    for (const r of m.replaced) {
      parts.push(trans.__('replaced %1 (%2)', r.name, r.reason));
    }
    return `${m.name}: ${parts.join('; ')}`;
  };
  return outcome.result.modules.map(line).join('\n');
}

/** One line per engine: "Dask tcp://…: 2 current, 1 behind", or the child processes left behind. */
export function describeEngine(
  trans: TranslationBundle,
  engine: IEngine
): string {
  if (engine.engine === 'processes') {
    return trans._n(
      '%1 other worker process cannot be reached and may run old code',
      '%1 other worker processes cannot be reached and may run old code',
      engine.behind
    );
  }
  const counts = trans.__(
    '%1: %2 current, %3 behind',
    engine.name,
    engine.current,
    engine.behind
  );
  return engine.note ? `${counts} (${engine.note})` : counts;
}

/** The tooltip of an engine: its line, then one line per worker detail. */
export function engineTooltip(
  trans: TranslationBundle,
  engine: IEngine
): string {
  return [
    describeEngine(trans, engine),
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

/** Who imports a row's module, for its tooltip. */
function importersLine(trans: TranslationBundle, row: IRow): string {
  const shown = row.imported_by.join(', ');
  if (row.importers === 0 && row.imported_by.length === 0) {
    return trans.__('imported by: no loaded module');
  }
  if (row.importers > row.imported_by.length) {
    const first = shown ? `${shown}, ` : '';
    return trans.__('imported by: %1… (%2 in all)', first, row.importers);
  }
  return trans.__('imported by: %1', shown);
}

/** The tooltip of a row: path, importers, reason, last reload. */
export function rowTooltip(trans: TranslationBundle, row: IRow): string {
  const lines = [
    row.name,
    row.path ?? trans.__('no source file'),
    importersLine(trans, row),
    `${stateLabels(trans)[row.state]}: ${row.reason ?? stateHelp(trans)[row.state]}`
  ];
  const last = row.last_reload;
  if (last) {
    const at = new Date(last.at * 1000).toLocaleTimeString();
    lines.push(
      last.ok
        ? trans.__(
            'last reload: %1, %2',
            at,
            formatMilliseconds(trans, last.seconds)
          )
        : trans.__(
            'last reload failed at %1: %2',
            at,
            last.error ?? trans.__('unknown error')
          )
    );
  }
  return lines.join('\n');
}
