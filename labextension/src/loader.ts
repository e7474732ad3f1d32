/**
 * Loading the extension into a kernel from the panel: whether it makes sense
 * (a Python kernel), running `%load_ext` silently, and why it failed.
 */
import type { Kernel } from '@jupyterlab/services';
import { ISignal, Signal } from '@lumino/signaling';

/** The command the panel tells the user to type. */
export const LOAD_EXTENSION_COMMAND = '%load_ext ipy_reimport';

/**
 * The code the "load" button runs in the kernel: `%load_ext`, then a comm is opened if the
 * extension was already loaded but no comm is open any more (docs/protocol.md).
 */
export const LOAD_EXTENSION_CODE =
  '%load_ext ipy_reimport\n__import__("ipy_reimport").open_panel_comm()';

/** What the no-extension view can offer. */
export interface ILoadState {
  /** Whether `%load_ext ipy_reimport` makes sense (a Python kernel). */
  readonly canLoad: boolean;
  /** Whether the load is running. */
  readonly loading: boolean;
  /** Why the last load failed, one line (the kernel's error, or the request's). */
  readonly error: string | null;
}

/** Loads the extension into one kernel and says how that went. */
export class ExtensionLoader {
  /** What the no-extension view can offer. */
  get state(): ILoadState {
    return this._state;
  }

  /** Emitted when `state` changes. */
  get stateChanged(): ISignal<this, ILoadState> {
    return this._stateChanged;
  }

  /** Offer the load only if `kernel` runs Python (or does not say); null: no kernel. */
  follow(kernel: Kernel.IKernelConnection | null): void {
    this._followed = kernel;
    void kernel?.info.then(
      info => {
        const language = info.language_info?.name ?? '';
        const canLoad = language === '' || language.toLowerCase() === 'python';
        if (kernel === this._followed && canLoad !== this._state.canLoad) {
          this._set({ canLoad });
        }
      },
      () => undefined
    );
  }

  /**
   * Run `LOAD_EXTENSION_CODE` silently in `kernel` (not stored in its history).
   *
   * @returns whether it ran without error (the kernel then opens its comm).
   */
  async load(kernel: Kernel.IKernelConnection): Promise<boolean> {
    if (this._state.loading) {
      return false;
    }
    this._set({ loading: true, error: null });
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
      error = String(reason);
    }
    this._set({ loading: false, error });
    return error === null;
  }

  private _set(change: Partial<ILoadState>): void {
    this._state = { ...this._state, ...change };
    this._stateChanged.emit(this._state);
  }

  private _followed: Kernel.IKernelConnection | null = null;
  private _state: ILoadState = { canLoad: true, loading: false, error: null };
  private _stateChanged = new Signal<this, ILoadState>(this);
}
