/**
 * The panel's state for one kernel: rows, counts, filter, scope, pending
 * requests and the last reload outcome. Pure: no DOM, no JupyterLab; every
 * update comes from a validated protocol message or a user action, and each
 * update emits `changed` once.
 */
import { ISignal, Signal } from '@lumino/signaling';
import {
  ErrorCode,
  IDelta,
  IEngine,
  IError,
  IResult,
  IRow,
  ISnapshot,
  KernelMessage,
  ModuleState,
  PanelMessage,
  Scope
} from './protocol';
import { compareRows, emptyCounts, matchesFilter } from './rows';

/** How the panel relates to the current kernel (the root's `data-connection`). */
export type ConnectionState =
  'no-kernel' | 'connecting' | 'no-extension' | 'other-version' | 'connected';

/** A sent request waits for its answer (`running`) or for the cell to end (`queued`). */
export type PendingStatus = 'running' | 'queued';

/** A request sent and not answered yet. */
export interface IPendingRequest {
  /** The request id. */
  readonly id: string;
  /** The request type. */
  readonly type: PanelMessage['type'];
  /** The rows it concerns (for reloads). */
  readonly modules: readonly string[];
  /** Whether the kernel said it is queued. */
  readonly status: PendingStatus;
}

/** Where and why a reload or request failed. */
export interface IFailure {
  /** The module whose execution failed. */
  readonly module: string | null;
  /** Its file, relative to the kernel's working directory. */
  readonly path: string | null;
  /** The line in that file. */
  readonly line: number | null;
  /** One line. */
  readonly message: string;
}

/** A failure that happened nowhere in particular. */
const NO_PLACE = { module: null, path: null, line: null } as const;

/** The last outcome shown in the result area: a successful result as the kernel sent it, or a failure. */
export type Outcome =
  | { readonly ok: true; readonly result: IResult }
  | {
      readonly ok: false;
      readonly requestId: string | null;
      /** What failed. */
      readonly error: IFailure;
      /** The `error` message's code; null for a failed `result`. */
      readonly code: ErrorCode | null;
    };

/** How many modules "reload stale" reloads. */
export interface IReloadCounts {
  /** The user's stale modules. */
  readonly stale: number;
  /** The user's modules that import a stale one. */
  readonly dependents: number;
}

/** States that mean a module no longer runs the code on disk. */
const OUT_OF_DATE: ReadonlySet<ModuleState> = new Set([
  'stale',
  'dependent',
  'missing'
]);

/** The state of the panel for one kernel. */
export class ModuleModel {
  /** Emitted once after every update. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** How the panel relates to the kernel. */
  get connection(): ConnectionState {
    return this._connection;
  }

  /** Whether a snapshot arrived since the last reset. */
  get hasSnapshot(): boolean {
    return this._hasSnapshot;
  }

  /** The scope of the rows. */
  get scope(): Scope {
    return this._scope;
  }

  /** The filter text. */
  get filter(): string {
    return this._filter;
  }

  /** Rows by module name. */
  get rows(): ReadonlyMap<string, IRow> {
    return this._rows;
  }

  /** Requests sent and not answered, by id. */
  get pending(): ReadonlyMap<string, IPendingRequest> {
    return this._pending;
  }

  /** The last reload outcome or request error. */
  get lastResult(): Outcome | null {
    return this._lastResult;
  }

  /**
   * The worker processes per engine, as of the last successful reload (a failed
   * reload touches no worker, so it leaves them as they were).
   */
  get workers(): readonly IEngine[] {
    return this._workers;
  }

  /** Every row, stale first, then dependent, missing, fresh, unreloadable; by name within a state. */
  sortedRows(): readonly IRow[] {
    if (this._sorted === null) {
      this._sorted = Array.from(this._rows.values()).sort(compareRows);
    }
    return this._sorted;
  }

