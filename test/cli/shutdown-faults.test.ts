/**
 * Session-level faults of issue 13, each pinned by a test named after it: signals, alert commands
 * that hang, fail or outlive shutdown, a crashing engine, bad --record / --listen paths. Real
 * processes, real sockets.
 */
import test from 'ava';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { encodeFrame } from '../../src/protocol/encode.js';
import { decodeFrame } from '../../src/protocol/decode.js';
import { readRecording } from '../../src/sources/recording-reader.js';
import { parseLines, startMonitor } from '../helpers/processes.js';
import { runCli, tempDir } from './cli-process.js';

const require = createRequire(import.meta.url);
const nano = require('nanomsg') as { socket(t: string): { connect(a: string): void; send(b: Buffer): void; close(): void } };

const ipc = (tag: string): string => `ipc://${path.join(tempDir(tag), 'monitor.sock')}`;
const DIM = 4;

function push(address: string): { send(b: Buffer): void; close(): void } {
  const s = nano.socket('push');
  s.connect(address);
  return s;
}

/** The frames of a small honest run: hello, `epochs` epochs of 3 rows, end. */
function honestRun(run: string, epochs: number): Buffer[] {
  let seq = 0;
  const frames = [encodeFrame({ type: 'hello', run, seq: seq++, layer: 'fc', dim: DIM })];
  for (let e = 0; e < epochs; e++) {
    frames.push(encodeFrame({ type: 'batch', run, seq: seq++, epoch: e }, { x: { dtype: 'float32', shape: [3, DIM], data: new Float32Array(3 * DIM).fill(e) }, id: { dtype: 'int32', shape: [3], data: new Int32Array([0, 1, 2]) } }));
    frames.push(encodeFrame({ type: 'epoch_end', run, seq: seq++, epoch: e }));
  }
  frames.push(encodeFrame({ type: 'end', run, seq: seq++ }));
  return frames;
}

/** A run whose batch holds a NaN: rejected (non_finite), raising a critical nan alert. */
function alertingRun(run: string): Buffer[] {
  const x = new Float32Array(2 * DIM).fill(0.5);
  x[1] = NaN;
  return [
    encodeFrame({ type: 'hello', run, seq: 0, layer: 'fc', dim: DIM }),
    encodeFrame({ type: 'batch', run, seq: 1, epoch: 0 }, { x: { dtype: 'float32', shape: [2, DIM], data: x }, id: { dtype: 'int32', shape: [2], data: new Int32Array([0, 1]) } }),
  ];
}

test('SIGHUP stops watch like SIGTERM: summary printed last, exit 0', async (t) => {
  const m = startMonitor(ipc('hup'), { args: ['--no-engine'], timeoutMs: 60_000 });
  await m.ready;
  m.child.kill('SIGHUP');
  const done = await m.done;
  t.is(done.code, 0, done.stderr);
  t.is(parseLines(done.stdout).at(-1)!.event, 'summary');
});

test('an --on-alert command that does not exist is refused at start-up (exit 2, named), not at the first alert', async (t) => {
  const cli = runCli(['watch', '--headless', '--json', '--listen', ipc('onalert'), '--on-alert', 'no-such-program-xyz --flag']);
  t.is(await cli.exit(), 2);
  t.regex(cli.stderr(), /no-such-program-xyz is not found on PATH/);
  const quoting = runCli(['watch', '--headless', '--json', '--listen', ipc('onalert2'), '--on-alert', "echo 'unclosed"]);
  t.is(await quoting.exit(), 2);
  t.regex(quoting.stderr(), /unterminated single quote/);
});

test('--listen ipc://PATH never replaces a file that is not a socket', async (t) => {
  const file = path.join(tempDir('notsock'), 'notes.txt');
  fs.writeFileSync(file, 'keep me');
  const cli = runCli(['watch', '--headless', '--json', '--no-record', '--listen', `ipc://${file}`]);
  t.is(await cli.exit(), 1);
  t.regex(cli.stderr(), /exists and is not a socket/);
  t.is(fs.readFileSync(file, 'utf8'), 'keep me');
});

test('--record to an unusable path exits 2 with a message naming it (no stack trace)', async (t) => {
  const blocker = path.join(tempDir('rec'), 'a-file');
  fs.writeFileSync(blocker, '');
  const cli = runCli(['watch', '--headless', '--json', '--listen', ipc('rec'), '--record', path.join(blocker, 'sub')]);
  t.is(await cli.exit(), 2);
  t.regex(cli.stderr(), /--record .*a-file\/sub cannot be used/);
  t.false(cli.stderr().includes('    at '), 'no stack trace');
});

