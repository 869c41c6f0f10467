/**
 * `export --format csv|arrow`: a recording through the same pipeline as live input (ingest, auditor,
 * engine in this thread, every epoch projected in order), its layouts written row by row as they
 * come, then the per-epoch measures and the alerts as CSV beside them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Pipeline } from '../session/pipeline.js';
import { Auditor } from '../audit/auditor.js';
import type { AuditOptions } from '../audit/options.js';
import type { EngineOptions } from '../engine/engine.js';
import type { EpochLayout } from '../model/epoch-layout.js';
import type { Event } from '../model/events.js';
import { RecordingReader } from '../sources/recording-reader.js';
import type { RecordingReadOptions } from '../session/recording-epochs.js';
import { InlineEngine } from './inline-engine.js';
import { EpochTable } from './epoch-table.js';
import { ArrowLayoutWriter } from './arrow-layouts.js';
import { LAYOUT_COLUMNS, layoutRows } from './layout-rows.js';
import { csvLine, float32Text } from './csv.js';

export type TableFormat = 'csv' | 'arrow';

export interface TableExportOptions {
  /** The recording. */
  readonly file: string;
  readonly format: TableFormat;
  /** The layouts file (.csv or .arrow); the epochs and alerts CSV files go beside it. */
  readonly out: string;
  /** Only this epoch's layout (the epochs and alerts files still cover every epoch). */
  readonly epoch?: number;
  /** Only this run (default: every run in the file). */
  readonly run?: string;
  readonly engine: EngineOptions;
  readonly audit: AuditOptions;
  /** The reader's largest frame and the receive caps (defaults when absent). */
  readonly read?: RecordingReadOptions;
}

export interface TableExportResult {
  /** Files written: layouts, epochs, alerts. */
  readonly files: readonly string[];
  /** Runs in the recording. */
  readonly runs: readonly string[];
  readonly layoutRows: number;
  /** Epochs exported (rows of the epochs file). */
  readonly epochs: number;
  readonly alerts: number;
}

/** Where the epochs and alerts files of `out` go: out.csv -> out.epochs.csv, out.alerts.csv. */
export function sideFiles(out: string): { epochs: string; alerts: string } {
  const stem = path.join(path.dirname(out), path.basename(out, path.extname(out)));
  return { epochs: `${stem}.epochs.csv`, alerts: `${stem}.alerts.csv` };
}

/** CSV layout rows, appended per epoch with synchronous writes (one epoch in memory at a time). */
class CsvLayoutWriter {
  private readonly fd: number;
  rows = 0;

  constructor(file: string) {
    this.fd = fs.openSync(file, 'w');
    fs.writeSync(this.fd, csvLine(LAYOUT_COLUMNS));
  }

  write(layout: EpochLayout): void {
    let text = '';
    for (const r of layoutRows(layout)) text += csvLine([layout.run, layout.epoch, r.split, r.id, float32Text(r.x), float32Text(r.y), r.label, r.pred]);
    fs.writeSync(this.fd, text);
    this.rows += layout.n;
  }

  async close(): Promise<void> {
    fs.closeSync(this.fd);
  }
}

/**
 * Runs the export. Throws when the recording cannot be read; a run or epoch that the file does not
 * hold is an error too (after reading it), naming what it does hold.
 */
export async function exportTables(o: TableExportOptions): Promise<TableExportResult> {
  // Streamed: a recording of any size, one frame (at most read.maxFrameBytes) held at a time.
  const reader = await RecordingReader.open(o.file, { maxFrameBytes: o.read?.maxFrameBytes });
  const table = new EpochTable();
  const runs: string[] = [];
  const epochsSeen = new Set<number>();
  const wantRun = (run: string) => o.run === undefined || run === o.run;
  const layouts = o.format === 'arrow' ? new ArrowLayoutWriter(o.out) : new CsvLayoutWriter(o.out);
  const sink = (e: Event): void => {
    if (e.event === 'hello' && !runs.includes(e.run)) runs.push(e.run);
    if ('run' in e && typeof e.run === 'string' && !wantRun(e.run)) return;
    if (e.event === 'layout') {
      table.layout(e.layout);
      epochsSeen.add(e.layout.epoch);
      if (o.epoch === undefined || e.layout.epoch === o.epoch) layouts.write(e.layout);
    } else if (e.event === 'epoch') table.epoch(e);
    else if (e.event === 'metrics') table.metrics(e);
    else if (e.event === 'alert') table.alert(e);
  };
  const pipeline = new Pipeline({
    sink,
    engine: (handlers) => new InlineEngine(o.engine, handlers),
    auditor: new Auditor(o.audit),
    // A recording has no wall clock: no producer is ever silent.
    silenceMs: Infinity,
    limits: o.read?.limits,
  });
  try {
    for await (const { frame, time } of reader.frames()) {
      const before = pipeline.stats.epochs;
      pipeline.receive(frame, time);
      // One epoch at a time through the engine: bounded memory, every epoch projected in order.
      if (pipeline.stats.epochs > before) await pipeline.whenIdle();
    }
    pipeline.flush();
    await pipeline.whenIdle();
    await pipeline.close();
  } finally {
    await layouts.close();
  }
  if (o.run !== undefined && !runs.includes(o.run)) throw new Error(`no run ${JSON.stringify(o.run)} in ${o.file} (runs: ${runs.join(', ') || 'none'})`);
  if (o.epoch !== undefined && !epochsSeen.has(o.epoch)) {
    const have = [...epochsSeen].sort((a, b) => a - b);
    throw new Error(`${o.run === undefined ? o.file : `run ${JSON.stringify(o.run)}`} has no epoch ${o.epoch} (epochs ${have.length ? `${have[0]}-${have.at(-1)}` : 'none'})`);
  }
  const side = sideFiles(o.out);
  const epochsCsv = table.epochsCsv();
  fs.writeFileSync(side.epochs, epochsCsv);
  fs.writeFileSync(side.alerts, table.alertsCsv());
  return { files: [o.out, side.epochs, side.alerts], runs, layoutRows: layouts.rows, epochs: epochsCsv.split('\n').length - 2, alerts: table.alerts.length };
}
