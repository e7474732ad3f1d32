/**
 * One comm per kernel: when the kernel announces the extension (or `comm_info`
 * lists its target) the panel opens its own `ipy_reimport` comm and subscribes,
 * feeds validated messages into a `ModuleModel`, sends requests, pings, says
 * goodbye when the page goes away, and starts over by itself after a restart,
 * a lost connection or an expired lease (docs/protocol.md).
 */
import { Kernel, KernelMessage } from '@jupyterlab/services';
import { JSONObject } from '@lumino/coreutils';
import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';
import { ModuleModel } from './model';
import {
  COMM_TARGET,
  IGoodbye,
  PING_INTERVAL_MS,
  PROTOCOL_VERSION,
  PanelMessage,
  Scope,
  pageClosedGoodbye,
  parseKernelMessage,
  pingRequest,
  reloadRequest,
  reloadStaleRequest,
  rescanRequest,
  setScopeRequest,
  subscribeRequest,
  versionOf
} from './protocol';

/**
 * The code the "load" button runs in the kernel: `%load_ext`, then a comm is opened if the
 * extension was already loaded but no comm is open any more (docs/protocol.md).
 */
export const LOAD_EXTENSION_CODE =
  '%load_ext ipy_reimport\n__import__("ipy_reimport").open_panel_comm()';

/** Kernel statuses after which the kernel process is new. */
const RESTARTING: ReadonlySet<KernelMessage.Status> = new Set([
  'restarting',
  'autorestarting'
]);

/** Kernel statuses in which a request would be lost. */
const NOT_READY: ReadonlySet<KernelMessage.Status> = new Set([
  'restarting',
  'autorestarting',
  'terminating',
  'dead'
]);

/**
 * Whether a kernel can answer a `comm_info_request` now: the connection is
 * `connected` only once the kernel answered `kernel_info`. (After a socket
 * reconnect the status stays `unknown` until the kernel next publishes one.)
 */
function isReady(kernel: Kernel.IKernelConnection): boolean {
  return (
    !kernel.isDisposed &&
    kernel.connectionStatus === 'connected' &&
    !NOT_READY.has(kernel.status)
  );
}

/** Close a comm without letting a dead kernel throw. */
function closeQuietly(comm: Kernel.IComm, goodbye?: IGoodbye): void {
  if (comm.isDisposed) {
    return;
  }
  try {
    comm.close(goodbye as unknown as JSONObject | undefined);
  } catch {
    comm.dispose();
  }
}

/** What the no-extension view can offer. */
export interface ILoadState {
  /** Whether `%load_ext ipy_reimport` makes sense (a Python kernel). */
  readonly canLoad: boolean;
  /** Whether the load is running. */
  readonly loading: boolean;
  /** Why the last load failed, one line. */
  readonly error: string | null;
}

/** The panel's link to one kernel (all the kernel connection objects of one kernel id). */
export class ReimportConnection implements IDisposable {
  /** Attach the first kernel connection object. */
  constructor(kernel: Kernel.IKernelConnection) {
    this.kernelId = kernel.id;
    this.model.setConnection('connecting');
    this.attach(kernel);
    // `beforeunload` comes first and is the more reliable moment to send; `pagehide` also
    // covers pages closed without it (a mobile tab, a page restored from the cache).
    window.addEventListener('beforeunload', this._onPageHide);
    window.addEventListener('pagehide', this._onPageHide);
  }

  /** The kernel id. */
  readonly kernelId: string;

  /** The state shown by the panel. */
  readonly model = new ModuleModel();

  /** Whether the connection was dropped. */
  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Emitted once when the connection is dropped (its kernel went away). */
  get disposed(): ISignal<this, void> {
    return this._disposed;
  }

  /** What the no-extension view can offer. */
  get loadState(): ILoadState {
    return this._loadState;
  }

  /** Emitted when `loadState` changes. */
  get loadStateChanged(): ISignal<this, ILoadState> {
    return this._loadStateChanged;
  }

  /**
   * Register the comm target on another connection object of the same kernel
   * (a console sharing a notebook's kernel): every object that handles comms
   * sees the kernel's `comm_open` and would close it without the target.
   */
  attach(kernel: Kernel.IKernelConnection): void {
    if (this._isDisposed || !kernel.handleComms || this._kernels.includes(kernel)) {
      return;
    }
    this._kernels.push(kernel);
    kernel.registerCommTarget(COMM_TARGET, this._targetCallback(kernel));
    kernel.disposed.connect(this._onKernelDisposed, this);
    if (this._primary === null) {
      this._setPrimary(kernel);
    }
  }

