/** The JupyterLab plugins of ipy_reimport. */
import {
  ILayoutRestorer,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { IConsoleTracker } from '@jupyterlab/console';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator } from '@jupyterlab/translation';
import { PLUGIN_ID, activatePanel } from './activate';

/**
 * The module panel in the left sidebar, its commands and settings. It needs
 * no JupyterLab-only service, so it also runs in Notebook 7 (the left area of
 * the notebook page).
 */
const panelPlugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description:
    'A sidebar panel listing the Python modules of the current kernel, which are stale, and deep reloads (ipy_reimport).',
  autoStart: true,
  optional: [
    ILayoutRestorer,
    ICommandPalette,
    INotebookTracker,
    IConsoleTracker,
    IDocumentManager,
    ISettingRegistry,
    ITranslator
  ],
  activate: activatePanel
};

export default [panelPlugin];
