/**
 * Sparklines: a series fitted to `width` columns (mean per column when longer, so the whole
 * history stays visible; equal runs of columns per value when shorter, so a young run's curve
 * still spans the panel) and drawn with 8 levels per text row.
 */

const BLOCKS = ' ▁▂▃▄▅▆▇█';
// ASCII levels, lowest to highest; index 8 = a full cell as with the blocks.
const ASCII_LEVELS = ' _..--=+#';

/**
 * Resample to at most `width` values: unchanged when it fits, else the mean of equal-share buckets.
 * @param values the series, oldest first.
 * @param width columns available (>= 0).
 */
export function bucketMeans(values: readonly number[], width: number): number[] {
  if (width <= 0) return [];
  if (values.length <= width) return values.slice();
  const out: number[] = [];
  for (let c = 0; c < width; c++) {
    const a = Math.floor((c * values.length) / width);
    const b = Math.floor(((c + 1) * values.length) / width);
    let s = 0;
    for (let i = a; i < b; i++) s += values[i];
    out.push(s / (b - a));
  }
  return out;
}

/** Spread a short series over `width` columns: value k fills columns [k*w/n, (k+1)*w/n). */
export function stretch(values: readonly number[], width: number): number[] {
  if (values.length === 0 || width <= 0) return [];
  return Array.from({ length: width }, (_, c) => values[Math.floor((c * values.length) / width)]);
}

/** How a sparkline maps values to heights. */
export type SparkScale = 'linear' | 'log';

/**
 * Largest / smallest positive value beyond which a series is drawn on a log scale: past two decades
 * a linear scale squeezes everything but the spike onto the bottom level (a loss of 215 after 0.1).
 */
export const LOG_SCALE_RATIO = 100;

/** 'log' when the positive finite values span more than two decades (LOG_SCALE_RATIO), else 'linear'. */
export function chooseScale(values: readonly number[]): SparkScale {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!(v > 0) || !Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return hi / lo > LOG_SCALE_RATIO ? 'log' : 'linear';
}

/** log10 of each value; values <= 0 sit at the smallest positive one (a loss of 0 is the floor). */
function toLog(values: readonly number[]): number[] {
  let floor = Infinity;
  for (const v of values) if (v > 0 && v < floor) floor = v;
  return values.map((v) => (Number.isFinite(v) ? Math.log10(v > 0 ? v : floor) : v));
}

/**
 * Draw a series as `height` text rows (top row first), each column one value scaled between the
 * shown minimum (one level) and maximum (full height). A flat series draws at half height.
 * @param ascii use ASCII levels instead of block elements.
 * @param scale 'log' scales log10 of the values (see chooseScale).
 */
export function sparkline(values: readonly number[], width: number, height: number, ascii = false, scale: SparkScale = 'linear'): string[] {
  const levels = ascii ? ASCII_LEVELS : BLOCKS;
  const finite = (scale === 'log' ? toLog(values) : values).filter(Number.isFinite);
  const cols = finite.length >= width ? bucketMeans(finite, width) : stretch(finite, width);
  const rows: string[][] = Array.from({ length: Math.max(0, height) }, () => []);
  if (height <= 0) return [];
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of cols) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const total = height * 8;
  for (const v of cols) {
    // At least one level so the minimum stays visible; the maximum fills every row.
    const h = hi > lo ? 1 + Math.round(((v - lo) / (hi - lo)) * (total - 1)) : Math.ceil(total / 2);
    for (let r = 0; r < height; r++) {
      const fromBottom = height - 1 - r;
      const inRow = Math.max(0, Math.min(8, h - fromBottom * 8));
      rows[r].push(levels[inRow]);
    }
  }
  return rows.map((r) => r.join(''));
}

/**
 * Which column of a sparkline drawn from `pointEpochs` (one entry per point, ascending) shows each
 * marked epoch, so alerts can be marked on the curve's epoch axis. An epoch without a point of its
 * own is marked at the first point after it (or the last point). Columns follow sparkline(): bucket
 * means when the series is longer than `width`, stretched runs when shorter.
 * @param rank when two marks share a column, the higher rank wins.
 */
export function markColumns<T>(pointEpochs: readonly number[], width: number, marks: ReadonlyMap<number, T>, rank: (t: T) => number): (T | undefined)[] {
  const out: (T | undefined)[] = new Array(Math.max(0, width)).fill(undefined);
  const n = pointEpochs.length;
  if (n === 0 || width <= 0) return out;
  for (const [epoch, mark] of marks) {
    let idx = pointEpochs.findIndex((e) => e >= epoch);
    if (idx < 0) idx = n - 1;
    // Longer series: column c averages points [c*n/w, (c+1)*n/w). Shorter: column c shows point c*n/w.
    const col = n >= width ? Math.min(width - 1, Math.floor(((idx + 1) * width - 1) / n)) : Math.ceil((idx * width) / n);
    const had = out[col];
    if (had === undefined || rank(mark) > rank(had)) out[col] = mark;
  }
  return out;
}
