/**
 * The sidebar view: plain DOM built once, updated in place from the model at
 * most once per animation frame, with a performance measure after each
 * render. Its parts are the heading (with the kernel's name), the message
 * (`MessageView`), the header (`HeaderView`), the result (`ResultView`), the
 * empty-list sentence and the rows (`RowList`).
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import { Message } from '@lumino/messaging';
import { ISignal, Signal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';
import { h, setAttr, setText } from './dom';
import { HeaderView } from './headerview';
import { ILoadState } from './loader';
import { MessageView } from './messageview';
import { ConnectionState, ModuleModel } from './model';
import { Scope } from './protocol';
import { ResultView } from './resultview';
import { RowList } from './rowlist';

/** The DOM id of the panel (the e2e tests rely on it). */
export const PANEL_ID = 'ipy-reimport-panel';

/** Name of the performance measures taken after each render. */
export const RENDER_MEASURE = 'ipy-reimport-render';

/** How many render measures are kept. */
const MAX_MEASURES = 100;

/** What the panel shows and acts on: a kernel connection, or a stand-in. */
export interface IPanelSource {
  /** The state to show. */
  readonly model: ModuleModel;
  /** What the no-extension view can offer. */
  readonly loadState: ILoadState;
  /** Emitted when `loadState` changes. */
  readonly loadStateChanged: ISignal<unknown, ILoadState>;
  /** Deep-reload these modules. */
  reload(modules: string[]): boolean;
  /** Deep-reload every stale module. */
  reloadStale(): boolean;
  /** Ask for an exact re-check. */
  rescan(): boolean;
  /** Switch the scope. */
  setScope(scope: Scope): boolean;
  /** Run `%load_ext ipy_reimport` in the kernel. */
  loadExtension(): Promise<void>;
}

/** What the panel knows about the notebook or console it follows. */
export interface ISourceContext {
  /** The notebook's or console's directory, for file paths. */
  readonly basePath: string;
  /** No kernel yet, but the session is starting. */
  readonly starting: boolean;
  /** The kernel's display name; empty without a session. */
  readonly kernelName: string;
}

/** Options of the panel. */
export interface IReimportPanelOptions {
  /** Opens a file (a path relative to the Jupyter root) in JupyterLab; null: no open buttons. */
  openFile: ((path: string) => void) | null;
  /** The panel's texts in the user's language. */
  trans: TranslationBundle;
}

/**
 * Record a render measure and keep only the last `MAX_MEASURES` of them. The
 * entries are read back each time, so measures cleared by someone else (a
 * benchmark) stay cleared.
 */
function recordRender(start: number): void {
  if (typeof performance === 'undefined' || !performance.measure) {
    return;
  }
  const end = Math.max(start, performance.now());
  try {
    performance.measure(RENDER_MEASURE, { start, end });
  } catch {
    return;
  }
  const entries = performance.getEntriesByName(RENDER_MEASURE, 'measure');
  if (entries.length > MAX_MEASURES) {
    const kept = entries.slice(-MAX_MEASURES).map(entry => ({
      start: entry.startTime,
      end: entry.startTime + entry.duration
    }));
    performance.clearMeasures(RENDER_MEASURE);
    for (const range of kept) {
      performance.measure(RENDER_MEASURE, range);
    }
  }
}

/** The module panel. */
export class ReimportPanel extends Widget {
  /** Build the DOM; it shows "no kernel" until a source is set. */
  constructor(options: IReimportPanelOptions) {
    super();
    const trans = options.trans;
    this._trans = trans;
    this._openFile = options.openFile;
    this._message = new MessageView(trans);
    this._header = new HeaderView(trans, text => this._model.setFilter(text));
    this._result = new ResultView(trans);
    this._rows = new RowList(trans, options.openFile !== null, () =>
      this._schedule(false)
    );
    this.id = PANEL_ID;
    this.addClass('jp-ReimportPanel');
    this._build();
    this._bind(null);
  }

  /** The model shown (a stand-in when there is no kernel). */
  get model(): ModuleModel {
    return this._model;
  }

  /** The source shown, if any. */
  get source(): IPanelSource | null {
    return this._source;
  }

  /**
   * Show a kernel connection (or nothing).
   *
   * @param source - the connection, null without a kernel.
   * @param context - the notebook or console it belongs to.
   */
  setSource(source: IPanelSource | null, context: ISourceContext): void {
    this._basePath = context.basePath;
    this._kernelName = context.kernelName;
    if (source !== this._source) {
      this._bind(source);
    }
    if (!source) {
      this._model.setConnection(context.starting ? 'connecting' : 'no-kernel');
    }
    this._schedule(true);
  }

  /** Emitted after a render that changed `data-connection`. */
  get connectionChanged(): ISignal<this, ConnectionState> {
    return this._connectionChanged;
  }

  /** Trigger the reload-stale action (the command uses this). */
  reloadStale(): boolean {
    return this._source?.reloadStale() ?? false;
  }

