/** model.ts: snapshot, delta, order, counts, filter, pending requests, results. */
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { ModuleModel } from '../src/model';
import { compareRows, matchesFilter } from '../src/rows';
import {
  IDelta,
  IError,
  IResult,
  IRow,
  ISnapshot,
  KernelMessage,
  ModuleState,
  Scope,
  PanelMessage
} from '../src/protocol';
import { example, examples } from './examples';

function row(
  name: string,
  state: ModuleState = 'fresh',
  extra: Partial<IRow> = {}
): IRow {
  return {
    name,
    state,
    path: `${name.replace(/\./g, '/')}.py`,
    user: true,
    importers: 0,
    imported_by: [],
    reason: null,
    reload_blocked: null,
    last_reload: null,
    ...extra
  };
}

function snapshot(
  rows: IRow[],
  scope: Scope = 'user',
  ...requestIds: string[]
): ISnapshot {
  return {
    v: 2,
    type: 'snapshot',
    request_ids: requestIds.length ? requestIds : ['s0'],
    scope,
    modules: rows
  };
}

function delta(
  changed: IRow[],
  removed: string[] = [],
  scope: Scope = 'user'
): IDelta {
  return { v: 2, type: 'delta', scope, changed, removed };
}

const reloadRequest = (id: string, modules: string[]): PanelMessage => ({
  v: 2,
  type: 'reload',
  id,
  modules
});
const request = (
  type: 'reload_stale' | 'rescan' | 'subscribe',
  id: string
): PanelMessage => ({ v: 2, type, id });

const names = (rows: readonly IRow[]): string[] => rows.map(r => r.name);

