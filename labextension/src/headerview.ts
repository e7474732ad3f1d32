/**
 * The panel's header: how many modules are in each state, the reload-stale
 * button, the scope toggle, the filter and the rescan button.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import { h, setAttr, setText } from './dom';
import { reloadStaleLabel, stateHelp, stateLabels } from './format';
import { ModuleModel } from './model';
import { MODULE_STATES } from './rows';
import { ModuleState } from './protocol';

/** The header of the panel. */
export class HeaderView {
  /** Build the DOM; `onFilter` receives the filter text as the user types. */
  constructor(trans: TranslationBundle, onFilter: (text: string) => void) {
    this._trans = trans;
    this._labels = stateLabels(trans);
    this.node = h('div', { class: 'jp-ReimportPanel-header' });
    const counts = h('div', { class: 'jp-ReimportPanel-counts' });
    const help = stateHelp(trans);
    for (const state of MODULE_STATES) {
      const count = h('span', {
        class: 'jp-ReimportPanel-count',
        'data-count': state,
        title: help[state]
      });
      this._counts.set(state, count);
      counts.append(count);
    }
    const toolbar = h('div', { class: 'jp-ReimportPanel-toolbar' });
    this._reloadStale = h('button', {
      type: 'button',
      class: 'jp-ReimportPanel-button jp-ReimportPanel-reloadStale',
      'data-action': 'reload-stale',
      title: trans.__(
        'Reload every stale module and the modules that import them'
      )
    });
    this._scope = h('button', {
      type: 'button',
      class: 'jp-ReimportPanel-button jp-ReimportPanel-scope',
      'data-action': 'scope',
      'aria-pressed': 'false',
      'aria-label': trans.__('Show all loaded modules')
    });
    this._scope.append(
      h('span', { 'data-option': 'user' }, trans.__('User')),
      h('span', { 'data-option': 'all' }, trans.__('All'))
    );
    toolbar.append(this._reloadStale, this._scope);
    this.node.append(counts, toolbar, this._search(onFilter));
  }

  /** The header. */
  readonly node: HTMLElement;

  /** Put the keyboard focus in the filter. */
  focusFilter(): void {
    this._filter.focus();
  }

  /** Show the model's counts, scope and filter. */
  render(model: ModuleModel): void {
    const trans = this._trans;
    const counts = model.counts();
    for (const [state, el] of this._counts) {
      setText(el, trans.__('%1 %2', counts[state], this._labels[state]));
      el.hidden = counts[state] === 0;
    }
    // What reload_stale reloads, by the kernel's rows: stale modules and their dependents.
    const reload = model.reloadCounts();
    setText(this._reloadStale, reloadStaleLabel(trans, reload));
    this._reloadStale.disabled = reload.stale === 0;
    const all = model.scope === 'all';
    setAttr(this._scope, 'aria-pressed', all ? 'true' : 'false');
    setAttr(
      this._scope,
      'title',
      all
        ? trans.__(
            'Showing every loaded module; click to show only your modules'
          )
        : trans.__('Showing your modules; click to show every loaded module')
    );
    if (this._filter.value !== model.filter) {
      this._filter.value = model.filter;
    }
  }

  private _search(onFilter: (text: string) => void): HTMLElement {
    const trans = this._trans;
    const search = h('div', { class: 'jp-ReimportPanel-search' });
    this._filter = h('input', {
      type: 'search',
      class: 'jp-ReimportPanel-filter',
      'data-action': 'filter',
      placeholder: trans.__('Filter'),
      'aria-label': trans.__('Filter modules by name or path'),
      spellcheck: 'false',
      autocomplete: 'off'
    });
    this._filter.addEventListener('input', () => onFilter(this._filter.value));
    const rescan = h(
      'button',
      {
        type: 'button',
        class: 'jp-ReimportPanel-button jp-ReimportPanel-rescan',
        'data-action': 'rescan',
        title: trans.__('Re-check every file in scope exactly')
      },
      trans.__('Rescan')
    );
    search.append(this._filter, rescan);
    return search;
  }

  private _trans: TranslationBundle;
  private _labels: Record<ModuleState, string>;
  private _counts = new Map<ModuleState, HTMLElement>();
  private _reloadStale: HTMLButtonElement;
  private _scope: HTMLButtonElement;
  private _filter!: HTMLInputElement;
}
