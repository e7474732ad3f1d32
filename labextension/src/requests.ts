/**
 * The requests the panel sends, each with the next id of its connection
 * (`r1`, `r2`, …; the kernel echoes it in the answer).
 */
import {
  IGoodbye,
  IPing,
  IReload,
  IReloadStale,
  IRescan,
  ISetScope,
  ISubscribe,
  PROTOCOL_VERSION,
  Scope
} from './protocol';

/** Builds one connection's requests and numbers them. */
export class RequestFactory {
  /** Deep-reload `modules` (their importers follow). */
  reload(modules: readonly string[]): IReload {
    return { ...this._base('reload'), modules: [...modules] };
  }

  /** Deep-reload every stale user module. */
  reloadStale(): IReloadStale {
    return this._base('reload_stale');
  }

  /** Re-check every file in scope exactly; answered by a snapshot. */
  rescan(): IRescan {
    return this._base('rescan');
  }

  /** Change the comm's scope; answered by a snapshot. */
  setScope(scope: Scope): ISetScope {
    return { ...this._base('set_scope'), scope };
  }

  /** Start receiving deltas; answered by a snapshot. */
  subscribe(): ISubscribe {
    return this._base('subscribe');
  }

  /** Keep the comm's lease; answered by a pong. */
  ping(): IPing {
    return this._base('ping');
  }

  private _base<T extends string>(type: T): { v: 2; type: T; id: string } {
    this._count += 1;
    return { v: PROTOCOL_VERSION, type, id: `r${this._count}` };
  }

  private _count = 0;
}

/** The data of the panel's `comm_close` when its page goes away. */
export function pageClosedGoodbye(): IGoodbye {
  return { v: PROTOCOL_VERSION, type: 'goodbye', reason: 'page closed' };
}
