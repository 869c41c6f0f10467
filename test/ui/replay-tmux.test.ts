/**
 * `sentrycam replay FILE` on a terminal opens the dashboard: replayed in tmux, the pane shows the
 * projected scatter, legend, loss, metrics and the rejected frame in the alert log; it survives a
 * resize; q exits 0 with the terminal restored. Also every recording in fixtures/ replays.
 */
import test from 'ava';
import { mkdtempSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { computeLayout, type Rect } from '../../src/ui/layout-math.js';
import { REC_CLASSES, REC_EPOCHS, REC_RUN, writeFixtureRecording } from './fixtures/make-recording.js';
import { TmuxSession } from './fixtures/tmux.js';
import { requireSystem } from '../helpers/system.js';
import { countBrailleCells, countBrailleDots } from '../helpers/braille-count.js';

requireSystem(['tmux']);

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const region = (lines: string[], r: Rect): string[] =>
  lines.slice(r.top, r.top + r.height).map((l) => [...l.padEnd(r.left + r.width)].slice(r.left, r.left + r.width).join(''));

test.serial('replay of a recording on a terminal: dashboard with every panel, resize, quit', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'scam-replay-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'fixture.scamrec');
  writeFixtureRecording(file);
  const s = new TmuxSession(['node', 'bin/sentrycam.js', 'replay', file], { cols: 120, rows: 40, term: 'xterm-256color', cwd: ROOT });
  t.teardown(() => s.kill());
  const L = computeLayout(120, 40, REC_CLASSES.length);
  // The engine projects three epochs (about a second each): allow for a loaded machine.
  const lines = await s.waitFor(
    `epoch ${REC_EPOCHS} and the end of the run`,
    (l) =>
      l[0].includes(`epoch ${REC_EPOCHS}/${REC_EPOCHS}`) &&
      l[0].includes('(ended)') &&
      l.join('\n').includes('bad_magic') &&
      // The last row is complete: the frame is fully out.
      /^└─+┘└─+┘$/.test(l[39] ?? ''),
    120_000,
  );
  t.true(lines[0].includes(`run ${REC_RUN}`));
  t.true(lines[0].includes('layer fc2'));
  t.true(lines[L.scatter!.top].includes(`scatter e${REC_EPOCHS} · 400 pts`));
  // Dots, not cells: the four classes of this recording lie far apart, and when the engine's clock
  // leaves it few refinement epochs (a loaded machine) each class can shrink to a handful of cells
  // (a full npm test once drew the 400 points in fewer than 30 cells, about 120 dots).
  t.true(countBrailleDots(region(lines, L.scatter!).join('')) >= 60, 'projected points drawn as braille');
  const legend = region(lines, L.legend!).join('\n');
  REC_CLASSES.forEach((c, i) => t.true(legend.includes(`${i} ${c}`), c));
  t.regex(region(lines, L.metrics!).join('\n'), /nn15 +0\.\d{3}/);
  t.regex(region(lines, L.loss!).join('\n'), /train 0\.5000/);
  t.regex(region(lines, L.loss!).join('\n'), /val 0\.5500/);
  const alerts = region(lines, L.alerts!);
  t.regex(alerts[1], /\d\d:\d\d:\d\d i run replay-run ended/, 'newest first');
  t.regex(alerts[2], /W reject bad_magic/);

  s.resize(80, 24);
  const S = computeLayout(80, 24, REC_CLASSES.length);
  const small = await s.waitFor('the 80x24 layout', (l) => l.length === 24 && l[S.loss!.top]?.includes('┌ loss') && /^└─+┘└─+┘$/.test(l[23] ?? ''));
  t.true(countBrailleDots(region(small, S.scatter!).join('')) >= 30);
  t.true(region(small, S.alerts!).join('\n').includes('run replay-run ended'));

  s.send('q');
  await s.waitFor('the exit status', (l) => l.join('\n').includes('EXIT='));
  t.true(s.capture().join('\n').includes('EXIT=0'));
  t.is(s.format('#{alternate_on}'), '0');
});

const FIXTURES = join(ROOT, 'fixtures');
const recordings = existsSync(FIXTURES) ? readdirSync(FIXTURES).filter((f) => f.endsWith('.scamrec')).sort() : [];
for (const name of recordings) {
  test.serial(`fixtures/${name} replays on the dashboard`, async (t) => {
    const s = new TmuxSession(['node', 'bin/sentrycam.js', 'replay', '--speed', '0', join(FIXTURES, name)], {
      cols: 120,
      rows: 40,
      term: 'xterm-256color',
      cwd: ROOT,
    });
    t.teardown(() => s.kill());
    const L = computeLayout(120, 40);
    const lines = await s.waitFor('a projected epoch', (l) => /scatter e\d+ · \d+ pts/.test(l[L.scatter!.top] ?? ''), 180_000);
    t.regex(lines[0], /run \S+/);
    t.true(countBrailleCells(lines.join('')) > 0, 'braille dots');
    s.send('q');
    await s.waitFor('the exit status', (l) => l.join('\n').includes('EXIT='), 60_000);
    t.true(s.capture().join('\n').includes('EXIT=0'));
    t.is(s.format('#{alternate_on}'), '0');
  });
}
