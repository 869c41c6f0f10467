/** The status line: run, layer, epoch shown/latest, points drawn, frames/s, lost, engine state, view mode. */
import type { Painter } from '../cell-painter.js';
import { fitText } from '../cell-painter.js';
import type { Rect } from '../layout-math.js';
import type { Theme } from './theme.js';

/** What the status line shows. */
export interface StatusInfo {
  readonly run: string | null;
  readonly layer?: string;
  readonly shownEpoch: number | null;
  readonly latestEpoch: number | null;
  /** Points drawn in the scatter (every point of the displayed layout), or null before the first. */
  readonly points?: number | null;
  /** Frames per second over the last seconds, or null when nobody reports frames. */
  readonly fps: number | null;
  readonly lost: number;
  readonly engine: string | null;
  /** live, paused or history (time travel). */
  readonly mode: 'live' | 'paused' | 'history';
  readonly coloring: string;
  readonly ended: boolean;
  /** The epoch shown has no layout yet (skipped by the engine and not yet laid out again). */
  readonly noLayout?: boolean;
  /** The task being trained (continual learning), when the producer sends one. */
  readonly task?: number;
  /** Runs the dashboard holds (Tab goes through them). */
  readonly runs?: number;
  /** Streams that alerted while off screen (flagged until shown). */
  readonly flagged?: readonly string[];
}

/** The status text, most important fields first so that a narrow terminal cuts the least useful. */
export function statusText(s: StatusInfo, ascii: boolean): string {
  const sep = ascii ? ' | ' : ' │ ';
  const mode = s.mode === 'live' ? 'LIVE' : s.mode === 'paused' ? 'PAUSED' : 'HISTORY';
  const epoch = `epoch ${s.shownEpoch ?? '-'}/${s.latestEpoch ?? '-'}${s.noLayout ? ' (no layout yet)' : ''}${s.task === undefined ? '' : ` task ${s.task}`}`;
  const flagged = s.flagged ?? [];
  const parts = [
    `${mode}${s.ended ? ' (ended)' : ''}`,
    ...(flagged.length ? [`! alert in ${flagged.length > 2 ? `${flagged.length} runs` : flagged.join(', ')}`] : []),
    `run ${s.run ?? '-'}`,
    epoch,
    ...(s.points != null ? [`${s.points.toLocaleString('en-US')} pts`] : []),
    `layer ${s.layer ?? '-'}`,
    ...(s.runs !== undefined ? [`${s.runs} run${s.runs === 1 ? '' : 's'}`] : []),
    `${s.fps === null ? '-' : s.fps < 10 ? s.fps.toFixed(1) : s.fps.toFixed(0)} fr/s`,
    `lost ${s.lost}`,
    `engine ${s.engine ?? '-'}`,
    `colour ${s.coloring}`,
    '? help',
  ];
  return ' ' + parts.join(sep);
}

/** Paint the status bar across the whole rectangle. */
export function paintStatus(p: Painter, r: Rect, theme: Theme, s: StatusInfo): void {
  p.fill(r, ' ', theme.status);
  p.text(r.left, r.top, fitText(statusText(s, theme.ascii), r.width), theme.status, r.width);
}
