/**
 * What the last reload did: the result line (or that one is running or
 * queued), marked outdated once a module turned stale again and closed by
 * its button; below it, the worker processes of each engine.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import { h, setAttr, setText } from './dom';
import {
  describeEngine,
  describeOutcome,
  engineTooltip,
  outcomeTooltip
} from './format';
import { ModuleModel } from './model';
import { CURRENT_STATUSES, IEngine } from './protocol';

/** The result line and the workers list. */
export class ResultView {
  /** Build the DOM (hidden until there is something to show). */
  constructor(trans: TranslationBundle) {
    this._trans = trans;
    this.result = h('div', {
      class: 'jp-ReimportPanel-result',
      'data-role': 'result',
      role: 'status',
      'aria-live': 'polite'
    });
    this._text = h('span', { class: 'jp-ReimportPanel-resultText' });
    this._note = h('span', { class: 'jp-ReimportPanel-resultNote' });
    this._dismiss = h('button', {
      type: 'button',
      class: 'jp-ReimportPanel-rowButton jp-ReimportPanel-dismissIcon',
      'data-action': 'dismiss-result',
      title: trans.__('Dismiss'),
      'aria-label': trans.__('Dismiss the reload result')
    });
    this.result.append(this._text, this._note, this._dismiss);
    this.workers = h('ul', {
      class: 'jp-ReimportPanel-workers',
      'data-role': 'workers',
      'aria-label': trans.__('Worker processes after the last reload')
    });
  }

  /** The result line. */
  readonly result: HTMLElement;

  /** One item per engine. */
  readonly workers: HTMLUListElement;

  /** Show the pending reload or the last outcome, and the workers. */
  render(model: ModuleModel): void {
    const trans = this._trans;
    const pending = model.reloadPending();
    const outcome = pending ? null : model.lastResult;
    let text = '';
    if (pending === 'queued') {
      text = trans.__('Reload queued: it runs when the running cell finishes…');
    } else if (pending === 'running') {
      text = trans.__('Reloading…');
    } else if (outcome) {
      text = describeOutcome(trans, outcome);
    }
    const outdated = outcome !== null && model.resultOutdated;
    setAttr(this.result, 'data-pending', pending);
    setAttr(this.result, 'data-ok', outcome ? String(outcome.ok) : null);
    setAttr(this.result, 'data-outdated', outdated ? 'true' : null);
    setAttr(this.result, 'title', outcome && outcomeTooltip(trans, outcome));
    setText(this._text, text);
    setText(
      this._note,
      outdated ? trans.__('Outdated: modules changed since.') : ''
    );
    this._note.hidden = !outdated;
    this._dismiss.hidden = outcome === null;
    this.result.hidden = text === '';
    this._renderWorkers(model.workers);
  }

  /** One line per engine (Dask client, loky executor, other processes); rebuilt when they change. */
  private _renderWorkers(engines: readonly IEngine[]): void {
    if (engines === this._shown) {
      return;
    }
    this._shown = engines;
    const items = engines.map(engine => {
      const item = h(
        'li',
        {
          class: 'jp-ReimportPanel-engine',
          'data-engine': engine.engine,
          'data-behind': String(engine.behind),
          title: engineTooltip(this._trans, engine)
        },
        describeEngine(this._trans, engine)
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
    this.workers.replaceChildren(...items);
    this.workers.hidden = items.length === 0;
  }

  private _trans: TranslationBundle;
  private _text: HTMLElement;
  private _note: HTMLElement;
  private _dismiss: HTMLButtonElement;
  private _shown: readonly IEngine[] | null = null;
}
