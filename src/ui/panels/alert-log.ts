/** The alert log: newest first, timestamped, coloured by severity. */
import type { Severity } from '../../model/events.js';
import type { AlertEntry } from '../dashboard-state.js';
import { fitText, type Painter } from '../cell-painter.js';
import type { Rect } from '../layout-math.js';
import { DEFAULT_COLOR, FLAG_BOLD, FLAG_INVERSE, packAttr } from '../palette.js';
import type { Theme } from './theme.js';

/** Local wall-clock time as HH:MM:SS. */
export function clockTime(d: Date): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** A one-letter severity tag, so severity reads without colour too. */
const TAG: Record<Severity, string> = { critical: 'C', warning: 'W', info: 'i' };

/** The text of one log line (without colour). */
export function alertLine(e: AlertEntry): string {
  return `${clockTime(e.time)} ${TAG[e.severity]} ${e.text}`;
}

/**
 * Paint as many entries as fit, newest at the top.
 * @param selected index of the selected entry (drawn inverse, scrolled into view), or -1.
 */
export function paintAlerts(p: Painter, r: Rect, theme: Theme, alerts: readonly AlertEntry[], selected = -1): void {
  if (r.width <= 0 || r.height <= 0) return;
  if (alerts.length === 0) {
    p.text(r.left, r.top, 'no alerts', theme.dim, r.width);
    return;
  }
  const first = selected >= r.height ? selected - r.height + 1 : 0;
  for (let k = 0; k < Math.min(r.height, alerts.length - first); k++) {
    const e = alerts[first + k];
    const y = r.top + k;
    if (first + k === selected) {
      // Inverse video marks the selection without colour too; '>' for terminals without inverse.
      const attr = packAttr(DEFAULT_COLOR, DEFAULT_COLOR, FLAG_INVERSE);
      p.text(r.left, y, fitText(`>${alertLine(e)}`, r.width).padEnd(r.width), attr, r.width);
      continue;
    }
    const time = clockTime(e.time);
    p.text(r.left, y, time, theme.dim, r.width);
    const flags = e.severity === 'critical' ? FLAG_BOLD : 0;
    const attr = packAttr(theme.palette.severityColor(e.severity), DEFAULT_COLOR, flags);
    const rest = `${TAG[e.severity]} ${e.text}`;
    const w = r.width - time.length - 1;
    if (w > 0) p.text(r.left + time.length + 1, y, fitText(rest, w), attr, w);
  }
}
