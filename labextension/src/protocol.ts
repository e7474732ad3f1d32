/**
 * The panel <-> kernel protocol, version 2 (mirrors docs/protocol.md).
 *
 * Every shape that crosses the comm is an interface here; `parseKernelMessage`
 * validates what the kernel sends and the request builders make what the panel
 * sends. Nothing in this module touches JupyterLab or the DOM.
 */

/** The comm target name, on both sides. */
export const COMM_TARGET = 'ipy_reimport';

/** The protocol version this panel speaks. */
export const PROTOCOL_VERSION = 2;

/** How often the panel pings its comm (the kernel closes comms silent for 180 s). */
export const PING_INTERVAL_MS = 30_000;

/** The states a module can be in, in the order the panel lists them. */
export const MODULE_STATES = [
  'stale',
  'dependent',
  'missing',
  'fresh',
  'unreloadable'
] as const;

/** A module's state: see "States" in the protocol. */
export type ModuleState = (typeof MODULE_STATES)[number];

/** Which modules a comm lists. */
export const SCOPES = ['user', 'all'] as const;

/** `user`: the user's own modules; `all`: every loaded module. */
export type Scope = (typeof SCOPES)[number];

/** The codes of an `error` message. */
export const ERROR_CODES = [
  'malformed',
  'version',
  'unknown_type',
  'unknown_module',
  'unreloadable',
  'internal'
] as const;

/** Why a request could not be carried out. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** The request types the panel may send. */
export const REQUEST_TYPES = [
  'reload',
  'reload_stale',
  'rescan',
  'set_scope',
  'subscribe',
  'ping'
] as const;

/** The `type` of a panel -> kernel message. */
export type RequestType = (typeof REQUEST_TYPES)[number];

/** Limits on requests (protocol "Panel -> kernel"). */
export const LIMITS = {
  /** Shortest request id. */
  idMin: 1,
  /** Longest request id. */
  idMax: 64,
  /** Fewest module names in a `reload`. */
  modulesMin: 1,
  /** Most module names in a `reload`. */
  modulesMax: 1000,
  /** Longest module name. */
  nameMax: 256
} as const;

/**
 * A module name as the kernel accepts it: `^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$`
 * with Python's Unicode-aware `\w` (letters, digits, underscore).
 */
export const MODULE_NAME_PATTERN =
  /^[A-Za-z_][\p{L}\p{N}_]*(\.[A-Za-z_][\p{L}\p{N}_]*)*$/u;

/** Fields every message carries. */
export interface IEnvelope {
  /** Protocol version: always 2. */
  v: 2;
  /** The message type. */
  type: string;
}

/** The last reload that involved a module. */
export interface ILastReload {
  /** When it ran (Unix seconds). */
  at: number;
  /** Whether it succeeded. */
  ok: boolean;
  /** Wall time of that reload in seconds. */
  seconds: number;
  /** Its one-line error, if it failed. */
  error: string | null;
}

/** One loaded module as the kernel describes it. */
export interface IRow {
  /** The module's name in `sys.modules`. */
  name: string;
  /** Its state. */
  state: ModuleState;
  /** Its source file relative to the kernel's working directory, `/`-separated; null without a file. */
  path: string | null;
  /** Whether it is one of the user's modules. */
  user: boolean;
  /** How many loaded modules import it directly. */
  importers: number;
  /** The first 20 of those importers, sorted. */
  imported_by: string[];
  /** Why it is `unreloadable` or `missing`. */
  reason: string | null;
  /** The last reload that involved it. */
  last_reload: ILastReload | null;
}

/** A name with the reason something happened to it. */
export interface INamedReason {
  /** A module, class or function name. */
  name: string;
  /** One line. */
  reason: string;
}

/** One module of a reload, in reload order. */
export interface IReloaded {
  /** The module's name. */
  name: string;
  /** Wall time of its re-execution in seconds. */
  seconds: number;
  /** Functions and classes updated in place. */
  patched: string[];
  /** Objects that were replaced instead of patched, and why. */
  replaced: INamedReason[];
}

/** Why a reload failed. */
export interface IReloadError {
  /** The module whose execution failed. */
  module: string | null;
  /** Its file, relative like a row's `path`. */
  path: string | null;
  /** The line in that file. */
  line: number | null;
  /** One line such as `SyntaxError: invalid syntax`. */
  message: string;
  /** Whether changes were rolled back. */
  rolled_back: boolean;
}

/** Worker statuses that count as current (every other status is behind). */
export const CURRENT_STATUSES: readonly string[] = ['reloaded', 'not_needed', 'retired'];

/** One worker that is behind or worth a word (version 2). */
export interface IWorkerDetail {
  /** The worker's name: a Dask address, `pid 1234`, a process name. */
  worker: string;
  /** `reloaded`, `not_needed`, `retired`, `failed`, `file_differs`, `unreachable` or `unknown`. */
  status: string;
  /** One line, with module, file and line for a failure. */
  message: string;
}

