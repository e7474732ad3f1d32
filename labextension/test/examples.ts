/** The shared protocol examples (docs/protocol-examples.json), loaded once. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** An invalid panel -> kernel example and the code the kernel answers. */
export interface IInvalidRequest {
  message: unknown;
  code: string;
}

/** The examples file. */
export interface IExamples {
  valid: { kernel_to_panel: unknown[]; panel_to_kernel: Record<string, unknown>[] };
  invalid: { kernel_to_panel: unknown[]; panel_to_kernel: IInvalidRequest[] };
}

/** The labextension folder (tests run from build-test/test/). */
export const LABEXTENSION_DIR = resolve(__dirname, '..', '..');

/** Path of the examples, relative to the labextension folder: ../docs/protocol-examples.json. */
export const EXAMPLES_PATH = resolve(LABEXTENSION_DIR, '..', 'docs', 'protocol-examples.json');

/** The parsed examples. */
export const examples: IExamples = JSON.parse(readFileSync(EXAMPLES_PATH, 'utf-8'));
