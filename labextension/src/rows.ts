/**
 * The order, filter and counts of rows, as pure functions: stale first, then
 * dependent, missing, fresh, unreloadable; by name within a state.
 */
import { IRow, ModuleState } from './protocol';

/** Rank of each state in the list order. */
const STATE_RANK: Record<ModuleState, number> = {
  stale: 0,
  dependent: 1,
  missing: 2,
  fresh: 3,
  unreloadable: 4
};

/** The states in the order the panel lists them. */
export const MODULE_STATES = Object.keys(STATE_RANK) as readonly ModuleState[];

/** Order rows by state (stale first), then by name. */
export function compareRows(a: IRow, b: IRow): number {
  const byState = STATE_RANK[a.state] - STATE_RANK[b.state];
  if (byState !== 0) {
    return byState;
  }
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** Whether `row` matches a filter text (case-insensitive, on name and path). */
export function matchesFilter(row: IRow, filter: string): boolean {
  const needle = filter.trim().toLowerCase();
  if (!needle) {
    return true;
  }
  return (
    row.name.toLowerCase().includes(needle) ||
    (row.path !== null && row.path.toLowerCase().includes(needle))
  );
}

/** A count of zero for every state. */
export function emptyCounts(): Record<ModuleState, number> {
  return { stale: 0, dependent: 0, missing: 0, fresh: 0, unreloadable: 0 };
}
