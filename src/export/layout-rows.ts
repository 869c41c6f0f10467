/** An epoch's layout as table columns: one row per point (run, epoch, split, id, x, y, label, pred). */
import type { EpochLayout } from '../model/epoch-layout.js';
import type { Split } from '../model/epoch-data.js';

/** Split codes of EpochLayout.split. */
export const SPLIT_NAMES: readonly Split[] = ['train', 'test'];

export const LAYOUT_COLUMNS = ['run', 'epoch', 'split', 'id', 'x', 'y', 'label', 'pred'] as const;

/** One point of a layout; label and pred are null when the producer sent none. */
export interface LayoutRow {
  readonly split: Split;
  readonly id: number;
  readonly x: number;
  readonly y: number;
  readonly label: number | null;
  readonly pred: number | null;
}

/** The engine marks a point of a split that carried no labels (or predictions) with -1. */
const classOf = (a: Int32Array | undefined, i: number): number | null => (a && a[i]! >= 0 ? a[i]! : null);

export function* layoutRows(layout: EpochLayout): Generator<LayoutRow> {
  for (let i = 0; i < layout.n; i++) {
    yield {
      split: SPLIT_NAMES[layout.split[i]!] ?? 'train',
      id: layout.ids[i]!,
      x: layout.positions[2 * i]!,
      y: layout.positions[2 * i + 1]!,
      label: classOf(layout.labels, i),
      pred: classOf(layout.preds, i),
    };
  }
}