  /**
   * Start looking for the kernel's comm (asks `comm_info` once the kernel is
   * ready). Until then the connection only adopts comms the kernel opens.
   */
  start(): void {
    this._active = true;
    this._step();
  }

  /** Deep-reload `modules`; returns whether the request was sent. */
  reload(modules: string[]): boolean {
    return modules.length > 0 && this._send(id => reloadRequest(id, modules));
  }

  /** Deep-reload every stale module in scope; returns whether the request was sent. */
  reloadStale(): boolean {
    return this._send(reloadStaleRequest);
  }

  /** Ask for an exact re-check and a new snapshot. */
  rescan(): boolean {
    return this._send(rescanRequest);
  }

  /** Switch the comm's scope. */
  setScope(scope: Scope): boolean {
    return this._send(id => setScopeRequest(id, scope));
  }

  /**
   * Run `%load_ext ipy_reimport` silently; the kernel then opens the comm.
   */
  async loadExtension(): Promise<void> {
    const kernel = this._primary;
    if (!kernel || this._loadState.loading) {
      return;
    }
    this._setLoadState({ loading: true, error: null });
    let error: string | null = null;
    try {
      const future = kernel.requestExecute({
        code: LOAD_EXTENSION_CODE,
        silent: true,
        store_history: false
      });
      const reply = await future.done;
      if (reply.content.status === 'error') {
        error = `${reply.content.ename}: ${reply.content.evalue}`;
      }
    } catch (reason) {
      error = `Could not run ${LOAD_EXTENSION_CODE}: ${String(reason)}`;
    }
    if (this._isDisposed) {
      return;
    }
    this._setLoadState({ loading: false, error });
    if (error === null) {
      // The kernel normally opened its comm already; if not, ask again.
      this._needsCheck = true;
      this._step();
    }
  }

