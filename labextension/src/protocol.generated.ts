/**
 * The shapes of the panel <-> kernel messages, generated from
 * docs/protocol.schema.json by scripts/protocol-types.js: do not edit.
 * Regenerate with `jlpm build:protocol`; the unit tests fail while this file
 * differs from what the schema generates.
 */

/**
 * Any message the kernel sends.
 */
export type KernelMessage = IHello | ISnapshot | IDelta | IQueued | IResult | IPong | IGoodbye | IError;
/**
 * The protocol version every message carries as 'v'.
 */
export type Version = 2;
/**
 * Chosen by the panel, echoed by the kernel in its answer.
 */
export type RequestId = string;
/**
 * user: the user's own modules; all: every loaded module.
 */
export type Scope = 'user' | 'all';
/**
 * fresh: runs the code on disk; stale: its file changed since it ran; dependent: imports a stale module; missing: its file was deleted; unreloadable: built-in, extension module, or a loader that cannot reload.
 */
export type ModuleState = 'fresh' | 'stale' | 'dependent' | 'missing' | 'unreloadable';
/**
 * A duration in seconds.
 */
export type Seconds = number;
/**
 * What ran for a module: executed (re-executed from the top; reason says why), patched (only definitions changed: patched in place), statements (ran the changed statements), rebound (imported names bound to new objects; nothing ran), skipped (not one of the user's modules; reason says why and how to include it).
 */
export type Action = 'executed' | 'patched' | 'statements' | 'rebound' | 'skipped';
export type WorkerStatus =
  'reloaded' | 'not_needed' | 'retired' | 'failed' | 'file_differs' | 'unreachable' | 'unknown';
/**
 * Why a request was not carried out: malformed (not a well-formed request), version (another protocol version), unknown_type, unknown_module (not loaded), unreloadable (built-in, extension, no source, lazy and not loaded yet), not_yours (the panel reloads only the user's modules), refused (the reload was refused: part of the shell, shadowed by a same-named file, replaces itself in sys.modules, source missing), internal.
 */
export type ErrorCode =
  'malformed' | 'version' | 'unknown_type' | 'unknown_module' | 'unreloadable' | 'not_yours' | 'refused' | 'internal';
/**
 * Any request the panel sends (comm_msg data). The panel's goodbye is comm_close data, which the kernel does not read: see Goodbye.
 */
export type PanelMessage = IReload | IReloadStale | IRescan | ISetScope | ISubscribe | IPing;
/**
 * A dotted module name as a reload request may name it: ASCII letter or underscore first in each part, then ASCII letters, digits, underscores or any non-ASCII character. (?![\s\S]) is the true end of the string in both Python and ECMAScript ($ in Python also matches before a final newline.)
 */
export type ModuleName = string;
export type Count = number;

/**
 * The data of the kernel's announcement comm_open.
 */
export interface IHello {
  v: Version;
  type: 'hello';
  /**
   * ipy_reimport's version in the kernel.
   */
  version: string;
}
/**
 * Every module in the comm's scope; answers subscribe, rescan and set_scope.
 */
export interface ISnapshot {
  v: Version;
  type: 'snapshot';
  /**
   * The requests it answers.
   *
   * @minItems 1
   */
  request_ids: RequestId[];
  scope: Scope;
  modules: IRow[];
}
/**
 * One loaded module.
 */
export interface IRow {
  /**
   * The module's name in sys.modules.
   */
  name: string;
  state: ModuleState;
  /**
   * Its source file relative to the kernel's working directory, /-separated, may start with ../; null without a source file.
   */
  path: string | null;
  /**
   * One of the user's modules.
   */
  user: boolean;
  /**
   * How many loaded modules (in the graph of the comm's scope) import it directly.
   */
  importers: number;
  /**
   * The first 20 of those importers, sorted.
   *
   * @maxItems 20
   */
  imported_by: string[];
  /**
   * Why it is unreloadable or missing.
   */
  reason: string | null;
  /**
   * Null when the panel may reload it; else the kernel's one-line reason, shown as is.
   */
  reload_blocked: string | null;
  last_reload: ILastReload | null;
}
/**
 * The last reload that involved a module.
 */
export interface ILastReload {
  /**
   * When it ran (Unix seconds).
   */
  at: number;
  /**
   * Whether it succeeded.
   */
  ok: boolean;
  seconds: Seconds;
  /**
   * Its one-line error when it failed.
   */
  error: string | null;
}
/**
 * What changed since the last snapshot or delta on this comm.
 */
export interface IDelta {
  v: Version;
  type: 'delta';
  scope: Scope;
  /**
   * Rows that are new or differ.
   */
  changed: IRow[];
  /**
   * Names that left the scope.
   */
  removed: string[];
}
/**
 * A reload waits for the running cell to end.
 */
