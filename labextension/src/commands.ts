/** The palette commands of the panel. */
import type { JupyterFrontEnd } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { CommandRegistry } from '@lumino/commands';
import { ReimportPanel } from './panel';

/** Command ids. */
export namespace CommandIDs {
  /** Deep-reload every stale module of the current kernel. */
  export const reloadStale = 'ipy-reimport:reload-stale';
  /** Reveal the module panel. */
  export const showPanel = 'ipy-reimport:show-panel';
}

/** The palette category. */
export const PALETTE_CATEGORY = 'ipy_reimport';

/** What the commands take: no arguments. */
const NO_ARGS = { args: { type: 'object', properties: {} } } as const;

/**
 * Register the commands and add them to the palette (the View menu entry is
 * declared in `schema/plugin.json`).
 */
export function addCommands(
  commands: CommandRegistry,
  shell: JupyterFrontEnd.IShell,
  panel: ReimportPanel,
  palette: ICommandPalette | null,
  trans: TranslationBundle
): void {
  commands.addCommand(CommandIDs.reloadStale, {
    describedBy: NO_ARGS,
    label: trans.__('Reload stale modules'),
    caption: trans.__(
      'Deep-reload every stale module of the current kernel (ipy_reimport)'
    ),
    isEnabled: () => panel.model.connection === 'connected',
    execute: () => {
      panel.reloadStale();
    }
  });
  commands.addCommand(CommandIDs.showPanel, {
    describedBy: NO_ARGS,
    label: trans.__('Show module panel'),
    caption: trans.__(
      'Show the Python modules of the current kernel (ipy_reimport)'
    ),
    execute: () => {
      shell.activateById(panel.id);
    }
  });
  // Keep the palette's enabled state in step with the connection.
  panel.connectionChanged.connect(() =>
    commands.notifyCommandChanged(CommandIDs.reloadStale)
  );
  for (const command of [CommandIDs.reloadStale, CommandIDs.showPanel]) {
    palette?.addItem({ command, category: PALETTE_CATEGORY });
  }
}