  /** Drop the connection: unregister the targets and forget the comm. */
  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._generation += 1;
    window.removeEventListener('beforeunload', this._onPageHide);
    window.removeEventListener('pagehide', this._onPageHide);
    this._stopPing();
    for (const kernel of this._kernels) {
      kernel.disposed.disconnect(this._onKernelDisposed, this);
      if (!kernel.isDisposed) {
        kernel.removeCommTarget(COMM_TARGET, this._targetCallback(kernel));
      }
    }
    this._setPrimary(null);
    this._kernels = [];
    this._comm = null;
    this._disposed.emit();
    Signal.clearData(this);
    Signal.clearData(this.model);
  }

  // The registered callbacks, so that removeCommTarget can match them.
  private _targetCallback(
    kernel: Kernel.IKernelConnection
  ): (comm: Kernel.IComm, msg: KernelMessage.ICommOpenMsg) => void {
    let callback = this._callbacks.get(kernel);
    if (!callback) {
      callback = (comm, msg) => this._onCommOpen(kernel, comm, msg);
      this._callbacks.set(kernel, callback);
    }
    return callback;
  }

  private _setPrimary(kernel: Kernel.IKernelConnection | null): void {
    const old = this._primary;
    if (old) {
      old.statusChanged.disconnect(this._onStatus, this);
      old.connectionStatusChanged.disconnect(this._onConnectionStatus, this);
    }
    this._primary = kernel;
    if (kernel) {
      kernel.statusChanged.connect(this._onStatus, this);
      kernel.connectionStatusChanged.connect(this._onConnectionStatus, this);
      void kernel.info.then(
        info => {
          const language = info.language_info?.name ?? '';
          const canLoad = language === '' || language.toLowerCase() === 'python';
          if (!this._isDisposed && canLoad !== this._loadState.canLoad) {
            this._setLoadState({ canLoad });
          }
        },
        () => undefined
      );
    }
  }

  private _onKernelDisposed(kernel: Kernel.IKernelConnection): void {
    this._kernels = this._kernels.filter(k => k !== kernel);
    if (this._kernels.length === 0) {
      this.dispose();
      return;
    }
    if (kernel === this._primary) {
      this._setPrimary(this._kernels[0]);
    }
    if (kernel === this._commOwner) {
      this._restart(false);
    }
  }

  private _onStatus(
    _kernel: Kernel.IKernelConnection,
    status: KernelMessage.Status
  ): void {
    if (RESTARTING.has(status)) {
      // The kernel process is new: its comms are gone (the services dispose them).
      this._restart(false);
    } else {
      this._step();
    }
  }

  private _onConnectionStatus(
    _kernel: Kernel.IKernelConnection,
    status: Kernel.ConnectionStatus
  ): void {
    if (status !== 'connected') {
      // Messages may be lost while the socket is down: start over once it is back.
      this._restart(true);
    } else {
      this._step();
    }
  }

  /**
   * Forget the comm and the rows, show "connecting", and look for a comm again
   * as soon as the kernel is ready. `keepComm`: the old comm may still be open
   * in the kernel; close it once a new one is open.
   */
  private _restart(keepComm: boolean): void {
    this._stopPing();
    this._generation += 1;
    this._asking = false;
    this._needsCheck = true;
    const old = this._comm;
    this._comm = null;
    this._commOwner = null;
    if (old) {
      if (keepComm) {
        this._replaced.push(old);
      } else {
        old.dispose();
      }
    }
    this.model.reset();
    this.model.setConnection('connecting');
    this._step();
  }

  /** Ask the kernel whether it has the comm target, once, when it can answer. */
  private _step(): void {
    if (
      this._isDisposed ||
      !this._active ||
      !this._needsCheck ||
      this._comm ||
      this._asking
    ) {
      return;
    }
    const kernel = this._primary;
    if (!kernel) {
      return;
    }
    if (!isReady(kernel)) {
      this.model.setConnection('connecting');
      return;
    }
    this._asking = true;
    const generation = this._generation;
    if (this.model.connection !== 'no-extension') {
      this.model.setConnection('connecting');
    }
    kernel.requestCommInfo({ target_name: COMM_TARGET }).then(
      reply => {
        if (generation !== this._generation || this._isDisposed) {
          return;
        }
        this._asking = false;
        if (this._comm) {
          return; // The kernel opened one meanwhile.
        }
        const content = reply.content;
        const comms = content.status === 'ok' ? content.comms : {};
        const listed = Object.values(comms).some(
          info => info.target_name === COMM_TARGET
        );
        if (listed) {
          this._openOwnComm(kernel);
        } else {
          this._needsCheck = false;
          this._closeReplaced();
          this.model.setConnection('no-extension');
        }
      },
      reason => {
        if (generation !== this._generation || this._isDisposed) {
          return;
        }
        this._asking = false;
        this._needsCheck = false;
        console.warn('ipy_reimport: comm_info_request failed', reason);
        this.model.setConnection('no-extension');
      }
    );
  }

  private _openOwnComm(kernel: Kernel.IKernelConnection): void {
    let comm: Kernel.IComm;
    try {
      comm = kernel.createComm(COMM_TARGET);
    } catch (reason) {
      console.warn('ipy_reimport: could not create a comm', reason);
      this.model.setConnection('no-extension');
      return;
    }
    this._adopt(kernel, comm);
    try {
      comm.open({});
    } catch (reason) {
      console.warn('ipy_reimport: could not open the comm', reason);
      this._restart(false);
      return;
    }
    this._send(subscribeRequest);
  }

  /**
   * The kernel announced the extension (data: `hello`). The announcement comm
   * stays as it is (it tells later pages that the extension is loaded); the
   * panel opens its own.
   */
  private _onCommOpen(
    kernel: Kernel.IKernelConnection,
    _announcement: Kernel.IComm,
    msg: KernelMessage.ICommOpenMsg
  ): void {
    if (this._isDisposed || this._comm) {
      return; // Connected already (or the same announcement, seen through another connection object).
    }
    const hello = parseKernelMessage(msg.content.data);
    if (hello === null || hello.type !== 'hello') {
      if (this._isOtherVersion(msg.content.data)) {
        return;
      }
      console.warn(
        'ipy_reimport: ignoring a comm whose data is not a valid hello',
        msg.content.data
      );
      return;
    }
    this._openOwnComm(kernel);
  }

  /** Show that the kernel speaks another protocol version, if `data` says so. */
  private _isOtherVersion(data: unknown): boolean {
    const version = versionOf(data);
    if (version === null || version === PROTOCOL_VERSION) {
      return false;
    }
    console.warn(
      `ipy_reimport: the kernel speaks protocol version ${version}, this panel ${PROTOCOL_VERSION}`
    );
    this._needsCheck = false;
    this.model.reset();
    this.model.setConnection('other-version');
    return true;
  }

  private _adopt(kernel: Kernel.IKernelConnection, comm: Kernel.IComm): void {
    const old = this._comm;
    this._comm = comm;
    this._commOwner = kernel;
    comm.onMsg = msg => this._onCommMsg(comm, msg.content.data);
    comm.onClose = msg => this._onCommClose(comm, msg.content.data);
    if (old && old !== comm) {
      closeQuietly(old);
    }
    this._closeReplaced();
    this.model.reset();
    this.model.setConnection('connected');
    this._startPing();
  }

  private _closeReplaced(): void {
    const replaced = this._replaced;
    this._replaced = [];
    replaced.forEach(comm => closeQuietly(comm));
  }

  private _onCommMsg(comm: Kernel.IComm, data: unknown): void {
    if (comm !== this._comm) {
      return;
    }
    const message = parseKernelMessage(data);
    if (message === null) {
      if (this._isOtherVersion(data)) {
        this._comm = null;
        this._commOwner = null;
        this._stopPing();
        closeQuietly(comm);
        return;
      }
      console.warn('ipy_reimport: ignoring an invalid message from the kernel', data);
      return;
    }
    this.model.apply(message);
  }

  private _onCommClose(comm: Kernel.IComm, data: unknown): void {
    if (comm !== this._comm) {
      return;
    }
    const goodbye = parseKernelMessage(data);
    if (goodbye?.type === 'goodbye' && goodbye.reason === 'expired') {
      // The kernel did not hear from this page for a while (a frozen tab): connect again.
      this._restart(false);
      return;
    }
    // The kernel closed it (the extension was unloaded).
    this._stopPing();
    this._needsCheck = false;
    this._comm = null;
    this._commOwner = null;
    this.model.reset();
    this.model.setConnection('no-extension');
  }

  /** Say goodbye while the page goes away, so that the kernel forgets this comm at once. */
  private _onPageHide = (): void => {
    const comm = this._comm;
    if (comm) {
      this._comm = null;
      this._stopPing();
      closeQuietly(comm, pageClosedGoodbye());
    }
  };

  private _startPing(): void {
    this._stopPing();
    this._pingTimer = setInterval(() => {
      this._send(pingRequest, false);
    }, PING_INTERVAL_MS);
  }

  private _stopPing(): void {
    if (this._pingTimer !== null) {
      clearInterval(this._pingTimer);
      this._pingTimer = null;
    }
  }

  /** Send a request; `track`: show it as pending until its answer arrives. */
  private _send(build: (id: string) => PanelMessage, track = true): boolean {
    const comm = this._comm;
    if (!comm || comm.isDisposed) {
      return false;
    }
    this._counter += 1;
    const request = build(`r${this._counter}`);
    // During a synchronous cell the kernel reads the request only when the cell
    // ends (protocol, "Concurrency"): show a reload sent then as queued.
    const busy = this._primary?.status === 'busy';
    const isReload = request.type === 'reload' || request.type === 'reload_stale';
    if (track) {
      this.model.addPending(request, busy && isReload ? 'queued' : 'running');
    }
    try {
      comm.send(request as unknown as JSONObject);
    } catch (reason) {
      console.warn('ipy_reimport: could not send a request', reason);
      this._restart(false);
      return false;
    }
    return true;
  }

  private _setLoadState(change: Partial<ILoadState>): void {
    this._loadState = { ...this._loadState, ...change };
    this._loadStateChanged.emit(this._loadState);
  }

  private _isDisposed = false;
  private _disposed = new Signal<this, void>(this);
  private _loadStateChanged = new Signal<this, ILoadState>(this);
  private _loadState: ILoadState = { canLoad: true, loading: false, error: null };
  private _kernels: Kernel.IKernelConnection[] = [];
  private _callbacks = new Map<
    Kernel.IKernelConnection,
    (comm: Kernel.IComm, msg: KernelMessage.ICommOpenMsg) => void
  >();
  private _primary: Kernel.IKernelConnection | null = null;
  private _comm: Kernel.IComm | null = null;
  private _commOwner: Kernel.IKernelConnection | null = null;
  private _replaced: Kernel.IComm[] = [];
  private _active = false;
  private _asking = false;
  private _needsCheck = true;
  private _generation = 0;
  private _counter = 0;
  private _pingTimer: ReturnType<typeof setInterval> | null = null;
}
