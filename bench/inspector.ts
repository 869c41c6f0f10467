/**
 * Benchmark the point inspector on the dashboard (10k points, 160x48, 30 stored epochs):
 * - `plain_redraw_ms`: the same full frame outside select mode (the baseline), median over 15.
 * - `select_redraw_ms`: a full frame in select mode with a trajectory drawn, median over 15 frames
 *   of the same layout (the facts are cached per layout and sample).
 * - `new_epoch_select_redraw_ms`: the first frame of each new layout in select mode (the facts are
 *   computed afresh: the moved-most list sorts every point), median over 15.
 * - `raw_copy_ms`: keeping one epoch's raw rows for the neighbours (10k x 64 float32), median over 15.
 * Run alone with `npx tsx bench/inspector.ts` (prints a JSON object).
 */
import type { EpochSet } from '../src/model/epoch-data.js';
import { Dashboard } from '../src/ui/dashboard.js';
import { OffscreenInput, OffscreenOutput } from '../test/helpers/offscreen-terminal.js';
import { benchLayout, preamble } from './ui.js';

const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const round = (v: number): number => Math.round(v * 100) / 100;

function main(): Record<string, number> {
  const input = new OffscreenInput();
  const dash = new Dashboard({ input, output: new OffscreenOutput(160, 48, false), terminal: 'xterm-256color', env: {}, ascii: false });
  try {
    for (const e of preamble()) dash.handle(e);
    for (let e = 1; e <= 30; e++) dash.handle({ event: 'layout', layout: benchLayout(e) });
    const frames = (): number => {
      const times: number[] = [];
      for (let k = 0; k < 18; k++) {
        const t0 = performance.now();
        dash.renderNow(true);
        if (k >= 3) times.push(performance.now() - t0);
      }
      return median(times);
    };
    const plain = frames();
    input.write('i');
    const steady = frames();
    const fresh: number[] = [];
    for (let k = 0; k < 18; k++) {
      dash.handle({ event: 'layout', layout: benchLayout(31 + k) });
      const t0 = performance.now();
      dash.renderNow(true);
      if (k >= 3) fresh.push(performance.now() - t0);
    }
    const n = 10_000;
    const dim = 64;
    const copies: number[] = [];
    for (let k = 0; k < 18; k++) {
      const set: EpochSet = { run: 'bench', epoch: 100 + k, splits: [{ run: 'bench', epoch: 100 + k, split: 'train', n, dim, x: new Float32Array(n * dim), ids: Float64Array.from({ length: n }, (_, i) => i), labels: new Int32Array(n) }] };
      const t0 = performance.now();
      dash.noteEpochSet(set);
      if (k >= 3) copies.push(performance.now() - t0);
    }
    return { plain_redraw_ms: round(plain), select_redraw_ms: round(steady), new_epoch_select_redraw_ms: round(median(fresh)), raw_copy_ms: round(median(copies)) };
  } finally {
    dash.close();
  }
}

console.log(JSON.stringify(main()));