  /** The sorted rows that match the filter. */
  visibleRows(): readonly IRow[] {
    if (this._visible === null) {
      const sorted = this.sortedRows();
      this._visible = this._filter.trim()
        ? sorted.filter(row => matchesFilter(row, this._filter))
        : sorted;
    }
    return this._visible;
  }

  /** How many rows are in each state (ignoring the filter). */
  counts(): Readonly<Record<ModuleState, number>> {
    if (this._counts === null) {
      const counts = emptyCounts();
      for (const row of this._rows.values()) {
        counts[row.state] += 1;
      }
      this._counts = counts;
    }
    return this._counts;
  }

  /**
   * What "reload stale" reloads, by the kernel's rows: the user's stale
   * modules and the user's modules that depend on them.
   */
  reloadCounts(): IReloadCounts {
    if (this._reloadCounts === null) {
      const counts = { stale: 0, dependents: 0 };
      for (const row of this._rows.values()) {
        if (row.user && row.state === 'stale') {
          counts.stale += 1;
        } else if (row.user && row.state === 'dependent') {
          counts.dependents += 1;
        }
      }
      this._reloadCounts = counts;
    }
    return this._reloadCounts;
  }

  /**
   * Whether a module turned stale, dependent or missing after the last
   * outcome arrived: what it says no longer describes the rows.
   */
  get resultOutdated(): boolean {
    return this._resultOutdated;
  }

  /** Forget the last outcome (the user closed it). */
  dismissResult(): void {
    if (this._lastResult !== null) {
      this._lastResult = null;
      this._resultOutdated = false;
      this._emit(false);
    }
  }

  /** The pending status shown on a row, if a reload concerns it. */
  rowPending(name: string): PendingStatus | null {
    if (this._rowPending === null) {
      const map = new Map<string, PendingStatus>();
      for (const request of this._pending.values()) {
        for (const module of request.modules) {
          if (map.get(module) !== 'queued') {
            map.set(module, request.status);
          }
        }
      }
      this._rowPending = map;
    }
    return this._rowPending.get(name) ?? null;
  }

  /** The status of the oldest pending reload, if any. */
  reloadPending(): PendingStatus | null {
    for (const request of this._pending.values()) {
      if (request.type === 'reload' || request.type === 'reload_stale') {
        return request.status;
      }
    }
    return null;
  }

  /** Set how the panel relates to the kernel. */
  setConnection(state: ConnectionState): void {
    if (state !== this._connection) {
      this._connection = state;
      this._emit(false);
    }
  }

  /** Set the filter text. */
  setFilter(filter: string): void {
    if (filter !== this._filter) {
      this._filter = filter;
      this._visible = null;
      this._emit(false);
    }
  }

  /** Forget everything the kernel said (restart, new comm); keeps the filter and connection. */
  reset(): void {
    this._rows = new Map();
    this._pending = new Map();
    this._lastResult = null;
    this._resultOutdated = false;
    this._workers = [];
    this._hasSnapshot = false;
    this._scope = 'user';
    this._emit(true);
  }

  /**
   * Apply a validated kernel message.
   *
   * @returns whether it changed anything (a delta before the first snapshot or
   *   for another scope, a `hello`, `pong` or `goodbye` change nothing).
   */
  apply(message: KernelMessage): boolean {
    switch (message.type) {
      case 'snapshot':
        return this._applySnapshot(message);
      case 'delta':
        return this._applyDelta(message);
      case 'queued':
        return this._markQueued(message.request_id);
      case 'result':
        return this._applyResult(message);
      case 'error':
        return this._applyError(message);
      default:
        return false;
    }
  }

  /**
   * Record a request that was just sent; a `reload` marks the rows it names
   * (which others it touches is the kernel's to say, in its result).
   *
   * @param status - `queued` when the sender knows the kernel is busy with a
   *   cell (the kernel then reads the request only when the cell ends).
   */
  addPending(request: PanelMessage, status: PendingStatus = 'running'): void {
    const modules = request.type === 'reload' ? [...request.modules] : [];
    const pending = new Map(this._pending);
    pending.set(request.id, {
      id: request.id,
      type: request.type,
      modules,
      status
    });
    this._pending = pending;
    this._rowPending = null;
    this._emit(false);
  }

