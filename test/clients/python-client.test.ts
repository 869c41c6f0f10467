/**
 * The Python producer client (clients/python) against the real monitor, end to end:
 * - the stdlib-only client (written from PROTOCOL.md alone) streams 30-epoch runs over tcp:// and
 *   ipc:// into `sentrycam watch --headless --json`: every epoch appears, 0 rejected, 0 lost;
 * - a small PyTorch MLP trained on sklearn's bundled digits streams through ActivationTap;
 * - when the monitor is restarted mid-run the client reconnects and re-sends hello, and the new
 *   monitor accepts the rest of the run;
 * - its frames are byte-identical to the monitor's own encoder and accepted by its decoder;
 * - the client's Python unit tests run, none skipped;
 * - pip installs the package from clients/python, and a copied package folder works as is; both import
 *   with the standard library only.
 * Needs Debian's python3-numpy, python3-torch, python3-sklearn, python3-pip, python3-setuptools (see .ci/run).
 */
import test, { type ExecutionContext } from 'ava';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeFrame } from '../../src/protocol/decode.js';
import { encodeFrame, type OutTensor } from '../../src/protocol/encode.js';
import { floatToHalf } from '../../src/protocol/dtypes.js';
import { freePort, lastJson, parseLines, PYTHON, runPython, startMonitor, type EventLine } from '../helpers/processes.js';
import { requireSystem } from '../helpers/system.js';

requireSystem(['python3', 'python3-numpy', 'python3-torch', 'python3-sklearn', 'python3-pip', 'python3-setuptools']);

const STREAM = 'test/clients/python/stream_run.py';
/** The client package's folder under clients/python. */
const PACKAGE = 'sentrycam_client';

/** Stream `args` into a fresh monitor listening on `listen`; returns the monitor's events and the producer's report. */
async function streamInto(t: ExecutionContext, listen: string, pythonArgs: readonly string[]) {
  const monitor = startMonitor(listen);
  await monitor.ready;
  const producer = await runPython(pythonArgs);
  t.is(producer.code, 0, `producer failed:\n${producer.stderr}`);
  const exited = await monitor.done;
  t.is(exited.code, 0, `monitor exit code ${exited.code}:\n${exited.stderr}`);
  return { events: parseLines(exited.stdout), report: lastJson(producer.stdout) };
}

/** The acceptance check: every epoch of every split appears, metrics arrive, 0 rejected, 0 lost. */
function assertCleanRun(t: ExecutionContext, events: readonly EventLine[], run: string, epochs: number, n: Record<string, number>) {
  const rejects = events.filter((e) => e.event === 'reject');
  t.deepEqual(rejects, [], 'no frame rejected');
  const hello = events.filter((e) => e.event === 'hello' && e.run === run);
  t.is(hello.length, 1);
  for (const [split, rows] of Object.entries(n)) {
    const seen = events.filter((e) => e.event === 'epoch' && e.run === run && e.split === split);
    t.deepEqual(seen.map((e) => e.epoch), [...Array(epochs).keys()], `every ${split} epoch appears, in order`);
    t.true(seen.every((e) => e.n === rows), `every ${split} epoch has ${rows} samples`);
  }
  const metrics = events.filter((e) => e.event === 'metrics' && e.run === run);
  t.deepEqual(metrics.map((e) => e.epoch), [...Array(epochs).keys()], 'metrics for every epoch');
  t.true(events.some((e) => e.event === 'end' && e.run === run));
  const summary = events.find((e) => e.event === 'summary');
  t.like(summary, { rejected: 0, lost: 0, epochs });
  return metrics;
}

test.serial('independent producer: the stdlib-only client streams a 30-epoch run over tcp://, every epoch appears, 0 rejected, 0 lost', async (t) => {
  const listen = `tcp://127.0.0.1:${await freePort()}`;
  // -I -S: isolated, no site-packages: the client can only use the standard library.
  const { events, report } = await streamInto(t, listen, ['-I', '-S', STREAM, listen, '--run', 'indep-tcp', '--epochs', '30']);
  t.like(report, { drained: true, dropped: 0, numpy_loaded: false });
  const metrics = assertCleanRun(t, events, 'indep-tcp', 30, { train: 300 });
  t.deepEqual(metrics[29]!.values, { train_loss: 1 / 30, val_acc: 0.5 + 29 / 60 });
  // hello + 30 x (3 batches + epoch_end + metrics) + end, and hello again at the start of epochs
  // 1-29 (producers re-send it every epoch, so a restarted monitor picks the run up: PROTOCOL.md)
  t.like(events.find((e) => e.event === 'summary'), { frames: 152 + 29 });
  t.like(events.find((e) => e.event === 'hello'), { layer: 'penultimate', dim: 32, classes: ['class0', 'class1', 'class2', 'class3', 'class4'] });
});

