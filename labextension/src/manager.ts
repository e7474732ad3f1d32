/**
 * One `ReimportConnection` per kernel id, and the comm target registered on
 * every notebook's and console's kernel.
 */
import { ISessionContext } from '@jupyterlab/apputils';
import { Kernel } from '@jupyterlab/services';
import { IDisposable } from '@lumino/disposable';
import { ReimportConnection } from './connection';

/** One `ReimportConnection` per kernel id. */
export class ConnectionManager implements IDisposable {
  /** Whether the manager was disposed. */
  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** The connection of a kernel, created on first use. */
  get(kernel: Kernel.IKernelConnection): ReimportConnection {
    const connection = this._connections.get(kernel.id);
    if (connection && !connection.isDisposed) {
      connection.attach(kernel);
      return connection;
    }
    const created = new ReimportConnection(kernel);
    this._connections.set(kernel.id, created);
    created.disposed.connect(() => {
      if (this._connections.get(created.kernelId) === created) {
        this._connections.delete(created.kernelId);
      }
    });
    return created;
  }

  /**
   * Register the comm target on every kernel a session gets, so that a
   * `%load_ext` there is received even before the panel shows that kernel.
   */
  watch(sessionContext: ISessionContext): void {
    if (this._watched.has(sessionContext)) {
      return;
    }
    this._watched.add(sessionContext);
    const onKernel = (): void => {
      const kernel = sessionContext.session?.kernel;
      if (kernel && !this._isDisposed) {
        this.get(kernel);
      }
    };
    sessionContext.kernelChanged.connect(onKernel);
    sessionContext.disposed.connect(() => {
      sessionContext.kernelChanged.disconnect(onKernel);
      this._watched.delete(sessionContext);
    });
    onKernel();
  }

  /** Drop every connection. */
  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    for (const connection of Array.from(this._connections.values())) {
      connection.dispose();
    }
    this._connections.clear();
  }

  private _isDisposed = false;
  private _connections = new Map<string, ReimportConnection>();
  private _watched = new Set<ISessionContext>();
}
