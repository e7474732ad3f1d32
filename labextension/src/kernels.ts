/**
 * The kernel connection objects of one kernel id (a notebook and a console
 * that share a kernel each have one): the comm target on each, and the status
 * of one of them, the primary.
 */
import type { Kernel, KernelMessage as Jupyter } from '@jupyterlab/services';
import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';
import { COMM_TARGET } from './protocol';

/** Called when the kernel opens a comm of the target on one of the objects. */
export type CommOpenHandler = (
  kernel: Kernel.IKernelConnection,
  comm: Kernel.IComm,
  msg: Jupyter.ICommOpenMsg
) => void;

type TargetCallback = (comm: Kernel.IComm, msg: Jupyter.ICommOpenMsg) => void;

/** The connection objects of one kernel, with the primary's status. */
export class KernelObjects implements IDisposable {
  /** `onCommOpen` receives the kernel's `comm_open`s of the target. */
  constructor(onCommOpen: CommOpenHandler) {
    this._onCommOpen = onCommOpen;
  }

  /** The object whose status is followed; null once none is left. */
  get primary(): Kernel.IKernelConnection | null {
    return this._primary;
  }

  /** Emitted when the primary changes (to another object, or null). */
  get primaryChanged(): ISignal<this, Kernel.IKernelConnection | null> {
    return this._primaryChanged;
  }

  /** The primary's kernel status. */
  get statusChanged(): ISignal<this, Jupyter.Status> {
    return this._statusChanged;
  }

  /** The primary's connection (socket) status. */
  get connectionStatusChanged(): ISignal<this, Kernel.ConnectionStatus> {
    return this._connectionStatusChanged;
  }

  /** Emitted when an object is disposed, after the primary moved on. */
  get removed(): ISignal<this, Kernel.IKernelConnection> {
    return this._removed;
  }

  /** Whether `dispose` ran. */
  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /**
   * Register the comm target on another object: every object that handles
   * comms sees the kernel's `comm_open` and would close it without the target.
   */
  add(kernel: Kernel.IKernelConnection): void {
    if (this._isDisposed || !kernel.handleComms || this._targets.has(kernel)) {
      return;
    }
    const callback: TargetCallback = (comm, msg) =>
      this._onCommOpen(kernel, comm, msg);
    this._targets.set(kernel, callback);
    kernel.registerCommTarget(COMM_TARGET, callback);
    kernel.disposed.connect(this._onDisposed, this);
    if (this._primary === null) {
      this._setPrimary(kernel);
    }
  }

  /** Unregister the target from every object still alive. */
  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    for (const [kernel, callback] of this._targets) {
      kernel.disposed.disconnect(this._onDisposed, this);
      if (!kernel.isDisposed) {
        kernel.removeCommTarget(COMM_TARGET, callback);
      }
    }
    this._targets.clear();
    this._setPrimary(null);
    Signal.clearData(this);
  }

  private _onDisposed(kernel: Kernel.IKernelConnection): void {
    this._targets.delete(kernel);
    if (kernel === this._primary) {
      const next = this._targets.keys().next();
      this._setPrimary(next.done ? null : next.value);
    }
    this._removed.emit(kernel);
  }

  private _setPrimary(kernel: Kernel.IKernelConnection | null): void {
    const old = this._primary;
    old?.statusChanged.disconnect(this._onStatus, this);
    old?.connectionStatusChanged.disconnect(this._onConnectionStatus, this);
    this._primary = kernel;
    kernel?.statusChanged.connect(this._onStatus, this);
    kernel?.connectionStatusChanged.connect(this._onConnectionStatus, this);
    this._primaryChanged.emit(kernel);
  }

  private _onStatus(_: Kernel.IKernelConnection, status: Jupyter.Status): void {
    this._statusChanged.emit(status);
  }

  private _onConnectionStatus(
    _: Kernel.IKernelConnection,
    status: Kernel.ConnectionStatus
  ): void {
    this._connectionStatusChanged.emit(status);
  }

  private _onCommOpen: CommOpenHandler;
  private _primary: Kernel.IKernelConnection | null = null;
  private _targets = new Map<Kernel.IKernelConnection, TargetCallback>();
  private _isDisposed = false;
  private _primaryChanged = new Signal<this, Kernel.IKernelConnection | null>(
    this
  );
  private _statusChanged = new Signal<this, Jupyter.Status>(this);
  private _connectionStatusChanged = new Signal<this, Kernel.ConnectionStatus>(
    this
  );
  private _removed = new Signal<this, Kernel.IKernelConnection>(this);
}