test('SIGTERM while an --on-alert command runs: no event after the summary, no frame in another run\'s file', async (t) => {
  const address = ipc('sigterm');
  const cwd = tempDir('sigterm-rec');
  const events: { event: string }[] = [];
  const m = startMonitor(address, { args: ['--no-engine', '--record', cwd, '--on-alert', 'sleep 3'], timeoutMs: 60_000, onEvent: (e) => events.push(e) });
  // startMonitor passes --no-record first; the later --record wins (yargs takes the last).
  await m.ready;
  const p = push(address);
  for (const f of alertingRun('alerting')) p.send(f);
  const deadline = Date.now() + 20_000;
  while (!events.some((e) => e.event === 'alert') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  t.true(events.some((e) => e.event === 'alert'), 'the alert command is running');
  // Two runs keep streaming while the monitor is told to stop.
  const a = honestRun('run-a', 40);
  const b = honestRun('run-b', 40);
  for (let i = 0; i < 10; i++) p.send(a[i]!), p.send(b[i]!);
  m.child.kill('SIGTERM');
  for (let i = 10; i < a.length; i++) p.send(a[i]!), p.send(b[i]!);
  const done = await m.done;
  p.close();
  t.is(done.code, 0, done.stderr);
  const lines = parseLines(done.stdout);
  t.is(lines.at(-1)!.event, 'summary', 'the summary is the last line');
  t.is(lines.filter((e) => e.event === 'summary').length, 1);
  for (const file of fs.readdirSync(cwd).filter((f) => f.endsWith('.scamrec'))) {
    const runs = new Set(readRecording(path.join(cwd, file)).frames.map(({ frame }) => {
      const d = decodeFrame(frame);
      return d.ok ? d.frame.run : '?';
    }));
    t.is(runs.size, 1, `${file} holds frames of ${[...runs].join(', ')}`);
    t.true(file.startsWith([...runs][0]!), `${file} holds its own run`);
  }
});

test('a killed engine worker: the monitor says so in an engine alert, reports the epochs, and still exits on end', async (t) => {
  const address = ipc('engine-crash');
  // 16 MB is too little for the engine: its worker dies at start, every time (a real crash).
  const m = startMonitor(address, { args: ['--engine-heap-mb', '16'], timeoutMs: 120_000 });
  await m.ready;
  const p = push(address);
  for (const f of honestRun('r', 2)) p.send(f);
  const done = await m.done;
  p.close();
  t.is(done.code, 0, done.stderr);
  const lines = parseLines(done.stdout);
  const engineAlerts = lines.filter((e) => e.event === 'alert' && e.kind === 'engine');
  t.true(engineAlerts.length >= 1, done.stdout);
  t.regex(String(engineAlerts[0]!.message), /worker died/);
  t.deepEqual(lines.filter((e) => e.event === 'epoch').map((e) => `${e.epoch}:${e.engine}`), ['0:failed', '1:failed']);
  t.is(lines.at(-1)!.event, 'summary');
});

test('an --on-alert command that hangs is killed with its whole process group (no grandchild survives)', async (t) => {
  const { OnAlertRunner } = await import('../../src/session/on-alert.js');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scam-group-'));
  const pidFile = path.join(dir, 'grandchild.pid');
  const reports: string[] = [];
  const runner = new OnAlertRunner({ timeoutMs: 1500, report: (m) => reports.push(m) });
  const script = path.join(dir, 'hang.sh');
  fs.writeFileSync(script, `#!/bin/sh\nsleep 60 &\necho $! > ${pidFile}\nwait\n`, { mode: 0o755 });
  const code = await runner.run(script, { event: 'alert', run: 'r', epoch: 1, kind: 'loss', severity: 'warning', message: 'm', evidence: {} });
  t.is(code, 128 + 9);
  t.regex(reports.join('\n'), /killed it and its process group/);
  const grandchild = Number(fs.readFileSync(pidFile, 'utf8'));
  await new Promise((r) => setTimeout(r, 200));
  // Gone, or a zombie waiting for its reaper (a container's pid 1 may not reap): either way not running.
  const state = fs.existsSync(`/proc/${grandchild}/stat`) ? fs.readFileSync(`/proc/${grandchild}/stat`, 'utf8').split(') ')[1]![0] : 'gone';
  t.true(state === 'gone' || state === 'Z', `grandchild ${grandchild} state ${state}`);
});

test('fd exhaustion with --on-alert: the failed spawn is a notice, the monitor carries on and ends with its summary', async (t) => {
  const address = ipc('emfile');
  const events: { event: string; [k: string]: unknown }[] = [];
  const m = startMonitor(address, { args: ['--no-engine', '--on-alert', 'true'], timeoutMs: 60_000, onEvent: (e) => events.push(e) });
  await m.ready;
  const p = push(address);
  const [hello, nanBatch] = alertingRun('r');
  p.send(hello!);
  const until = async (pred: () => boolean): Promise<void> => {
    const deadline = Date.now() + 20_000;
    while (!pred() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  };
  await until(() => events.some((e) => e.event === 'hello'));
  // No descriptor left: the limit drops to what the monitor holds now (a real EMFILE, set from outside).
  const pid = m.child.pid!;
  const open = fs.readdirSync(`/proc/${pid}/fd`).length;
  const { execFileSync } = await import('node:child_process');
  const [soft, hard] = execFileSync('prlimit', ['--pid', String(pid), '--nofile', '--output', 'SOFT,HARD', '--noheadings', '--raw'], { encoding: 'utf8' }).trim().split(/\s+/);
  execFileSync('prlimit', ['--pid', String(pid), `--nofile=${open}:${hard}`]);
  p.send(nanBatch!);
  await until(() => events.some((e) => e.event === 'notice'));
  execFileSync('prlimit', ['--pid', String(pid), `--nofile=${soft}:${hard}`]);
  p.send(encodeFrame({ type: 'end', run: 'r', seq: 2 }));
  const done = await m.done;
  p.close();
  t.is(done.code, 0, done.stderr);
  const notice = events.find((e) => e.event === 'notice');
  t.like(notice, { level: 'warning', topic: 'on-alert' });
  t.regex(String(notice!.message), /could not run true: .*EMFILE/);
  t.is(parseLines(done.stdout).at(-1)!.event, 'summary');
});
