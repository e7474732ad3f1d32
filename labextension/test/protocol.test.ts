/**
 * The protocol against docs/protocol.schema.json: the shared examples, the
 * request builders, the generated types, and the one check the panel makes.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import Ajv2020 from 'ajv/dist/2020';
import {
  PROTOCOL_VERSION,
  parseKernelMessage,
  versionOf
} from '../src/protocol';
import { RequestFactory, pageClosedGoodbye } from '../src/requests';
import { LABEXTENSION_DIR, examples, schema } from './examples';

const ajv = new Ajv2020({
  allErrors: true,
  allowUnionTypes: true,
  strict: true
});
ajv.addSchema(schema, 'protocol');
const validator = (name: string) => ajv.getSchema(`protocol#/$defs/${name}`)!;
const isKernelMessage = validator('KernelMessage');
const isPanelMessage = validator('PanelMessage');
const isGoodbye = validator('Goodbye');

const label = (value: unknown): string => JSON.stringify(value).slice(0, 100);

describe('the schema', () => {
  for (const message of examples.valid.kernel_to_panel) {
    it(`accepts the kernel message ${label(message)}`, () => {
      assert.equal(
        isKernelMessage(message),
        true,
        ajv.errorsText(isKernelMessage.errors)
      );
    });
  }
  for (const message of examples.invalid.kernel_to_panel) {
    it(`rejects the kernel message ${label(message)}`, () => {
      assert.equal(isKernelMessage(message), false);
    });
  }
  for (const message of examples.valid.panel_to_kernel) {
    it(`accepts the request ${label(message)}`, () => {
      assert.equal(
        isPanelMessage(message),
        true,
        ajv.errorsText(isPanelMessage.errors)
      );
    });
  }
  for (const { message, code } of examples.invalid.panel_to_kernel) {
    it(`rejects the request ${label(message)} (the kernel answers ${code})`, () => {
      assert.equal(isPanelMessage(message), false);
    });
  }

  it('has examples of every kernel message type and every error code', () => {
    const kinds = (list: unknown[]) =>
      new Set(list.map(m => (m as { type: string }).type));
    const kernelTypes = (schema as any).$defs.KernelMessage.oneOf.map(
      (ref: { $ref: string }) =>
        (schema as any).$defs[ref.$ref.split('/').pop()!].properties.type.const
    );
    assert.deepEqual(
      [...kinds(examples.valid.kernel_to_panel)].sort(),
      [...kernelTypes].sort()
    );
    const codes = examples.valid.kernel_to_panel
      .filter(m => (m as { type: string }).type === 'error')
      .map(m => (m as { code: string }).code);
    assert.deepEqual(
      [...new Set(codes)].sort(),
      [...(schema as any).$defs.ErrorCode.enum].sort()
    );
  });
});

describe('the request builders', () => {
  const requests = new RequestFactory();
  const built = [
    requests.reload(['shapes.units', 'pkg.módulo']),
    requests.reloadStale(),
    requests.rescan(),
    requests.setScope('all'),
    requests.subscribe(),
    requests.ping()
  ];
  for (const request of built) {
    it(`build a valid ${request.type}`, () => {
      assert.equal(
        isPanelMessage(request),
        true,
        ajv.errorsText(isPanelMessage.errors)
      );
      assert.equal(request.v, PROTOCOL_VERSION);
    });
  }

  it('number the requests of one connection', () => {
    assert.deepEqual(
      built.map(r => r.id),
      ['r1', 'r2', 'r3', 'r4', 'r5', 'r6']
    );
    assert.equal(new RequestFactory().ping().id, 'r1');
  });

  it('build a goodbye the kernel reads as such', () => {
    assert.equal(isGoodbye(pageClosedGoodbye()), true);
  });

  it('copy the module list', () => {
    const modules = ['a'];
    const request = new RequestFactory().reload(modules);
    modules.push('b');
    assert.deepEqual(request.modules, ['a']);
  });
});

describe('src/protocol.generated.ts', () => {
  it('is what the schema generates', () => {
    const script = resolve(LABEXTENSION_DIR, 'scripts', 'protocol-types.js');
    // Throws (with the script's message) when the file differs.
    execFileSync(process.execPath, [script, '--check'], { stdio: 'pipe' });
  });
});

describe('parseKernelMessage', () => {
  for (const message of examples.valid.kernel_to_panel) {
    it(`accepts ${label(message)}`, () => {
      assert.equal(parseKernelMessage(message), message);
    });
  }

  const rejected: Array<[string, unknown]> = [
    ['a string', 'hello'],
    ['null', null],
    ['an array', [2, 'hello']],
    ['v as a string', { v: '2', type: 'hello', version: '0.1.0' }],
    ['the previous version', { v: 1, type: 'hello', version: '0.1.0' }],
    ['no type', { v: 2, version: '0.1.0' }],
    ['an unknown type', { v: 2, type: 'launch_rockets' }],
    ['a type inherited from Object', { v: 2, type: 'toString' }],
    ['a request', { v: 2, type: 'reload', id: 'r1', modules: ['a'] }]
  ];
  for (const [name, message] of rejected) {
    it(`rejects ${name}`, () => {
      assert.equal(parseKernelMessage(message), null);
    });
  }

  it('tells the version of a message of another version', () => {
    assert.equal(versionOf({ v: 3, type: 'hello' }), 3);
    assert.equal(versionOf({ type: 'hello' }), null);
    assert.equal(versionOf('v3'), null);
  });
});
