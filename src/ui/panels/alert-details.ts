/**
 * The alert details box (keys [ ] pick an alert, Enter opens this): the whole message and every
 * evidence field, word-wrapped, which the one-line alert log cuts at the panel's width.
 */
import { toPrintable } from '../../model/printable.js';
import type { AlertEntry } from '../dashboard-state.js';
import { fitText, type Painter } from '../cell-painter.js';
import type { Rect } from '../layout-math.js';
import { clockTime } from './alert-log.js';
import type { Theme } from './theme.js';

/** Title of the box (tests wait for it on screen). */
export const ALERT_DETAILS_TITLE = 'alert';

/** Split text into lines of at most `width` characters, at spaces when it can. */
export function wrapText(text: string, width: number): string[] {
  if (width <= 0) return [];
  const out: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    for (const word of para.split(' ')) {
      let w = word;
      while (w.length > width) {
        // A word longer than the line (a long number list): cut it where the line ends.
        const room = line === '' ? width : width - line.length - 1;
        if (room <= 0) {
          out.push(line);
          line = '';
          continue;
        }
        out.push(line === '' ? w.slice(0, room) : `${line} ${w.slice(0, room)}`);
        line = '';
        w = w.slice(room);
      }
      if (line === '') line = w;
      else if (line.length + 1 + w.length <= width) line += ` ${w}`;
      else {
        out.push(line);
        line = w;
      }
    }
    out.push(line);
  }
  return out;
}

/** An evidence value as text: numbers rounded to 4 significant digits, the rest as compact JSON. */
function evidenceValue(v: unknown): string {
  const round = (x: unknown): unknown => (typeof x === 'number' && !Number.isInteger(x) ? Number(x.toPrecision(4)) : Array.isArray(x) ? x.map(round) : x);
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) return JSON.stringify(Object.fromEntries(Object.entries(v).map(([k, x]) => [k, round(x)])));
  return JSON.stringify(round(v)) ?? String(v);
}

/** The box's lines for an entry, wrapped to `width` (sanitised: evidence can quote producer text). */
export function alertDetailLines(e: AlertEntry, width: number): string[] {
  const a = e.alert;
  const head = a
    ? `${clockTime(e.time)} ${e.severity} ${a.kind} · run ${a.run} · ${a.epoch === null ? 'no epoch' : `epoch ${a.epoch}`}`
    : `${clockTime(e.time)} ${e.severity}`;
  const lines = [...wrapText(toPrintable(head), width), '', ...wrapText(toPrintable(a ? a.message : e.text), width)];
  if (a && Object.keys(a.evidence).length > 0) {
    lines.push('', 'evidence:');
    for (const [k, v] of Object.entries(a.evidence)) lines.push(...wrapText(toPrintable(`${k}: ${evidenceValue(v)}`), width - 2).map((l) => `  ${l}`));
  }
  const keys = a && a.epoch !== null ? `g: go to epoch ${a.epoch} · [ ]: other alerts · Esc/Enter: close` : '[ ]: other alerts · Esc/Enter: close';
  lines.push('', ...wrapText(keys, width));
  return lines;
}

/** Paint the box centred over a cols x rows screen, at most 76 columns wide. */
export function paintAlertDetails(p: Painter, cols: number, rows: number, theme: Theme, e: AlertEntry): void {
  const width = Math.min(cols, 76);
  const textW = width - 4;
  let lines = alertDetailLines(e, textW).map((l) => (theme.ascii ? l.replaceAll('·', '-') : l));
  const height = Math.min(rows, lines.length + 2);
  if (lines.length > height - 2) lines = [...lines.slice(0, height - 3), '~ (more than fits; enlarge the terminal)'];
  const r: Rect = { left: Math.floor((cols - width) / 2), top: Math.floor((rows - height) / 2), width, height };
  p.fill(r, ' ', theme.text);
  const inner = p.frame(r, ALERT_DETAILS_TITLE, theme.bold, theme.title, theme.ascii);
  lines.slice(0, inner.height).forEach((l, k) => p.text(inner.left + 1, inner.top + k, fitText(l, textW), k === 0 ? theme.bold : theme.text, textW));
}
