/**
 * Layout rows in an Arrow IPC file (the Feather v2 format: pandas.read_feather, polars.read_ipc and
 * pyarrow.feather read it directly), one record batch per epoch, written as each epoch comes so
 * memory holds one epoch at a time.
 */
import fs from 'node:fs';
import { once } from 'node:events';
import { Field, Float32, Int32, Int64, RecordBatch, RecordBatchFileWriter, Schema, Struct, Utf8, makeData, vectorFromArray, type Data } from 'apache-arrow';
import type { EpochLayout } from '../model/epoch-layout.js';
import { layoutRows } from './layout-rows.js';

/** The file's schema: ids as int64 (they are integers up to 2^53), positions as float32 (as computed). */
export const LAYOUT_SCHEMA = new Schema([
  new Field('run', new Utf8(), false),
  new Field('epoch', new Int32(), false),
  new Field('split', new Utf8(), false),
  new Field('id', new Int64(), false),
  new Field('x', new Float32(), false),
  new Field('y', new Float32(), false),
  new Field('label', new Int32(), true),
  new Field('pred', new Int32(), true),
]);

/** The largest epoch the int32 epoch column holds. */
const INT32_MAX = 2 ** 31 - 1;

/** One epoch's points as a record batch of LAYOUT_SCHEMA. */
export function layoutBatch(layout: EpochLayout): RecordBatch {
  const n = layout.n;
  // The protocol takes epochs up to 2^53 - 1; the file's epoch column is int32, and would wrap.
  if (layout.epoch > INT32_MAX) {
    throw new Error(`arrow export: epoch ${layout.epoch} of run ${JSON.stringify(layout.run)} is past ${INT32_MAX}, the largest the Arrow file's int32 epoch column holds; export to CSV instead (--format csv)`);
  }
  const split: string[] = [];
  const label: (number | null)[] = [];
  const pred: (number | null)[] = [];
  for (const r of layoutRows(layout)) {
    split.push(r.split);
    label.push(r.label);
    pred.push(r.pred);
  }
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = layout.positions[2 * i]!;
    y[i] = layout.positions[2 * i + 1]!;
  }
  const utf8 = (values: string[]): Data => vectorFromArray(values, new Utf8()).data[0]!;
  const int32 = (values: (number | null)[]): Data => vectorFromArray(values, new Int32()).data[0]!;
  const children = [
    utf8(new Array<string>(n).fill(layout.run)),
    makeData({ type: new Int32(), data: new Int32Array(n).fill(layout.epoch) }),
    utf8(split),
    makeData({ type: new Int64(), data: BigInt64Array.from(layout.ids, (v) => BigInt(v)) }),
    makeData({ type: new Float32(), data: x }),
    makeData({ type: new Float32(), data: y }),
    int32(label),
    int32(pred),
  ];
  return new RecordBatch(LAYOUT_SCHEMA, makeData({ type: new Struct(LAYOUT_SCHEMA.fields), length: n, nullCount: 0, children }));
}

/** Writes layouts to an Arrow IPC file as they come; close() completes the file (its footer). */
export class ArrowLayoutWriter {
  private readonly writer = new RecordBatchFileWriter();
  private readonly out: fs.WriteStream;
  private readonly failed: Promise<never>;
  rows = 0;

  constructor(readonly file: string) {
    this.out = fs.createWriteStream(file);
    this.failed = once(this.out, 'error').then(([err]) => Promise.reject(err as Error));
    // Observed by close(); without this, a write error before close() would be an unhandled rejection.
    this.failed.catch(() => {});
    this.writer.toNodeStream().pipe(this.out);
    // An epoch-less file still has its schema.
    this.writer.reset(undefined, LAYOUT_SCHEMA);
  }

  write(layout: EpochLayout): void {
    this.writer.write(layoutBatch(layout));
    this.rows += layout.n;
  }

  async close(): Promise<void> {
    this.writer.finish();
    this.writer.close();
    await Promise.race([once(this.out, 'finish'), this.failed]);
  }
}
