/**
 * The evidence table (docs/alerts.md#evidence, README): every run of the alert corpus
 * (fixtures/runs/corpus.json) replayed headless through the monitor's own pipeline and auditor, one
 * row per run, then the false-alarm rate on healthy runs and the leads on failing ones, per part.
 *
 *   npx tsx src/tools/evidence-table.ts [--manifest fixtures/runs/corpus.json] [--json] [FILE ...]
 *
 * No projection: every default alert reads the activations and metrics only, so a replay takes well
 * under a second per run and is deterministic. `sentrycam audit` prints the same table for any
 * recordings (src/cli/audit.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Auditor } from '../audit/auditor.js';
import type { AuditOptions } from '../audit/options.js';
import { evidenceMarkdown, evidenceRow, evidenceSummary, parseCorpusManifest, type CorpusEntry, type EvidenceRow, type RunReplay } from '../audit/evidence-summary.js';
import type { AlertEvent, Event, MetricsEvent } from '../model/events.js';
import { Pipeline } from '../session/pipeline.js';
import { readRecording } from '../sources/recording-reader.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CORPUS_MANIFEST = path.join(ROOT, 'fixtures', 'runs', 'corpus.json');

/** What replaying one recording showed, per run in order of appearance. */
export interface RecordingAudit {
  readonly runs: readonly RunReplay[];
  /** Every metrics event, in order. */
  readonly metrics: readonly MetricsEvent[];
}

/**
 * Replays a recording through a Pipeline with an Auditor and no engine, as `sentrycam replay
 * --headless --no-engine` does, and collects the alerts and epochs of each run.
 */
export function auditRecording(file: string, opts: AuditOptions = {}): RecordingAudit {
  const recording = readRecording(file);
  const order: string[] = [];
  const alerts = new Map<string, AlertEvent[]>();
  const epochs = new Map<string, number[]>();
  const metrics: MetricsEvent[] = [];
  const seen = (run: string): void => {
    if (!order.includes(run)) order.push(run);
  };
  const pipeline = new Pipeline({
    sink: (e: Event) => {
      if (e.event === 'hello') seen(e.run);
      if (e.event === 'alert') {
        seen(e.run);
        alerts.set(e.run, [...(alerts.get(e.run) ?? []), e]);
      }
      if (e.event === 'metrics') metrics.push(e);
    },
    onEpochSet: (s) => {
      seen(s.run);
      epochs.set(s.run, [...(epochs.get(s.run) ?? []), s.epoch]);
    },
    auditor: new Auditor(opts),
    silenceMs: Infinity,
  });
  for (const { frame, time } of recording.frames) pipeline.receive(frame, time);
  pipeline.flush();
  return { runs: order.map((run) => ({ run, alerts: alerts.get(run) ?? [], epochs: epochs.get(run) ?? [] })), metrics };
}

/** Reads a corpus manifest; the files it names are resolved against its folder. */
export function readManifest(file: string): { readonly dir: string; readonly entries: readonly CorpusEntry[] } {
  return { dir: path.dirname(path.resolve(file)), entries: parseCorpusManifest(fs.readFileSync(file, 'utf8')) };
}

/** Evidence rows for recordings, one after the other; `truth` looks a run up by name. */
export function evidenceForFiles(files: readonly string[], opts: AuditOptions = {}, truth: (run: string) => CorpusEntry | null = () => null): EvidenceRow[] {
  return files.flatMap((f) => auditRecording(f, opts).runs.map((r) => evidenceRow(path.basename(f), r, truth(r.run))));
}

/** The whole corpus of a manifest, in its order. */
export function corpusEvidence(manifest = CORPUS_MANIFEST, opts: AuditOptions = {}): EvidenceRow[] {
  const { dir, entries } = readManifest(manifest);
  const byRun = new Map(entries.map((e) => [e.run, e]));
  return evidenceForFiles(entries.map((e) => path.join(dir, e.file)), opts, (run) => byRun.get(run) ?? null);
}

function main(argv: readonly string[]): number {
  const args = [...argv];
  const take = (flag: string): string | undefined => {
    const i = args.indexOf(flag);
    return i < 0 ? undefined : args.splice(i, 2)[1];
  };
  const manifest = take('--manifest') ?? CORPUS_MANIFEST;
  const json = args.includes('--json');
  const files = args.filter((a) => a !== '--json');
  const { dir, entries } = readManifest(manifest);
  const byRun = new Map(entries.map((e) => [e.run, e]));
  const rows = files.length
    ? evidenceForFiles(files, {}, (run) => byRun.get(run) ?? null)
    : evidenceForFiles(entries.map((e) => path.join(dir, e.file)), {}, (run) => byRun.get(run) ?? null);
  const burnIn = new Auditor().options.burnIn;
  if (json) process.stdout.write(`${JSON.stringify(rows)}\n`);
  else process.stdout.write(`${evidenceMarkdown(rows)}\n\n${evidenceSummary(rows, burnIn)}\n`);
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`evidence-table: ${(err as Error).message}\n`);
    process.exitCode = 1;
  }
}
