/** Headless output: one line per event on a stream, as text or JSON lines. */
import type { Writable } from 'node:stream';
import type { Event } from '../model/events.js';
import { formatText } from './format-text.js';

export interface HeadlessOptions {
  readonly out: Writable;
  /** One JSON object per line instead of text. */
  readonly json: boolean;
  /** Print alert events only. */
  readonly alertsOnly: boolean;
}

/** Events never printed: layouts are large binary arrays; engine state is for the status line. */
const SILENT = new Set<Event['event']>(['layout', 'engine']);

export function headlessWriter(opts: HeadlessOptions): (e: Event) => void {
  return (e) => {
    if (SILENT.has(e.event)) return;
    if (opts.alertsOnly && e.event !== 'alert') return;
    const line = opts.json ? JSON.stringify(e) : formatText(e);
    if (line !== undefined) opts.out.write(`${line}\n`);
  };
}
