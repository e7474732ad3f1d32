/**
 * The rows of the panel: one element per module, keyed by name and updated in
 * place. Up to `FULL_RENDER_LIMIT` rows are all in the DOM; longer lists are
 * windowed (fixed row height, spacers above and below), so a render costs the
 * same for 300 or 30,000 modules.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import { h, setAttr, setText } from './dom';
import { OpenTarget, resolveRowPath, rowTooltip, stateLabels } from './format';
import { ModuleModel, PendingStatus } from './model';
import { nameParts } from './names';
import { IRow, ModuleState } from './protocol';

/** Height of a row in pixels (CSS reads it from a custom property). */
export const ROW_HEIGHT = 26;

/** Up to this many rows are all in the DOM; longer lists are windowed. */
export const FULL_RENDER_LIMIT = 300;

/** Rows rendered above and below the visible window. */
const OVERSCAN = 12;

/** Row elements kept for reuse (scrolling a long list creates none). */
const POOL_SIZE = 200;

/** The DOM of one row and what it was last rendered from. */
interface IRowView {
  el: HTMLElement;
  name: HTMLElement;
  badge: HTMLElement;
  reload: HTMLButtonElement;
  open: HTMLButtonElement;
  row: IRow | null;
  pending: PendingStatus | null;
  basePath: string | null;
  /** The name and filter the name's parts were built for. */
  shownName: string | null;
  shownFilter: string | null;
}

/**
 * A row: the name's parts, a gap, the state badge, and the row's buttons
 * (shown over the badge on hover or focus, so the name gets the width).
 */
function createRowView(): IRowView {
  const el = h('div', { class: 'jp-ReimportPanel-row', role: 'listitem' });
  const name = h('span', { class: 'jp-ReimportPanel-name' });
  const gap = h('span', {
    class: 'jp-ReimportPanel-gap',
    'aria-hidden': 'true'
  });
  const badge = h('span', { class: 'jp-ReimportPanel-badge' });
  const reload = h('button', {
    type: 'button',
    class: 'jp-ReimportPanel-rowButton jp-ReimportPanel-reloadIcon',
    'data-action': 'reload'
  });
  const open = h('button', {
    type: 'button',
    class: 'jp-ReimportPanel-rowButton jp-ReimportPanel-openIcon',
    'data-action': 'open'
  });
  const actions = h('span', { class: 'jp-ReimportPanel-actions' });
  actions.append(reload, open);
  el.append(name, gap, badge, actions);
  return {
    el,
    name,
    badge,
    reload,
    open,
    row: null,
    pending: null,
    basePath: null,
    shownName: null,
    shownFilter: null
  };
}

/** Parts of at most this many characters are never shortened (an ellipsis would not save room). */
const SHORT_PART = 2;

/** Fill `view`'s name with the parts of `name`, the filter's match marked. */
function renderName(view: IRowView, name: string, filter: string): void {
  if (view.shownName === name && view.shownFilter === filter) {
    return;
  }
  view.shownName = name;
  view.shownFilter = filter;
  const parts = nameParts(name, filter).map(part => {
    const short =
      part.text.length <= SHORT_PART ? ' jp-ReimportPanel-short' : '';
    const cls = `jp-ReimportPanel-${part.kind}${short}`;
    return part.match
      ? h('mark', { class: `${cls} jp-ReimportPanel-match` }, part.text)
      : h('span', { class: cls }, part.text);
  });
  view.name.replaceChildren(...parts);
}

/** The scrolling list of rows. */
export class RowList {
  /**
   * @param trans - the texts in the user's language.
   * @param canOpen - whether files can be opened (shows the open buttons).
   * @param onViewportChange - called when a scroll or resize needs other rows.
   */
  constructor(
    trans: TranslationBundle,
    canOpen: boolean,
    onViewportChange: () => void
  ) {
    this._trans = trans;
    this._labels = stateLabels(trans);
    this._canOpen = canOpen;
    this.node = h('div', {
      class: 'jp-ReimportPanel-list',
      role: 'list',
      'aria-label': trans.__('Loaded Python modules')
    });
    this.node.style.setProperty('--jp-reimport-row-height', `${ROW_HEIGHT}px`);
    this._top = h('div', {
      class: 'jp-ReimportPanel-spacer',
      'aria-hidden': 'true'
    });
    this._bottom = h('div', {
      class: 'jp-ReimportPanel-spacer',
      'aria-hidden': 'true'
    });
    this.node.append(this._top, this._bottom);
    this.node.addEventListener('scroll', onViewportChange, { passive: true });
    if (typeof ResizeObserver !== 'undefined') {
      this._observer = new ResizeObserver(() => {
        const height = this.node.clientHeight;
        if (height !== this._viewport) {
          this._viewport = height;
          onViewportChange();
        }
      });
      this._observer.observe(this.node);
    }
  }

