/**
 * A stand-in for JupyterLab's null translation bundle (the real one is an ES
 * module that node's CommonJS tests cannot load): English texts with `%1`,
 * `%2`… replaced by the arguments, and `_n` picking the singular for 1.
 */
import type { TranslationBundle } from '@jupyterlab/translation';

function format(text: string, args: unknown[]): string {
  return text.replace(/%(\d+)/g, (whole, i) =>
    Number(i) <= args.length ? String(args[Number(i) - 1]) : whole
  );
}

/** The texts as written in the source. */
export const trans = {
  __: (msgid: string, ...args: unknown[]) => format(msgid, args),
  _n: (msgid: string, plural: string, n: number, ...args: unknown[]) =>
    format(n === 1 ? msgid : plural, [n, ...args])
} as unknown as TranslationBundle;
