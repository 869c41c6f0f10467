/**
 * Prints the evidence table (README, evaluation section): replays each recording headless through
 * the real CLI and tabulates the geometry and validation-loss alert epochs per run.
 *
 *   npx tsx src/tools/evidence-table.ts fixtures/runs/*.scamrec.gz [-- extra replay options]
 *
 * The replays run with --no-engine: the default geometry signal (activation drift) and the
 * val-loss baseline do not depend on the projection, and without it a replay takes seconds and is
 * deterministic. Options after `--` go to every `sentrycam replay` (`-- --engine` projects too, or
 * e.g. `-- --std-margin 0.2` to try the paper's margin; docs/alerts.md#how-the-defaults-were-chosen).
 * Output: Markdown on stdout.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AlertEvent, MetricsEvent } from '../model/events.js';
import { evidenceMarkdown, evidenceRows, type EvidenceRow } from '../audit/evidence-summary.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = path.join(ROOT, 'bin', 'sentrycam.js');

/** What one headless replay printed: its alerts and the runs it saw. */
export interface ReplayResult {
  readonly alerts: AlertEvent[];
  readonly runs: string[];
  /** Every metrics event, in order (for checks on the learning-rate schedule). */
  readonly metrics: MetricsEvent[];
  readonly code: number;
}

/** Replays one recording with `sentrycam replay FILE --headless --json --no-engine` and collects the events. */
export function replayHeadless(file: string, extra: readonly string[] = []): Promise<ReplayResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'replay', file, '--headless', '--json', '--no-engine', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const alerts: AlertEvent[] = [];
      const runs: string[] = [];
      const metrics: MetricsEvent[] = [];
      for (const line of out.split('\n')) {
        if (!line.startsWith('{')) continue;
        let e: { event?: string; run?: string };
        try {
          e = JSON.parse(line) as { event?: string; run?: string };
        } catch {
          continue;
        }
        if (e.event === 'alert') alerts.push(e as AlertEvent);
        if (e.event === 'metrics') metrics.push(e as MetricsEvent);
        if (e.event === 'hello' && typeof e.run === 'string' && !runs.includes(e.run)) runs.push(e.run);
      }
      if (code !== 0) {
        reject(new Error(`sentrycam replay ${file} exited with ${code}: ${err.trim().split('\n').slice(-3).join(' | ')}`));
        return;
      }
      resolve({ alerts, runs, metrics, code: code ?? 0 });
    });
  });
}

/** Rows for several recordings, replayed one after the other (the engine wants the CPU). */
export async function evidenceForFiles(files: readonly string[], extra: readonly string[] = []): Promise<EvidenceRow[]> {
  const rows: EvidenceRow[] = [];
  for (const f of files) {
    const r = await replayHeadless(f, extra);
    rows.push(...evidenceRows(path.basename(f), r.alerts, r.runs));
  }
  return rows;
}

async function main(argv: readonly string[]): Promise<number> {
  const cut = argv.indexOf('--');
  const files = cut < 0 ? argv : argv.slice(0, cut);
  const extra = cut < 0 ? [] : argv.slice(cut + 1);
  if (files.length === 0) {
    process.stderr.write('usage: npx tsx src/tools/evidence-table.ts FILE.scamrec... [-- replay options]\n');
    return 2;
  }
  const rows = await evidenceForFiles(files, extra);
  process.stdout.write(`${evidenceMarkdown(rows)}\n`);
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (err: Error) => {
      process.stderr.write(`evidence-table: ${err.message}\n`);
      process.exitCode = 1;
    },
  );
}