test.serial('independent producer over ipc:// (unix socket): 30 epochs, 0 rejected, 0 lost', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sentrycam-ipc-'));
  try {
    const listen = `ipc://${join(dir, 'monitor.sock')}`;
    const { events, report } = await streamInto(t, listen, ['-I', '-S', STREAM, listen, '--run', 'indep-ipc', '--epochs', '30', '--n', '500', '--dim', '16']);
    t.like(report, { drained: true, dropped: 0 });
    assertCleanRun(t, events, 'indep-ipc', 30, { train: 500 });
    // The final frames of a closing ipc connection arrive too (nanomsg drops a hung-up unix socket's buffer).
    t.like(events.find((e) => e.event === 'summary'), { frames: 152 + 29 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.serial('PyTorch: an MLP trained on sklearn digits streams through ActivationTap into the monitor', async (t) => {
  const listen = `tcp://127.0.0.1:${await freePort()}`;
  const { events, report } = await streamInto(t, listen, ['test/clients/python/train_digits.py', listen, '--epochs', '6', '--seed', '0']);
  t.like(report, { drained: true, dropped: 0 });
  const metrics = assertCleanRun(t, events, 'digits-mlp', 6, { train: 400, test: 200 });
  t.like(events.find((e) => e.event === 'hello'), { layer: 'fc2', dim: 32, model: 'Mlp', classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] });
  // Real training: the validation accuracy the monitor received climbs well above chance (0.1).
  const acc = metrics.map((m) => (m.values as Record<string, number>).val_acc!);
  t.true(acc[5]! > 0.85, `final val_acc ${acc[5]}`);
  t.true(acc[5]! > acc[0]!, 'accuracy improved');
  t.is(report.val_acc, acc[5]);
});

test.serial('monitor restarted mid-run: the client reconnects, re-sends hello, the new monitor gets the rest; nothing lost', async (t) => {
  const listen = `tcp://127.0.0.1:${await freePort()}`;
  let lastSeenByA: (() => void) | undefined;
  const epoch4Done = new Promise<void>((resolve) => (lastSeenByA = resolve));
  // Epoch 4's metrics frame is the last one sent before the producer holds still for 5 s.
  // --no-engine: this is about the data path; epoch events then come as soon as an epoch is complete.
  const a = startMonitor(listen, {
    args: ['--no-engine'],
    onEvent: (e) => {
      if (e.event === 'metrics' && e.epoch === 4) lastSeenByA!();
    },
  });
  await a.ready;
  const producer = runPython(['-I', '-S', 'test/clients/python/paced_run.py', listen, '--epochs', '20', '--hold-at', '4', '--hold', '5']);
  await epoch4Done;
  a.child.kill('SIGTERM');
  const aDone = await a.done;
  const b = startMonitor(listen, { args: ['--no-engine'] });
  await b.ready;
  const out = await producer;
  t.is(out.code, 0, out.stderr);
  const bDone = await b.done;
  const eventsA = parseLines(aDone.stdout);
  const eventsB = parseLines(bDone.stdout);
  const epochs = (events: readonly EventLine[]) => events.filter((e) => e.event === 'epoch').map((e) => e.epoch);
  t.deepEqual(epochs(eventsA), [0, 1, 2, 3, 4]);
  // hello, 4 frames an epoch, and hello again at the start of epochs 1-4.
  t.like(eventsA.find((e) => e.event === 'summary'), { rejected: 0, lost: 0, frames: 1 + 5 * 4 + 4 });
  // Without the re-sent hello the new monitor would reject every frame (it has no run state).
  t.like(eventsB.find((e) => e.event === 'hello'), { run: 'paced', layer: 'h', dim: 8 });
  t.deepEqual(epochs(eventsB), [...Array(15).keys()].map((i) => i + 5));
  t.true(eventsB.filter((e) => e.event === 'epoch').every((e) => e.n === 100));
  // hello on the new connection, 4 frames an epoch, end, and hello again at the start of epochs 5-19.
  const summaryB = eventsB.find((e) => e.event === 'summary')!;
  t.like(summaryB, { rejected: 0, lost: 0, frames: 1 + 15 * 4 + 1 + 15 });
  t.like(lastJson(out.stdout), { drained: true, dropped: 0, reconnects: 1, sent: 25 + 77 });
});

test.serial('monitor killed (SIGKILL) in the middle of an epoch and started again: the run goes on from the next epoch, nothing rejected', async (t) => {
  const listen = `tcp://127.0.0.1:${await freePort()}`;
  let midEpoch5: (() => void) | undefined;
  const firstHalfIn = new Promise<void>((resolve) => (midEpoch5 = resolve));
  const a = startMonitor(listen, { args: ['--no-engine'], onEvent: (e) => e.event === 'epoch' && e.epoch === 4 && midEpoch5!() });
  await a.ready;
  // The producer holds for 8 s between the two batches of epoch 5 (the first one flushed out).
  const producer = runPython(['-I', '-S', 'test/clients/python/paced_run.py', listen, '--epochs', '12', '--hold-at', '5', '--hold', '8', '--hold-mid']);
  await firstHalfIn;
  await new Promise((resolve) => setTimeout(resolve, 1000));
  a.child.kill('SIGKILL');
  const aDone = await a.done;
  t.is(aDone.signal, 'SIGKILL');
  const b = startMonitor(listen, { args: ['--no-engine'] });
  await b.ready;
  const out = await producer;
  t.is(out.code, 0, out.stderr);
  const eventsB = parseLines((await b.done).stdout);
  // The new monitor takes the run from the hello of the reconnect (or of the next epoch): whatever
  // of epoch 5 reached it is assembled, and epochs 6-11 are whole. Nothing is refused.
  const epochs = eventsB.filter((e) => e.event === 'epoch');
  t.deepEqual(epochs.filter((e) => Number(e.epoch) >= 6).map((e) => [e.epoch, e.n]), [6, 7, 8, 9, 10, 11].map((e) => [e, 100]));
  t.true(epochs.every((e) => Number(e.epoch) >= 5), JSON.stringify(epochs));
  t.like(eventsB.find((e) => e.event === 'summary'), { rejected: 0 });
  t.deepEqual(eventsB.filter((e) => e.event === 'end').map((e) => e.run), ['paced']);
  t.like(lastJson(out.stdout), { drained: true, reconnects: 1 });
});

test.serial("the client's frames are byte-identical to the monitor's encoder and pass its decoder", async (t) => {
  const out = await runPython(['test/clients/python/encode_cases.py']);
  t.is(out.code, 0, out.stderr);
  const frames = new Map(out.stdout.trim().split('\n').map((l) => {
    const { case: name, hex } = JSON.parse(l) as { case: string; hex: string };
    return [name, Buffer.from(hex, 'hex')] as const;
  }));
  const base = { run: 'xcheck', producer: '0' };
  const f32 = (v: number[], shape: number[]): OutTensor => ({ dtype: 'float32', shape, data: new Float32Array(v) });
  const i64 = (v: number[]): OutTensor => ({ dtype: 'int64', shape: [v.length], data: new BigInt64Array(v.map(BigInt)) });
  const expected: Record<string, Buffer> = {
    hello: encodeFrame({ type: 'hello', ...base, seq: 0, layer: 'fc1', dim: 2, classes: ['a', 'b', 'ü'], model: 'Mlp' }),
    batch: encodeFrame({ type: 'batch', ...base, seq: 1, epoch: 3, split: 'test' }, {
      x: f32([1, 2, 3, 4.5, 5, 6], [3, 2]),
      id: i64([7, 8, 9]),
      label: i64([0, 1, 0]),
      pred: { dtype: 'int32', shape: [3], data: new Int32Array([1, 1, 0]) },
    }),
    batch_f16: encodeFrame({ type: 'batch', ...base, seq: 2, epoch: 3, split: 'train' }, {
      x: { dtype: 'float16', shape: [1, 2], data: new Uint16Array([floatToHalf(0.5), floatToHalf(-2)]) },
      id: { dtype: 'uint32', shape: [1], data: new Uint32Array([4]) },
    }),
    epoch_end: encodeFrame({ type: 'epoch_end', ...base, seq: 3, epoch: 3 }, {
      head_weight: f32([1, 0, 0, 1, 1, 1], [3, 2]),
      head_bias: f32([0, 0.5, -1], [3]),
    }),
    metrics: encodeFrame({ type: 'metrics', ...base, seq: 4, epoch: 3, step: 12, values: { loss: 0.25, acc: 1 } }),
    end: encodeFrame({ type: 'end', ...base, seq: 5 }),
  };
  t.deepEqual([...frames.keys()], Object.keys(expected));
  for (const [name, buf] of Object.entries(expected)) {
    t.is(frames.get(name)!.toString('hex'), buf.toString('hex'), `${name} frame bytes`);
    const decoded = decodeFrame(frames.get(name)!);
    t.true(decoded.ok, `${name} decodes: ${decoded.ok ? '' : decoded.reject.reason}`);
  }
  const batch = decodeFrame(frames.get('batch')!);
  if (!batch.ok || batch.frame.type !== 'batch') return t.fail('batch did not decode as a batch');
  t.deepEqual([...batch.frame.x], [1, 2, 3, 4.5, 5, 6]);
  t.deepEqual([...batch.frame.ids], [7, 8, 9]);
  t.deepEqual([...batch.frame.preds!], [1, 1, 0]);
  t.like(batch.frame, { epoch: 3, split: 'test', n: 3, dim: 2 });
  const half = decodeFrame(frames.get('batch_f16')!);
  if (!half.ok || half.frame.type !== 'batch') return t.fail('batch_f16 did not decode as a batch');
  t.deepEqual([...half.frame.x], [0.5, -2]);
  const head = decodeFrame(frames.get('epoch_end')!);
  if (!head.ok || head.frame.type !== 'epoch_end') return t.fail('epoch_end did not decode');
  t.deepEqual([...head.frame.head!.bias], [0, 0.5, -1]);
});

test.serial('the Python unit tests pass with none skipped', async (t) => {
  const out = await runPython(['-m', 'unittest', 'discover', '-v', '-s', 'clients/python/tests', '-t', 'clients/python/tests']);
  const log = out.stderr;
  t.is(out.code, 0, log.slice(-4000));
  const ran = /Ran (\d+) tests?/.exec(log);
  t.truthy(ran, 'unittest printed its count');
  t.true(Number(ran![1]) >= 40, `only ${ran![1]} Python tests ran`);
  // A skip means a dependency is missing (numpy/torch): fail loudly with its reason, never silently.
  const skipped = log.split('\n').filter((l) => / \.\.\. skipped /.test(l));
  t.deepEqual(skipped, [], `Python tests skipped with ${PYTHON}`);
  t.regex(log, /\nOK\s*$/);
});

test.serial('pip installs the client package from clients/python; the installed package imports with the standard library only', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sentrycam-pip-'));
  try {
    // Build from a copy so the source tree gets no build/ or egg-info litter.
    const src = join(dir, 'src');
    mkdirSync(src);
    for (const f of ['pyproject.toml', 'README.md']) copyFileSync(join('clients/python', f), join(src, f));
    cpSync(join('clients/python', PACKAGE), join(src, PACKAGE), { recursive: true, filter: (p) => !p.includes('__pycache__') });
    const site = join(dir, 'site');
    // --no-index/--no-build-isolation: offline, with the interpreter's own setuptools.
    const pip = await runPython(['-m', 'pip', 'install', '--quiet', '--no-index', '--no-build-isolation', '--no-deps', '--target', site, src]);
    t.is(pip.code, 0, pip.stderr);
    // Every module of the package is installed, and importing all of them loads neither numpy nor torch.
    const modules = readdirSync(join('clients/python', PACKAGE)).filter((f) => f.endsWith('.py')).map((f) => f.replace(/\.py$/, ''));
    t.true(modules.length >= 10, `only ${modules.length} modules`);
    const probe = await runPython(['-I', '-S', '-c', [
      'import importlib, json, sys',
      `sys.path.insert(0, ${JSON.stringify(site)})`,
      'import sentrycam_client as s',
      `mods = [importlib.import_module("sentrycam_client." + m).__name__ for m in ${JSON.stringify(modules.filter((m) => m !== '__init__'))}]`,
      'heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("numpy", "torch"))',
      'print(json.dumps({"file": s.__file__, "version": s.__version__, "modules": len(mods), "heavy": heavy, "tap": s.ActivationTap.__name__}))',
    ].join('\n')]);
    t.is(probe.code, 0, probe.stderr);
    t.deepEqual(lastJson(probe.stdout), {
      file: join(site, PACKAGE, '__init__.py'),
      version: '0.2.0',
      modules: modules.length - 1,
      heavy: [],
      tap: 'ActivationTap',
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.serial('zero installs: the package folder copied next to a script works with the standard library only', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sentrycam-copy-'));
  try {
    cpSync(join('clients/python', PACKAGE), join(dir, PACKAGE), { recursive: true, filter: (p) => !p.includes('__pycache__') });
    const script = join(dir, 'train.py');
    writeFileSync(script, [
      'import json, sentrycam_client as s',
      'p = s.Producer(run="copied", disabled=True)',
      'p.hello(layer="l", dim=2); p.batch(0, [[1.0, 2.0]], [0]); p.end()',
      'frame = s.frame_bytes({"type": "end", "run": "rr", "producer": "0", "seq": 7})',
      'print(json.dumps({"file": s.__file__, "closed": p.close(), "frame": len(frame), "magic": frame[:4].decode()}))',
    ].join('\n'));
    // -E -s -S: no PYTHON* variables, no site-packages; unlike -I the script's folder stays on sys.path.
    const out = await runPython(['-E', '-s', '-S', script]);
    t.is(out.code, 0, out.stderr);
    // The end frame of the protocol's byte-exact unit test: 12-byte preamble + 68-byte padded header.
    t.deepEqual(lastJson(out.stdout), { file: join(dir, PACKAGE, '__init__.py'), closed: true, frame: 80, magic: 'SCAM' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
