/**
 * The demo's training process: `node dist/demo/train-child.js [--epochs N] [--seed N]
 * [--unstable] [--address ADDR] [--run NAME] [--quiet]`. Trains for real and streams to a monitor
 * through the Node Producer. Prints one line per epoch on stdout unless --quiet.
 * Exit codes: 0 finished, 1 error, 2 bad option, 130/143 stopped by SIGINT/SIGTERM.
 */
import { initTf } from '../tf/backend.js';
import { Producer } from '../producer/producer.js';
import { parseTrainerArgs, type TrainerOptions } from './trainer-options.js';
import { trainAndStream } from './train-run.js';

async function main(argv: readonly string[]): Promise<number> {
  let opts: TrainerOptions;
  try {
    opts = parseTrainerArgs(argv);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 2;
  }
  let stopSignal: NodeJS.Signals | undefined;
  const onSignal = (s: NodeJS.Signals): void => {
    stopSignal = s;
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const { tf, backend } = await initTf();
  const producer = new Producer({ address: opts.address, run: opts.run });
  const log = (line: string): void => {
    if (!opts.quiet) process.stdout.write(`${line}\n`);
  };
  log(`training ${opts.run} on ${backend}: ${opts.epochs} epochs, seed ${opts.seed}${opts.unstable ? ', unstable' : ''} -> ${opts.address}`);
  try {
    const outcome = await trainAndStream(
      tf,
      opts,
      producer,
      (r) =>
        log(
          `epoch ${r.epoch} lr=${r.lr.toPrecision(3)} train_loss=${r.trainLoss.toFixed(4)} val_loss=${r.valLoss.toFixed(4)} val_acc=${r.valAcc.toFixed(4)} ${r.seconds.toFixed(2)}s`,
        ),
      () => stopSignal !== undefined,
    );
    await producer.close();
    const { sent, dropped } = producer.stats;
    log(`${outcome}: ${sent} frames sent, ${dropped} dropped`);
    if (outcome === 'stopped') return stopSignal === 'SIGINT' ? 130 : 143;
    return 0;
  } catch (err) {
    process.stderr.write(`train-child: ${(err as Error).stack ?? String(err)}\n`);
    await producer.close({ timeoutMs: 1000 });
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
