import test from 'ava';
import { initTf } from '../../src/tf/backend.js';
import { Projector } from '../../src/engine/projector.js';
import { train } from '../../src/engine/trainer.js';
import { knnSelf, matrix } from '../../src/engine/knn.js';
import { fuzzyGraph } from '../../src/engine/fuzzy-graph.js';
import { fitAB } from '../../src/engine/refine.js';
import { createRng } from '../../src/util/random.js';

/** Two tight, far-apart blobs in 8-D. */
function blobs(n: number, seed: number) {
  const r = createRng(seed);
  const x = new Float32Array(n * 8);
  for (let i = 0; i < n; i++) for (let j = 0; j < 8; j++) x[i * 8 + j] = (i < n / 2 ? 3 : -3) + 0.3 * r.normal();
  return x;
}

test('training lowers the loss and pulls graph neighbours together', async (t) => {
  const { tf } = await initTf();
  const n = 200;
  const x = blobs(n, 1);
  const edges = fuzzyGraph(knnSelf(tf, matrix(x, n, 8), 10), 3);
  const { a, b } = fitAB(0.1, 1);
  const p = new Projector({ input: 8, encoder: [32, 16], decoder: [16, 32], groups: 8 }, createRng(2));
  const first = train(tf, p, { x, rows: n, m: 8, edges }, { a, b, deadline: 0, steps: 2, batch: 64, rng: createRng(3) });
  const later = train(tf, p, { x, rows: n, m: 8, edges }, { a, b, deadline: 0, steps: 60, batch: 64, rng: createRng(4) });
  t.is(first.steps, 2);
  t.is(later.stoppedBy, 'steps');
  t.true(later.loss < first.loss, `${first.loss} -> ${later.loss}`);
  // The two blobs separate: mean within-blob distance < mean between-blob distance.
  const y = p.apply(tf, 'enc', x, n);
  let within = 0, between = 0, cw = 0, cb = 0;
  for (let i = 0; i < n; i += 5) {
    for (let j = i + 1; j < n; j += 5) {
      const d = Math.hypot(y[2 * i] - y[2 * j], y[2 * i + 1] - y[2 * j + 1]);
      if (i < n / 2 === j < n / 2) { within += d; cw++; } else { between += d; cb++; }
    }
  }
  t.true(within / cw < 0.5 * (between / cb), `within ${within / cw}, between ${between / cb}`);
});

test('the clock budget stops training; an empty graph trains nothing; bad shapes are refused', async (t) => {
  const { tf } = await initTf();
  const x = blobs(40, 5);
  const edges = fuzzyGraph(knnSelf(tf, matrix(x, 40, 8), 5), 3);
  const { a, b } = fitAB(0.1, 1);
  const p = new Projector({ input: 8, encoder: [16], decoder: [], groups: 8 }, createRng(2));
  const r = train(tf, p, { x, rows: 40, m: 8, edges }, { a, b, deadline: performance.now() - 1, rng: createRng(1) });
  t.is(r.steps, 0);
  t.is(r.stoppedBy, 'budget');
  const empty = train(tf, p, { x, rows: 40, m: 8, edges: { n: 40, from: new Int32Array(0), to: new Int32Array(0), weight: new Float32Array(0) } }, { a, b, deadline: Infinity, rng: createRng(1) });
  t.is(empty.stoppedBy, 'empty');
  t.throws(() => train(tf, p, { x, rows: 40, m: 4, edges }, { a, b, deadline: 0, rng: createRng(1) }), { message: /expects 8 inputs/ });
});

test('early stopping ends a converged session before the round limit', async (t) => {
  const { tf } = await initTf();
  const x = blobs(60, 6);
  const edges = fuzzyGraph(knnSelf(tf, matrix(x, 60, 8), 5), 3);
  const { a, b } = fitAB(0.1, 1);
  const p = new Projector({ input: 8, encoder: [16], decoder: [], groups: 8 }, createRng(2));
  // minImprovement 10: no round can improve that much, so after the first round (nothing to compare
  // with) it stops after `patience` stale rounds.
  const r = train(tf, p, { x, rows: 60, m: 8, edges }, { a, b, deadline: Infinity, batch: 32, maxStepsPerRound: 2, minImprovement: 10, patience: 3, rng: createRng(1) });
  t.is(r.stoppedBy, 'early');
  t.is(r.rounds, 4);
  t.is(r.steps, 8);
});
