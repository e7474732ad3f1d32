/**
 * What the panel says when it is not connected to the extension, each in one
 * sentence: no kernel, connecting, not loaded (with the load button and the
 * command to type), not a Python kernel, or another version.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import { h, setText } from './dom';
import { ILoadState, LOAD_EXTENSION_COMMAND } from './loader';
import { ConnectionState } from './model';

/** Stands for the command in a translated sentence, which is cut there. */
const COMMAND_MARK = '\u0000';

/** The message area at the top of the panel. */
export class MessageView {
  /** Build the DOM (empty until the first render). */
  constructor(trans: TranslationBundle) {
    this._trans = trans;
    this.node = h('div', { class: 'jp-ReimportPanel-message' });
    this._text = h('p', { class: 'jp-ReimportPanel-messageText' });
    this._load = h('button', {
      type: 'button',
      class: 'jp-ReimportPanel-button jp-mod-accept',
      'data-action': 'load-extension',
      title: trans.__('Run %1 in the kernel', LOAD_EXTENSION_COMMAND)
    });
    this._error = h('p', {
      class: 'jp-ReimportPanel-loadError',
      role: 'alert'
    });
    this.node.append(this._text, this._load, this._error);
  }

  /** The message area. */
  readonly node: HTMLElement;

  /** Show the message of `state`; `load`: what loading the extension can offer. */
  render(state: ConnectionState, load: ILoadState | null): void {
    const trans = this._trans;
    const absent = state === 'no-extension';
    const canLoad = absent && load !== null && load.canLoad;
    this._renderText(this._message(state, canLoad));
    this._load.hidden = !canLoad;
    this._load.disabled = load?.loading ?? false;
    setText(
      this._load,
      load?.loading
        ? trans.__('Loading ipy_reimport…')
        : trans.__('Load ipy_reimport')
    );
    const error = absent ? load?.error : null;
    setText(this._error, error ? trans.__('Loading failed: %1', error) : '');
  }

  /** Show `text`, its command mark (if any) as the command in code type. */
  private _renderText(text: string): void {
    if (text === this._shown) {
      return;
    }
    this._shown = text;
    const [before, after] = text.split(COMMAND_MARK);
    if (after === undefined) {
      this._text.replaceChildren(before);
    } else {
      this._text.replaceChildren(
        before,
        h('code', {}, LOAD_EXTENSION_COMMAND),
        after
      );
    }
  }

  private _message(state: ConnectionState, canLoad: boolean): string {
    const trans = this._trans;
    switch (state) {
      case 'no-kernel':
        return trans.__(
          'Open a notebook or a console to see the Python modules its kernel has loaded.'
        );
      case 'connecting':
        return trans.__('Connecting to the kernel…');
      case 'no-extension':
        return canLoad
          ? trans.__(
              'ipy_reimport is not loaded in this kernel: run %1 in a cell, or load it here.',
              COMMAND_MARK
            )
          : trans.__('ipy_reimport needs a Python kernel.');
      case 'other-version':
        return trans.__(
          'This kernel runs another version of ipy_reimport than this panel: restart the kernel, or install the same version in it.'
        );
      default:
        return '';
    }
  }

  private _trans: TranslationBundle;
  private _text: HTMLElement;
  private _load: HTMLButtonElement;
  private _error: HTMLElement;
  private _shown: string | null = null;
}
