/** `sentrycam watch`: receive live frames on a PULL socket. */
import { helpLayout } from './help-groups.js';
import type { Argv, CommandModule } from 'yargs';
import path from 'node:path';
import { SocketSource } from '../sources/socket-source.js';
import { runSession } from '../session/run-session.js';
import { DEFAULT_LISTEN, parseListenAddress } from '../sources/address.js';
import { openSession, recordDirProblem } from './open-session.js';
import { parseSize } from './parse-size.js';
import { auditOptions, engineOptions, limitOptions, outputOptions, recordMaxOption, type RecordMaxArgs, type AuditArgs, type EngineArgs, type LimitArgs, type OutputArgs } from './common-options.js';
import { MAX_FRAME_CEILING } from '../sources/pull-socket.js';
import { EXIT_ERROR, EXIT_USAGE } from '../model/exit-codes.js';
import { metricsOptions, type MetricsArgs } from './metrics-options.js';

interface WatchArgs extends OutputArgs, EngineArgs, AuditArgs, LimitArgs, MetricsArgs, RecordMaxArgs {
  listen: string;
  'max-frame': number;
  record: string | false;
}

/** Our own name: `./runs/` is where PyTorch's and Hugging Face's TensorBoard logs go. */
export const DEFAULT_RECORD_DIR = 'sentrycam-runs';

const WATCH_EXAMPLES = [
  ['sentrycam watch', 'dashboard; receive on tcp://127.0.0.1:5555, record into ./sentrycam-runs/'],
  ['sentrycam watch --json --exit-on-alert', 'headless (CI): JSON lines on stdout, exit 3 at the first warning'],
  ['sentrycam watch --listen tcp://127.0.0.1:6000 --no-record', 'another port, no recording'],
] as const;

export function watchCommand(setExit: (code: number) => void): CommandModule<object, WatchArgs> {
  return {
    command: 'watch',
    describe: 'Receive a training run live and show it',
    builder: (y: Argv) =>
      helpLayout(
        recordMaxOption(metricsOptions(limitOptions(auditOptions(engineOptions(outputOptions(y))))))
          .option('listen', { type: 'string', default: DEFAULT_LISTEN, describe: 'Address to bind the PULL socket (tcp://HOST:PORT or ipc:///PATH)' })
          .option('max-frame', { type: 'string', default: '256M', describe: `Largest frame accepted (bytes; K/M/G suffixes; at most ${MAX_FRAME_CEILING})`, coerce: maxFrame })
          .option('record', { type: 'string', default: DEFAULT_RECORD_DIR, describe: 'Folder for recordings, one file per run (--no-record: off)' }),
        WATCH_EXAMPLES,
      ) as unknown as Argv<WatchArgs>,
    handler: async (a) => setExit(await watch(a)),
  };
}

/** --max-frame, checked against what nanomsg can enforce (4G used to wrap to 0 and drop every frame). */
function maxFrame(v: string | number): number {
  const bytes = parseSize(v);
  if (bytes > MAX_FRAME_CEILING) {
    throw new Error(`--max-frame ${v} is ${bytes} bytes, above ${MAX_FRAME_CEILING} (2 GiB - 1), the largest receive limit nanomsg takes`);
  }
  return bytes;
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
  const recordDir = a.record === false ? undefined : path.resolve(a.record);
  const problem = recordDir === undefined ? undefined : recordDirProblem(recordDir);
  if (problem) {
    process.stderr.write(`sentrycam watch: ${problem}\n`);
    return EXIT_USAGE;
  }
  let session;
  try {
    session = await openSession(a, { recordDir, recordMax: a['record-max'], exitOnEnd: a['exit-on-end'], watchSilence: true, metricsListen: a['metrics-listen'] });
  } catch (err) {
    process.stderr.write(`sentrycam watch: ${(err as Error).message}\n`);
    return EXIT_ERROR;
  }
  const source = new SocketSource({
    listen: a.listen,
    maxFrame: a['max-frame'],
    onError: (err) => process.stderr.write(`sentrycam watch: socket: ${err.message}\n`),
  });
  return runSession(session, source, { command: 'watch', stopWhenDrained: false, paceToEngine: false });
}
