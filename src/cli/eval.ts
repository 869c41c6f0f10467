/**
 * `sentrycam eval FILE`: per epoch, SentryCam's shown layout beside the encoder alone, warm UMAP
 * refinement alone and a umap-js refit, all scored the way the live metrics are (src/eval/eval.ts).
 */
import { helpLayout } from './help-groups.js';
import type { Argv, CommandModule } from 'yargs';
import { evaluateEpochs, formatEvalJson, formatEvalTable } from '../eval/eval.js';
import { recordingEpochs } from '../session/recording-epochs.js';
import { engineOptionsOf } from '../engine-thread/engine-factory.js';
import { EXIT_ERROR, EXIT_OK, EXIT_USAGE } from '../model/exit-codes.js';
import { readOptions, toReadOptions, type ReadArgs } from './common-options.js';

interface EvalArgs extends ReadArgs {
  file: string;
  json: boolean;
  umap: boolean;
  'umap-every': number;
  'warm-umap': boolean;
  seed: number;
  'budget-ms': number;
  reproducible: boolean;
}

const EVAL_EXAMPLES = [
  ['sentrycam eval RUN.scamrec', 'a table per epoch'],
  ['sentrycam eval --no-umap --json RUN.scamrec', 'SentryCam only, JSON'],
] as const;

export function evalCommand(setExit: (code: number) => void): CommandModule<object, EvalArgs> {
  return {
    command: 'eval <file>',
    describe: 'Per epoch of a recording: SentryCam beside the encoder alone, warm UMAP alone and a umap-js refit (nn15, trust15, stability, time)',
    builder: (y: Argv) =>
      helpLayout(
        readOptions(y)
          .positional('file', { type: 'string', demandOption: true, describe: 'Recording (.scamrec)' })
          .option('json', { type: 'boolean', default: false, describe: 'One JSON object per epoch instead of a table' })
          .option('umap', { type: 'boolean', default: true, describe: 'Fit umap-js for comparison (--no-umap: SentryCam only)' })
          .option('umap-every', { type: 'number', default: 1, describe: 'Fit umap-js on every Nth epoch and the one after it only (a fit takes seconds; pairs keep its stability a 1-epoch gap)' })
          .option('warm-umap', { type: 'boolean', default: true, describe: 'Run the warm-UMAP-alone baseline (a second engine with the projector off)' })
          .option('seed', { type: 'number', default: 1, describe: 'Seed of the engine, the score sample and umap-js' })
          .option('budget-ms', { type: 'number', default: 1000, describe: 'Engine time budget per epoch, ms' })
          .option('reproducible', { type: 'boolean', default: false, describe: 'Fixed engine work instead of the time budget: the same file and seed give the same layouts' }),
        EVAL_EXAMPLES,
      ) as unknown as Argv<EvalArgs>,
    handler: async (a) => setExit(await evaluate(a)),
  };
}

async function evaluate(a: EvalArgs): Promise<number> {
  if (!Number.isInteger(a['umap-every']) || a['umap-every'] < 1) {
    process.stderr.write(`sentrycam eval: --umap-every must be an integer >= 1, got ${a['umap-every']}\n`);
    return EXIT_USAGE;
  }
  try {
    const every = a['umap-every'];
    const rows = await evaluateEpochs(recordingEpochs(a.file, undefined, toReadOptions(a)), {
      engine: engineOptionsOf({ seed: a.seed, budgetMs: a['budget-ms'], reproducible: a.reproducible }),
      seed: a.seed,
      umap: a.umap ? (_epoch, index) => every === 1 || index % every <= 1 : 'none',
      warmUmap: a['warm-umap'],
      // Progress on stderr: a umap-js fit takes seconds per epoch.
      onRow: (r) => process.stderr.write(`eval: run ${r.run} epoch ${r.epoch} done\n`),
    });
    if (rows.length === 0) {
      process.stderr.write(`sentrycam eval: ${a.file} holds no complete epoch\n`);
      return EXIT_ERROR;
    }
    process.stdout.write(a.json ? formatEvalJson(rows) : formatEvalTable(rows));
    return EXIT_OK;
  } catch (err) {
    process.stderr.write(`sentrycam eval: ${(err as Error).message}\n`);
    return EXIT_ERROR;
  }
}
