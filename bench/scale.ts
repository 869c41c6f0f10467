/**
 * CIFAR-size bench (issue 12): 50,000 train + 10,000 test points per epoch at D = 512 (and 768,
 * ViT-B's width), drifting clusters with real local structure (bench/manifold-stream.ts), through
 * the engine in its worker thread as the monitor runs it (EngineClient, default options, seed 1 as
 * the command line's). Each part runs in its own child process, so its peak RSS is its own:
 * - engine 512: 4 epochs; scale_cold_ms (epoch 0), scale_update_ms_p50 / _p95 (the warm epochs),
 *   scale_place_ms (median of phases_ms.place over the warm epochs: the 10,000 test points),
 *   scale_nn15 (the live nn15 of the last epoch: 200 seeded query rows against their exact raw
 *   512-D neighbours), scale_test_nn15, scale_stability (mean over the warm epochs of the mean
 *   displacement of the same ids over the layout's diameter), scale_rss_mb (peak RSS of the
 *   process: the worker, the engine's state and the epoch being generated);
 * - engine 768: the same stream at D = 768, 4 epochs: scale768_update_ms_p50;
 * - umap: one umap-js fit of the last epoch's train split (the slow part: minutes), scored on the
 *   same query rows: scale_umap_nn15, scale_umap_fit_ms.
 * The epochs follow one another as fast as the generator allows (~5 s of generation between them,
 * during which the worker idles-trains the projector, as it would between real epochs).
 * Run only this part: `npm run bench -- scale`, or `npx tsx bench/scale.ts` (JSON on the last line).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { EngineClient } from '../src/engine-thread/engine-client.js';
import { engineOptionsOf } from '../src/engine-thread/engine-factory.js';
import type { EpochLayout } from '../src/model/epoch-layout.js';
import { initTf } from '../src/tf/backend.js';
import { matrix } from '../src/engine/knn.js';
import { metricQueryRows, scoreLayouts } from '../src/engine/metrics.js';
import { umapFit } from '../src/eval/umap-baseline.js';
import { deriveSeed } from '../src/util/random.js';
import { ManifoldStream } from './manifold-stream.js';
import { mean, quantile } from './engine.js';

const SELF = fileURLToPath(import.meta.url);
/** 50,000 train + 10,000 test (testShare 1/6). */
const POINTS = 60_000;
const EPOCHS = 4;
/** The command line's default seed and budget. */
const SEED = 1;
const BUDGET_MS = 1000;
const STREAM_SEED = 7;
const RUN = 'scale';

/** One part's fields (numbers only). */
type Fields = Record<string, number>;

/** The engine part: EPOCHS epochs through the worker, one at a time. */
async function engineRun(dim: number): Promise<Fields> {
  const stream = new ManifoldStream({ n: POINTS, dim, seed: STREAM_SEED, run: RUN });
  let waiting: { resolve: (l: EpochLayout) => void; reject: (e: Error) => void } | undefined;
  const client = new EngineClient(engineOptionsOf({ seed: SEED, budgetMs: BUDGET_MS }), {
    onLayout: (l) => waiting?.resolve(l),
    onSkipped: (run, epoch) => waiting?.reject(new Error(`epoch ${epoch} of ${run} skipped`)),
    onState: () => {},
    onError: (err) => waiting?.reject(err),
  });
  const layouts: EpochLayout[] = [];
  try {
    for (let t = 0; t < EPOCHS; t++) {
      const splits = stream.next();
      const done = new Promise<EpochLayout>((resolve, reject) => (waiting = { resolve, reject }));
      client.submit({ run: RUN, epoch: t, splits });
      const l = await done;
      const m = l.metrics;
      process.stderr.write(`scale ${dim}: epoch ${t} ${m.update_ms.toFixed(0)} ms nn15 ${m.nn15.toFixed(3)} test ${m.test_nn15?.toFixed(3)} stab ${m.stability?.toFixed(4)} | ${Object.entries(m.phases_ms ?? {}).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')}\n`);
      layouts.push(l);
    }
  } finally {
    await client.close();
  }
  const warm = layouts.slice(1).map((l) => l.metrics);
  const last = layouts[layouts.length - 1].metrics;
  return {
    update_ms_p50: quantile(warm.map((m) => m.update_ms), 0.5),
    update_ms_p95: quantile(warm.map((m) => m.update_ms), 0.95),
    cold_ms: layouts[0].metrics.update_ms,
    place_ms: quantile(warm.map((m) => m.phases_ms?.place ?? NaN), 0.5),
    nn15: last.nn15,
    test_nn15: last.test_nn15 ?? NaN,
    stability: mean(warm.map((m) => m.stability ?? NaN)),
    rss_mb: process.resourceUsage().maxRSS / 1024,
  };
}

/** The umap-js part: one fit of the last epoch's train split, scored like the live nn15. */
async function umapRun(dim: number): Promise<Fields> {
  const stream = new ManifoldStream({ n: POINTS, dim, seed: STREAM_SEED, run: RUN });
  let train = stream.next()[0];
  for (let t = 1; t < EPOCHS; t++) train = stream.next()[0];
  const fit = umapFit(train.x, train.n, dim, { seed: deriveSeed(SEED, 'umap', RUN, EPOCHS - 1) });
  const { tf } = await initTf();
  const queries = metricQueryRows(SEED, RUN, train.n, 200);
  const [score] = scoreLayouts(tf, matrix(train.x, train.n, dim), [fit.positions], 15, queries);
  return { umap_nn15: score.nn, umap_fit_ms: fit.ms };
}

/** Run one part in a child process; its JSON is the last line of its stdout. */
function child(part: 'engine' | 'umap', dim: number): Promise<Fields> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', SELF, part, String(dim)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.on('error', reject);
    p.on('exit', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0) reject(new Error(`bench/scale.ts ${part} ${dim} exited with ${code}`));
      else resolve(JSON.parse(last) as Fields);
    });
  });
}

/** The bench's fields (see the header). */
export async function benchScale(): Promise<Fields> {
  const e512 = await child('engine', 512);
  const e768 = await child('engine', 768);
  const u = await child('umap', 512);
  return {
    scale_update_ms_p50: e512.update_ms_p50,
    scale_update_ms_p95: e512.update_ms_p95,
    scale_cold_ms: e512.cold_ms,
    scale_place_ms: e512.place_ms,
    scale_nn15: e512.nn15,
    scale_umap_nn15: u.umap_nn15,
    scale_umap_fit_ms: u.umap_fit_ms,
    scale_test_nn15: e512.test_nn15,
    scale_stability: e512.stability,
    scale_rss_mb: e512.rss_mb,
    scale768_update_ms_p50: e768.update_ms_p50,
    scale768_cold_ms: e768.cold_ms,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [part, dim] = process.argv.slice(2);
  const result = part === 'engine' ? await engineRun(Number(dim)) : part === 'umap' ? await umapRun(Number(dim)) : await benchScale();
  process.stdout.write(JSON.stringify(result) + '\n');
}
