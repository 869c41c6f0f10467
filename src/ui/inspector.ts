/**
 * The point inspector (key i, `/`, mouse): a cursor on the scatter, the sample nearest to it, and
 * the facts about that sample (src/inspect/sample-facts.ts) for the inspector panel. The selection
 * is kept by sample id, so time travel shows the same sample at other epochs.
 */
import type { EpochLayout } from '../model/epoch-layout.js';
import { movedMost, nearestRow, rawNeighbours, rowOf, trajectory, type Move, type Neighbour, type TrajectoryPoint } from '../inspect/sample-facts.js';
import type { RunView } from './dashboard-state.js';
import { fromDot, type Transform } from './viewport.js';
import { DOTS_X, DOTS_Y } from './braille-canvas.js';

/** Neighbours listed for the selected sample. */
export const INSPECT_K = 5;
/** Entries of the "moved most" list. */
export const MOVED_K = 5;
/** Longest id typed after `/` (2^53 has 16 digits). */
const MAX_ID_DIGITS = 16;

/** Everything the inspector panel shows. */
export interface InspectorFacts {
  readonly epoch: number;
  /** Null when the selected id is not in the epoch on display. */
  readonly id: number | null;
  readonly label?: number;
  readonly pred?: number;
  readonly split?: 'train' | 'test';
  readonly x?: number;
  readonly y?: number;
  /** Null when the raw rows of this epoch are no longer kept (only the newest few are). */
  readonly neighbours: readonly Neighbour[] | null;
  /** Positions in the stored epochs up to the one on display, oldest first. */
  readonly trail: readonly TrajectoryPoint[];
  /** Samples that moved most since the previous stored epoch, and that epoch. */
  readonly moved: readonly Move[];
  readonly movedSince: number | null;
}

export class Inspector {
  /** Select mode on (arrows move the cursor instead of stepping through epochs). */
  active = false;
  /** Cursor cell inside the scatter panel. */
  col = 0;
  row = 0;
  selectedId: number | null = null;
  /** The id being typed after `/`, or null when not typing. */
  typing: string | null = null;
  /** A one-line answer, e.g. "id 77 is not in epoch 3". */
  note: string | null = null;
  private placed = false;

  /** Enter or leave select mode; entering puts the cursor in the middle of a cols x rows scatter. */
  toggle(cols: number, rows: number): void {
    this.active = !this.active;
    if (this.active && !this.placed) {
      this.col = Math.floor(cols / 2);
      this.row = Math.floor(rows / 2);
      this.placed = true;
    }
    if (!this.active) this.typing = null;
  }

  /** Move the cursor by (dc, dr) cells, kept inside cols x rows. */
  move(dc: number, dr: number, cols: number, rows: number): void {
    this.col = Math.max(0, Math.min(cols - 1, this.col + dc));
    this.row = Math.max(0, Math.min(rows - 1, this.row + dr));
  }

  /** Put the cursor on a cell (a mouse click) and enter select mode. */
  place(col: number, row: number): void {
    this.active = true;
    this.placed = true;
    this.col = col;
    this.row = row;
  }

  /** Select the sample nearest to the cursor's cell centre. */
  pickAtCursor(layout: EpochLayout | undefined, t: Transform | null): void {
    if (!layout || !t) return;
    const pt = fromDot(t, this.col * DOTS_X + DOTS_X / 2, this.row * DOTS_Y + DOTS_Y / 2);
    const i = nearestRow(layout, pt.x, pt.y);
    if (i >= 0) {
      this.selectedId = layout.ids[i];
      this.note = null;
    }
  }

  /** A key typed while an id is being entered; returns true when it was taken. */
  type(ch: string | undefined, full: string | undefined): boolean {
    if (this.typing === null) return false;
    if (full === 'escape') this.typing = null;
    else if (full === 'backspace') this.typing = this.typing.slice(0, -1);
    else if (full === 'enter' || full === 'return' || full === 'linefeed') this.commit();
    else if (ch !== undefined && /^[0-9]$/.test(ch) && this.typing.length < MAX_ID_DIGITS) this.typing += ch;
    return true;
  }

  private commit(): void {
    const text = this.typing ?? '';
    this.typing = null;
    const id = Number(text);
    if (text === '' || !Number.isSafeInteger(id)) {
      this.note = text === '' ? null : `not an id: ${text}`;
      return;
    }
    this.selectedId = id;
    this.active = true;
    this.note = null;
  }

  /** Start typing an id (key /). */
  startFind(): void {
    this.typing = '';
  }

  /** Move the cursor onto the selected sample's cell in `layout`, if it is there. */
  follow(layout: EpochLayout | undefined, t: Transform | null): boolean {
    if (!layout || !t || this.selectedId === null) return false;
    const i = rowOf(layout, this.selectedId);
    if (i < 0) return false;
    this.col = Math.floor((layout.positions[2 * i] * t.scale + t.offX) / DOTS_X);
    this.row = Math.floor((t.offY - layout.positions[2 * i + 1] * t.scale) / DOTS_Y);
    this.placed = true;
    return true;
  }
}

/** The facts about the selected sample in the epoch on display of one stream. */
export function inspectorFacts(view: RunView, layout: EpochLayout, id: number | null): InspectorFacts {
  const list = view.layoutEpochs.filter((e) => e <= layout.epoch);
  const prevEpoch = list.length >= 2 ? list[list.length - 2] : null;
  const prev = prevEpoch === null ? undefined : view.layouts.get(prevEpoch);
  const moved = prev ? movedMost(prev, layout, MOVED_K) : [];
  const base = { epoch: layout.epoch, moved, movedSince: prev ? prevEpoch : null };
  const i = id === null ? -1 : rowOf(layout, id);
  if (id === null || i < 0) return { ...base, id: null, neighbours: null, trail: [] };
  const raw = view.raw.get(layout.epoch);
  const q = raw ? rawRow(raw.ids, id) : -1;
  return {
    ...base,
    id,
    label: layout.labels?.[i],
    pred: layout.preds?.[i],
    split: layout.split[i] === 1 ? 'test' : 'train',
    x: layout.positions[2 * i],
    y: layout.positions[2 * i + 1],
    neighbours: raw && q >= 0 ? rawNeighbours(raw, q, INSPECT_K) : null,
    trail: trajectory(list.map((e) => view.layouts.get(e)!).filter((l) => l !== undefined), id),
  };
}

function rawRow(ids: Float64Array, id: number): number {
  return ids.indexOf(id);
}
