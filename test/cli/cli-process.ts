/** Runs `node bin/sentrycam.js ...` as a real child process and reads its JSON-lines events. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, parseEventLine } from '../helpers/processes.js';

export { ROOT };
const BIN = path.join(ROOT, 'bin', 'sentrycam.js');

export type JsonEvent = Record<string, unknown> & { readonly event: string };

export interface CliProcess {
  readonly child: ChildProcess;
  /** Parsed JSON lines of stdout so far. */
  readonly events: JsonEvent[];
  /** stdout lines that were not JSON. */
  readonly textLines: string[];
  stderr(): string;
  stdout(): string;
  /** Resolves with the first event (past or future) that matches; rejects after timeoutMs. */
  waitFor(pred: (e: JsonEvent) => boolean, timeoutMs?: number, what?: string): Promise<JsonEvent>;
  /** Resolves once `count` events match. */
  waitForCount(pred: (e: JsonEvent) => boolean, count: number, timeoutMs?: number): Promise<JsonEvent[]>;
  /** Exit code (or 128+signal) once the process has ended. */
  readonly exited: Promise<number>;
  /** Like `exited`, but kills the process (SIGKILL) and rejects if it has not ended in timeoutMs. */
  exit(timeoutMs?: number): Promise<number>;
}

/** A fresh temp folder (the child's cwd, so its default `sentrycam-runs/` folder lands there). */
export function tempDir(tag: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `scam-cli-${tag}-`));
}

/** @param env variables added to (undefined: removed from) the test's environment. */
export function runCli(args: readonly string[], cwd: string = tempDir('cwd'), env: Readonly<Record<string, string | undefined>> = {}): CliProcess {
  const merged: NodeJS.ProcessEnv = { ...process.env, FORCE_COLOR: '0', ...env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete merged[k];
  const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: merged });
  const events: JsonEvent[] = [];
  const textLines: string[] = [];
  let out = '';
  let err = '';
  let partial = '';
  const listeners = new Set<() => void>();
  child.stdout!.setEncoding('utf8');
  child.stderr!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    out += chunk;
    partial += chunk;
    const lines = partial.split('\n');
    partial = lines.pop()!;
    for (const line of lines) {
      if (!line.trim()) continue;
      try {
        events.push(parseEventLine(line) as JsonEvent);
      } catch {
        textLines.push(line);
      }
    }
    for (const l of listeners) l();
  });
  child.stderr!.on('data', (chunk: string) => {
    err += chunk;
  });
  const exited = new Promise<number>((resolve) => {
    child.on('close', (code, signal) => {
      resolve(code ?? 128 + (signal ? os.constants.signals[signal] : 0));
      for (const l of listeners) l();
    });
  });
  let ended = false;
  void exited.then(() => (ended = true));

  const waitForCount = (pred: (e: JsonEvent) => boolean, count: number, timeoutMs = 30_000, what = 'events'): Promise<JsonEvent[]> =>
    new Promise((resolve, reject) => {
      const check = (): boolean => {
        const hits = events.filter(pred);
        if (hits.length >= count) {
          finish();
          resolve(hits);
          return true;
        }
        if (ended) {
          finish();
          reject(new Error(`test: process exited before ${count} ${what}; stderr: ${err}\nstdout: ${out}`));
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`test: ${count} ${what} not seen in ${timeoutMs} ms; stderr: ${err}\nstdout: ${out}`));
      }, timeoutMs);
      const finish = (): void => {
        clearTimeout(timer);
        listeners.delete(check);
      };
      if (!check()) listeners.add(check);
    });

  return {
    child,
    events,
    textLines,
    stderr: () => err,
    stdout: () => out,
    waitFor: async (pred, timeoutMs, what) => (await waitForCount(pred, 1, timeoutMs, what))[0]!,
    waitForCount,
    exited,
    exit: (timeoutMs = 30_000) =>
      new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`test: process did not exit in ${timeoutMs} ms; stderr: ${err}\nstdout: ${out}`));
        }, timeoutMs);
        void exited.then((code) => {
          clearTimeout(timer);
          resolve(code);
        });
      }),
  };
}

/** Starts `watch --headless --json ...` and waits for its `listening` event. */
export async function startWatch(args: readonly string[], cwd?: string): Promise<CliProcess> {
  const p = runCli(['watch', '--headless', '--json', '--no-engine', ...args], cwd);
  await p.waitFor((e) => e.event === 'listening', 30_000, 'listening event');
  return p;
}

/** Events of one kind. */
export function eventsOf(p: { events: JsonEvent[] }, kind: string): JsonEvent[] {
  return p.events.filter((e) => e.event === kind);
}

/** Epoch events reduced to what replay must reproduce, in order. */
export function epochSignature(events: readonly JsonEvent[]): string[] {
  return events.filter((e) => e.event === 'epoch').map((e) => `${String(e.run)}#${String(e.epoch)}/${String(e.split)} n=${String(e.n)} dim=${String(e.dim)}`);
}
