/**
 * A stand-in for a JupyterLab kernel connection object with the members the
 * connection uses: comm targets, comms, comm_info, execute, status signals.
 * The test decides when the kernel answers.
 */
import type { Kernel } from '@jupyterlab/services';
import { Signal } from '@lumino/signaling';

/** A comm the panel opened, or the kernel's announcement. */
export class FakeComm {
  constructor(readonly commId: string) {}

  isDisposed = false;
  opened: unknown[] = [];
  sent: any[] = [];
  closed: unknown[] = [];
  /** Make `send` throw, as on a closed socket. */
  failSend = false;
  onMsg: (msg: any) => void = () => undefined;
  onClose: (msg: any) => void = () => undefined;

  open(data: unknown): void {
    this.opened.push(data);
  }

  send(data: unknown): void {
    if (this.failSend) {
      throw new Error('the socket is closed');
    }
    this.sent.push(data);
  }

  close(data?: unknown): void {
    this.closed.push(data);
    this.isDisposed = true;
  }

  dispose(): void {
    this.isDisposed = true;
  }

  /** The kernel sends `data` on this comm. */
  receive(data: unknown): void {
    this.onMsg({ content: { comm_id: this.commId, data } });
  }

  /** The kernel closes this comm with `data`. */
  closeFromKernel(data: unknown): void {
    this.onClose({ content: { comm_id: this.commId, data } });
    this.isDisposed = true;
  }

  /** The types of the requests sent on this comm. */
  get sentTypes(): string[] {
    return this.sent.map(m => m.type);
  }
}

/** A kernel connection object. */
export class FakeKernel {
  constructor(readonly id = 'kernel-1') {}

  handleComms = true;
  isDisposed = false;
  status = 'idle';
  connectionStatus = 'connected';
  language = 'python';
  disposed = new Signal<this, void>(this);
  statusChanged = new Signal<this, string>(this);
  connectionStatusChanged = new Signal<this, string>(this);
  targets = new Map<string, (comm: unknown, msg: unknown) => void>();
  comms: FakeComm[] = [];
  announcements: FakeComm[] = [];
  commInfoAsked = 0;
  executed: Array<{ code: string; silent: boolean }> = [];
  executeReply: Record<string, unknown> = { status: 'ok' };
  private _answers: Array<(comms: Record<string, unknown>) => void> = [];

  get info(): Promise<unknown> {
    return Promise.resolve({ language_info: { name: this.language } });
  }

  /** This object as the connection sees it. */
  get asKernel(): Kernel.IKernelConnection {
    return this as unknown as Kernel.IKernelConnection;
  }

  registerCommTarget(
    name: string,
    callback: (comm: unknown, msg: unknown) => void
  ): void {
    this.targets.set(name, callback);
  }

  removeCommTarget(name: string, callback: unknown): void {
    if (this.targets.get(name) === callback) {
      this.targets.delete(name);
    }
  }

  requestCommInfo(): Promise<unknown> {
    this.commInfoAsked += 1;
    return new Promise(resolve => {
      this._answers.push(comms =>
        resolve({ content: { status: 'ok', comms } })
      );
    });
  }

  /** Answer the oldest `comm_info_request`: whether a comm of the target is open. */
  answerCommInfo(listed: boolean): void {
    const answer = this._answers.shift();
    if (!answer) {
      throw new Error('no comm_info_request is waiting');
    }
    answer(listed ? { announcement: { target_name: 'ipy_reimport' } } : {});
  }

  createComm(target: string): FakeComm {
    const comm = new FakeComm(`${target}-${this.comms.length + 1}`);
    this.comms.push(comm);
    return comm;
  }

  requestExecute(content: { code: string; silent: boolean }): unknown {
    this.executed.push(content);
    return { done: Promise.resolve({ content: this.executeReply }) };
  }

  /** The kernel opens a comm of the target with `data` (its announcement). */
  announce(data: unknown): void {
    const callback = this.targets.get('ipy_reimport');
    if (!callback) {
      throw new Error('no comm target registered');
    }
    const comm = new FakeComm('announcement');
    this.announcements.push(comm);
    callback(comm, {
      content: { comm_id: comm.commId, target_name: 'ipy_reimport', data }
    });
  }

  setStatus(status: string): void {
    this.status = status;
    this.statusChanged.emit(status);
  }

  setConnectionStatus(status: string): void {
    this.connectionStatus = status;
    this.connectionStatusChanged.emit(status);
  }

  dispose(): void {
    this.isDisposed = true;
    this.disposed.emit();
  }

  /** The panel's comm opened last. */
  get lastComm(): FakeComm {
    const comm = this.comms[this.comms.length - 1];
    if (!comm) {
      throw new Error('no comm was created');
    }
    return comm;
  }
}

/** Let pending promise callbacks run. */
export function settle(): Promise<void> {
  return new Promise(resolve => setImmediate(resolve));
}
