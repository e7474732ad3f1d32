/**
 * One comm per kernel: when the kernel announces the extension (or `comm_info`
 * lists its target) the panel opens its own `ipy_reimport` comm and subscribes,
 * feeds the kernel's messages into a `ModuleModel`, sends requests, pings, says
 * goodbye when the page goes away, and starts over by itself after a restart,
 * a lost connection or an expired lease (docs/protocol.md). Its life is a
 * `LinkState` (link.ts).
 */
import type { Kernel, KernelMessage as Jupyter } from '@jupyterlab/services';
import type { JSONObject } from '@lumino/coreutils';
import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';
import { KernelObjects } from './kernels';
import {
  LinkState,
  PageEvents,
  closeQuietly,
  commsOf,
  hasTargetComm,
  isReady,
  isRestarting,
  shownAs
} from './link';
import { ExtensionLoader, ILoadState } from './loader';
import { ModuleModel } from './model';
import {
  COMM_TARGET,
  PING_INTERVAL_MS,
  PROTOCOL_VERSION,
  PanelMessage,
  Scope,
  parseKernelMessage,
  versionOf
} from './protocol';
import { RequestFactory, pageClosedGoodbye } from './requests';

/** The panel's link to one kernel (all the kernel connection objects of one kernel id). */
export class ReimportConnection implements IDisposable {
  /** Attach the first kernel connection object; `page` tells when the page goes away. */
  constructor(kernel: Kernel.IKernelConnection, page: PageEvents = window) {
    this.kernelId = kernel.id;
    this._page = page;
    this._setState({ kind: 'waiting', stale: [], quiet: false });
    const kernels = this._kernels;
    kernels.primaryChanged.connect((_, primary) =>
      this._loader.follow(primary)
    );
    kernels.statusChanged.connect(this._onStatus, this);
    kernels.connectionStatusChanged.connect(this._onConnectionStatus, this);
    kernels.removed.connect(this._onKernelRemoved, this);
    kernels.add(kernel);
    // `beforeunload` comes first and is the more reliable moment to send; `pagehide` also
    // covers pages closed without it (a mobile tab, a page restored from the cache).
    page.addEventListener('beforeunload', this._onPageHide);
    page.addEventListener('pagehide', this._onPageHide);
  }

  /** The kernel id. */
  readonly kernelId: string;

  /** The state shown by the panel. */
  readonly model = new ModuleModel();

  /** Where the connection is in its life. */
  get state(): LinkState {
    return this._state;
  }

  /** Whether the connection was dropped. */
  get isDisposed(): boolean {
    return this._state.kind === 'disposed';
  }

  /** Emitted once when the connection is dropped (its kernel went away). */
  get disposed(): ISignal<this, void> {
    return this._disposed;
  }

  /** What the no-extension view can offer. */
  get loadState(): ILoadState {
    return this._loader.state;
  }

  /** Emitted when `loadState` changes. */
  get loadStateChanged(): ISignal<ExtensionLoader, ILoadState> {
    return this._loader.stateChanged;
  }

  /** Register the comm target on another connection object of the same kernel. */
  attach(kernel: Kernel.IKernelConnection): void {
    this._kernels.add(kernel);
  }

  /**
   * Start looking for the kernel's comm (asks `comm_info` once the kernel is
   * ready). Until then the connection only adopts comms the kernel announces.
   */
  start(): void {
    this._started = true;
    this._step();
  }

  /** Deep-reload `modules`; returns whether the request was sent. */
  reload(modules: string[]): boolean {
    return modules.length > 0 && this._send(this._requests.reload(modules));
  }

  /** Deep-reload every stale module in scope; returns whether the request was sent. */
  reloadStale(): boolean {
    return this._send(this._requests.reloadStale());
  }

  /** Ask for an exact re-check and a new snapshot. */
  rescan(): boolean {
    return this._send(this._requests.rescan());
  }

  /** Switch the comm's scope. */
  setScope(scope: Scope): boolean {
    return this._send(this._requests.setScope(scope));
  }

