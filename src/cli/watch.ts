/** `sentrycam watch`: receive live frames on a PULL socket. */
import type { Argv, CommandModule } from 'yargs';
import path from 'node:path';
import { PullSocket } from '../sources/pull-socket.js';
import { DEFAULT_LISTEN, parseListenAddress } from '../sources/address.js';
import { openSession } from './open-session.js';
import { parseSize } from './parse-size.js';
import { auditOptions, engineOptions, outputOptions, type AuditArgs, type EngineArgs, type OutputArgs } from './common-options.js';
import { EXIT_ERROR, EXIT_USAGE } from './exit-codes.js';
import { onStopSignals } from './signals.js';

interface WatchArgs extends OutputArgs, EngineArgs, AuditArgs {
  listen: string;
  'max-frame': number;
  record: string | false;
}

export const DEFAULT_RECORD_DIR = 'runs';

export function watchCommand(setExit: (code: number) => void): CommandModule<object, WatchArgs> {
  return {
    command: 'watch',
    describe: 'Receive a training run live and show it',
    builder: (y: Argv) =>
      auditOptions(engineOptions(outputOptions(y)))
        .option('listen', { type: 'string', default: DEFAULT_LISTEN, describe: 'Address to bind the PULL socket (tcp://HOST:PORT or ipc:///PATH)' })
        .option('max-frame', { type: 'string', default: '256M', describe: 'Largest frame accepted (bytes; K/M/G suffixes)', coerce: parseSize })
        .option('record', { type: 'string', default: DEFAULT_RECORD_DIR, describe: 'Folder for recordings, one file per run (--no-record: off)' }) as unknown as Argv<WatchArgs>,
    handler: async (a) => setExit(await watch(a)),
  };
}

async function watch(a: WatchArgs): Promise<number> {
  let address;
  try {
    address = parseListenAddress(a.listen);
  } catch (err) {
    process.stderr.write(`sentrycam watch: ${(err as Error).message}\n`);
    return EXIT_USAGE;
  }
  if (!address.loopback) {
    process.stderr.write(`sentrycam watch: warning: listening on ${a.listen}, reachable from the network; SP has no authentication, anyone who can connect can send frames\n`);
  }
  const s = await openSession(a, { recordDir: a.record === false ? undefined : path.resolve(a.record), exitOnEnd: a['exit-on-end'], watchSilence: true });
  let socket: PullSocket;
  try {
    socket = new PullSocket({
      listen: a.listen,
      maxFrame: a['max-frame'],
      onFrame: (frame, at) => s.receive(frame, at),
      onError: (err) => process.stderr.write(`sentrycam watch: socket: ${err.message}\n`),
    });
  } catch (err) {
    await s.stop();
    process.stderr.write(`sentrycam watch: ${(err as Error).message}\n`);
    return EXIT_ERROR;
  }
  // Handlers first: a script may send SIGINT as soon as it reads the listening event.
  const off = onStopSignals(() => void s.stop());
  s.pipeline.announce(a.listen);
  const code = await s.done;
  off();
  socket.close();
  return code;
}