/** The workers of one engine after a reload (version 2). */
export interface IEngine {
  /** `dask`, `loky` or `processes`. */
  engine: string;
  /** Which one, e.g. `Dask tcp://127.0.0.1:8786`. */
  name: string;
  /** Workers that run the kernel's code. */
  current: number;
  /** Workers that may run older code. */
  behind: number;
  /** Time spent bringing them up to date, in seconds. */
  seconds: number;
  /** About the engine as a whole. */
  note: string | null;
  /** The first workers that are behind or worth a word. */
  details: IWorkerDetail[];
}

/** Data of the kernel's announcement `comm_open`. */
export interface IHello extends IEnvelope {
  /** Message type. */
  type: 'hello';
  /** ipy_reimport's version in the kernel. */
  version: string;
}

/** The full list of modules in the comm's scope. */
export interface ISnapshot extends IEnvelope {
  /** Message type. */
  type: 'snapshot';
  /** The `subscribe`/`rescan`/`set_scope` requests it answers (at least one). */
  request_ids: string[];
  /** Which modules are listed. */
  scope: Scope;
  /** Every module in scope. */
  modules: IRow[];
}

/** What changed since the last snapshot or delta on this comm. */
export interface IDelta extends IEnvelope {
  /** Message type. */
  type: 'delta';
  /** As in the snapshot. */
  scope: Scope;
  /** Rows that are new or differ. */
  changed: IRow[];
  /** Names that left the scope. */
  removed: string[];
}

/** A reload request waits for the running cell to end. */
export interface IQueued extends IEnvelope {
  /** Message type. */
  type: 'queued';
  /** The request's id. */
  request_id: string;
}

/** The outcome of a `reload` or `reload_stale` request. */
export interface IResult extends IEnvelope {
  /** Message type. */
  type: 'result';
  /** The request's id. */
  request_id: string;
  /** True: everything was reloaded; false: nothing changed. */
  ok: boolean;
  /** Wall time of the whole reload (0 on failure). */
  seconds: number;
  /** Reloaded modules in reload order, dependencies first. */
  modules: IReloaded[];
  /** Dependents that could not be reloaded. */
  skipped: INamedReason[];
  /** Set exactly when `ok` is false. */
  error: IReloadError | null;
  /** The worker processes after the reload, per engine (version 2). */
  workers?: IEngine[];
}

/** The answer to a `ping`. */
export interface IPong extends IEnvelope {
  /** Message type. */
  type: 'pong';
  /** The ping's id. */
  request_id: string;
}

/** Data of a `comm_close`: why the comm ends. */
export interface IGoodbye extends IEnvelope {
  /** Message type. */
  type: 'goodbye';
  /** `unloaded` or `expired` from the kernel, `page closed` from the panel. */
  reason: string;
}

/** A request could not be carried out; nothing changed. */
export interface IError extends IEnvelope {
  /** Message type. */
  type: 'error';
  /** The request's id when it could be read. */
  request_id: string | null;
  /** Why. */
  code: ErrorCode;
  /** One line for the user. */
  message: string;
}

/** Any kernel -> panel message. */
export type KernelMessage =
  | IHello
  | ISnapshot
  | IDelta
  | IQueued
  | IResult
  | IError
  | IPong
  | IGoodbye;

/** Fields of every request. */
export interface IRequestBase extends IEnvelope {
  /** 1-64 characters chosen by the panel, echoed as `request_id`. */
  id: string;
}

/** Deep-reload the named modules. */
export interface IReloadRequest extends IRequestBase {
  /** Request type. */
  type: 'reload';
  /** 1-1000 module names. */
  modules: string[];
}

/** Deep-reload every stale module in the comm's scope. */
export interface IReloadStaleRequest extends IRequestBase {
  /** Request type. */
  type: 'reload_stale';
}

/** Re-check every file in scope exactly and send a snapshot. */
export interface IRescanRequest extends IRequestBase {
  /** Request type. */
  type: 'rescan';
}

/** Change the comm's scope; answered by a snapshot. */
export interface ISetScopeRequest extends IRequestBase {
  /** Request type. */
  type: 'set_scope';
  /** The new scope. */
  scope: Scope;
}

/** Start receiving deltas on this comm; answered by a snapshot. */
export interface ISubscribeRequest extends IRequestBase {
  /** Request type. */
  type: 'subscribe';
}

/** Keep the comm's lease; answered by a pong. */
export interface IPingRequest extends IRequestBase {
  /** Request type. */
  type: 'ping';
}

/** Any panel -> kernel message. */
export type PanelRequest =
  | IReloadRequest
  | IReloadStaleRequest
  | IRescanRequest
  | ISetScopeRequest
  | ISubscribeRequest
  | IPingRequest;

