/**
 * Wires the panel into the frontend (JupyterLab or Notebook 7): the left
 * sidebar, the current notebook or console, one connection per kernel,
 * commands and settings.
 */
import { ILayoutRestorer, JupyterFrontEnd } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { IConsoleTracker } from '@jupyterlab/console';
import { PageConfig } from '@jupyterlab/coreutils';
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

/**
 * Notebook 7 pages that hold a notebook or a console; its other pages (the
 * file browser, the editor, terminals) get no panel.
 */
const NOTEBOOK7_KERNEL_PAGES = ['notebooks', 'consoles'];

/** Whether this page can show a kernel's modules (every JupyterLab page can). */
export function pageHasKernels(notebookPage: string): boolean {
  return notebookPage === '' || NOTEBOOK7_KERNEL_PAGES.includes(notebookPage);
}

/** Activate the panel plugin. */
export function activatePanel(
  app: JupyterFrontEnd,
  restorer: ILayoutRestorer | null,
  palette: ICommandPalette | null,
  notebooks: INotebookTracker | null,
  consoles: IConsoleTracker | null,
  docManager: IDocumentManager | null,
  settingRegistry: ISettingRegistry | null,
  translator: ITranslator | null
): void {
  if (!pageHasKernels(PageConfig.getOption('notebookPage'))) {
    return;
  }
  const trans = (translator ?? nullTranslator).load('ipy_reimport');
  const shell = app.shell;
  const contents = app.serviceManager.contents;
  const manager = new ConnectionManager();
  const tracker = new SessionTracker({
    shell,
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
  shell.add(panel, 'left', { rank: 650, type: trans.__('Python modules') });
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
    panel.setSource(connection, {
      basePath: tracker.basePath,
      starting: !connection && tracker.isStarting,
      kernelName: tracker.kernelName
    });
  };
  tracker.changed.connect(show);
  show();

  addCommands(app.commands, shell, panel, palette, trans);

  if (settingRegistry) {
    Promise.all([settingRegistry.load(PLUGIN_ID), app.restored])
      .then(([settings]) => {
        if (settings.get('openOnStart').composite === true) {
          shell.activateById(panel.id);
        }
      })
      .catch(reason =>
        console.warn('ipy_reimport: could not load the settings', reason)
      );
  }
}
