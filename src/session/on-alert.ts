/**
 * `--on-alert CMD`: run a command for each alert, with the alert JSON on its stdin and in the
 * environment variable SENTRYCAM_ALERT. The alert never goes near a shell: CMD is split into argv
 * here (quotes, no expansion) and spawned directly, so a message such as `$(rm -rf ~)` is inert data.
 * Calls run one at a time (a queue), and a failing or hanging command is reported, never fatal.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { constants as osConstants } from 'node:os';
import type { AlertEvent } from '../model/events.js';

/** The environment variable that carries the alert JSON. */
export const ALERT_ENV = 'SENTRYCAM_ALERT';

/**
 * Largest alert JSON put in the environment. Linux refuses a single environment string over 128 KiB
 * (MAX_ARG_STRLEN) and the spawn would fail; a larger alert (a huge reject reason) goes whole on
 * stdin and shortened in the variable.
 */
export const MAX_ENV_BYTES = 64 * 1024;

/** The alert for the environment variable: whole if it fits, else message cut and evidence dropped. */
export function alertForEnv(alert: AlertEvent, json = JSON.stringify(alert)): string {
  if (Buffer.byteLength(json) <= MAX_ENV_BYTES) return json;
  const short = { ...alert, message: alert.message.slice(0, 1000), evidence: { truncated: true } };
  const s = JSON.stringify(short);
  return Buffer.byteLength(s) <= MAX_ENV_BYTES ? s : JSON.stringify({ event: 'alert', kind: alert.kind, truncated: true });
}

/** Exit code reported when the command could not be started (as a shell reports "not found"). */
export const SPAWN_FAILED = 127;
/** Exit code reported when the alert was dropped because the queue was full. */
export const QUEUE_FULL = -1;

/**
 * Splits a command line into argv like a POSIX shell's word splitting, without any expansion:
 * whitespace separates words; '...' is literal; "..." is literal except \" \\ \$ \` and a backslash
 * before a newline; outside quotes a backslash escapes the next character. $, `, *, ;, |, &, ~ and
 * friends are ordinary characters. Throws with a message naming the problem on an unterminated
 * quote, a trailing backslash or an empty command.
 */