export interface IQueued {
  v: Version;
  type: 'queued';
  request_id: RequestId;
}
/**
 * The outcome of a reload or reload_stale request. error is null exactly when ok is true.
 */
export interface IResult {
  v: Version;
  type: 'result';
  request_id: RequestId;
  /**
   * True: everything was reloaded; false: nothing changed (rolled back).
   */
  ok: boolean;
  /**
   * A duration in seconds.
   */
  seconds: number;
  /**
   * The modules that ran or were left out on purpose, in reload order.
   */
  modules: IReloaded[];
  /**
   * Dependents that were checked and needed nothing.
   */
  checked: number;
  /**
   * Modules that could not be reloaded.
   */
  skipped: INamedReason[];
  error: IReloadError | null;
  /**
   * The worker processes after the kernel's reload, one entry per engine in use.
   */
  workers: IEngine[];
}
/**
 * One module of a reload that ran or was left out on purpose.
 */
export interface IReloaded {
  name: string;
  seconds: Seconds;
  action: Action;
  /**
   * Why it was executed or skipped.
   */
  reason: string | null;
  /**
   * Functions and classes updated in place.
   */
  patched: string[];
  /**
   * Objects replaced instead of patched, and why.
   */
  replaced: INamedReason[];
}
/**
 * A module, class or function name and one line about what happened to it.
 */
export interface INamedReason {
  name: string;
  reason: string;
}
/**
 * Why a reload failed.
 */
export interface IReloadError {
  /**
   * The module whose execution failed.
   */
  module: string | null;
  /**
   * Its file, relative like a Row's path.
   */
  path: string | null;
  /**
   * The line in that file.
   */
  line: number | null;
  /**
   * One line such as 'SyntaxError: invalid syntax'.
   */
  message: string;
  rolled_back: boolean;
}
/**
 * The workers of one engine (a Dask client, loky's executor, the kernel's other child processes) after a reload.
 */
export interface IEngine {
  /**
   * dask, loky or processes (others may come: show them by name).
   */
  engine: string;
  /**
   * Which one, e.g. 'Dask tcp://127.0.0.1:8786'.
   */
  name: string;
  /**
   * Workers that run the kernel's code now.
   */
  current: number;
  /**
   * Workers that may run older code.
   */
  behind: number;
  seconds: Seconds;
  /**
   * About the engine as a whole.
   */
  note: string | null;
  /**
   * The first 20 workers that are behind or worth a word.
   *
   * @maxItems 20
   */
  details: IWorkerDetail[];
}
/**
 * One worker that is behind or worth a word.
 */
export interface IWorkerDetail {
  /**
   * A Dask address, 'pid 1234', a process name.
   */
  worker: string;
  status: WorkerStatus;
  /**
   * One line, with module, file and line for a failure.
   */
  message: string;
}
/**
 * The answer to a ping.
 */
export interface IPong {
  v: Version;
  type: 'pong';
  request_id: RequestId;
}
/**
 * The data of a comm_close, both ways: unloaded or expired from the kernel, 'page closed' from the panel.
 */
export interface IGoodbye {
  v: Version;
  type: 'goodbye';
  reason: 'unloaded' | 'expired' | 'page closed';
}
/**
 * A request was not carried out; nothing changed.
 */
export interface IError {
  v: Version;
  type: 'error';
  /**
   * The request's id when it could be read.
   */
  request_id: RequestId | null;
  code: ErrorCode;
  /**
   * One line for the user.
   */
  message: string;
}
/**
 * Deep-reload the named modules (and their importers).
 */
export interface IReload {
  v: Version;
  type: 'reload';
  id: RequestId;
  /**
   * @minItems 1
   * @maxItems 1000
   */
  modules: ModuleName[];
}
/**
 * Deep-reload every stale user module.
 */
export interface IReloadStale {
  v: Version;
  type: 'reload_stale';
  id: RequestId;
}
/**
 * Re-check every file in scope exactly; answered by a snapshot.
 */
export interface IRescan {
  v: Version;
  type: 'rescan';
  id: RequestId;
}
/**
 * Change the comm's scope; answered by a snapshot.
 */
export interface ISetScope {
  v: Version;
  type: 'set_scope';
  id: RequestId;
  scope: Scope;
}
/**
 * Start receiving deltas on this comm; answered by a snapshot.
 */
export interface ISubscribe {
  v: Version;
  type: 'subscribe';
  id: RequestId;
}
/**
 * Keep the comm's lease; answered by a pong.
 */
export interface IPing {
  v: Version;
  type: 'ping';
  id: RequestId;
}