  /** Run `%load_ext ipy_reimport` silently; the kernel then opens the comm. */
  async loadExtension(): Promise<void> {
    const kernel = this._kernels.primary;
    const loaded = kernel !== null && (await this._loader.load(kernel));
    if (loaded && this._state.kind === 'absent') {
      // The kernel normally opened its comm already; if not, ask again.
      this._setState({ kind: 'waiting', stale: [], quiet: true });
      this._step();
    }
  }

  /** Drop the connection: unregister the targets and forget the comm. */
  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._setState({ kind: 'disposed' });
    this._page.removeEventListener('beforeunload', this._onPageHide);
    this._page.removeEventListener('pagehide', this._onPageHide);
    this._kernels.dispose();
    this._disposed.emit();
    Signal.clearData(this);
    Signal.clearData(this.model);
  }

  /** Enter `state`: stop the old state's ping, show the new one. */
  private _setState(state: LinkState): void {
    const old = this._state;
    if (old?.kind === 'connected' && old !== state) {
      clearInterval(old.ping);
    }
    this._state = state;
    const shown = shownAs(state);
    if (shown !== null) {
      this.model.setConnection(shown);
    }
  }

  private _onKernelRemoved(
    _: KernelObjects,
    kernel: Kernel.IKernelConnection
  ): void {
    const state = this._state;
    if (this._kernels.primary === null) {
      this.dispose();
    } else if (state.kind === 'connected' && state.owner === kernel) {
      this._restart(false);
    }
  }

  private _onStatus(_: KernelObjects, status: Jupyter.Status): void {
    if (isRestarting(status)) {
      // The kernel process is new: its comms are gone (the services dispose them).
      this._restart(false);
    } else {
      this._step();
    }
  }

  private _onConnectionStatus(
    _: KernelObjects,
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
    const state = this._state;
    let stale = commsOf(state);
    if (state.kind === 'connected' && !keepComm) {
      state.comm.dispose();
      stale = [];
    }
    this.model.reset();
    this._setState({ kind: 'waiting', stale, quiet: false });
    this._step();
  }

  /** Ask the kernel whether it has the comm target, once, when it can answer. */
  private _step(): void {
    const kernel = this._kernels.primary;
    const state = this._state;
    if (
      !this._started ||
      state.kind !== 'waiting' ||
      !kernel ||
      !isReady(kernel)
    ) {
      return;
    }
    const asking: LinkState = { ...state, kind: 'asking' };
    this._setState(asking);
    hasTargetComm(kernel).then(
      listed => {
        // Unless restarted, connected by an announcement, or disposed meanwhile.
        if (this._state === asking && listed) {
          this._openOwnComm(kernel);
        } else if (this._state === asking) {
          this._becomeAbsent();
        }
      },
      reason => {
        if (this._state === asking) {
          console.warn('ipy_reimport: comm_info_request failed', reason);
          this._becomeAbsent();
        }
      }
    );
  }

  /** The kernel has no comm of the target (any more): say so. */
  private _becomeAbsent(): void {
    commsOf(this._state).forEach(comm => closeQuietly(comm));
    this.model.reset();
    this._setState({ kind: 'absent' });
  }

  private _openOwnComm(kernel: Kernel.IKernelConnection): void {
    let comm: Kernel.IComm;
    try {
      comm = kernel.createComm(COMM_TARGET);
    } catch (reason) {
      console.warn('ipy_reimport: could not create a comm', reason);
      this._becomeAbsent();
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
    this._send(this._requests.subscribe());
  }

  /**
   * The kernel announced the extension (data: `hello`). The announcement comm
   * stays as it is (it tells later pages that the extension is loaded); the
   * panel opens its own.
   */
  private _onCommOpen(
    kernel: Kernel.IKernelConnection,
    _announcement: Kernel.IComm,
    msg: Jupyter.ICommOpenMsg
  ): void {
    const kind = this._state.kind;
    if (kind === 'connected' || kind === 'disposed') {
      return; // Connected already (or the same announcement, seen through another object).
    }
    const data = msg.content.data;
    if (parseKernelMessage(data)?.type === 'hello') {
      this._openOwnComm(kernel);
    } else if (!this._isOtherVersion(data)) {
      console.warn(
        'ipy_reimport: ignoring a comm whose data is not a hello',
        data
      );
    }
  }

  /** Show that the kernel speaks another protocol version, if `data` says so. */
  private _isOtherVersion(data: unknown): boolean {
    const version = versionOf(data);
    if (version === null || version === PROTOCOL_VERSION) {
      return false;
    }
    console.warn(`ipy_reimport: the kernel speaks protocol version ${version}`);
    commsOf(this._state).forEach(comm => closeQuietly(comm));
    this.model.reset();
    this._setState({ kind: 'other-version', version });
    return true;
  }

  private _adopt(kernel: Kernel.IKernelConnection, comm: Kernel.IComm): void {
    commsOf(this._state).forEach(stale => closeQuietly(stale));
    comm.onMsg = msg => this._onCommMsg(comm, msg.content.data);
    comm.onClose = msg => this._onCommClose(comm, msg.content.data);
    const ping = setInterval(
      () => this._send(this._requests.ping(), false),
      PING_INTERVAL_MS
    );
    this.model.reset();
    this._setState({ kind: 'connected', comm, owner: kernel, ping });
  }

  /** Whether `comm` is the comm the connection uses now. */
  private _isCurrent(comm: Kernel.IComm): boolean {
    return this._state.kind === 'connected' && this._state.comm === comm;
  }

  private _onCommMsg(comm: Kernel.IComm, data: unknown): void {
    if (!this._isCurrent(comm)) {
      return;
    }
    const message = parseKernelMessage(data);
    if (message !== null) {
      this.model.apply(message);
    } else if (!this._isOtherVersion(data)) {
      console.warn(
        'ipy_reimport: ignoring an invalid message from the kernel',
        data
      );
    }
  }

  private _onCommClose(comm: Kernel.IComm, data: unknown): void {
    if (!this._isCurrent(comm)) {
      return;
    }
    const goodbye = parseKernelMessage(data);
    if (goodbye?.type === 'goodbye' && goodbye.reason === 'expired') {
      // The kernel did not hear from this page for a while (a frozen tab): connect again.
      this._restart(false);
    } else {
      // The kernel closed it (the extension was unloaded).
      this.model.reset();
      this._setState({ kind: 'absent' });
    }
  }

  /** Say goodbye while the page goes away, so that the kernel forgets this comm at once. */
  private _onPageHide = (): void => {
    const state = this._state;
    if (state.kind === 'connected') {
      // A page restored from the cache connects again on the kernel's next status.
      this._setState({ kind: 'waiting', stale: [], quiet: false });
      closeQuietly(state.comm, pageClosedGoodbye());
    }
  };

  /** Send a request; `track`: show it as pending until its answer arrives. */
  private _send(request: PanelMessage, track = true): boolean {
    const state = this._state;
    if (state.kind !== 'connected' || state.comm.isDisposed) {
      return false;
    }
    if (track) {
      // During a synchronous cell the kernel reads the request only when the cell
      // ends (protocol, "Concurrency"): show a reload sent then as queued.
      const busy = this._kernels.primary?.status === 'busy';
      const isReload =
        request.type === 'reload' || request.type === 'reload_stale';
      this.model.addPending(request, busy && isReload ? 'queued' : 'running');
    }
    try {
      state.comm.send(request as unknown as JSONObject);
    } catch (reason) {
      console.warn('ipy_reimport: could not send a request', reason);
      this._restart(false);
      return false;
    }
    return true;
  }

  private _page: PageEvents;
  private _state!: LinkState;
  private _started = false;
  private _kernels = new KernelObjects((kernel, comm, msg) =>
    this._onCommOpen(kernel, comm, msg)
  );
  private _loader = new ExtensionLoader();
  private _requests = new RequestFactory();
  private _disposed = new Signal<this, void>(this);
}
