/**
 * Benchmark `producer_send_us`: the Python client's per-call cost of `Producer.batch()` in a
 * training loop for a 10 MB float32 numpy batch (2500 x 1024), median over 200 calls, with the real
 * monitor (`sentrycam watch --headless --json --no-record`) running and consuming the frames.
 * Target: < 1000 us. Run alone with `npx tsx bench/producer.ts` (prints a JSON object last).
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
/** Debian's interpreter sees python3-numpy; SENTRYCAM_PYTHON overrides it. */
const PYTHON = process.env.SENTRYCAM_PYTHON ?? '/usr/bin/python3';

/** Result of one benchmark run. */
export interface ProducerBench {
  /** Median microseconds per `batch()` call for a 10 MB batch. */
  readonly producer_send_us: number;
}

interface Done {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(cmd: string, args: readonly string[], onStdout?: (chunk: string) => void): { done: Promise<Done>; kill(): void } {
  const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => {
    stdout += s;
    onStdout?.(s);
  });
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const done = new Promise<Done>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { done, kill: () => child.kill('SIGTERM') };
}

async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      server.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

export async function benchProducer(): Promise<ProducerBench> {
  const listen = `tcp://127.0.0.1:${await freePort()}`;
  let listening: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (listening = resolve));
  // --no-engine: this measures the client's call cost, not the projection.
  const monitor = run(
    process.execPath,
    ['bin/sentrycam.js', 'watch', '--headless', '--json', '--listen', listen, '--no-record', '--exit-on-end', '--no-engine'],
    (chunk) => {
      if (chunk.includes('"event":"listening"')) listening();
    },
  );
  const started = await Promise.race([ready.then(() => true), monitor.done.then(() => false)]);
  if (!started) throw new Error(`monitor did not start:\n${(await monitor.done).stderr}`);
  const producer = run(PYTHON, ['clients/python/benchmarks/send_cost.py', listen]).done;
  const result = await producer;
  if (result.code !== 0) {
    monitor.kill();
    throw new Error(`send_cost.py failed (${result.code}):\n${result.stderr}`);
  }
  const timeout = setTimeout(() => monitor.kill(), 60_000);
  await monitor.done;
  clearTimeout(timeout);
  const report = JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}') as Record<string, number>;
  process.stderr.write(`producer bench: ${JSON.stringify(report)}\n`);
  return { producer_send_us: Math.round(report.median_us! * 10) / 10 };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(JSON.stringify(await benchProducer()));
}
