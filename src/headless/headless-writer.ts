/** Headless output: one line per event on a stream, as text or JSON lines. */
import type { Writable } from 'node:stream';
import type { Event } from '../model/events.js';
import { formatText } from './format-text.js';
import { colorLine } from './text-color.js';

export interface HeadlessOptions {
  readonly out: Writable;
  /** One JSON object per line instead of text. */
  readonly json: boolean;
  /** Print alert events only. */
  readonly alertsOnly: boolean;
  /** ANSI colour on text lines (never on JSON). */
  readonly color?: boolean;
}

/** Events never printed: layouts are large binary arrays; engine state is for the status line. */
const SILENT = new Set<Event['event']>(['layout', 'engine']);

export function headlessWriter(opts: HeadlessOptions): (e: Event) => void {
  return (e) => {
    if (SILENT.has(e.event)) return;
    if (opts.alertsOnly && e.event !== 'alert') return;
    if (opts.json) {
      // `ts` second, after `event`: log collectors need the time; added, not replacing anything.
      const { event, ...rest } = e;
      opts.out.write(`${JSON.stringify({ event, ts: new Date().toISOString(), ...rest })}\n`);
      return;
    }
    const line = formatText(e);
    if (line !== undefined) opts.out.write(`${opts.color ? colorLine(e, line) : line}\n`);
  };
}
