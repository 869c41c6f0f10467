/**
 * Child processes for the client end-to-end tests: the real monitor (`sentrycam watch --headless
 * --json`) and Python producer scripts. Not a test file (no `.test.ts`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Debian's interpreter: it sees python3-numpy/-torch/-sklearn (a pyenv `python3` on PATH may not).
 * SENTRYCAM_PYTHON overrides it.
 */
export const PYTHON = process.env.SENTRYCAM_PYTHON ?? '/usr/bin/python3';

/** One headless JSON event line, parsed. */
export type EventLine = Readonly<Record<string, unknown>> & { readonly event: string };

/** What a finished child left behind. */
export interface Finished {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A free TCP port on 127.0.0.1 (bound then released; the tiny race is acceptable in tests). */
export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Collect a child's output; kill it (SIGKILL) if it outlives `timeoutMs`. */
export function finish(child: ChildProcess, timeoutMs: number): Promise<Finished> {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr?.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      stderr += `\n[killed after ${timeoutMs} ms]`;
    }, timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** A running monitor: `ready` resolves at its "listening" line; `done` when it exits. */
export interface Monitor {
  readonly ready: Promise<void>;
  readonly done: Promise<Finished>;
  readonly child: ChildProcess;
}

/** Options of startMonitor. */
export interface MonitorOptions {
  /** Called with each event line as it arrives. */
  readonly onEvent?: (e: EventLine) => void;
  /** More `watch` arguments, e.g. ['--no-engine']. */
  readonly args?: readonly string[];
  /** The monitor is killed if still running after this long. */
  readonly timeoutMs?: number;
}

/**
 * Start `sentrycam watch --headless --json --listen ADDRESS --no-record --exit-on-end`.
 * @param listen the address to bind.
 */
export function startMonitor(listen: string, options: MonitorOptions = {}): Monitor {
  const { onEvent, args = [], timeoutMs = 240_000 } = options;
  const child = spawn(
    process.execPath,
    ['bin/sentrycam.js', 'watch', '--headless', '--json', '--listen', listen, '--no-record', '--exit-on-end', ...args],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const ready = new Promise<void>((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer | string): void => {
      seen += String(chunk);
      if (seen.includes('"event":"listening"')) {
        child.stdout?.off('data', onData);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.once('close', (code) => reject(new Error(`monitor exited (code ${code}) before listening`)));
  });
  ready.catch(() => undefined); // reported through `done` when nobody awaits ready
  if (onEvent) {
    let pending = '';
    child.stdout?.on('data', (chunk: Buffer | string) => {
      pending += String(chunk);
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        let event: EventLine;
        try {
          event = parseEventLine(line);
        } catch {
          continue; // parseLines() reports non-JSON lines when the test reads the whole output
        }
        onEvent(event);
      }
    });
  }
  return { ready, done: finish(child, timeoutMs), child };
}

/** Run a Python script (path relative to the repo root) to completion. */
export function runPython(args: readonly string[], timeoutMs = 180_000): Promise<Finished> {
  const child = spawn(PYTHON, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  return finish(child, timeoutMs);
}

/** ISO 8601 UTC with milliseconds, as every headless JSON event's `ts` (docs/events.schema.json). */
const TS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * One event line parsed, its `ts` checked and taken off (the time differs per run; tests compare
 * the rest). An event without a well-formed `ts` keeps what it has, so exact comparisons fail.
 */
export function parseEventLine(line: string): EventLine {
  const e = JSON.parse(line) as EventLine & { ts?: unknown };
  if (typeof e.ts !== 'string' || !TS.test(e.ts)) return e;
  const { ts: _ts, ...rest } = e;
  return rest as EventLine;
}

/** Parse JSON lines; a line that is not JSON fails loudly with the line itself. */
export function parseLines(stdout: string): EventLine[] {
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      try {
        return parseEventLine(line);
      } catch {
        throw new Error(`monitor printed a line that is not JSON: ${line.slice(0, 200)}`);
      }
    });
}

/** The last line of a producer script's stdout, parsed (its stats report). */
export function lastJson(stdout: string): Record<string, unknown> {
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1] ?? '{}') as Record<string, unknown>;
}
