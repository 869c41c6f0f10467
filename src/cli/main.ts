/** The command line: one yargs command per file. Returns the process exit code. */
import yargs from 'yargs';
import { watchCommand } from './watch.js';
import { replayCommand } from './replay.js';
import { inspectCommand } from './inspect.js';
import { exportCommand } from './export.js';
import { evalCommand } from './eval.js';
import { demoCommand } from './demo.js';
import { VERSION } from '../version.js';
import { EXIT_OK, EXIT_USAGE } from '../model/exit-codes.js';

export async function main(argv: readonly string[]): Promise<number> {
  // stderr closed under us (`2>&1 | head`): losing a diagnostic is no reason to die.
  process.stderr.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
  let code = EXIT_OK;
  const setExit = (c: number): void => {
    code = c;
  };
  const parser = yargs([...argv])
    .scriptName('sentrycam')
    .usage('$0 <command> [options]\n\nWatch a neural network\'s representation space while it trains.')
    .command(watchCommand(setExit))
    .command(replayCommand(setExit))
    .command(inspectCommand(setExit))
    .command(demoCommand(setExit))
    .command(evalCommand(setExit))
    .command(exportCommand(setExit))
    .demandCommand(1, 'Name a command (watch, replay, inspect, demo, eval, export); see --help.')
    .strict()
    // A repeated option takes its last value (`--no-record --record DIR` records), as most tools do.
    .parserConfiguration({ 'duplicate-arguments-array': false })
    .version(VERSION)
    .help()
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((msg, err) => {
      throw new UsageError(msg ?? err?.message ?? 'bad command line');
    });
  try {
    await parser.parseAsync();
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`sentrycam: ${err.message}\nRun 'sentrycam --help' for usage.\n`);
    return EXIT_USAGE;
  }
  return code;
}

class UsageError extends Error {}
