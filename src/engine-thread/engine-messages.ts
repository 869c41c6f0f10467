/** Messages between the main thread (EngineClient) and the engine worker. */
import type { EngineOptions } from '../engine/engine.js';
import type { EpochSet } from '../model/epoch-data.js';
import type { EpochLayout } from '../model/epoch-layout.js';

/** Main thread -> worker. */
export type ToWorker =
  | { readonly type: 'init'; readonly opts: EngineOptions }
  | { readonly type: 'update'; readonly job: number; readonly set: EpochSet }
  /** Drop a run's state (the session's cap on engine states). */
  | { readonly type: 'forget'; readonly run: string }
  | { readonly type: 'close' };

/** Worker -> main thread. */
export type FromWorker =
  | { readonly type: 'ready'; readonly backend: string }
  | { readonly type: 'layout'; readonly job: number; readonly layout: EpochLayout }
  | { readonly type: 'error'; readonly job: number | null; readonly message: string; readonly stack?: string };

/** Every distinct ArrayBuffer behind the typed arrays of a value's known fields (for transfer lists). */
export function buffersOf(arrays: readonly (ArrayBufferView | undefined)[]): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const a of arrays) {
    // SharedArrayBuffers cannot be transferred (and need not be).
    if (a && a.buffer instanceof ArrayBuffer && a.buffer.byteLength > 0) out.add(a.buffer);
  }
  return [...out];
}
