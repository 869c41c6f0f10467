/**
 * `sentrycam export FILE --epoch N -o out.svg` (or `--all -o DIR`): layouts as SVG pictures;
 * `--format csv|arrow -o layouts.csv|.arrow`: layout rows of every (or one) epoch as a table, with
 * the per-epoch measures and the alerts as CSV beside it (the format follows -o's extension).
 */
import fs from 'node:fs';
import path from 'node:path';
import { helpLayout } from './help-groups.js';
import type { Argv, CommandModule } from 'yargs';
import { layoutToSvg } from '../export/svg.js';
import { projectRecording } from '../session/project-recording.js';
import { runFileStem } from '../record/recorder.js';
import { engineOptionsOf } from '../engine-thread/engine-factory.js';
import { EXIT_ERROR, EXIT_OK, EXIT_USAGE } from '../model/exit-codes.js';
import { exportTables, type TableFormat } from '../export/table-export.js';
import { auditOptions, readOptions, toAuditOptions, toReadOptions, type AuditArgs, type ReadArgs } from './common-options.js';

type ExportFormat = 'svg' | TableFormat;

interface ExportArgs extends AuditArgs, ReadArgs {
  format?: ExportFormat;
  file: string;
  epoch?: number;
  all: boolean;
  out: string;
  run?: string;
  seed: number;
  'budget-ms': number;
  reproducible: boolean;
}

const EXPORT_EXAMPLES = [
  ['sentrycam export RUN.scamrec --epoch 10 -o epoch10.svg', 'one epoch\'s picture'],
  ['sentrycam export RUN.scamrec --all -o pictures/', 'one SVG per epoch'],
  ['sentrycam export RUN.scamrec -o layouts.csv', 'every layout row, with layouts.epochs.csv and layouts.alerts.csv'],
] as const;

export function exportCommand(setExit: (code: number) => void): CommandModule<object, ExportArgs> {
  return {
    command: 'export <file>',
    describe: "Write an epoch's layout as an SVG picture (--all: one per epoch), or every epoch's layout as CSV or Arrow rows",
    builder: (y: Argv) =>
      helpLayout(
        readOptions(auditOptions(y))
          .option('format', {
            type: 'string',
            choices: ['svg', 'csv', 'arrow'],
            describe: 'svg, csv or arrow (Arrow IPC / Feather v2); default from -o: .csv, .arrow/.feather, else svg. csv and arrow also write OUT.epochs.csv and OUT.alerts.csv',
          })
          .positional('file', { type: 'string', demandOption: true, describe: 'Recording (.scamrec)' })
          .option('epoch', { type: 'number', describe: 'Epoch to export' })
          .option('all', { type: 'boolean', default: false, describe: 'Export every epoch into the folder given by -o' })
          .option('out', { alias: 'o', type: 'string', demandOption: true, describe: 'Output .svg file (or folder with --all)' })
          .option('run', { type: 'string', describe: 'Run to export when the recording holds several' })
          .option('seed', { type: 'number', default: 1, describe: 'Engine seed' })
          .option('budget-ms', { type: 'number', default: 1000, describe: 'Engine time budget per epoch, ms' })
          .option('reproducible', { type: 'boolean', default: false, describe: 'Fixed engine work instead of the time budget: the same file and seed give the same layouts' }),
        EXPORT_EXAMPLES,
      ) as unknown as Argv<ExportArgs>,
    handler: async (a) => setExit(await exportAny(a)),
  };
}

/** The format asked for, or the one -o's extension names (svg when it names none). */
export function exportFormat(format: ExportFormat | undefined, out: string): ExportFormat {
  if (format) return format;
  const ext = path.extname(out).toLowerCase();
  return ext === '.csv' ? 'csv' : ext === '.arrow' || ext === '.feather' || ext === '.ipc' ? 'arrow' : 'svg';
}

async function exportAny(a: ExportArgs): Promise<number> {
  const format = exportFormat(a.format, a.out);
  if (format === 'svg') return exportSvg(a);
  if (a.all && a.epoch !== undefined) {
    process.stderr.write('sentrycam export: give --epoch N or --all (the default for csv and arrow), not both\n');
    return EXIT_USAGE;
  }
  try {
    const r = await exportTables({
      file: a.file,
      format,
      out: a.out,
      epoch: a.epoch,
      run: a.run,
      engine: engineOptionsOf({ seed: a.seed, budgetMs: a['budget-ms'], reproducible: a.reproducible }),
      audit: toAuditOptions(a),
      read: toReadOptions(a),
    });
    for (const f of r.files) process.stdout.write(`${f}\n`);
    return EXIT_OK;
  } catch (err) {
    process.stderr.write(`sentrycam export: ${(err as Error).message}\n`);
    return EXIT_ERROR;
  }
}

async function exportSvg(a: ExportArgs): Promise<number> {
  if (a.all === (a.epoch !== undefined)) {
    process.stderr.write('sentrycam export: give either --epoch N or --all\n');
    return EXIT_USAGE;
  }
  try {
    const runs = await projectRecording(a.file, engineOptionsOf({ seed: a.seed, budgetMs: a['budget-ms'], reproducible: a.reproducible }), (l) => !a.all && l.epoch === a.epoch && (a.run === undefined || l.run === a.run), toReadOptions(a));
    const names = [...runs.keys()];
    const run = a.run ?? names[0];
    const projected = run === undefined ? undefined : runs.get(run);
    if (!projected) {
      process.stderr.write(`sentrycam export: ${a.run === undefined ? `${a.file} holds no projected epoch` : `no run ${JSON.stringify(a.run)} in ${a.file} (runs: ${names.join(', ')})`}\n`);
      return EXIT_ERROR;
    }
    const svgOf = (epoch: number) => {
      const layout = projected.layouts.find((l) => l.epoch === epoch)!;
      return layoutToSvg(layout, { classes: projected.classes });
    };
    if (a.all) {
      fs.mkdirSync(a.out, { recursive: true });
      for (const l of projected.layouts) {
        const file = path.join(a.out, `${runFileStem(l.run)}-epoch-${String(l.epoch).padStart(3, '0')}.svg`);
        fs.writeFileSync(file, svgOf(l.epoch));
        process.stdout.write(`${file}\n`);
      }
      return EXIT_OK;
    }
    if (!projected.layouts.some((l) => l.epoch === a.epoch)) {
      const have = projected.layouts.map((l) => l.epoch);
      process.stderr.write(`sentrycam export: run ${JSON.stringify(run)} has no epoch ${a.epoch} (epochs ${have.length ? `${have[0]}-${have.at(-1)}` : 'none'})\n`);
      return EXIT_ERROR;
    }
    fs.writeFileSync(a.out, svgOf(a.epoch!));
    process.stdout.write(`${a.out}\n`);
    return EXIT_OK;
  } catch (err) {
    process.stderr.write(`sentrycam export: ${(err as Error).message}\n`);
    return EXIT_ERROR;
  }
}