describe('ModuleModel', () => {
  let model: ModuleModel;
  let emitted: number;

  beforeEach(() => {
    model = new ModuleModel();
    emitted = 0;
    model.changed.connect(() => {
      emitted += 1;
    });
  });

  it('starts empty, with no kernel, in the user scope', () => {
    assert.equal(model.connection, 'no-kernel');
    assert.equal(model.scope, 'user');
    assert.equal(model.hasSnapshot, false);
    assert.equal(model.rows.size, 0);
    assert.equal(model.lastResult, null);
  });

  it('replaces every row on a snapshot', () => {
    model.apply(snapshot([row('a'), row('b')]));
    model.apply(snapshot([row('c')], 'all'));
    assert.deepEqual(names(model.sortedRows()), ['c']);
    assert.equal(model.scope, 'all');
    assert.equal(model.hasSnapshot, true);
    assert.equal(emitted, 2);
  });

  it('applies a delta: changed rows replace or add, removed names go', () => {
    model.apply(snapshot([row('a'), row('b'), row('c')]));
    const changed = model.apply(
      delta([row('b', 'stale'), row('d')], ['c', 'not.there'])
    );
    assert.equal(changed, true);
    assert.deepEqual(names(model.sortedRows()), ['b', 'a', 'd']);
    assert.equal(model.rows.get('b')?.state, 'stale');
  });

  it('ignores a delta before the first snapshot or for another scope', () => {
    assert.equal(model.apply(delta([row('a')])), false);
    model.apply(snapshot([row('a')]));
    assert.equal(model.apply(delta([row('z')], [], 'all')), false);
    assert.equal(model.apply(delta([], [])), false);
    assert.deepEqual(names(model.sortedRows()), ['a']);
  });

  it('orders by state (stale, dependent, missing, fresh, unreloadable), then name', () => {
    model.apply(
      snapshot([
        row('z.fresh'),
        row('math', 'unreloadable'),
        row('b.stale', 'stale'),
        row('a.fresh'),
        row('gone', 'missing'),
        row('a.stale', 'stale'),
        row('dep', 'dependent')
      ])
    );
    assert.deepEqual(names(model.sortedRows()), [
      'a.stale',
      'b.stale',
      'dep',
      'gone',
      'a.fresh',
      'z.fresh',
      'math'
    ]);
    assert.ok(compareRows(row('a', 'stale'), row('a', 'fresh')) < 0);
  });

  it('counts rows per state, ignoring the filter', () => {
    model.apply(
      snapshot([
        row('a', 'stale'),
        row('b', 'stale'),
        row('c'),
        row('m', 'missing')
      ])
    );
    model.setFilter('zzz');
    assert.deepEqual(model.counts(), {
      stale: 2,
      dependent: 0,
      missing: 1,
      fresh: 1,
      unreloadable: 0
    });
    model.apply(delta([row('a')], ['m']));
    assert.equal(model.counts().stale, 1);
    assert.equal(model.counts().missing, 0);
  });

  it('filters by a case-insensitive substring of the name or the path', () => {
    model.apply(
      snapshot([
        row('shapes.units', 'stale'),
        row('shapes.geometry'),
        row('other', 'fresh', { path: 'lib/Geo_Helpers.py' }),
        row('math', 'unreloadable', { path: null })
      ])
    );
    model.setFilter('GEO');
    assert.deepEqual(names(model.visibleRows()), ['other', 'shapes.geometry']);
    model.setFilter('  units ');
    assert.deepEqual(names(model.visibleRows()), ['shapes.units']);
    model.setFilter('');
    assert.equal(model.visibleRows().length, 4);
    assert.equal(matchesFilter(row('x', 'fresh', { path: null }), 'y'), false);
  });

  it('emits once per change and not for a filter that did not change', () => {
    model.setFilter('a');
    model.setFilter('a');
    model.setConnection('connected');
    model.setConnection('connected');
    assert.equal(emitted, 2);
  });

  it('tracks a reload from running to queued to its result', () => {
    model.apply(
      snapshot([
        row('shapes.units', 'stale'),
        row('shapes.geometry', 'dependent')
      ])
    );
    model.addPending(reloadRequest('r7', ['shapes.units']));
    assert.equal(model.pending.get('r7')?.status, 'running');
    assert.equal(model.rowPending('shapes.units'), 'running');
    assert.equal(model.rowPending('shapes.geometry'), null);
    assert.equal(model.reloadPending(), 'running');

    model.apply({ v: 2, type: 'queued', request_id: 'r7' });
    assert.equal(model.rowPending('shapes.units'), 'queued');
    assert.equal(model.reloadPending(), 'queued');

    const result = example<IResult>('result', m => m.request_id === 'r7');
    model.apply(result);
    assert.equal(model.pending.size, 0);
    assert.equal(model.rowPending('shapes.units'), null);
    assert.equal(model.reloadPending(), null);
    assert.deepEqual(model.lastResult, { ok: true, result });
  });

  it("marks no row for reload_stale: which modules run is the kernel's to say", () => {
    model.apply(snapshot([row('a', 'stale'), row('b', 'dependent'), row('c')]));
    model.addPending(request('reload_stale', 'r2'));
    assert.deepEqual(model.pending.get('r2')?.modules, []);
    assert.equal(model.rowPending('a'), null);
    assert.equal(model.reloadPending(), 'running');
  });

  it("counts the user's stale modules and their dependents for the reload-stale button", () => {
    model.apply(
      snapshot(
        [
          row('mine', 'stale'),
          row('mine.user', 'dependent'),
          row('lib', 'stale', { user: false }),
          row('lib.user', 'dependent', { user: false })
        ],
        'all'
      )
    );
    assert.equal(model.counts().stale, 2);
    assert.deepEqual(model.reloadCounts(), { stale: 1, dependents: 1 });
    model.apply(delta([row('mine'), row('mine.user')], [], 'all'));
    assert.deepEqual(model.reloadCounts(), { stale: 0, dependents: 0 });
  });

  it('marks the last result outdated once a module turns stale again, not before', () => {
    model.apply(snapshot([row('a', 'stale'), row('b', 'dependent'), row('c')]));
    model.addPending(reloadRequest('r1', ['a']));
    model.apply(example<IResult>('result', m => m.ok));
    // The reload's own delta (rows fresh again) leaves the result current.
    model.apply(delta([row('a'), row('b')]));
    assert.equal(model.resultOutdated, false);
    // A row that stays in its state changes nothing either.
    model.apply(delta([row('c')]));
    assert.equal(model.resultOutdated, false);
    emitted = 0;
    model.apply(delta([row('a', 'stale')]));
    assert.equal(model.resultOutdated, true);
    assert.equal(emitted, 1);
    // A new result is current again.
    model.apply(example<IResult>('result', m => m.ok));
    assert.equal(model.resultOutdated, false);
  });

  it('marks a failed result outdated when another module turns stale', () => {
    model.apply(snapshot([row('a', 'stale'), row('b')]));
    model.apply(example<IResult>('result', m => !m.ok));
    model.apply(delta([row('a', 'stale')]));
    assert.equal(model.resultOutdated, false);
    model.apply(delta([row('b', 'missing')]));
    assert.equal(model.resultOutdated, true);
  });

  it('forgets the last result when the user dismisses it', () => {
    model.apply(snapshot([row('a', 'stale')]));
    model.apply(example<IResult>('result', m => m.ok));
    model.apply(delta([row('a'), row('b', 'stale')]));
    emitted = 0;
    model.dismissResult();
    assert.equal(model.lastResult, null);
    assert.equal(model.resultOutdated, false);
    assert.equal(emitted, 1);
    model.dismissResult();
    assert.equal(emitted, 1);
  });

  it('records a reload sent while the kernel is busy as queued', () => {
    model.apply(snapshot([row('a', 'stale')]));
    model.addPending(reloadRequest('r6', ['a']), 'queued');
    assert.equal(model.rowPending('a'), 'queued');
    assert.equal(model.reloadPending(), 'queued');
  });

  it('keeps a failed reload error with module, path and line, rows unchanged', () => {
    model.apply(snapshot([row('shapes.units', 'stale')]));
    model.addPending(reloadRequest('r9', ['shapes.units']));
    model.apply(example<IResult>('result', m => !m.ok));
    const outcome = model.lastResult;
    assert.ok(outcome && !outcome.ok);
    assert.deepEqual(outcome.error, {
      module: 'shapes.units',
      path: 'shapes/units.py',
      line: 3,
      message: 'SyntaxError: invalid syntax',
      rolled_back: true
    });
    assert.equal(outcome.code, null);
    assert.equal(model.rows.get('shapes.units')?.state, 'stale');
    assert.equal(model.pending.size, 0);
  });

  it('turns an error message into a failed outcome and drops its request', () => {
    model.addPending(reloadRequest('r10', ['shapes.nope']));
    model.apply(example<IError>('error', m => m.code === 'unknown_module'));
    const outcome = model.lastResult;
    assert.ok(outcome && !outcome.ok);
    assert.equal(outcome.code, 'unknown_module');
    assert.equal(outcome.error.message, "not a loaded module: 'shapes.nope'");
    assert.equal(model.pending.size, 0);
  });

  it('answers rescan and set_scope with their snapshot', () => {
    model.addPending(request('rescan', 'r3'));
    model.addPending({ v: 2, type: 'set_scope', id: 'r4', scope: 'all' });
    assert.equal(model.reloadPending(), null);
    model.apply(snapshot([row('a')], 'user', 'r3'));
    assert.deepEqual([...model.pending.keys()], ['r4']);
    model.apply(snapshot([row('a'), row('os', 'unreloadable')], 'all', 'r4'));
    assert.equal(model.pending.size, 0);
    assert.equal(model.scope, 'all');
  });

  it('answers every request a shared snapshot lists', () => {
    model.addPending(request('subscribe', 's1'));
    model.addPending(request('rescan', 'r2'));
    model.addPending(request('rescan', 'r3'));
    model.addPending(request('reload_stale', 'r4'));
    model.apply(snapshot([row('a')], 'user', 's1', 'r2', 'r3'));
    assert.deepEqual([...model.pending.keys()], ['r4']);
  });

  it('ignores queued for an unknown request, hello, pong and goodbye', () => {
    model.apply(snapshot([row('a')]));
    emitted = 0;
    assert.equal(
      model.apply({ v: 2, type: 'queued', request_id: 'nope' }),
      false
    );
    assert.equal(model.apply({ v: 2, type: 'hello', version: '0.1.0' }), false);
    assert.equal(model.apply({ v: 2, type: 'pong', request_id: 'p1' }), false);
    assert.equal(
      model.apply({ v: 2, type: 'goodbye', reason: 'expired' }),
      false
    );
    assert.equal(emitted, 0);
  });

  it('forgets the kernel state on reset but keeps the filter', () => {
    model.setFilter('a');
    model.apply(snapshot([row('a')], 'all'));
    model.addPending(reloadRequest('r1', ['a']));
    model.apply({
      v: 2,
      type: 'error',
      request_id: null,
      code: 'internal',
      message: 'x'
    });
    model.reset();
    assert.equal(model.rows.size, 0);
    assert.equal(model.pending.size, 0);
    assert.equal(model.lastResult, null);
    assert.equal(model.hasSnapshot, false);
    assert.equal(model.scope, 'user');
    assert.equal(model.filter, 'a');
  });

  it('applies every valid example message without throwing', () => {
    for (const message of examples.valid.kernel_to_panel) {
      model.apply(message as KernelMessage);
    }
    assert.equal(model.scope, 'all');
  });

  it('sorts and filters 3,000 rows quickly', () => {
    const states: ModuleState[] = [
      'fresh',
      'fresh',
      'fresh',
      'stale',
      'dependent',
      'unreloadable'
    ];
    const rows = Array.from({ length: 3000 }, (_, i) =>
      row(`pkg${i % 50}.mod${i}`, states[i % states.length])
    );
    const start = performance.now();
    model.apply(snapshot(rows));
    model.visibleRows();
    model.setFilter('mod29');
    model.visibleRows();
    model.apply(delta([row('pkg0.mod0', 'stale')]));
    model.visibleRows();
    const elapsed = performance.now() - start;
    assert.equal(model.rows.size, 3000);
    assert.ok(elapsed < 200, `took ${elapsed} ms`);
  });
});