  /** Dispose the panel. */
  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._unbind();
    this._rows.dispose();
    if (this._frame) {
      cancelAnimationFrame(this._frame);
    }
    super.dispose();
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    // Whatever changed while hidden is rendered now; time it from now.
    this._changedAt = null;
    this._schedule(true);
  }

  protected onActivateRequest(msg: Message): void {
    super.onActivateRequest(msg);
    if (this._model.connection === 'connected') {
      this._header.focusFilter();
    } else {
      this.node.focus();
    }
  }

  // ------------------------------------------------------------ building

  private _build(): void {
    const node = this.node;
    node.tabIndex = -1;
    const trans = this._trans;
    this._kernel = h('span', { class: 'jp-ReimportPanel-kernel' });
    const heading = h('div', { class: 'jp-ReimportPanel-heading' });
    heading.append(
      h('h2', { class: 'jp-ReimportPanel-title' }, trans.__('Python modules')),
      this._kernel
    );
    this._empty = h('p', { class: 'jp-ReimportPanel-empty' });
    node.append(
      heading,
      this._message.node,
      this._header.node,
      this._result.result,
      this._result.workers,
      this._empty,
      this._rows.node
    );
    node.addEventListener('click', this._onClick);
  }

  // ------------------------------------------------------------ binding

  private _bind(source: IPanelSource | null): void {
    this._unbind();
    this._source = source;
    this._model = source ? source.model : this._standIn;
    this._model.changed.connect(this._onModelChanged, this);
    source?.loadStateChanged.connect(this._onModelChanged, this);
    this._rows.scrollToTop();
  }

  private _unbind(): void {
    this._model.changed.disconnect(this._onModelChanged, this);
    this._source?.loadStateChanged.disconnect(this._onModelChanged, this);
  }

  private _onModelChanged(): void {
    this._schedule(true);
  }

  // ------------------------------------------------------------ events

  private _onClick = (event: MouseEvent): void => {
    const target = (event.target as Element | null)?.closest?.('[data-action]');
    if (
      !target ||
      !this.node.contains(target) ||
      (target as HTMLButtonElement).disabled
    ) {
      return;
    }
    const source = this._source;
    const action = target.getAttribute('data-action');
    switch (action) {
      case 'load-extension':
        void source?.loadExtension();
        break;
      case 'reload-stale':
        source?.reloadStale();
        break;
      case 'rescan':
        source?.rescan();
        break;
      case 'dismiss-result':
        this._model.dismissResult();
        break;
      case 'scope':
        source?.setScope(this._model.scope === 'user' ? 'all' : 'user');
        break;
      case 'reload': {
        const name = target
          .closest('[data-module]')
          ?.getAttribute('data-module');
        if (name) {
          source?.reload([name]);
        }
        break;
      }
      case 'open': {
        const path = target.getAttribute('data-path');
        if (path && this._openFile) {
          this._openFile(path);
        }
        break;
      }
      default:
        return;
    }
    event.preventDefault();
  };

  // ------------------------------------------------------------ rendering

  /** Render in the next frame; `fromModel`: time it from now (or the first change since). */
  private _schedule(fromModel: boolean): void {
    if (fromModel && this._changedAt === null) {
      this._changedAt = performance.now();
    }
    if (this._frame === 0 && !this.isDisposed) {
      this._frame = requestAnimationFrame(() => {
        this._frame = 0;
        this._render();
      });
    }
  }

  private _render(): void {
    if (this.isDisposed || !this.isVisible) {
      return;
    }
    const model = this._model;
    const state = model.connection;
    const changed = this.node.getAttribute('data-connection') !== state;
    setAttr(this.node, 'data-connection', state);
    setAttr(this.node, 'data-scope', model.scope);
    setText(this._kernel, this._kernelName);
    setAttr(this._kernel, 'title', this._kernelName || null);
    this._message.render(state, this._source?.loadState ?? null);
    if (state === 'connected') {
      this._header.render(model);
      this._result.render(model);
      this._renderEmpty(model, this._rows.render(model, this._basePath));
    } else if (!this._rows.isEmpty) {
      this._rows.render(null, this._basePath);
    }
    this._rows.node.hidden = state !== 'connected' || this._rows.isEmpty;
    const start = this._changedAt;
    this._changedAt = null;
    if (start !== null) {
      recordRender(start);
    }
    if (changed) {
      this._connectionChanged.emit(state);
    }
  }

  private _renderEmpty(model: ModuleModel | null, total: number): void {
    let text = '';
    if (model && total === 0) {
      const trans = this._trans;
      if (!model.hasSnapshot) {
        text = trans.__('Loading the module list…');
      } else if (model.rows.size > 0) {
        text = trans.__('No module matches “%1”.', model.filter.trim());
      } else if (model.scope === 'user') {
        text = trans.__('None of your modules is loaded yet.');
      } else {
        text = trans.__('No module is loaded.');
      }
    }
    setText(this._empty, text);
    this._empty.hidden = text === '';
  }

  private _trans: TranslationBundle;
  private _openFile: ((path: string) => void) | null;
  private _connectionChanged = new Signal<this, ConnectionState>(this);
  private _standIn = new ModuleModel();
  private _model: ModuleModel = this._standIn;
  private _source: IPanelSource | null = null;
  private _basePath = '';
  private _kernelName = '';
  private _frame = 0;
  private _changedAt: number | null = null;
  private _message: MessageView;
  private _header: HeaderView;
  private _result: ResultView;
  private _rows: RowList;
  private _empty!: HTMLElement;
  private _kernel!: HTMLElement;
}
