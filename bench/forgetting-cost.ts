/**
 * Cost of the forgetting signal's exact k-NN mix share on the receiving thread, per epoch:
 *   npx tsx bench/forgetting-cost.ts [ROWS] [DIM]
 */
import { mixShares } from '../src/audit/forgetting.js';

const n = Number(process.argv[2] ?? 256);
const d = Number(process.argv[3] ?? 64);
// Fixed pseudo-random values: the cost does not depend on them.
const x = Float32Array.from({ length: n * d }, (_, i) => (Math.sin(i * 12.9898) * 43758.5453) % 1);
const tasks = Int32Array.from({ length: n }, (_, i) => i % 2);
mixShares(x, tasks, d);
const t0 = performance.now();
const reps = 5;
for (let r = 0; r < reps; r++) mixShares(x, tasks, d);
console.log(`${n} rows x ${d}-D: ${((performance.now() - t0) / reps).toFixed(1)} ms per epoch`);
