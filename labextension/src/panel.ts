/**
 * The sidebar view: plain DOM built once, updated in place from the model at
 * most once per animation frame (the rows are a `RowList`), with a
 * performance measure after each render.
 */
import { Message } from '@lumino/messaging';
import { ISignal, Signal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';
import { ILoadState, LOAD_EXTENSION_CODE } from './loader';
import { h, setAttr, setText } from './dom';
import {
  STATE_HELP,
  describeEngine,
  describeOutcome,
  engineTooltip,
  outcomeTooltip
} from './format';
import { ConnectionState, MODULE_STATES, ModuleModel } from './model';
import { CURRENT_STATUSES, IEngine, ModuleState, Scope } from './protocol';
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

/** Options of the panel. */
export interface IReimportPanelOptions {
  /** Opens a file (a path relative to the Jupyter root) in JupyterLab; null: no open buttons. */
  openFile: ((path: string) => void) | null;
}

const CONNECTION_TEXT: Record<Exclude<ConnectionState, 'connected'>, string> = {
  'no-kernel':
    'Open a notebook or a console to see the Python modules its kernel has loaded.',
  connecting: 'Connecting to the kernel…',
  'no-extension': 'ipy_reimport is not loaded in this kernel.',
  'other-version':
    'This kernel runs another version of ipy_reimport than this panel: restart the kernel, or install the same version in it.'
};

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
    this._openFile = options.openFile;
    this._rows = new RowList(options.openFile !== null, () =>
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
   * @param basePath - the notebook's or console's directory, for file paths.
   * @param starting - no kernel yet, but the session is starting.
   */
  setSource(
    source: IPanelSource | null,
    basePath: string,
    starting = false
  ): void {
    this._basePath = basePath;
    if (source !== this._source) {
      this._bind(source);
    }
    if (!source) {
      this._model.setConnection(starting ? 'connecting' : 'no-kernel');
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
      this._filter.focus();
    } else {
      this.node.focus();
    }
  }

  // ------------------------------------------------------------ building

  private _build(): void {
    const node = this.node;
    node.tabIndex = -1;

    const message = h('div', { class: 'jp-ReimportPanel-message' });
    this._messageText = h('p', { class: 'jp-ReimportPanel-messageText' });
    this._loadButton = h(
      'button',
      {
        type: 'button',
        class: 'jp-ReimportPanel-button jp-mod-accept',
        'data-action': 'load-extension',
        title: `Run ${LOAD_EXTENSION_CODE} in the kernel`
      },
      'Load ipy_reimport'
    );
    this._loadHint = h('p', { class: 'jp-ReimportPanel-hint' });
    this._loadError = h('p', {
      class: 'jp-ReimportPanel-loadError',
      role: 'alert'
    });
    message.append(
      this._messageText,
      this._loadButton,
      this._loadHint,
      this._loadError
    );

    const header = h('div', { class: 'jp-ReimportPanel-header' });
    const counts = h('div', { class: 'jp-ReimportPanel-counts' });
    for (const state of MODULE_STATES) {
      const count = h('span', {
        class: 'jp-ReimportPanel-count',
        'data-count': state,
        title: STATE_HELP[state]
      });
      this._counts[state] = count;
      counts.append(count);
    }
    const toolbar = h('div', { class: 'jp-ReimportPanel-toolbar' });
    this._reloadStale = h('button', {
      type: 'button',
      class: 'jp-ReimportPanel-button jp-ReimportPanel-reloadStale',
      'data-action': 'reload-stale',
      title: 'Reload every stale module and the modules that import them'
    });
    this._scope = h('button', {
      type: 'button',
      class: 'jp-ReimportPanel-button jp-ReimportPanel-scope',
      'data-action': 'scope',
      'aria-pressed': 'false',
      'aria-label': 'Show all loaded modules'
    });
    this._scope.append(
      h('span', { 'data-option': 'user' }, 'User'),
      h('span', { 'data-option': 'all' }, 'All')
    );
    const rescan = h(
      'button',
      {
        type: 'button',
        class: 'jp-ReimportPanel-button jp-ReimportPanel-rescan',
        'data-action': 'rescan',
        title: 'Re-check every file in scope exactly'
      },
      'Rescan'
    );
    toolbar.append(this._reloadStale, this._scope);
    const search = h('div', { class: 'jp-ReimportPanel-search' });
    this._filter = h('input', {
      type: 'search',
      class: 'jp-ReimportPanel-filter',
      'data-action': 'filter',
      placeholder: 'Filter',
      'aria-label': 'Filter modules by name or path',
      spellcheck: 'false',
      autocomplete: 'off'
    });
    search.append(this._filter, rescan);
    header.append(counts, toolbar, search);

    this._result = h('div', {
      class: 'jp-ReimportPanel-result',
      'data-role': 'result',
      role: 'status',
      'aria-live': 'polite'
    });

    this._workers = h('ul', {
      class: 'jp-ReimportPanel-workers',
      'data-role': 'workers',
      'aria-label': 'Worker processes after the last reload'
    });

    this._empty = h('p', { class: 'jp-ReimportPanel-empty' });

    node.append(
      message,
      header,
      this._result,
      this._workers,
      this._rows.node,
      this._empty
    );

    node.addEventListener('click', this._onClick);
    this._filter.addEventListener('input', () =>
      this._model.setFilter(this._filter.value)
    );
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
    this._renderMessage(state);
    if (state === 'connected') {
      this._renderHeader(model);
      this._renderResult(model);
      this._renderWorkers(model.workers);
      this._renderEmpty(model, this._rows.render(model, this._basePath));
    } else if (!this._rows.isEmpty) {
      this._rows.render(null, this._basePath);
    }
    const start = this._changedAt;
    this._changedAt = null;
    if (start !== null) {
      recordRender(start);
    }
    if (changed) {
      this._connectionChanged.emit(state);
    }
  }

  private _renderMessage(state: ConnectionState): void {
    setText(
      this._messageText,
      state === 'connected' ? '' : CONNECTION_TEXT[state]
    );
    const load = this._source?.loadState ?? {
      canLoad: false,
      loading: false,
      error: null
    };
    const offerLoad = state === 'no-extension' && load.canLoad;
    this._loadButton.hidden = !offerLoad;
    this._loadButton.disabled = load.loading;
    setText(
      this._loadButton,
      load.loading ? 'Loading ipy_reimport…' : 'Load ipy_reimport'
    );
    setText(
      this._loadHint,
      state !== 'no-extension'
        ? ''
        : load.canLoad
          ? `or run ${LOAD_EXTENSION_CODE} in a cell`
          : 'It needs a Python kernel.'
    );
    setText(
      this._loadError,
      state === 'no-extension' ? (load.error ?? '') : ''
    );
  }

  private _renderHeader(model: ModuleModel): void {
    const counts = model.counts();
    for (const state of MODULE_STATES) {
      const el = this._counts[state]!;
      setText(el, `${counts[state]} ${state}`);
      el.hidden = counts[state] === 0;
    }
    // What reload_stale reloads: the user's stale modules (all of them in the user scope).
    const stale = model.staleUserCount();
    setText(this._reloadStale, `Reload stale (${stale})`);
    this._reloadStale.disabled = stale === 0;
    const all = model.scope === 'all';
    setAttr(this._scope, 'aria-pressed', all ? 'true' : 'false');
    setAttr(
      this._scope,
      'title',
      all
        ? 'Showing every loaded module; click to show only your modules'
        : 'Showing your modules; click to show every loaded module'
    );
    if (this._filter.value !== model.filter) {
      this._filter.value = model.filter;
    }
  }

  private _renderResult(model: ModuleModel): void {
    const pending = model.reloadPending();
    const outcome = model.lastResult;
    let text = '';
    if (pending === 'queued') {
      text = 'Reload queued: it runs when the running cell finishes…';
    } else if (pending === 'running') {
      text = 'Reloading…';
    } else if (outcome) {
      text = describeOutcome(outcome);
    }
    setAttr(this._result, 'data-pending', pending);
    setAttr(
      this._result,
      'data-ok',
      pending || !outcome ? null : String(outcome.ok)
    );
    setAttr(
      this._result,
      'title',
      pending || !outcome ? null : outcomeTooltip(outcome)
    );
    setText(this._result, text);
    this._result.hidden = text === '';
  }

  /** One line per engine (Dask client, loky executor, other processes); rebuilt when they change. */
  private _renderWorkers(engines: readonly IEngine[]): void {
    if (engines === this._shownWorkers) {
      return;
    }
    this._shownWorkers = engines;
    const items = engines.map(engine => {
      const item = h(
        'li',
        {
          class: 'jp-ReimportPanel-engine',
          'data-engine': engine.engine,
          'data-behind': String(engine.behind),
          title: engineTooltip(engine)
        },
        describeEngine(engine)
      );
      const behind = engine.details.filter(
        d => !CURRENT_STATUSES.includes(d.status)
      );
      if (behind.length > 0) {
        const list = h('ul', { class: 'jp-ReimportPanel-engineDetails' });
        list.append(
          ...behind.map(d => h('li', {}, `${d.worker}: ${d.message}`))
        );
        item.append(list);
      }
      return item;
    });
    this._workers.replaceChildren(...items);
    this._workers.hidden = items.length === 0;
  }

  private _renderEmpty(model: ModuleModel | null, total: number): void {
    let text = '';
    if (model && total === 0) {
      if (!model.hasSnapshot) {
        text = 'Loading the module list…';
      } else if (model.rows.size === 0) {
        text =
          model.scope === 'user'
            ? 'None of your modules is loaded yet.'
            : 'No module is loaded.';
      } else {
        text = `No module matches “${model.filter.trim()}”.`;
      }
    }
    setText(this._empty, text);
    this._empty.hidden = text === '';
  }

  private _openFile: ((path: string) => void) | null;
  private _connectionChanged = new Signal<this, ConnectionState>(this);
  private _standIn = new ModuleModel();
  private _model: ModuleModel = this._standIn;
  private _source: IPanelSource | null = null;
  private _basePath = '';
  private _frame = 0;
  private _changedAt: number | null = null;
  private _rows: RowList;
  private _counts: Partial<Record<ModuleState, HTMLElement>> = {};
  private _messageText!: HTMLElement;
  private _loadButton!: HTMLButtonElement;
  private _loadHint!: HTMLElement;
  private _loadError!: HTMLElement;
  private _reloadStale!: HTMLButtonElement;
  private _scope!: HTMLButtonElement;
  private _filter!: HTMLInputElement;
  private _result!: HTMLElement;
  private _workers!: HTMLUListElement;
  private _shownWorkers: readonly IEngine[] | null = null;
  private _empty!: HTMLElement;
}
