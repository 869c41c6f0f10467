/** Helpers of the table-export tests: a small synthetic recording (written by the real Recorder) and a CSV reader. */
import { Recorder } from '../../src/record/recorder.js';
import { encodeFrame } from '../../src/protocol/encode.js';
import { createRng } from '../../src/util/random.js';

export const SYN_RUN = 'syn "run", one';
export const SYN_EPOCHS = 4;
export const SYN_TRAIN = 60;
export const SYN_TEST = 20;
const DIM = 6;

/** What the synthetic run sent, to compare the export against. */
export interface SentPoint {
  readonly epoch: number;
  readonly split: 'train' | 'test';
  readonly id: number;
  readonly label: number;
  /** null: the test split carries no predictions. */
  readonly pred: number | null;
}

/** Frames of a run: 3 classes in 6-D, train with labels and predictions, test with labels only, metrics, end. */
export function synFrames(): { frames: Buffer[]; points: SentPoint[]; valLoss: number[] } {
  const rng = createRng(7);
  let seq = 0;
  const base = () => ({ run: SYN_RUN, producer: '0', seq: seq++ });
  const frames = [encodeFrame({ ...base(), type: 'hello', layer: 'fc', dim: DIM, classes: ['a', 'b', 'c'] })];
  const points: SentPoint[] = [];
  const valLoss: number[] = [];
  for (let epoch = 0; epoch < SYN_EPOCHS; epoch++) {
    for (const split of ['train', 'test'] as const) {
      const n = split === 'train' ? SYN_TRAIN : SYN_TEST;
      const x = new Float32Array(n * DIM);
      // Ids far above 2^32 (they must survive as exact integers) and distinct across splits.
      const ids = Array.from({ length: n }, (_, i) => 2 ** 40 + (split === 'train' ? i : 1000 + i));
      const labels = Int32Array.from({ length: n }, (_, i) => i % 3);
      const preds = Int32Array.from(labels, (c, i) => (i % 7 === 0 ? (c + 1) % 3 : c));
      for (let i = 0; i < n; i++) for (let d = 0; d < DIM; d++) x[i * DIM + d] = (d === labels[i]! * 2 ? 4 : 0) + rng.normal() * (1 + epoch * 0.1);
      const tensors = {
        x: { dtype: 'float32' as const, shape: [n, DIM], data: x },
        id: { dtype: 'int64' as const, shape: [n], data: BigInt64Array.from(ids, (v) => BigInt(v)) },
        label: { dtype: 'int32' as const, shape: [n], data: labels },
        ...(split === 'train' ? { pred: { dtype: 'int32' as const, shape: [n], data: preds } } : {}),
      };
      frames.push(encodeFrame({ ...base(), type: 'batch', epoch, split }, tensors));
      ids.forEach((id, i) => points.push({ epoch, split, id, label: labels[i]!, pred: split === 'train' ? preds[i]! : null }));
    }
    const v = 1 / (epoch + 1) + 0.123456789;
    valLoss.push(v);
    frames.push(encodeFrame({ ...base(), type: 'metrics', epoch, step: 10 * epoch, values: { grad_norm: epoch + 0.5 } }));
    frames.push(encodeFrame({ ...base(), type: 'metrics', epoch, values: { val_loss: v } }));
    frames.push(encodeFrame({ ...base(), type: 'epoch_end', epoch }));
  }
  frames.push(encodeFrame({ ...base(), type: 'end' }));
  return { frames, points, valLoss };
}

/** Records frames into `dir` with the real Recorder; returns the file. */
export async function record(dir: string, frames: readonly Buffer[]): Promise<string> {
  const errors: Error[] = [];
  const rec = new Recorder(dir, (e) => errors.push(e));
  const t0 = Date.UTC(2025, 0, 1);
  frames.forEach((f, i) => rec.append(SYN_RUN, f, t0 + 10 * i));
  await rec.close();
  if (errors.length) throw errors[0]!;
  return rec.paths.get(SYN_RUN)!;
}

/** RFC 4180 CSV into rows of fields (quoted fields may hold commas, quotes and newlines). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length) rows.push([...row, field]);
  return rows;
}

/** CSV rows as objects keyed by the header. */
export function csvObjects(text: string): Record<string, string>[] {
  const [head, ...rows] = parseCsv(text);
  return rows.map((r) => Object.fromEntries(head!.map((h, i) => [h, r[i]!])));
}
