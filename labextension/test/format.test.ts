/** format.ts: the result text, the row tooltip and where the open button leads. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  describeOutcome,
  formatMilliseconds,
  outcomeTooltip,
  reloadStaleLabel,
  resolveRowPath,
  rowTooltip
} from '../src/format';
import { Action, IReloaded, IResult, IRow } from '../src/protocol';
import { example } from './examples';
import { trans } from './trans';

/** A successful result of these modules (name and action). */
function result(
  modules: Array<[string, Action]>,
  extra: Partial<IResult> = {}
): IResult {
  const reloaded = modules.map(([name, action]): IReloaded => ({
    name,
    seconds: 0.001,
    action,
    reason: null,
    patched: [],
    replaced: []
  }));
  return {
    ...example<IResult>('result', m => m.ok),
    seconds: 0.0031,
    modules: reloaded,
    checked: 0,
    skipped: [],
    workers: [],
    ...extra
  };
}

const describeResult = (r: IResult): string =>
  describeOutcome(trans, { ok: true, result: r });

describe('describeOutcome', () => {
  it('says what ran, in reload order, how long it took and how many dependents needed nothing', () => {
    const r7 = example<IResult>('result', m => m.request_id === 'r7');
    assert.equal(
      describeResult(r7),
      'Reloaded 2 modules in 12 ms (1 ran changed statements, 1 re-executed): ' +
        'shapes.units → shapes.geometry; 2 dependents needed nothing; ' +
        'skipped shapes.native (built-in or extension module)'
    );
  });

  it('counts each action and names the modules left out', () => {
    const r13 = example<IResult>('result', m => m.request_id === 'r13');
    assert.equal(
      describeResult(r13),
      'Reloaded 2 modules in 20 ms (1 patched in place, 1 rebound): shapes.units → shapes.report; ' +
        'left out plotting.styles; 12 dependents needed nothing'
    );
  });

  it('says one module, and when nothing ran', () => {
    assert.equal(
      describeResult(result([['a', 'executed']])),
      'Reloaded 1 module in 3.1 ms (1 re-executed): a'
    );
    assert.equal(describeResult(result([])), 'Nothing reloaded');
    assert.equal(
      describeResult(result([], { checked: 1 })),
      'Nothing reloaded; 1 dependent needed nothing'
    );
    assert.equal(
      describeResult(result([['b', 'skipped']])),
      'Nothing reloaded; left out b'
    );
  });

  it('lists what ran in each module, and why, in the tooltip', () => {
    const r7 = example<IResult>('result', m => m.request_id === 'r7');
    assert.equal(
      outcomeTooltip(trans, { ok: true, result: r7 }),
      'shapes.units: ran changed statements; patched to_metres\n' +
        'shapes.geometry: re-executed: line 3 reads UNIT, which now refers to a new object; ' +
        'patched Circle, area; replaced Frozen (a class with a changed __slots__ layout)'
    );
    assert.equal(outcomeTooltip(trans, { ok: true, result: result([]) }), null);
  });

  it('names the error, file, line and module, and that nothing changed', () => {
    const text = describeOutcome(trans, {
      ok: false,
      requestId: 'r9',
      code: null,
      error: {
        module: 'shapes.units',
        path: 'shapes/units.py',
        line: 3,
        message: 'SyntaxError: invalid syntax'
      }
    });
    assert.equal(
      text,
      'SyntaxError: invalid syntax in shapes/units.py, line 3 (module shapes.units); nothing changed'
    );
    const bare = describeOutcome(trans, {
      ok: false,
      requestId: null,
      code: 'internal',
      error: { module: null, path: null, line: null, message: 'boom' }
    });
    assert.equal(bare, 'boom; nothing changed');
  });

  it('formats milliseconds', () => {
    assert.equal(formatMilliseconds(trans, 0), '0.0 ms');
    assert.equal(formatMilliseconds(trans, 1.5), '1500 ms');
  });
});

