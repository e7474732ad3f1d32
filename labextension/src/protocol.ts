/**
 * The panel <-> kernel protocol, version 2 (docs/protocol.md). The message
 * types are generated from docs/protocol.schema.json into
 * `protocol.generated.ts`; this module adds the constants and the one check
 * the panel makes on what it receives (requests are built in `requests.ts`).
 */
import { KernelMessage, Version, WorkerStatus } from './protocol.generated';

export * from './protocol.generated';

/** The comm target name, on both sides. */
export const COMM_TARGET = 'ipy_reimport';

/** The protocol version this panel speaks. */
export const PROTOCOL_VERSION: Version = 2;

/** How often the panel pings its comm (the kernel closes comms silent for 180 s). */
export const PING_INTERVAL_MS = 30_000;

/** Worker statuses that count as current (every other status is behind). */
export const CURRENT_STATUSES: readonly WorkerStatus[] = [
  'reloaded',
  'not_needed',
  'retired'
];

/** The kernel's message types (the compiler checks that the list is complete). */
const KERNEL_TYPES: Record<KernelMessage['type'], true> = {
  hello: true,
  snapshot: true,
  delta: true,
  queued: true,
  result: true,
  pong: true,
  goodbye: true,
  error: true
};

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Accept a message from the kernel if it speaks this version and has a known
 * type. The rest of its shape is the kernel's promise: the Python tests check
 * every message the kernel builds against the schema, so the panel does not
 * check it again.
 *
 * @returns the message, typed, or null.
 */
export function parseKernelMessage(data: unknown): KernelMessage | null {
  if (
    !isObject(data) ||
    data.v !== PROTOCOL_VERSION ||
    typeof data.type !== 'string'
  ) {
    return null;
  }
  return Object.prototype.hasOwnProperty.call(KERNEL_TYPES, data.type)
    ? (data as unknown as KernelMessage)
    : null;
}

/**
 * The protocol version a kernel message speaks, if it has one (to tell a
 * kernel of another ipy_reimport version from a malformed message).
 */
export function versionOf(data: unknown): number | null {
  return isObject(data) && typeof data.v === 'number' ? data.v : null;
}
