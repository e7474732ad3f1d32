/**
 * Follows the notebook or console the user works in. Focus moving to any
 * other widget (a file editor, the launcher) keeps the last one. Works with
 * any shell: JupyterLab's (whose `currentChanged` says what became current)
 * and Notebook 7's (one document per page; its `currentChanged` says nothing).
 */
import type { JupyterFrontEnd } from '@jupyterlab/application';
import { ISessionContext } from '@jupyterlab/apputils';
import { IConsoleTracker } from '@jupyterlab/console';
import { PathExt } from '@jupyterlab/coreutils';
import { INotebookTracker } from '@jupyterlab/notebook';
import { Kernel } from '@jupyterlab/services';
import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';

/** Where the tracker looks for notebooks and consoles. */
export interface ISessionTrackerOptions {
  /** The shell whose current widget is followed (`app.shell`). */
  shell: JupyterFrontEnd.IShell;
  /** Open notebooks, if the notebook plugin is there. */
  notebooks: INotebookTracker | null;
  /** Open consoles, if the console plugin is there. */
  consoles: IConsoleTracker | null;
  /** Strips a drive prefix from a path (`contents.localPath`). */
  localPath?: (path: string) => string;
}

/** The current notebook or console and its session. */
export class SessionTracker implements IDisposable {
  /**
   * Follow the shell's `currentChanged` (or, for a shell without it, the
   * notebook and console trackers'), starting from the current widget.
   */
  constructor(options: ISessionTrackerOptions) {
    this._shell = options.shell;
    this._notebooks = options.notebooks;
    this._consoles = options.consoles;
    this._localPath = options.localPath ?? (path => path);
    for (const signal of this._signals()) {
      signal.connect(this._onCurrentChanged, this);
    }
    const initial =
      this._shell.currentWidget ??
      this._notebooks?.currentWidget ??
      this._consoles?.currentWidget ??
      null;
    if (initial) {
      this._follow(initial);
    }
  }

  /** Emitted when the current session or its kernel changes. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** The current notebook's or console's session, if any. */
  get sessionContext(): ISessionContext | null {
    return this._sessionContext;
  }

  /** Its kernel connection, if it has a kernel. */
  get kernel(): Kernel.IKernelConnection | null {
    return this._sessionContext?.session?.kernel ?? null;
  }

  /**
   * The directory (relative to the Jupyter root) that the kernel's relative
   * paths start from: the notebook's or console's directory.
   */
  get basePath(): string {
    const path = this._sessionContext?.path ?? '';
    return PathExt.dirname(this._localPath(path));
  }

  /** The kernel's display name ("Python 3 (ipykernel)"); empty without a session. */
  get kernelName(): string {
    const context = this._sessionContext;
    return context && !context.isDisposed ? context.kernelDisplayName : '';
  }

  /** Whether the session is still starting (a kernel may come). */
  get isStarting(): boolean {
    const context = this._sessionContext;
    return context !== null && !context.isReady && !context.isDisposed;
  }

  /** Whether the tracker was disposed. */
  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Stop following. */
  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    for (const signal of this._signals()) {
      signal.disconnect(this._onCurrentChanged, this);
    }
    this._setCurrent(null, null);
    Signal.clearData(this);
  }

  /** The signals that say the current widget may have changed. */
  private _signals(): ISignal<unknown, unknown>[] {
    const shellChanged = this._shell.currentChanged;
    if (shellChanged) {
      return [shellChanged];
    }
    return [this._notebooks?.currentChanged, this._consoles?.currentChanged]
      .filter(signal => signal !== undefined)
      .map(signal => signal as ISignal<unknown, unknown>);
  }

  private _onCurrentChanged(): void {
    const current =
      this._shell.currentWidget ??
      this._notebooks?.currentWidget ??
      this._consoles?.currentWidget ??
      null;
    if (current) {
      this._follow(current);
    }
  }

  /** Follow `widget` if it is a notebook or console; keep the last one otherwise. */
  private _follow(widget: Widget): void {
    const context = this._sessionOf(widget);
    if (context && widget !== this._widget) {
      this._setCurrent(widget, context);
    }
  }

  private _sessionOf(widget: Widget): ISessionContext | null {
    if (this._notebooks?.has(widget)) {
      return (widget as unknown as { sessionContext: ISessionContext })
        .sessionContext;
    }
    if (this._consoles?.has(widget)) {
      return (widget as unknown as { sessionContext: ISessionContext })
        .sessionContext;
    }
    return null;
  }

  private _setCurrent(
    widget: Widget | null,
    context: ISessionContext | null
  ): void {
    const old = this._sessionContext;
    if (old) {
      old.kernelChanged.disconnect(this._onKernelChanged, this);
      old.statusChanged.disconnect(this._onKernelChanged, this);
    }
    this._widget?.disposed.disconnect(this._onWidgetDisposed, this);
    this._widget = widget;
    this._sessionContext = context;
    widget?.disposed.connect(this._onWidgetDisposed, this);
    if (context) {
      context.kernelChanged.connect(this._onKernelChanged, this);
      // The status tells when a starting session settles with or without a kernel.
      context.statusChanged.connect(this._onKernelChanged, this);
      void context.ready.then(() => this._onKernelChanged());
    }
    this._lastKernel = this.kernel;
    this._lastStarting = this.isStarting;
    if (!this._isDisposed) {
      this._changed.emit();
    }
  }

  private _onKernelChanged(): void {
    if (this._isDisposed) {
      return;
    }
    const kernel = this.kernel;
    const starting = this.isStarting;
    if (kernel !== this._lastKernel || starting !== this._lastStarting) {
      this._lastKernel = kernel;
      this._lastStarting = starting;
      this._changed.emit();
    }
  }

  private _onWidgetDisposed(): void {
    this._setCurrent(null, null);
    const next = this._shell.currentWidget;
    if (next) {
      this._follow(next);
    }
  }

  private _shell: JupyterFrontEnd.IShell;
  private _notebooks: INotebookTracker | null;
  private _consoles: IConsoleTracker | null;
  private _localPath: (path: string) => string;
  private _widget: Widget | null = null;
  private _sessionContext: ISessionContext | null = null;
  private _lastKernel: Kernel.IKernelConnection | null = null;
  private _lastStarting = false;
  private _isDisposed = false;
  private _changed = new Signal<this, void>(this);
}