describe('resolveRowPath', () => {
  it('joins the notebook directory and the row path', () => {
    assert.deepEqual(resolveRowPath('work', 'shapes/units.py'), {
      kind: 'inside',
      path: 'work/shapes/units.py'
    });
    assert.deepEqual(resolveRowPath('work/nb', '../src/pkg/core.py'), {
      kind: 'inside',
      path: 'work/src/pkg/core.py'
    });
    assert.deepEqual(resolveRowPath('', 'a.py'), {
      kind: 'inside',
      path: 'a.py'
    });
  });

  it('refuses paths that leave the Jupyter root', () => {
    assert.equal(resolveRowPath('', '../src/mypkg/core.py').kind, 'outside');
    assert.equal(resolveRowPath('a', '../../x.py').kind, 'outside');
    assert.equal(resolveRowPath('a', '/usr/lib/python3/os.py').kind, 'outside');
  });

  it('has nothing to open without a path', () => {
    assert.deepEqual(resolveRowPath('a', null), { kind: 'none' });
  });
});

describe('rowTooltip', () => {
  const row: IRow = {
    name: 'shapes.units',
    state: 'stale',
    path: 'shapes/units.py',
    user: true,
    importers: 2,
    imported_by: ['shapes.geometry', 'shapes.report'],
    reason: null,
    reload_blocked: null,
    last_reload: null
  };

  it('shows the path and who imports the module', () => {
    const text = rowTooltip(trans, row);
    assert.match(text, /^shapes\.units\nshapes\/units\.py\n/);
    assert.match(text, /imported by: shapes\.geometry, shapes\.report/);
  });

  it('says when the list of importers is cut', () => {
    assert.match(
      rowTooltip(trans, { ...row, importers: 25 }),
      /imported by: .*… \(25 in all\)/
    );
    assert.match(
      rowTooltip(trans, { ...row, importers: 0, imported_by: [] }),
      /imported by: no loaded module/
    );
  });

  it('shows the reason and the last failed reload', () => {
    const text = rowTooltip(trans, {
      ...row,
      state: 'missing',
      reason: 'source file deleted',
      last_reload: { at: 0, ok: false, seconds: 0, error: 'SyntaxError: x' }
    });
    assert.match(text, /missing: source file deleted/);
    assert.match(text, /last reload failed at .*: SyntaxError: x/);
  });
});

describe('the texts', () => {
  // A translation that marks every text it was asked for.
  /* eslint-disable jupyter/no-dynamic-translation -- it forwards the texts it is given */
  const marking = {
    __: (msgid: string, ...args: unknown[]) => `«${trans.__(msgid, ...args)}»`,
    _n: (msgid: string, plural: string, n: number, ...args: unknown[]) =>
      `«${trans._n(msgid, plural, n, ...args)}»`
  } as unknown as typeof trans;
  /* eslint-enable jupyter/no-dynamic-translation */

  it('go through the translator; what the kernel wrote does not', () => {
    const r7 = example<IResult>('result', m => m.request_id === 'r7');
    const text = describeOutcome(marking, { ok: true, result: r7 });
    assert.match(
      text,
      /^«Reloaded 2 modules in «12 ms» \(«1 «ran changed statements»»/
    );
    assert.match(
      text,
      /«skipped shapes\.native \(built-in or extension module\)»$/
    );
    const failed = describeOutcome(marking, {
      ok: false,
      requestId: null,
      code: 'refused',
      error: { module: null, path: null, line: null, message: 'kernel text' }
    });
    assert.equal(failed, '«kernel text; nothing changed»');
  });
});

describe('reloadStaleLabel', () => {
  it('says how many stale modules and dependents the button reloads', () => {
    const label = (stale: number, dependents: number): string =>
      reloadStaleLabel(trans, { stale, dependents });
    assert.equal(label(0, 0), 'Nothing stale');
    assert.equal(label(2, 0), 'Reload 2 stale');
    assert.equal(label(1, 1), 'Reload 1 stale + 1 dependent');
    assert.equal(label(1, 2), 'Reload 1 stale + 2 dependents');
  });
});