  private _applySnapshot(message: ISnapshot): boolean {
    const rows = new Map<string, IRow>();
    for (const row of message.modules) {
      rows.set(row.name, row);
    }
    this._noteOutOfDate(message.modules);
    this._rows = rows;
    this._scope = message.scope;
    this._hasSnapshot = true;
    for (const id of message.request_ids) {
      this._dropPending(id);
    }
    this._emit(true);
    return true;
  }

  private _applyDelta(message: IDelta): boolean {
    if (!this._hasSnapshot || message.scope !== this._scope) {
      return false;
    }
    if (message.changed.length === 0 && message.removed.length === 0) {
      return false;
    }
    const rows = new Map(this._rows);
    for (const name of message.removed) {
      rows.delete(name);
    }
    for (const row of message.changed) {
      rows.set(row.name, row);
    }
    this._noteOutOfDate(message.changed);
    this._rows = rows;
    this._emit(true);
    return true;
  }

  /** Mark the last outcome outdated if one of `rows` turned out of date (against the rows before). */
  private _noteOutOfDate(rows: readonly IRow[]): void {
    if (this._lastResult === null || this._resultOutdated) {
      return;
    }
    this._resultOutdated = rows.some(
      row =>
        OUT_OF_DATE.has(row.state) &&
        this._rows.get(row.name)?.state !== row.state
    );
  }

  private _markQueued(id: string): boolean {
    const request = this._pending.get(id);
    if (!request || request.status === 'queued') {
      return false;
    }
    const pending = new Map(this._pending);
    pending.set(id, { ...request, status: 'queued' });
    this._pending = pending;
    this._rowPending = null;
    this._emit(false);
    return true;
  }

  private _applyResult(message: IResult): boolean {
    this._dropPending(message.request_id);
    this._resultOutdated = false;
    if (message.ok) {
      this._lastResult = { ok: true, result: message };
      this._workers = message.workers;
    } else {
      this._lastResult = {
        ok: false,
        requestId: message.request_id,
        code: null,
        error: message.error ?? { ...NO_PLACE, message: 'the reload failed' }
      };
    }
    this._emit(false);
    return true;
  }

  private _applyError(message: IError): boolean {
    if (message.request_id !== null) {
      this._dropPending(message.request_id);
    }
    this._resultOutdated = false;
    this._lastResult = {
      ok: false,
      requestId: message.request_id,
      code: message.code,
      error: { ...NO_PLACE, message: message.message }
    };
    this._emit(false);
    return true;
  }

  private _dropPending(id: string): void {
    if (this._pending.has(id)) {
      const pending = new Map(this._pending);
      pending.delete(id);
      this._pending = pending;
      this._rowPending = null;
    }
  }

  private _emit(rowsChanged: boolean): void {
    if (rowsChanged) {
      this._sorted = null;
      this._visible = null;
      this._counts = null;
      this._reloadCounts = null;
    }
    this._rowPending = null;
    this._changed.emit();
  }

  private _changed = new Signal<this, void>(this);
  private _connection: ConnectionState = 'no-kernel';
  private _hasSnapshot = false;
  private _scope: Scope = 'user';
  private _filter = '';
  private _rows: Map<string, IRow> = new Map();
  private _pending: Map<string, IPendingRequest> = new Map();
  private _lastResult: Outcome | null = null;
  private _resultOutdated = false;
  private _workers: readonly IEngine[] = [];
  private _sorted: IRow[] | null = null;
  private _visible: readonly IRow[] | null = null;
  private _counts: Record<ModuleState, number> | null = null;
  private _reloadCounts: IReloadCounts | null = null;
  private _rowPending: Map<string, PendingStatus> | null = null;
}
