/**
 * How a module name is shown in a narrow row, as a pure function: the
 * package path (which the view dims and lets shrink first) and the last
 * component (kept whole), each cut where the filter matched so that the
 * match can be highlighted and kept whole too.
 */

/** One piece of a shown module name. */
export interface INamePart {
  /** The characters of the name. */
  readonly text: string;
  /** `path`: the package path with its final dot; `leaf`: the last component. */
  readonly kind: 'path' | 'leaf';
  /** Whether these characters are (part of) the filter's match. */
  readonly match: boolean;
}

/** Where the filter first matches `name` (case-insensitive), as [start, end); null: nowhere. */
export function findMatch(
  name: string,
  filter: string
): [number, number] | null {
  const needle = filter.trim().toLowerCase();
  if (!needle) {
    return null;
  }
  const start = name.toLowerCase().indexOf(needle);
  return start < 0 ? null : [start, start + needle.length];
}

/**
 * Split `name` into its package path and last component, each cut at the
 * bounds of the filter's first match. Empty parts are left out; the texts
 * joined give `name` back.
 */
export function nameParts(name: string, filter: string): INamePart[] {
  const split = name.lastIndexOf('.') + 1;
  const match = findMatch(name, filter);
  const cuts = new Set([0, split, name.length]);
  if (match) {
    cuts.add(match[0]);
    cuts.add(match[1]);
  }
  const bounds = Array.from(cuts).sort((a, b) => a - b);
  const parts: INamePart[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const [start, end] = [bounds[i], bounds[i + 1]];
    if (start === end) {
      continue;
    }
    parts.push({
      text: name.slice(start, end),
      kind: start < split ? 'path' : 'leaf',
      match: match !== null && start >= match[0] && end <= match[1]
    });
  }
  return parts;
}
