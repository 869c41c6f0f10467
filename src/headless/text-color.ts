/** ANSI colour for headless text lines on a terminal: what needs attention stands out. */
import type { Event } from '../model/events.js';

const RESET = '\u001b[0m';
const SGR = { red: '\u001b[31m', boldRed: '\u001b[1;31m', yellow: '\u001b[33m', cyan: '\u001b[36m', dim: '\u001b[2m' } as const;

/** The colour of an event's line, or undefined for plain. */
function colorOf(e: Event): string | undefined {
  switch (e.event) {
    case 'alert':
      return e.severity === 'critical' ? SGR.boldRed : e.severity === 'warning' ? SGR.yellow : SGR.cyan;
    case 'record_error':
    case 'reject':
    case 'lost':
      return SGR.red;
    case 'notice':
      return e.level === 'warning' ? SGR.yellow : undefined;
    case 'silence':
      return SGR.yellow;
    case 'metrics':
      return SGR.dim;
    default:
      return undefined;
  }
}

export function colorLine(e: Event, line: string): string {
  const c = colorOf(e);
  return c === undefined ? line : `${c}${line}${RESET}`;
}
