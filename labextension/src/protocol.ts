/**
 * The panel <-> kernel protocol, version 2 (docs/protocol.md). The message
 * types are generated from docs/protocol.schema.json into
 * `protocol.generated.ts`; this module adds the constants, the one check the
 * panel makes on what it receives, and the request builders.
 */
import {
  IGoodbye,
  IPing,
  IReload,
  IReloadStale,
  IRescan,
  ISetScope,
  ISubscribe,
  KernelMessage,
  Scope,
  WorkerStatus
} from './protocol.generated';

export * from './protocol.generated';

/** The comm target name, on both sides. */
export const COMM_TARGET = 'ipy_reimport';

/** The protocol version this panel speaks. */
export const PROTOCOL_VERSION = 2;

/** How often the panel pings its comm (the kernel closes comms silent for 180 s). */
export const PING_INTERVAL_MS = 30_000;

/** Worker statuses that count as current (every other status is behind). */
export const CURRENT_STATUSES: readonly WorkerStatus[] = ['reloaded', 'not_needed', 'retired'];

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
  if (!isObject(data) || data.v !== PROTOCOL_VERSION || typeof data.type !== 'string') {
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

/** Build a `reload` request for `modules` (deep: their importers follow). */
export function reloadRequest(id: string, modules: string[]): IReload {
  return { v: PROTOCOL_VERSION, type: 'reload', id, modules: [...modules] };
}

/** Build a `reload_stale` request. */
export function reloadStaleRequest(id: string): IReloadStale {
  return { v: PROTOCOL_VERSION, type: 'reload_stale', id };
}

/** Build a `rescan` request. */
export function rescanRequest(id: string): IRescan {
  return { v: PROTOCOL_VERSION, type: 'rescan', id };
}

/** Build a `set_scope` request. */
export function setScopeRequest(id: string, scope: Scope): ISetScope {
  return { v: PROTOCOL_VERSION, type: 'set_scope', id, scope };
}

/** Build a `subscribe` request. */
export function subscribeRequest(id: string): ISubscribe {
  return { v: PROTOCOL_VERSION, type: 'subscribe', id };
}

/** Build a `ping` request. */
export function pingRequest(id: string): IPing {
  return { v: PROTOCOL_VERSION, type: 'ping', id };
}

/** The data of the panel's `comm_close` when its page goes away. */
export function pageClosedGoodbye(): IGoodbye {
  return { v: PROTOCOL_VERSION, type: 'goodbye', reason: 'page closed' };
}
