/**
 * docs/events.schema.json against every headless JSON event of real runs: replays of recorded runs
 * (three without the engine, one with it), and a live watch fed hello, epochs, metrics, a broken frame, a seq gap,
 * a silent producer and the metrics endpoint's notice. Every line carries `ts` (ISO 8601, ms).
 */
import test from 'ava';
import path from 'node:path';
import { encodeFrame } from '../../src/protocol/encode.js';
import { RawPush } from '../sources/raw-push.js';
import { validate } from '../helpers/json-schema.js';
import { EVENT_SCHEMA as SCHEMA, rawEvents, schemaProblems as problems } from '../helpers/event-schema.js';
import { runCli, ROOT, startWatch } from './cli-process.js';

test('the validator catches a missing ts, an unknown field, a wrong enum and a wrong type', (t) => {
  const ok = { event: 'end', ts: '2026-01-02T03:04:05.678Z', run: 'r' };
  t.deepEqual(validate(SCHEMA, ok), []);
  t.not(validate(SCHEMA, { event: 'end', run: 'r' }).length, 0);
  t.not(validate(SCHEMA, { ...ok, ts: '2026-01-02T03:04:05Z' }).length, 0, 'milliseconds required');
  t.not(validate(SCHEMA, { ...ok, extra: 1 }).length, 0);
  t.not(validate(SCHEMA, { ...ok, event: 'ended' }).length, 0);
  t.not(validate(SCHEMA, { ...ok, run: 3 }).length, 0);
});

test.serial('every event of replays of recorded runs without the engine follows the schema', async (t) => {
  for (const name of ['demo-mnist-unstable-s4', 'torch-cnn-digits-unstable-s1', 'torch-cnn-mnist-lr-ramp-s2']) {
    const p = runCli(['replay', path.join(ROOT, `fixtures/runs/${name}.scamrec.gz`), '--json', '--no-engine']);
    t.is(await p.exit(300_000), 0, p.stderr());
    const events = rawEvents(p.stdout());
    t.deepEqual(problems(events), [], name);
    t.true(events.some((e) => e.event === 'alert'), `${name} raises alerts`);
  }
});

test.serial('every event of a replay with the engine on follows the schema', async (t) => {
  const p = runCli(['replay', path.join(ROOT, 'fixtures/runs/torch-mlp-digits-narrow-lr-s2.scamrec.gz'), '--json', '--budget-ms', '200']);
  t.is(await p.exit(300_000), 0, p.stderr());
  const events = rawEvents(p.stdout());
  t.deepEqual(problems(events), []);
  const kinds = new Set(events.map((e) => e.event));
  for (const k of ['listening', 'hello', 'epoch', 'metrics', 'alert', 'end', 'summary']) t.true(kinds.has(k), k);
  t.true(events.some((e) => e.event === 'epoch' && e.engine === 'projected' && typeof e.nn15 === 'number'), 'projected measures checked too');
  const stamps = events.map((e) => Date.parse(e.ts as string));
  t.deepEqual(stamps, [...stamps].sort((a, b) => a - b), 'ts never goes back');
});

test.serial('every event of a live watch (rejects, a seq gap, silence, a notice) follows the schema', async (t) => {
  const address = 'tcp://127.0.0.1:58058';
  const watch = await startWatch(['--listen', address, '--no-record', '--silence-s', '1', '--metrics-listen', '127.0.0.1:0']);
  const push = new RawPush(address);
  let seq = 0;
  const id = (run = 'live', producer = 'p') => ({ run, producer, seq: seq++ });
  const x = { dtype: 'float32', shape: [4, 2], data: Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8) } as const;
  const ids = { dtype: 'uint32', shape: [4], data: Uint32Array.of(0, 1, 2, 3) } as const;
  await push.send(
    encodeFrame({ type: 'hello', ...id(), layer: 'fc', dim: 2, classes: ['a', 'b'], model: 'm' }),
    encodeFrame({ type: 'batch', ...id(), epoch: 0 }, { x, id: ids }),
    encodeFrame({ type: 'metrics', ...id(), epoch: 0, step: 5, values: { val_loss: 0.5 } }),
    encodeFrame({ type: 'epoch_end', ...id(), epoch: 0 }),
    Buffer.from('not a frame at all'),
  );
  seq += 3; // a gap of three frames
  await push.send(encodeFrame({ type: 'batch', ...id(), epoch: 1 }, { x, id: ids }), encodeFrame({ type: 'epoch_end', ...id(), epoch: 1 }), encodeFrame({ type: 'end', ...id() }));
  await push.send(encodeFrame({ type: 'hello', run: 'quiet', producer: 'q', seq: 0, layer: 'fc', dim: 2 }));
  await watch.waitFor((e) => e.event === 'silence', 60_000, 'silence event');
  await push.close();
  watch.child.kill('SIGINT');
  t.is(await watch.exit(60_000), 0);
  const events = rawEvents(watch.stdout());
  t.deepEqual(problems(events), []);
  const kinds = new Set(events.map((e) => e.event));
  for (const k of ['listening', 'notice', 'hello', 'epoch', 'metrics', 'reject', 'lost', 'end', 'silence', 'alert', 'summary']) t.true(kinds.has(k), k);
});
