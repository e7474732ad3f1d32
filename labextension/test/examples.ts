/** The shared protocol examples and the schema (../docs), loaded once. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** An invalid panel -> kernel example and the code the kernel answers. */
export interface IInvalidRequest {
  message: unknown;
  code: string;
}

/** The examples file. */
export interface IExamples {
  valid: {
    kernel_to_panel: unknown[];
    panel_to_kernel: Record<string, unknown>[];
  };
  invalid: { kernel_to_panel: unknown[]; panel_to_kernel: IInvalidRequest[] };
}

/** The labextension folder (tests run from build-test/test/). */
export const LABEXTENSION_DIR = resolve(__dirname, '..', '..');

const read = (name: string): any =>
  JSON.parse(
    readFileSync(resolve(LABEXTENSION_DIR, '..', 'docs', name), 'utf-8')
  );

/** The parsed examples (docs/protocol-examples.json). */
export const examples: IExamples = read('protocol-examples.json');

/** The parsed schema (docs/protocol.schema.json). */
export const schema: Record<string, unknown> = read('protocol.schema.json');

/** The first valid kernel -> panel example of a type that passes `test`. */
export function example<T>(
  type: string,
  test: (message: T) => boolean = () => true
): T {
  const found = examples.valid.kernel_to_panel.find(
    m => (m as { type?: unknown }).type === type && test(m as T)
  );
  if (found === undefined) {
    throw new Error(
      `no ${type} example like that in docs/protocol-examples.json`
    );
  }
  return found as T;
}