// ---------------------------------------------------------------- validation

type Obj = Record<string, unknown>;

function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}

function isStringOrNull(value: unknown): value is string | null {
  return value === null || typeof value === 'string';
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function isSeconds(value: unknown): value is number {
  return isNumber(value) && value >= 0;
}

function isCount(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 0;
}

function isArrayOf<T>(
  value: unknown,
  item: (x: unknown) => x is T
): value is T[] {
  return Array.isArray(value) && value.every(item);
}

function isOneOf<T extends string>(
  values: readonly T[],
  value: unknown
): value is T {
  return typeof value === 'string' && (values as readonly string[]).includes(value);
}

/** Whether `value` is a module state. */
export function isModuleState(value: unknown): value is ModuleState {
  return isOneOf(MODULE_STATES, value);
}

/** Whether `value` is a scope. */
export function isScope(value: unknown): value is Scope {
  return isOneOf(SCOPES, value);
}

/** Whether `name` is a module name the kernel would accept in a `reload`. */
export function isModuleName(name: unknown): name is string {
  return (
    typeof name === 'string' &&
    name.length <= LIMITS.nameMax &&
    MODULE_NAME_PATTERN.test(name)
  );
}

function isLastReload(x: unknown): x is ILastReload {
  return (
    isObject(x) &&
    isNumber(x.at) &&
    typeof x.ok === 'boolean' &&
    isSeconds(x.seconds) &&
    isStringOrNull(x.error)
  );
}

/** Whether `x` is a valid row. */
export function isRow(x: unknown): x is IRow {
  return (
    isObject(x) &&
    isString(x.name) &&
    x.name.length > 0 &&
    isModuleState(x.state) &&
    isStringOrNull(x.path) &&
    typeof x.user === 'boolean' &&
    isCount(x.importers) &&
    isArrayOf(x.imported_by, isString) &&
    isStringOrNull(x.reason) &&
    (x.last_reload === null || isLastReload(x.last_reload))
  );
}

function isNamedReason(x: unknown): x is INamedReason {
  return isObject(x) && isString(x.name) && isString(x.reason);
}

function isReloaded(x: unknown): x is IReloaded {
  return (
    isObject(x) &&
    isString(x.name) &&
    isSeconds(x.seconds) &&
    isArrayOf(x.patched, isString) &&
    isArrayOf(x.replaced, isNamedReason)
  );
}

function isReloadError(x: unknown): x is IReloadError {
  return (
    isObject(x) &&
    isStringOrNull(x.module) &&
    isStringOrNull(x.path) &&
    (x.line === null || isCount(x.line)) &&
    isString(x.message) &&
    typeof x.rolled_back === 'boolean'
  );
}

function isWorkerDetail(x: unknown): x is IWorkerDetail {
  return isObject(x) && isString(x.worker) && isString(x.status) && isString(x.message);
}

function isEngine(x: unknown): x is IEngine {
  return (
    isObject(x) &&
    isString(x.engine) &&
    isString(x.name) &&
    isCount(x.current) &&
    isCount(x.behind) &&
    isSeconds(x.seconds) &&
    isStringOrNull(x.note) &&
    isArrayOf(x.details, isWorkerDetail)
  );
}

/** Field checks of each kernel -> panel type (the envelope is checked before). */
const KERNEL_CHECKS: Record<KernelMessage['type'], (m: Obj) => boolean> = {
  hello: m => isString(m.version),
  snapshot: m =>
    isArrayOf(m.request_ids, isString) &&
    m.request_ids.length > 0 &&
    isScope(m.scope) &&
    isArrayOf(m.modules, isRow),
  delta: m =>
    isScope(m.scope) &&
    isArrayOf(m.changed, isRow) &&
    isArrayOf(m.removed, isString),
  queued: m => isString(m.request_id),
  result: m =>
    isString(m.request_id) &&
    typeof m.ok === 'boolean' &&
    isSeconds(m.seconds) &&
    isArrayOf(m.modules, isReloaded) &&
    isArrayOf(m.skipped, isNamedReason) &&
    (m.ok ? m.error === null : isReloadError(m.error)) &&
    (m.workers === undefined || isArrayOf(m.workers, isEngine)),
  error: m =>
    isStringOrNull(m.request_id) &&
    isOneOf(ERROR_CODES, m.code) &&
    isString(m.message),
  pong: m => isString(m.request_id),
  goodbye: m => isString(m.reason)
};

/**
 * Validate a message received from the kernel.
 *
 * @returns the message, typed, or null when it is not a valid kernel -> panel
 *   message of this version (wrong shape, version, type or field).
 */
export function parseKernelMessage(data: unknown): KernelMessage | null {
  if (!isObject(data) || data.v !== PROTOCOL_VERSION || !isString(data.type)) {
    return null;
  }
  if (!Object.prototype.hasOwnProperty.call(KERNEL_CHECKS, data.type)) {
    return null;
  }
  const check = KERNEL_CHECKS[data.type as KernelMessage['type']];
  return check(data) ? (data as unknown as KernelMessage) : null;
}

/** The outcome of checking a panel -> kernel message. */
export type RequestCheck =
  | { ok: true; request: PanelRequest }
  | { ok: false; code: ErrorCode; message: string };

function isRequestId(id: unknown): id is string {
  return isString(id) && id.length >= LIMITS.idMin && id.length <= LIMITS.idMax;
}

function checkRequestFields(m: Obj): string | null {
  if (!isRequestId(m.id)) {
    return `'id' must be a string of ${LIMITS.idMin}-${LIMITS.idMax} characters`;
  }
  if (m.type === 'reload') {
    const modules = m.modules;
    if (
      !Array.isArray(modules) ||
      modules.length < LIMITS.modulesMin ||
      modules.length > LIMITS.modulesMax
    ) {
      return `'modules' must be an array of ${LIMITS.modulesMin}-${LIMITS.modulesMax} names`;
    }
    if (!modules.every(isModuleName)) {
      return "'modules' must hold dotted Python module names";
    }
  }
  if (m.type === 'set_scope' && !isScope(m.scope)) {
    return "'scope' must be 'user' or 'all'";
  }
  return null;
}

/**
 * Check a panel -> kernel message the way the kernel does, with the error code
 * the kernel would answer.
 */
export function checkPanelRequest(data: unknown): RequestCheck {
  if (!isObject(data)) {
    return { ok: false, code: 'malformed', message: 'a message must be a JSON object' };
  }
  if (data.v !== PROTOCOL_VERSION) {
    return {
      ok: false,
      code: 'version',
      message: `protocol version must be ${PROTOCOL_VERSION}`
    };
  }
  if (!isString(data.type)) {
    return { ok: false, code: 'malformed', message: "'type' must be a string" };
  }
  if (!isOneOf(REQUEST_TYPES, data.type)) {
    return { ok: false, code: 'unknown_type', message: `unknown type '${data.type}'` };
  }
  const problem = checkRequestFields(data);
  if (problem !== null) {
    return { ok: false, code: 'malformed', message: problem };
  }
  return { ok: true, request: data as unknown as PanelRequest };
}

/** Whether `data` is a valid panel -> kernel message of this version. */
export function isPanelRequest(data: unknown): data is PanelRequest {
  return checkPanelRequest(data).ok;
}

// ---------------------------------------------------------------- builders

/** Build a `reload` request for `modules` (deep: their importers follow). */
export function reloadRequest(id: string, modules: string[]): IReloadRequest {
  return { v: PROTOCOL_VERSION, type: 'reload', id, modules: [...modules] };
}

/** Build a `reload_stale` request. */
export function reloadStaleRequest(id: string): IReloadStaleRequest {
  return { v: PROTOCOL_VERSION, type: 'reload_stale', id };
}

/** Build a `rescan` request. */
export function rescanRequest(id: string): IRescanRequest {
  return { v: PROTOCOL_VERSION, type: 'rescan', id };
}

/** Build a `set_scope` request. */
export function setScopeRequest(id: string, scope: Scope): ISetScopeRequest {
  return { v: PROTOCOL_VERSION, type: 'set_scope', id, scope };
}

/** Build a `subscribe` request. */
export function subscribeRequest(id: string): ISubscribeRequest {
  return { v: PROTOCOL_VERSION, type: 'subscribe', id };
}

/** Build a `ping` request. */
export function pingRequest(id: string): IPingRequest {
  return { v: PROTOCOL_VERSION, type: 'ping', id };
}

/** The data of the panel's `comm_close` when its page goes away. */
export function pageClosedGoodbye(): IGoodbye {
  return { v: PROTOCOL_VERSION, type: 'goodbye', reason: 'page closed' };
}

/**
 * The protocol version a kernel message speaks, if it has one (to tell a
 * kernel of another ipy_reimport version from a malformed message).
 */
export function versionOf(data: unknown): number | null {
  return isObject(data) && typeof data.v === 'number' ? data.v : null;
}

/** The builder of each request type, keyed by `type`. */
export const REQUEST_BUILDERS: {
  reload: typeof reloadRequest;
  reload_stale: typeof reloadStaleRequest;
  rescan: typeof rescanRequest;
  set_scope: typeof setScopeRequest;
  subscribe: typeof subscribeRequest;
  ping: typeof pingRequest;
} = {
  reload: reloadRequest,
  reload_stale: reloadStaleRequest,
  rescan: rescanRequest,
  set_scope: setScopeRequest,
  subscribe: subscribeRequest,
  ping: pingRequest
};
