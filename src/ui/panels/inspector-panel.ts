/** The inspector panel (select mode): the selected sample's facts, and the samples that moved most. */
import { fitText, type Painter } from '../cell-painter.js';
import type { InspectorFacts } from '../inspector.js';
import type { Rect } from '../layout-math.js';
import type { Theme } from './theme.js';

/** A class as shown: its index, and its name when that says more than the index. */
function className(c: number | undefined, names: readonly string[] | undefined): string {
  if (c === undefined) return '-';
  const name = names?.[c];
  return name !== undefined && name !== String(c) ? `${c} ${name}` : String(c);
}

const num = (v: number): string => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2));

/** Lines about the selected sample (left column). */
export function sampleLines(f: InspectorFacts | undefined, selected: number | null, classes: readonly string[] | undefined, note: string | null): string[] {
  const out: string[] = [];
  if (!f) out.push('no layout on display yet');
  else if (f.id === null) out.push(selected === null ? 'no sample selected: arrows / click, or / and an id' : `id ${selected} is not in epoch ${f.epoch}`);
  else {
    out.push(`id ${f.id} · label ${className(f.label, classes)} · pred ${className(f.pred, classes)} · ${f.split} · (${num(f.x!)}, ${num(f.y!)})`);
    out.push(
      f.neighbours === null
        ? `neighbours: raw rows of e${f.epoch} no longer kept`
        : `neighbours (raw space): ${f.neighbours.map((n) => (n.label === null ? `#${n.id}` : className(n.label, undefined))).join(' ') || 'none'}`,
    );
    const t = f.trail;
    out.push(t.length === 0 ? 'trajectory: -' : `trajectory: ${t.length} epoch${t.length === 1 ? '' : 's'} e${t[0].epoch}-e${t[t.length - 1].epoch} (drawn on the scatter)`);
  }
  if (note) out.push(note);
  out.push('arrows / click: pick · /: find id · m: next mover · Esc: leave');
  return out;
}

/** Lines of the "moved most" list (right column). */
export function movedLines(f: InspectorFacts | undefined): string[] {
  if (!f || f.movedSince === null) return ['moved most: needs two epochs'];
  return [`moved most e${f.movedSince}-e${f.epoch}`, ...f.moved.map((m) => `id ${m.id} ${m.moved.toFixed(3)}`)];
}

/** Paint both columns inside `r` (the alert log's place while select mode is on). */
export function paintInspector(p: Painter, r: Rect, theme: Theme, f: InspectorFacts | undefined, selected: number | null, classes: readonly string[] | undefined, note: string | null): void {
  const right = movedLines(f);
  const rightW = Math.min(Math.max(...right.map((l) => l.length)) + 1, Math.floor(r.width / 3));
  const leftW = r.width - rightW - 1;
  sampleLines(f, selected, classes, note)
    .slice(0, r.height)
    .forEach((l, k) => p.text(r.left, r.top + k, fitText(l, leftW), k === 0 ? theme.bold : theme.text, leftW));
  right.slice(0, r.height).forEach((l, k) => p.text(r.left + leftW + 1, r.top + k, fitText(l, rightW), k === 0 ? theme.dim : theme.text, rightW));
}
