/** format.ts: the result text, the row tooltip and where the open button leads. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeOutcome, formatMilliseconds, resolveRowPath, rowTooltip } from '../src/format';
import { IRow } from '../src/protocol';

describe('describeOutcome', () => {
  it('lists the reload order with the time', () => {
    const text = describeOutcome({
      ok: true,
      requestId: 'r1',
      seconds: 0.0123,
      order: ['a', 'b', 'c'],
      modules: [],
      skipped: []
    });
    assert.equal(text, 'Reloaded 3 modules in 12 ms: a → b → c');
  });

  it('says one module, nothing stale, and skipped dependents', () => {
    const base = { ok: true as const, requestId: 'r', seconds: 0.0031, modules: [], skipped: [] };
    assert.equal(describeOutcome({ ...base, order: ['a'] }), 'Reloaded 1 module in 3.1 ms: a');
    assert.equal(describeOutcome({ ...base, order: [] }), 'Nothing was stale; nothing reloaded');
    assert.equal(
      describeOutcome({ ...base, order: ['a'], skipped: [{ name: 'n', reason: 'built-in' }] }),
      'Reloaded 1 module in 3.1 ms: a; skipped n (built-in)'
    );
  });

  it('names the error, file, line and module, and that nothing changed', () => {
    const text = describeOutcome({
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
    const bare = describeOutcome({
      ok: false,
      requestId: null,
      code: 'internal',
      error: { module: null, path: null, line: null, message: 'boom' }
    });
    assert.equal(bare, 'boom; nothing changed');
  });

  it('formats milliseconds', () => {
    assert.equal(formatMilliseconds(0), '0.0 ms');
    assert.equal(formatMilliseconds(1.5), '1500 ms');
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
    assert.deepEqual(resolveRowPath('', 'a.py'), { kind: 'inside', path: 'a.py' });
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
    const text = rowTooltip(row);
    assert.match(text, /^shapes\.units\nshapes\/units\.py\n/);
    assert.match(text, /imported by: shapes\.geometry, shapes\.report/);
  });

  it('says when the list of importers is cut', () => {
    assert.match(rowTooltip({ ...row, importers: 25 }), /imported by: .*… \(25 in all\)/);
    assert.match(rowTooltip({ ...row, importers: 0, imported_by: [] }), /imported by: no loaded module/);
  });

  it('shows the reason and the last failed reload', () => {
    const text = rowTooltip({
      ...row,
      state: 'missing',
      reason: 'source file deleted',
      last_reload: { at: 0, ok: false, seconds: 0, error: 'SyntaxError: x' }
    });
    assert.match(text, /missing: source file deleted/);
    assert.match(text, /last reload failed at .*: SyntaxError: x/);
  });
});