  /** The scrolling element. */
  readonly node: HTMLElement;

  /** Whether any row is in the DOM. */
  get isEmpty(): boolean {
    return this._attached.size === 0;
  }

  /** Scroll back to the first row. */
  scrollToTop(): void {
    this.node.scrollTop = 0;
  }

  /** Stop observing the size. */
  dispose(): void {
    this._observer?.disconnect();
  }

  /**
   * Show the model's visible rows (none for null): create, update, move or
   * remove only the row elements that differ.
   *
   * @returns how many rows match the filter.
   */
  render(model: ModuleModel | null, basePath: string): number {
    const rows = model ? model.visibleRows() : [];
    const filter = model ? model.filter : '';
    const total = rows.length;
    const [start, end] = this._window(total);
    this._top.style.height = `${start * ROW_HEIGHT}px`;
    this._bottom.style.height = `${(total - end) * ROW_HEIGHT}px`;
    setAttr(this.node, 'data-rows', String(total));

    const next = new Map<string, IRowView>();
    const views: IRowView[] = [];
    for (let i = start; i < end; i++) {
      const row = rows[i];
      const view =
        this._attached.get(row.name) ?? this._pool.pop() ?? createRowView();
      this._update(view, row, model!.rowPending(row.name), basePath);
      renderName(view, row.name, filter);
      setAttr(view.el, 'aria-posinset', String(i + 1));
      setAttr(view.el, 'aria-setsize', String(total));
      next.set(row.name, view);
      views.push(view);
    }
    for (const [name, view] of this._attached) {
      if (next.get(name) !== view) {
        view.el.remove();
        if (this._pool.length < POOL_SIZE) {
          this._pool.push(view);
        }
      }
    }
    this._attached = next;
    // Keyed reorder: move only the rows that are out of place.
    let cursor = this._top.nextSibling;
    for (const view of views) {
      if (view.el === cursor) {
        cursor = cursor.nextSibling;
      } else {
        this.node.insertBefore(view.el, cursor);
      }
    }
    return total;
  }

  /** The [start, end) range of rows to put in the DOM. */
  private _window(total: number): [number, number] {
    if (total <= FULL_RENDER_LIMIT) {
      return [0, total];
    }
    const viewport = this._viewport || this.node.clientHeight || 800;
    const top = this.node.scrollTop;
    const start = Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN);
    const end = Math.min(
      total,
      Math.ceil((top + viewport) / ROW_HEIGHT) + OVERSCAN
    );
    return [Math.min(start, end), end];
  }

  private _update(
    view: IRowView,
    row: IRow,
    pending: PendingStatus | null,
    basePath: string
  ): void {
    if (
      view.row === row &&
      view.pending === pending &&
      view.basePath === basePath
    ) {
      return;
    }
    const el = view.el;
    setAttr(el, 'data-module', row.name);
    setAttr(el, 'data-state', row.state);
    setAttr(el, 'data-pending', pending);
    const trans = this._trans;
    setAttr(el, 'title', rowTooltip(trans, row));
    setText(view.badge, this._labels[row.state]);

    // The kernel decides whether the panel may reload a module, and says why not.
    view.reload.disabled = row.reload_blocked !== null;
    setAttr(
      view.reload,
      'title',
      row.reload_blocked ??
        trans.__('Reload %1 and the modules that import it', row.name)
    );
    setAttr(view.reload, 'aria-label', trans.__('Reload %1', row.name));

    const target: OpenTarget = this._canOpen
      ? resolveRowPath(basePath, row.path)
      : { kind: 'none' };
    view.open.hidden = target.kind === 'none';
    view.open.disabled = target.kind !== 'inside';
    setAttr(
      view.open,
      'data-path',
      target.kind === 'inside' ? target.path : null
    );
    setAttr(view.open, 'title', this._openTitle(target, row.path));
    setAttr(view.open, 'aria-label', trans.__('Open the file of %1', row.name));

    view.row = row;
    view.pending = pending;
    view.basePath = basePath;
  }

  private _openTitle(target: OpenTarget, path: string | null): string | null {
    switch (target.kind) {
      case 'inside':
        return this._trans.__('Open %1', target.path);
      case 'outside':
        return this._trans.__(
          '%1 is outside the Jupyter root directory and cannot be opened here',
          path
        );
      default:
        return null;
    }
  }

  private _trans: TranslationBundle;
  private _labels: Record<ModuleState, string>;
  private _canOpen: boolean;
  private _top: HTMLElement;
  private _bottom: HTMLElement;
  private _viewport = 0;
  private _observer: ResizeObserver | null = null;
  private _attached = new Map<string, IRowView>();
  private _pool: IRowView[] = [];
}
