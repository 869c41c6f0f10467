/**
 * CIFAR-size bench (issue 12): 50,000 train + 10,000 test points per epoch at D = 512 (and 768,
 * ViT-B's width), drifting clusters with real local structure (bench/manifold-stream.ts), through
 * the engine in its worker thread as the monitor runs it (EngineClient, default options, seed 1 as
 * the command line's). Each part runs in its own child process, so its peak RSS is its own:
 * - engine 512: 4 epochs; scale_cold_ms (epoch 0), scale_update_ms_p50 / _p95 (the warm epochs),
 *   scale_place_ms (median of phases_ms.place over the warm epochs: the 10,000 test points),
 *   scale_live_nn15 and scale_test_nn15 (the live metrics of the last epoch: 64 query rows each at
 *   this size), scale_stability (mean over the warm epochs of the mean
 *   displacement of the same ids over the layout's diameter), scale_update_cpu_ms_p50 and
 *   scale_cold_cpu_ms (CPU time of the process during those updates: on a shared machine wall time
 *   stretches with the load, CPU time much less), scale_rss_mb (peak RSS of the
 *   process: the worker, the engine's state and the epoch being generated);
 * - engine 768: the same stream at D = 768, 4 epochs: scale768_update_ms_p50;
 * - umap: one umap-js fit of the last epoch's train split (the slow part: minutes); the engine's
 *   layout of that epoch and umap-js's are scored the same way, 200 seeded query rows against their
 *   exact raw 512-D neighbours: scale_nn15, scale_umap_nn15, and scale_umap_fit_ms.
 * The epochs follow one another as fast as the generator allows (~5 s of generation between them,
 * during which the worker idles-trains the projector, as it would between real epochs).
 * Run only this part: `npm run bench -- scale`, or `npx tsx bench/scale.ts` (JSON on the last line).
 * `NO_POLISH=1 npx tsx bench/scale.ts engine 512` runs the engine part without idle polishing
 * (docs/engine-choices.md#idle-polish); `ENGINE_OPTS='{"graphMinColumns":8}'` passes engine options to
 * the engine parts, `SCALE_QUERIES=1000` scores the umap part on more query rows than 200.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

/** The engine part: EPOCHS epochs through the worker, one at a time; the last train layout goes to `out`. */
async function engineRun(dim: number, out?: string): Promise<Fields> {
  const stream = new ManifoldStream({ n: POINTS, dim, seed: STREAM_SEED, run: RUN });
  let waiting: { resolve: (l: EpochLayout) => void; reject: (e: Error) => void } | undefined;
  const extra = JSON.parse(process.env.ENGINE_OPTS ?? '{}') as Record<string, unknown>;
  const client = new EngineClient({ ...engineOptionsOf({ seed: SEED, budgetMs: BUDGET_MS }), idlePolish: !process.env.NO_POLISH, ...extra }, {
    onLayout: (l) => waiting?.resolve(l),
    onSkipped: (run, epoch) => waiting?.reject(new Error(`epoch ${epoch} of ${run} skipped`)),
    onState: () => {},
    onError: (err) => waiting?.reject(err),
  });
  const layouts: EpochLayout[] = [];
  const cpuMs: number[] = [];
  try {
    for (let t = 0; t < EPOCHS; t++) {
      const splits = stream.next();
      const done = new Promise<EpochLayout>((resolve, reject) => (waiting = { resolve, reject }));
      // CPU of the whole process while the worker updates (the main thread only waits): on a shared
      // machine wall time stretches with the load, CPU time much less.
      const c0 = process.cpuUsage();
      client.submit({ run: RUN, epoch: t, splits });
      const l = await done;
      const c = process.cpuUsage(c0);
      cpuMs.push((c.user + c.system) / 1000);
      const m = l.metrics;
      process.stderr.write(`scale ${dim}: epoch ${t} ${m.update_ms.toFixed(0)} ms (cpu ${cpuMs[t].toFixed(0)} ms) nn15 ${m.nn15.toFixed(3)} test ${m.test_nn15?.toFixed(3)} stab ${m.stability?.toFixed(4)} | ${Object.entries(m.phases_ms ?? {}).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')}\n`);
      layouts.push(l);
    }
  } finally {
    await client.close();
  }
  const warm = layouts.slice(1).map((l) => l.metrics);
  const lastLayout = layouts[layouts.length - 1];
  const last = lastLayout.metrics;
  // Train points come first, in the order they were sent.
  if (out) writeFileSync(out, lastLayout.positions.subarray(0, 2 * (POINTS - POINTS / 6)));
  return {
    update_ms_p50: quantile(warm.map((m) => m.update_ms), 0.5),
    update_ms_p95: quantile(warm.map((m) => m.update_ms), 0.95),
    cold_ms: layouts[0].metrics.update_ms,
    update_cpu_ms_p50: quantile(cpuMs.slice(1), 0.5),
    cold_cpu_ms: cpuMs[0],
    place_ms: quantile(warm.map((m) => m.phases_ms?.place ?? NaN), 0.5),
    live_nn15: last.nn15,
    test_nn15: last.test_nn15 ?? NaN,
    stability: mean(warm.map((m) => m.stability ?? NaN)),
    rss_mb: process.resourceUsage().maxRSS / 1024,
  };
}

