/**
 * Wires the panel into JupyterLab: the sidebar, the current notebook or
 * console, one connection per kernel, commands and settings.
 */
import {
  ILabShell,
  ILayoutRestorer,
  JupyterFrontEnd
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { IConsoleTracker } from '@jupyterlab/console';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { addCommands } from './commands';
import { ReimportConnection } from './connection';
import { ConnectionManager } from './manager';
import { modulesIcon } from './icon';
import { ReimportPanel } from './panel';
import { SessionTracker } from './tracker';

/** The plugin id (the settings schema is `schema/plugin.json`). */
export const PLUGIN_ID = 'ipy-reimport:plugin';

/** Activate the panel plugin. */
export function activatePanel(
  app: JupyterFrontEnd,
  labShell: ILabShell,
  restorer: ILayoutRestorer | null,
  palette: ICommandPalette | null,
  notebooks: INotebookTracker | null,
  consoles: IConsoleTracker | null,
  docManager: IDocumentManager | null,
  settingRegistry: ISettingRegistry | null,
  translator: ITranslator | null
): void {
  const trans = (translator ?? nullTranslator).load('ipy_reimport');
  const contents = app.serviceManager.contents;
  const manager = new ConnectionManager();
  const tracker = new SessionTracker({
    labShell,
    notebooks,
    consoles,
    localPath: path => contents.localPath(path)
  });
  const panel = new ReimportPanel({
    trans,
    openFile: docManager
      ? path => {
          docManager.openOrReveal(path);
        }
      : null
  });
  panel.disposed.connect(() => {
    tracker.dispose();
    manager.dispose();
  });
  panel.title.icon = modulesIcon;
  panel.title.caption = trans.__('Python modules (ipy_reimport)');
  labShell.add(panel, 'left', { rank: 650, type: trans.__('Python modules') });
  restorer?.add(panel, 'ipy-reimport');

  // Every notebook's and console's kernel gets the comm target, so that a
  // `%load_ext` in any of them is received (and never refused).
  for (const widgets of [notebooks, consoles]) {
    widgets?.forEach(widget => manager.watch(widget.sessionContext));
    widgets?.widgetAdded.connect((_, widget) =>
      manager.watch(widget.sessionContext)
    );
  }

  const followed = new WeakSet<ReimportConnection>();
  const show = (): void => {
    const kernel = tracker.kernel;
    const connection =
      kernel && !kernel.isDisposed ? manager.get(kernel) : null;
    if (connection && !followed.has(connection)) {
      followed.add(connection);
      connection.disposed.connect(show);
    }
    connection?.start();
    panel.setSource(
      connection,
      tracker.basePath,
      !connection && tracker.isStarting
    );
  };
  tracker.changed.connect(show);
  show();

  addCommands(app.commands, labShell, panel, palette, trans);

  if (settingRegistry) {
    Promise.all([settingRegistry.load(PLUGIN_ID), app.restored])
      .then(([settings]) => {
        if (settings.get('openOnStart').composite === true) {
          labShell.activateById(panel.id);
        }
      })
      .catch(reason =>
        console.warn('ipy_reimport: could not load the settings', reason)
      );
  }
}
