/**
 * Alert actions of the headless mode, end to end through a real socket: --exit-on-alert exits with
 * code 3, --alerts-only prints nothing else, --on-alert runs a command with the alert JSON.
 */
import test from 'ava';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { encodeFrame } from '../../src/protocol/encode.js';
import { freePort, parseLines, startMonitor } from '../helpers/processes.js';

const require = createRequire(import.meta.url);
const nano = require('nanomsg') as { socket(t: string): { connect(a: string): void; send(b: Buffer): void; close(): void } };

const DIM = 4;

async function untilListening(port: number): Promise<void> {
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const c = net.connect(port, '127.0.0.1', () => {
        c.destroy();
        resolve(true);
      });
      c.on('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** hello, then a batch whose x holds a NaN: the monitor rejects it (non_finite) and raises a nan alert. */
function sendNaNRun(address: string, extra: Buffer[] = []): void {
  const push = nano.socket('push');
  push.connect(address);
  const x = new Float32Array(2 * DIM).fill(0.5);
  x[3] = NaN;
  const frames = [
    encodeFrame({ type: 'hello', run: 'r', seq: 0, layer: 'fc', dim: DIM }),
    encodeFrame({ type: 'batch', run: 'r', seq: 1, epoch: 0 }, { x: { dtype: 'float32', shape: [2, DIM], data: x }, id: { dtype: 'int32', shape: [2], data: new Int32Array([0, 1]) } }),
    ...extra,
  ];
  for (const f of frames) push.send(f);
  setTimeout(() => push.close(), 500);
}

test('--exit-on-alert critical exits 3 at the nan alert, after the summary', async (t) => {
  const address = `tcp://127.0.0.1:${await freePort()}`;
  const m = startMonitor(address, { args: ['--no-engine', '--exit-on-alert', 'critical'], timeoutMs: 30_000 });
  await m.ready;
  sendNaNRun(address);
  const done = await m.done;
  t.is(done.code, 3, done.stderr);
  const events = parseLines(done.stdout);
  const alert = events.find((e) => e.event === 'alert');
  t.truthy(alert, 'an alert line is printed');
  t.is(alert!.kind, 'nan');
  t.is(alert!.severity, 'critical');
  t.is(events.at(-1)!.event, 'summary');
  t.like(events.find((e) => e.event === 'reject'), { code: 'non_finite', run: 'r', producer: '0', seq: 1 });
});

test('--alerts-only prints alert lines and nothing else', async (t) => {
  const port = await freePort();
  const address = `tcp://127.0.0.1:${port}`;
  const m = startMonitor(address, { args: ['--no-engine', '--alerts-only'], timeoutMs: 30_000 });
  // The listening line is not printed with --alerts-only: wait until the port accepts connections.
  await untilListening(port);
  sendNaNRun(address, [encodeFrame({ type: 'end', run: 'r', seq: 2 })]);
  const done = await m.done;
  t.is(done.code, 0, done.stderr);
  const events = parseLines(done.stdout);
  t.true(events.length >= 1);
  t.true(events.every((e) => e.event === 'alert'), JSON.stringify(events.map((e) => e.event)));
});

test('--on-alert runs the command with the alert JSON on stdin and in SENTRYCAM_ALERT, no shell', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sentrycam-onalert-'));
  const script = path.join(dir, 'capture.cjs');
  fs.writeFileSync(
    script,
    `let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{require('fs').writeFileSync(${JSON.stringify(path.join(dir, 'out.json'))},JSON.stringify({stdin:s,env:process.env.SENTRYCAM_ALERT,argv:process.argv.slice(2)}))})`,
  );
  const address = `tcp://127.0.0.1:${await freePort()}`;
  // The argument with shell syntax must arrive as one literal word.
  const m = startMonitor(address, { args: ['--no-engine', '--on-alert', `${process.execPath} ${script} '$(touch ${dir}/pwned)'`], timeoutMs: 30_000 });
  await m.ready;
  sendNaNRun(address, [encodeFrame({ type: 'end', run: 'r', seq: 2 })]);
  const done = await m.done;
  t.is(done.code, 0, done.stderr);
  const out = JSON.parse(fs.readFileSync(path.join(dir, 'out.json'), 'utf8')) as { stdin: string; env: string; argv: string[] };
  const alert = JSON.parse(out.stdin) as { event: string; kind: string };
  t.is(alert.event, 'alert');
  t.is(alert.kind, 'nan');
  t.deepEqual(JSON.parse(out.env), alert);
  t.deepEqual(out.argv, [`$(touch ${dir}/pwned)`]);
  t.false(fs.existsSync(path.join(dir, 'pwned')));
});