/** The umap-js part: one fit of the last epoch's train split, scored beside the engine's layout in `engineLayout`. */
async function umapRun(dim: number, engineLayout: string): Promise<Fields> {
  const stream = new ManifoldStream({ n: POINTS, dim, seed: STREAM_SEED, run: RUN });
  let train = stream.next()[0];
  for (let t = 1; t < EPOCHS; t++) train = stream.next()[0];
  const fit = umapFit(train.x, train.n, dim, { seed: deriveSeed(SEED, 'umap', RUN, EPOCHS - 1) });
  const { tf } = await initTf();
  const queries = metricQueryRows(SEED, RUN, train.n, Number(process.env.SCALE_QUERIES ?? 200));
  const buf = readFileSync(engineLayout);
  const ours = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
  const [engine, umap] = scoreLayouts(tf, matrix(train.x, train.n, dim), [ours, fit.positions], 15, queries);
  return { nn15: engine.nn, umap_nn15: umap.nn, umap_fit_ms: fit.ms };
}

/** Run one part in a child process; its JSON is the last line of its stdout. */
function child(part: 'engine' | 'umap', dim: number, file = ''): Promise<Fields> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', SELF, part, String(dim), file], { stdio: ['ignore', 'pipe', 'inherit'] });
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
  const dir = mkdtempSync(join(tmpdir(), 'scam-bench-scale-'));
  const layoutFile = join(dir, 'layout.f32');
  let e512: Fields, e768: Fields, u: Fields;
  try {
    e512 = await child('engine', 512, layoutFile);
    e768 = await child('engine', 768);
    u = await child('umap', 512, layoutFile);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    scale_update_ms_p50: e512.update_ms_p50,
    scale_update_ms_p95: e512.update_ms_p95,
    scale_cold_ms: e512.cold_ms,
    scale_update_cpu_ms_p50: e512.update_cpu_ms_p50,
    scale_cold_cpu_ms: e512.cold_cpu_ms,
    scale_place_ms: e512.place_ms,
    scale_nn15: u.nn15,
    scale_live_nn15: e512.live_nn15,
    scale_umap_nn15: u.umap_nn15,
    scale_umap_fit_ms: u.umap_fit_ms,
    scale_test_nn15: e512.test_nn15,
    scale_stability: e512.stability,
    scale_rss_mb: e512.rss_mb,
    scale768_update_ms_p50: e768.update_ms_p50,
    scale768_update_cpu_ms_p50: e768.update_cpu_ms_p50,
    scale768_cold_ms: e768.cold_ms,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [part, dim, file] = process.argv.slice(2);
  const result = part === 'engine' ? await engineRun(Number(dim), file || undefined) : part === 'umap' ? await umapRun(Number(dim), file) : await benchScale();
  process.stdout.write(JSON.stringify(result) + '\n');
}
