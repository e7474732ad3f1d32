/** protocol.ts against the shared examples of docs/protocol-examples.json. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  MODULE_STATES,
  REQUEST_BUILDERS,
  checkPanelRequest,
  isModuleName,
  isPanelRequest,
  parseKernelMessage,
  reloadRequest,
  setScopeRequest
} from '../src/protocol';
import { examples } from './examples';

const label = (value: unknown): string => JSON.stringify(value).slice(0, 100);

describe('the shared examples file', () => {
  it('has examples of every kind', () => {
    assert.ok(examples.valid.kernel_to_panel.length > 0);
    assert.ok(examples.valid.panel_to_kernel.length > 0);
    assert.ok(examples.invalid.kernel_to_panel.length > 0);
    assert.ok(examples.invalid.panel_to_kernel.length > 0);
  });
});

describe('parseKernelMessage', () => {
  for (const message of examples.valid.kernel_to_panel) {
    it(`accepts ${label(message)}`, () => {
      assert.deepEqual(parseKernelMessage(message), message);
    });
  }
  for (const message of examples.invalid.kernel_to_panel) {
    it(`rejects ${label(message)}`, () => {
      assert.equal(parseKernelMessage(message), null);
    });
  }

  it('covers every kernel -> panel type in the valid examples', () => {
    const types = new Set(
      examples.valid.kernel_to_panel.map(m => (m as { type: string }).type)
    );
    assert.deepEqual(
      [...types].sort(),
      ['delta', 'error', 'goodbye', 'hello', 'pong', 'queued', 'result', 'snapshot']
    );
  });

  const snapshot = examples.valid.kernel_to_panel[1] as Record<string, any>;
  const row = snapshot.modules[1];
  const result = examples.valid.kernel_to_panel[6] as Record<string, any>;
  const failed = examples.valid.kernel_to_panel[8] as Record<string, any>;
  const cases: Array<[string, unknown]> = [
    ['a string', 'hello'],
    ['null', null],
    ['a number', 1],
    ['v as a string', { ...snapshot, v: '2' }],
    ['the previous version', { ...snapshot, v: 1 }],
    ['no v', { type: 'hello', version: '0.1.0' }],
    ['no type', { v: 2, version: '0.1.0' }],
    ['a type inherited from Object', { v: 2, type: 'toString' }],
    ['a row without a field', { ...snapshot, modules: [{ ...row, user: undefined }] }],
    ['a row with path 3', { ...snapshot, modules: [{ ...row, path: 3 }] }],
    ['a row with fractional importers', { ...snapshot, modules: [{ ...row, importers: 1.5 }] }],
    ['a row with negative importers', { ...snapshot, modules: [{ ...row, importers: -1 }] }],
    ['a row with a number in imported_by', { ...snapshot, modules: [{ ...row, imported_by: [1] }] }],
    ['a row with an empty name', { ...snapshot, modules: [{ ...row, name: '' }] }],
    ['a bad last_reload', { ...snapshot, modules: [{ ...row, last_reload: { at: 1 } }] }],
    ['request_ids of 5', { ...snapshot, request_ids: 5 }],
    ['no request_ids', { ...snapshot, request_ids: [] }],
    ['a number in request_ids', { ...snapshot, request_ids: [5] }],
    ['pong without request_id', { v: 2, type: 'pong' }],
    ['goodbye without a reason', { v: 2, type: 'goodbye' }],
    ['removed names that are not strings', { v: 2, type: 'delta', scope: 'user', changed: [], removed: [1] }],
    ['queued without request_id', { v: 2, type: 'queued' }],
    ['ok result with an error', { ...result, error: failed.error }],
    ['failed result without an error', { ...failed, error: null }],
    ['a result with negative seconds', { ...result, seconds: -1 }],
    ['a result with NaN-like seconds', { ...result, seconds: 'fast' }],
    ['a reload error with a fractional line', { ...failed, error: { ...failed.error, line: 2.5 } }],
    ['an error with an unknown code', { v: 2, type: 'error', request_id: null, code: 'oops', message: 'x' }],
    ['hello without version', { v: 2, type: 'hello' }]
  ];
  for (const [name, message] of cases) {
    it(`rejects ${name}`, () => {
      assert.equal(parseKernelMessage(message), null);
    });
  }

  it('ignores unknown extra fields', () => {
    const message = { ...snapshot, future: { anything: true } };
    assert.notEqual(parseKernelMessage(message), null);
  });

  it('accepts every state in rows', () => {
    for (const state of MODULE_STATES) {
      assert.notEqual(parseKernelMessage({ ...snapshot, modules: [{ ...row, state }] }), null);
    }
  });
});

describe('isPanelRequest and checkPanelRequest', () => {
  for (const message of examples.valid.panel_to_kernel) {
    it(`accepts ${label(message)}`, () => {
      assert.equal(isPanelRequest(message), true);
    });
  }
  for (const { message, code } of examples.invalid.panel_to_kernel) {
    it(`rejects ${label(message)} as ${code}`, () => {
      assert.equal(isPanelRequest(message), false);
      const check = checkPanelRequest(message);
      assert.equal(check.ok, false);
      assert.equal(!check.ok && check.code, code);
    });
  }

  it('limits ids to 64 characters and reloads to 1000 names of 256 characters', () => {
    assert.equal(isPanelRequest(reloadRequest('x'.repeat(64), ['a'])), true);
    assert.equal(isPanelRequest(reloadRequest('x'.repeat(65), ['a'])), false);
    assert.equal(isPanelRequest(reloadRequest('r', Array(1000).fill('a'))), true);
    assert.equal(isPanelRequest(reloadRequest('r', Array(1001).fill('a'))), false);
    assert.equal(isPanelRequest(reloadRequest('r', ['a'.repeat(256)])), true);
    assert.equal(isPanelRequest(reloadRequest('r', ['a'.repeat(257)])), false);
  });

  it('accepts module names as Python does (Unicode after the first character)', () => {
    for (const name of ['a', '_a.b2', 'shapes.units', 'pkg.módulo', 'A.B_C']) {
      assert.equal(isModuleName(name), true, name);
    }
    for (const name of ['', '1a', 'a.', '.a', 'a..b', 'a-b', 'a b', 'a.1b', 'os;x']) {
      assert.equal(isModuleName(name), false, name);
    }
  });
});

describe('request builders', () => {
  const byType = new Map<string, Record<string, unknown>[]>();
  for (const message of examples.valid.panel_to_kernel) {
    const type = message.type as string;
    byType.set(type, [...(byType.get(type) ?? []), message]);
  }

  it('exist for every request type in the examples', () => {
    for (const type of byType.keys()) {
      assert.ok(type in REQUEST_BUILDERS, `no builder for ${type}`);
    }
  });

  for (const [type, messages] of byType) {
    for (const message of messages) {
      it(`build ${label(message)}`, () => {
        const built = buildLike(message);
        assert.equal(isPanelRequest(built), true);
        // Equal in shape: the example without its ignored extra fields.
        const expected = Object.fromEntries(
          Object.entries(message).filter(([key]) => key in built)
        );
        assert.deepEqual(built, expected);
        assert.equal(built.type, type);
      });
    }
  }

  function buildLike(message: Record<string, unknown>): Record<string, unknown> {
    const id = message.id as string;
    switch (message.type) {
      case 'reload':
        return { ...REQUEST_BUILDERS.reload(id, message.modules as string[]) };
      case 'reload_stale':
        return { ...REQUEST_BUILDERS.reload_stale(id) };
      case 'rescan':
        return { ...REQUEST_BUILDERS.rescan(id) };
      case 'set_scope':
        return { ...REQUEST_BUILDERS.set_scope(id, message.scope as 'user' | 'all') };
      case 'subscribe':
        return { ...REQUEST_BUILDERS.subscribe(id) };
      case 'ping':
        return { ...REQUEST_BUILDERS.ping(id) };
      default:
        throw new Error(`no builder for ${String(message.type)}`);
    }
  }

  it('copy the module list', () => {
    const modules = ['a'];
    const request = reloadRequest('r1', modules);
    modules.push('b');
    assert.deepEqual(request.modules, ['a']);
  });

  it('build what the validator accepts', () => {
    assert.equal(isPanelRequest(setScopeRequest('r1', 'all')), true);
    assert.equal(isPanelRequest(reloadRequest('r1', [])), false);
  });
});
