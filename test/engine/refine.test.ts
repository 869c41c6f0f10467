import test from 'ava';
import { fitAB, refineLayout } from '../../src/engine/refine.js';
import type { EdgeList } from '../../src/engine/fuzzy-graph.js';
import { createRng } from '../../src/util/random.js';

test('fitAB reproduces UMAP\'s curve parameters for min_dist 0.1, spread 1', (t) => {
  const { a, b } = fitAB(0.1, 1);
  t.true(Math.abs(a - 1.577) < 0.01, `a = ${a}`);
  t.true(Math.abs(b - 0.895) < 0.01, `b = ${b}`);
  t.throws(() => fitAB(1, 1), { message: /minDist < spread/ });
});

/** Two cliques of 20 vertices, no edges between them. */
function twoCliques(): EdgeList {
  const from: number[] = [];
  const to: number[] = [];
  for (const base of [0, 20]) for (let i = 0; i < 20; i++) for (let j = i + 1; j < 20; j++) {
    from.push(base + i);
    to.push(base + j);
  }
  return { n: 40, from: Int32Array.from(from), to: Int32Array.from(to), weight: new Float32Array(from.length).fill(1) };
}

test('refinement separates two disconnected cliques that start mixed, and is seeded', (t) => {
  const g = twoCliques();
  const r = createRng(1);
  const init = Float32Array.from({ length: 80 }, () => r.normal());
  const a = init.slice();
  const res = refineLayout(a, g, createRng(2), { a: 1.577, b: 0.895, epochs: 200, alpha: 1 });
  t.is(res.epochs, 200);
  const centre = (lo: number) => {
    let x = 0, y = 0;
    for (let i = lo; i < lo + 20; i++) { x += a[2 * i]; y += a[2 * i + 1]; }
    return [x / 20, y / 20];
  };
  const c0 = centre(0);
  const c1 = centre(20);
  let spread = 0;
  for (let i = 0; i < 40; i++) {
    const c = i < 20 ? c0 : c1;
    spread += Math.hypot(a[2 * i] - c[0], a[2 * i + 1] - c[1]) / 40;
  }
  t.true(Math.hypot(c0[0] - c1[0], c0[1] - c1[1]) > 3 * spread, `gap ${Math.hypot(c0[0] - c1[0], c0[1] - c1[1])}, spread ${spread}`);
  const b = init.slice();
  refineLayout(b, g, createRng(2), { a: 1.577, b: 0.895, epochs: 200, alpha: 1 });
  t.deepEqual([...a], [...b]);
});

test('a deadline in the past still runs the minimum epochs; bad sizes are refused', (t) => {
  const g = twoCliques();
  const p = new Float32Array(80).map((_, i) => i);
  t.is(refineLayout(p, g, createRng(1), { a: 1.577, b: 0.895, epochs: 50, alpha: 1, deadline: 0, minEpochs: 3 }).epochs, 3);
  t.is(refineLayout(p, g, createRng(1), { a: 1.577, b: 0.895, epochs: 50, alpha: 1, deadline: 0 }).epochs, 0);
  t.throws(() => refineLayout(new Float32Array(10), g, createRng(1), { a: 1, b: 1, epochs: 1, alpha: 1 }), { message: /positions hold 5 points, graph has 40/ });
});

test('fault: a short warm refinement never visited edges longer than its run; from a random phase it visits them in proportion', (t) => {
  // Edge (2,3) has period 100 epochs; a 10-epoch run from phase 0 never touches points 2 and 3.
  const graph: EdgeList = { n: 4, from: Int32Array.from([0, 2]), to: Int32Array.from([1, 3]), weight: Float32Array.from([1, 0.01]) };
  const start = Float32Array.from([0, 0, 1, 0, 5, 5, 6, 5]);
  const visited = (randomPhase: boolean, seed: number): boolean => {
    const pos = start.slice();
    refineLayout(pos, graph, createRng(seed), { a: 1.58, b: 0.9, epochs: 10, alpha: 0.1, randomPhase });
    return pos[4] !== start[4] || pos[5] !== start[5] || pos[6] !== start[6] || pos[7] !== start[7];
  };
  let fromZero = 0;
  let fromRandom = 0;
  for (let seed = 1; seed <= 200; seed++) {
    if (visited(false, seed)) fromZero++;
    if (visited(true, seed)) fromRandom++;
  }
  t.is(fromZero, 0);
  // Expected 10/100 of the runs: 20 of 200 (binomial sd ~4.2).
  t.true(fromRandom >= 8 && fromRandom <= 34, `visited in ${fromRandom} of 200 runs`);
});

test('held points never move; the others still follow the graph (settling into a shown layout)', (t) => {
  const g = twoCliques();
  const r = createRng(3);
  // Clique 0 (points 0..19) held around (0, 0), points 20..29 of clique 1 held around (10, 0); its
  // free points 30..39 start among clique 0.
  const init = Float32Array.from({ length: 80 }, (_, c) => (c % 2 === 0 && c >= 40 && c < 60 ? 10 : 0) + 0.3 * r.normal());
  const held = init.slice();
  refineLayout(held, g, createRng(2), { a: 1.577, b: 0.895, epochs: 100, alpha: 1, fixed: 30 });
  t.deepEqual([...held.subarray(0, 60)], [...init.subarray(0, 60)]);
  for (let i = 30; i < 40; i++) t.true(Math.hypot(held[2 * i] - 10, held[2 * i + 1]) < 2, `point ${i} at ${held[2 * i]}, ${held[2 * i + 1]}`);
});
