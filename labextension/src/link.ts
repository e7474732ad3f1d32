/**
 * The life of a connection to a kernel, as a state type, and the few facts
 * about a kernel connection object that move it from one state to the next.
 */
import type { Kernel, KernelMessage as Jupyter } from '@jupyterlab/services';
import type { JSONObject } from '@lumino/coreutils';
import { ConnectionState } from './model';
import { COMM_TARGET, IGoodbye } from './protocol';

/** The page events a connection listens to (the window; a stand-in in tests). */
export type PageEvents = Pick<
  EventTarget,
  'addEventListener' | 'removeEventListener'
>;

/** While a connection looks for the kernel's comm. */
interface ILooking {
  /** Comms of a lost socket, closed once a new comm opens (or none is found). */
  readonly stale: readonly Kernel.IComm[];
  /** Keep showing "not loaded" meanwhile (a re-check after a load). */
  readonly quiet: boolean;
}

/**
 * Where a connection is in its life; each state holds what it needs.
 *
 * - `waiting`: looking for the kernel's comm; asks `comm_info` as soon as the
 *   panel shows the kernel and the kernel can answer.
 * - `asking`: a `comm_info_request` is on its way; an answer that finds the
 *   connection in another state (even another `asking`) is dropped.
 * - `connected`: through the panel's own comm, opened on `owner`, pinged.
 * - `absent`: the kernel has no `ipy_reimport` comm; an announcement connects.
 * - `other-version`: the kernel speaks another protocol version.
 */
export type LinkState =
  | (ILooking & { readonly kind: 'waiting' })
  | (ILooking & { readonly kind: 'asking' })
  | {
      readonly kind: 'connected';
      readonly comm: Kernel.IComm;
      readonly owner: Kernel.IKernelConnection;
      readonly ping: ReturnType<typeof setInterval>;
    }
  | { readonly kind: 'absent' }
  | { readonly kind: 'other-version'; readonly version: number }
  | { readonly kind: 'disposed' };

/** What the panel shows in a state (null once disposed). */
export function shownAs(state: LinkState): ConnectionState | null {
  switch (state.kind) {
    case 'waiting':
    case 'asking':
      return state.quiet ? 'no-extension' : 'connecting';
    case 'connected':
      return 'connected';
    case 'absent':
      return 'no-extension';
    case 'other-version':
      return 'other-version';
    default:
      return null;
  }
}

/** The comms a state leaves behind when it ends without a successor using them. */
export function commsOf(state: LinkState): readonly Kernel.IComm[] {
  switch (state.kind) {
    case 'waiting':
    case 'asking':
      return state.stale;
    case 'connected':
      return [state.comm];
    default:
      return [];
  }
}

/** Kernel statuses after which the kernel process is new. */
const RESTARTING: ReadonlySet<Jupyter.Status> = new Set([
  'restarting',
  'autorestarting'
]);

/** Kernel statuses in which a request would be lost. */
const NOT_READY: ReadonlySet<Jupyter.Status> = new Set([
  ...RESTARTING,
  'terminating',
  'dead'
]);

/** Whether a kernel status means a new kernel process (its comms are gone). */
export function isRestarting(status: Jupyter.Status): boolean {
  return RESTARTING.has(status);
}

/**
 * Whether a kernel can answer a `comm_info_request` now: the connection is
 * `connected` only once the kernel answered `kernel_info`. (After a socket
 * reconnect the status stays `unknown` until the kernel next publishes one.)
 */
export function isReady(kernel: Kernel.IKernelConnection): boolean {
  return (
    !kernel.isDisposed &&
    kernel.connectionStatus === 'connected' &&
    !NOT_READY.has(kernel.status)
  );
}

/** Whether the kernel has a comm of the `ipy_reimport` target open (`comm_info`). */
export async function hasTargetComm(
  kernel: Kernel.IKernelConnection
): Promise<boolean> {
  const reply = await kernel.requestCommInfo({ target_name: COMM_TARGET });
  const content = reply.content;
  const comms = content.status === 'ok' ? Object.values(content.comms) : [];
  return comms.some(info => info.target_name === COMM_TARGET);
}

/** Close a comm without letting a dead kernel throw. */
export function closeQuietly(comm: Kernel.IComm, goodbye?: IGoodbye): void {
  if (comm.isDisposed) {
    return;
  }
  try {
    comm.close(goodbye as unknown as JSONObject | undefined);
  } catch {
    comm.dispose();
  }
}
