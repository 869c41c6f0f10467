/**
 * Start-up time of the command line as a user meets it: `sentrycam --help` to exit, and
 * `sentrycam demo --headless --json` to the monitor's `listening` line and to the trainer's `hello`
 * (the trainer has loaded the digits and built its model by then). Median of 3 runs of
 * `node bin/sentrycam.js`, which runs dist/ (build first) unless SENTRYCAM_FROM_SOURCE=1.
 *
 *   npm run build && node --import tsx bench/run.ts start
 *   SENTRYCAM_BIN=/other/checkout/bin/sentrycam.js node --import tsx bench/run.ts start   # compare
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = process.env.SENTRYCAM_BIN ?? fileURLToPath(new URL('../bin/sentrycam.js', import.meta.url));
const RUNS = 3;

/** Milliseconds from spawn to each awaited stdout marker (or to exit for 'exit'); then kills the child. */
function timeTo(args: readonly string[], markers: readonly string[]): Promise<Record<string, number>> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'ignore'] });
  const seen: Record<string, number> = {};
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      out += s;
      for (const m of markers) if (seen[m] === undefined && out.includes(m)) seen[m] = performance.now() - t0;
      if (markers.every((m) => m === 'exit' || seen[m] !== undefined) && !markers.includes('exit')) child.kill('SIGTERM');
    });
    child.once('error', reject);
    child.once('close', () => {
      clearTimeout(timer);
      if (markers.includes('exit')) seen.exit = performance.now() - t0;
      const missing = markers.filter((m) => seen[m] === undefined);
      if (missing.length) reject(new Error(`start bench: ${args.join(' ')}: never saw ${missing.join(', ')}`));
      else resolve(seen);
    });
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export interface StartBench {
  readonly help_ms: number;
  readonly demo_listening_ms: number;
  readonly demo_hello_ms: number;
}

export async function benchStart(): Promise<StartBench> {
  const help: number[] = [];
  const listening: number[] = [];
  const hello: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    help.push((await timeTo(['--help'], ['exit'])).exit!);
    const d = await timeTo(['demo', '--headless', '--json', '--epochs', '1'], ['"event":"listening"', '"event":"hello"']);
    listening.push(d['"event":"listening"']!);
    hello.push(d['"event":"hello"']!);
  }
  return { help_ms: Math.round(median(help)), demo_listening_ms: Math.round(median(listening)), demo_hello_ms: Math.round(median(hello)) };
}
