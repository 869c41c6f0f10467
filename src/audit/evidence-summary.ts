/**
 * The evidence table: per recorded run, when the geometry alert and the validation-loss alert fired
 * and the lead between them. Pure: takes the alerts a replay printed, returns rows and Markdown.
 */
import type { AlertEvent } from '../model/events.js';

/** One row of the evidence table. */
export interface EvidenceRow {
  /** Recording file it came from (base name). */
  readonly file: string;
  readonly run: string;
  /** 'unstable' when the file or run name says so, else 'stable'. */
  readonly kind: 'stable' | 'unstable';
  /** Epoch of the geometry alert and the signal that fired it (null: none). */
  readonly geometryEpoch: number | null;
  readonly geometryMetric: string | null;
  /** Epoch of the validation-loss alert (null: none). */
  readonly lossEpoch: number | null;
  /** lossEpoch - geometryEpoch when both fired: positive = geometry warned earlier. */
  readonly lead: number | null;
  /** Other alert kinds of the run with their first epoch, e.g. "collapse@16". */
  readonly others: readonly string[];
}

/** Stable vs unstable, from the names (the recordings are named after their runs, e.g. demo-unstable-s2). */
export function runKind(file: string, run: string): 'stable' | 'unstable' {
  return /unstable/i.test(file) || /unstable/i.test(run) ? 'unstable' : 'stable';
}

/** Rows for the alerts a replay of `file` printed, one per run (in order of first appearance). */
export function evidenceRows(file: string, alerts: readonly AlertEvent[], runs: readonly string[] = []): EvidenceRow[] {
  const order = [...runs];
  for (const a of alerts) if (!order.includes(a.run)) order.push(a.run);
  return order.map((run) => {
    const mine = alerts.filter((a) => a.run === run);
    const geo = mine.find((a) => a.kind === 'geometry');
    const loss = mine.find((a) => a.kind === 'loss');
    const others: string[] = [];
    for (const a of mine) {
      if (a.kind === 'geometry' || a.kind === 'loss') continue;
      if (others.some((o) => o.startsWith(`${a.kind}@`))) continue;
      others.push(`${a.kind}@${a.epoch ?? '-'}`);
    }
    const g = geo?.epoch ?? null;
    const l = loss?.epoch ?? null;
    return {
      file,
      run,
      kind: runKind(file, run),
      geometryEpoch: g,
      geometryMetric: geo ? String(geo.evidence['metric']) : null,
      lossEpoch: l,
      lead: g !== null && l !== null ? l - g : null,
      others,
    };
  });
}

const dash = (v: number | string | null): string => (v === null ? '—' : String(v));

/** The Markdown table for the README. */
export function evidenceMarkdown(rows: readonly EvidenceRow[]): string {
  const head = '| run | kind | geometry alert (epoch, signal) | val-loss alert (epoch) | lead (epochs) | other alerts |';
  const rule = '|---|---|---|---|---|---|';
  const body = rows.map((r) => {
    const geo = r.geometryEpoch === null ? '—' : `${r.geometryEpoch} (${r.geometryMetric})`;
    const lead = r.lead === null ? '—' : r.lead > 0 ? `+${r.lead}` : String(r.lead);
    return `| ${r.run} | ${r.kind} | ${geo} | ${dash(r.lossEpoch)} | ${lead} | ${r.others.length ? r.others.join(', ') : '—'} |`;
  });
  return [head, rule, ...body].join('\n');
}
