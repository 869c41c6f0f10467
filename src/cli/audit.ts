/**
 * `sentrycam audit FILE...`: replays recordings headless through the auditor (no projection) and
 * prints one row per run: the first geometry warning, the validation-loss alert and the lead, so a
 * user can check the alert rule on their own past runs before trusting it live. With `--manifest`
 * (a corpus manifest such as fixtures/runs/corpus.json) the rows carry each run's ground truth and
 * the false-alarm rate on its healthy runs follows the table.
 */
import path from 'node:path';
import { helpLayout } from './help-groups.js';
import type { Argv, CommandModule } from 'yargs';
import { Auditor } from '../audit/auditor.js';
import { evidenceMarkdown, evidenceSummary, type CorpusEntry } from '../audit/evidence-summary.js';
import { evidenceForFiles, readManifest } from '../tools/evidence-table.js';
import { auditOptions, toAuditOptions, type AuditArgs } from './common-options.js';
import { EXIT_ERROR, EXIT_OK, EXIT_USAGE } from '../model/exit-codes.js';

interface AuditCliArgs extends AuditArgs {
  files: string[];
  manifest?: string;
  json: boolean;
}

const AUDIT_EXAMPLES = [
  ['sentrycam audit sentrycam-runs/*.scamrec', 'when geometry and val loss warned, per run'],
  ['sentrycam audit --manifest fixtures/runs/corpus.json', 'the corpus with its ground truth and false-alarm rate'],
] as const;

export function auditCommand(setExit: (code: number) => void): CommandModule<object, AuditCliArgs> {
  return {
    command: 'audit [files..]',
    describe: 'Replay recordings through the alerts and tabulate when geometry and val loss warned',
    builder: (y: Argv) =>
      helpLayout(
        // Several FILEs: the CLI's "a repeated option takes its last value" setting would keep only the
        // last one, so this command collects repeats and applies that rule itself to every other option.
        auditOptions(y.parserConfiguration({ 'duplicate-arguments-array': true }).middleware(lastValueWins, true))
          .positional('files', { type: 'string', array: true, describe: 'Recordings (.scamrec, .scamrec.gz)' })
          .option('manifest', { type: 'string', describe: "A corpus manifest (JSON): each run's ground truth; with no FILE, all of its runs" })
          .option('json', { type: 'boolean', default: false, describe: 'One JSON array of rows instead of the Markdown table' }),
        AUDIT_EXAMPLES,
      ) as unknown as Argv<AuditCliArgs>,
    handler: (a) => setExit(audit(a)),
  };
}

/** Options that are lists by design; every other repeated option keeps its last value. */
const LISTS = new Set(['_', 'files', 'geometry-metrics', 'geometryMetrics']);

function lastValueWins(argv: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(argv)) if (!LISTS.has(k) && Array.isArray(v)) argv[k] = v[v.length - 1];
}

function audit(a: AuditCliArgs): number {
  const files = (a.files ?? []).map(String);
  let entries: readonly CorpusEntry[] = [];
  let dir = '.';
  if (a.manifest !== undefined) {
    try {
      ({ dir, entries } = readManifest(a.manifest));
    } catch (err) {
      process.stderr.write(`sentrycam audit: ${a.manifest}: ${(err as Error).message}\n`);
      return EXIT_ERROR;
    }
  }
  const targets = files.length ? files : entries.map((e) => path.join(dir, e.file));
  if (targets.length === 0) {
    process.stderr.write('sentrycam audit: name at least one recording, or a --manifest\n');
    return EXIT_USAGE;
  }
  const byRun = new Map(entries.map((e) => [e.run, e]));
  const opts = toAuditOptions(a);
  try {
    const rows = evidenceForFiles(targets, opts, (run) => byRun.get(run) ?? null);
    if (a.json) process.stdout.write(`${JSON.stringify(rows)}\n`);
    else {
      process.stdout.write(`${evidenceMarkdown(rows)}\n`);
      if (entries.length) process.stdout.write(`\n${evidenceSummary(rows, new Auditor(opts).options.burnIn)}\n`);
    }
  } catch (err) {
    process.stderr.write(`sentrycam audit: ${(err as Error).message}\n`);
    return EXIT_ERROR;
  }
  return EXIT_OK;
}