export function splitCommand(cmd: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let i = 0;
  while (i < cmd.length) {
    const ch = cmd[i]!;
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
      i++;
    } else if (ch === "'") {
      const end = cmd.indexOf("'", i + 1);
      if (end < 0) throw new Error(`--on-alert: unterminated single quote at position ${i} in: ${cmd}`);
      cur += cmd.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (ch === '"') {
      inWord = true;
      i++;
      let closed = false;
      while (i < cmd.length) {
        const c = cmd[i]!;
        if (c === '"') {
          closed = true;
          i++;
          break;
        }
        if (c === '\\' && i + 1 < cmd.length && '"\\$`\n'.includes(cmd[i + 1]!)) {
          if (cmd[i + 1] !== '\n') cur += cmd[i + 1];
          i += 2;
          continue;
        }
        cur += c;
        i++;
      }
      if (!closed) throw new Error(`--on-alert: unterminated double quote in: ${cmd}`);
    } else if (ch === '\\') {
      if (i + 1 >= cmd.length) throw new Error(`--on-alert: trailing backslash in: ${cmd}`);
      if (cmd[i + 1] !== '\n') {
        cur += cmd[i + 1];
        inWord = true;
      }
      i += 2;
    } else {
      cur += ch;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(cur);
  if (words.length === 0) throw new Error('--on-alert: the command is empty');
  return words;
}

/**
 * Checks an --on-alert command at start-up, so that a typo fails at once rather than silently at
 * the first alert: the quoting parses and the program exists and is executable (searched on PATH
 * when it names no folder). Returns its argv; throws with a message naming the problem.
 */
export function checkAlertCommand(cmd: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const argv = splitCommand(cmd);
  const program = argv[0]!;
  const executable = (file: string): boolean => {
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return fs.statSync(file).isFile();
    } catch {
      return false;
    }
  };
  if (program.includes('/')) {
    if (!executable(program)) throw new Error(`--on-alert: ${program} is not an executable file`);
  } else {
    const dirs = (env.PATH ?? '').split(path.delimiter).filter(Boolean);
    if (!dirs.some((d) => executable(path.join(d, program)))) throw new Error(`--on-alert: ${program} is not found on PATH`);
  }
  return argv;
}

/** Bytes of a command's stderr kept to explain its failure (it never reaches the screen). */
const STDERR_TAIL_BYTES = 1000;

/** Options of an `OnAlertRunner`. */
export interface OnAlertOptions {
  /** Kill a command that runs longer than this (ms), so one hung command cannot stall the queue. */
  readonly timeoutMs?: number;
  /** Alerts waiting beyond this are dropped (and reported): a flood of alerts must not pile up. */
  readonly maxQueue?: number;
  /** Where problems are reported; default: a line on stderr. */
  readonly report?: (message: string) => void;
  /** Extra environment for the command (default: this process's environment). */
  readonly env?: NodeJS.ProcessEnv;
}

/** Runs alert commands one at a time. */
export class OnAlertRunner {
  private tail: Promise<unknown> = Promise.resolve();
  private pending = 0;
  private readonly timeoutMs: number;
  private readonly maxQueue: number;
  private readonly report: (message: string) => void;
  private readonly env: NodeJS.ProcessEnv;

  constructor(opts: OnAlertOptions = {}) {
    this.timeoutMs = opts.timeoutMs ?? 30_000; // long enough for a webhook call or a mail
    this.maxQueue = opts.maxQueue ?? 100; // an alert storm beyond this is summarised, not queued
    if (!(this.timeoutMs > 0)) throw new Error(`--on-alert: timeoutMs must be > 0, got ${this.timeoutMs}`);
    if (!Number.isInteger(this.maxQueue) || this.maxQueue < 1) throw new Error(`--on-alert: maxQueue must be an integer >= 1, got ${this.maxQueue}`);
    this.report = opts.report ?? ((m) => process.stderr.write(`sentrycam: ${m}\n`));
    this.env = opts.env ?? process.env;
  }

  /** Commands queued or running. */
  get queued(): number {
    return this.pending;
  }

  /**
   * Queues CMD for this alert; resolves with its exit code once it ran (128 + signal number when
   * killed, SPAWN_FAILED when it could not start, QUEUE_FULL when dropped). Never rejects.
   */
  run(cmd: string, alert: AlertEvent): Promise<number> {
    let argv: string[];
    try {
      argv = splitCommand(cmd);
    } catch (err) {
      this.report((err as Error).message);
      return Promise.resolve(SPAWN_FAILED);
    }
    if (this.pending >= this.maxQueue) {
      this.report(`--on-alert: ${this.pending} commands already queued; dropped the ${alert.kind} alert of run ${alert.run}`);
      return Promise.resolve(QUEUE_FULL);
    }
    this.pending++;
    const job = this.tail.then(() => this.exec(argv, alert));
    this.tail = job;
    return job.finally(() => {
      this.pending--;
    });
  }

  private exec(argv: string[], alert: AlertEvent): Promise<number> {
    const json = JSON.stringify(alert);
    const [file, ...args] = argv as [string, ...string[]];
    return new Promise<number>((resolve) => {
      let settled = false;
      const done = (code: number): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(code);
      };
      let child;
      try {
        child = spawn(file, args, {
          shell: false,
          // Its own process group, so the timeout can kill what it started too.
          detached: true,
          // Its output never reaches our terminal (the dashboard owns it); stderr explains failures.
          stdio: ['pipe', 'ignore', 'pipe'],
          env: { ...this.env, [ALERT_ENV]: alertForEnv(alert, json) },
        });
      } catch (err) {
        this.report(`--on-alert: could not run ${file}: ${(err as Error).message}`);
        resolve(SPAWN_FAILED);
        return;
      }
      let stderr = '';
      child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + String(d)).slice(-STDERR_TAIL_BYTES)));
      const timer = setTimeout(() => {
        this.report(`--on-alert: ${file} ran longer than ${this.timeoutMs} ms; killed it and its process group`);
        killGroup(child.pid);
      }, this.timeoutMs);
      child.on('error', (err) => {
        if (settled) return;
        this.report(`--on-alert: could not run ${file}: ${err.message}`);
        done(SPAWN_FAILED);
      });
      child.on('close', (code, signal) => {
        // After a spawn error Node still emits close (with a negative errno): already reported.
        if (settled) return;
        const rc = code ?? 128 + (signal ? (osConstants.signals[signal] ?? 0) : 0);
        if (rc !== 0) {
          const why = stderr.trim() ? `: ${stderr.trim().split('\n').at(-1)}` : '';
          this.report(`--on-alert: ${file} exited with ${signal ? `signal ${signal}` : `code ${rc}`} for the ${alert.kind} alert of run ${alert.run}${why}`);
        }
        done(rc);
      });
      // When the spawn itself failed (e.g. no file descriptors left) there are no pipes: the
      // 'error' event reports it. A command that ignores its stdin closes the pipe early (EPIPE): harmless.
      child.stdin?.on('error', () => {});
      child.stdin?.end(`${json}\n`);
    });
  }
}

/** SIGKILL to a whole process group; a group already gone is not an error. */
function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already exited.
  }
}

let shared: OnAlertRunner | null = null;

/**
 * Runs CMD for one alert through a process-wide queue (so alerts run one at a time even when
 * callers do not await). Resolves with the exit code; never rejects.
 */
export function runOnAlert(cmd: string, alert: AlertEvent): Promise<number> {
  shared ??= new OnAlertRunner();
  return shared.run(cmd, alert);
}
