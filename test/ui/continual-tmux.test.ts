/**
 * End to end in a real terminal (tmux): the continual demo's recording replayed on the dashboard
 * with the forgetting alert on. The task view (key T: colour by task, legend "task 0/1", the task
 * boundary under the loss curves); the alert log: [ selects alerts, Enter shows the forgetting
 * alert's whole message and evidence, g goes to its epoch, Esc closes.
 */
import test from 'ava';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { computeLayout, type Rect } from '../../src/ui/layout-math.js';
import { TmuxSession } from './fixtures/tmux.js';
import { requireSystem } from '../helpers/system.js';

requireSystem(['tmux']);

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURE = join(ROOT, 'fixtures/runs/demo-continual-s1.scamrec.gz');
const region = (lines: string[], r: Rect): string[] =>
  lines.slice(r.top, r.top + r.height).map((l) => [...l.padEnd(r.left + r.width)].slice(r.left, r.left + r.width).join(''));

test.serial('continual replay: task colouring, task boundary, forgetting alert selected, read whole and jumped to', async (t) => {
  const s = new TmuxSession(['node', 'bin/sentrycam.js', 'replay', '--speed', '0', '--alert-forgetting', '--budget-ms', '300', FIXTURE], {
    cols: 120,
    rows: 40,
    term: 'xterm-256color',
    cwd: ROOT,
  });
  t.teardown(() => s.kill());
  const L = computeLayout(120, 40, 10);
  await s.waitFor('the whole run laid out', (l) => l[0].includes('epoch 11/11') && l[0].includes('(ended)') && l.join('\n').includes('forgetting e'), 300_000);

  s.send('T');
  const task = await s.waitFor('colour by task', (l) => (l[L.scatter!.top] ?? '').includes('· task') && region(l, L.legend!).join('\n').includes('task 1'));
  const legend = region(task, L.legend!).join('\n');
  t.true(legend.includes('task 0') && legend.includes('task 1'));
  t.false(legend.includes('5'), 'no class names while colouring by task');
  t.true(task[0].includes('task 1'), 'the status line names the task trained');
  // The boundary: task 1's number on the loss panel's axis row.
  const loss = region(task, L.loss!);
  if (process.env.SCAM_CAPTURE) console.log(task.join('\n'));
  t.true(loss.some((row) => row.includes('┊')), `a dotted task boundary through the curves:\n${loss.join('\n')}`);

  // Select older alerts until the forgetting one is highlighted.
  // Each press waits for the selection to move: a screen not yet redrawn would count a press twice
  // and step past the alert (fault seen under load).
  let selected: string[] = [];
  let before: string | undefined;
  const selectedRow = (l: string[]) => region(l, L.alerts!).find((row) => row.includes('>'));
  for (let i = 0; i < 12; i++) {
    s.send('[');
    selected = await s.waitFor('the selection to move', (l) => selectedRow(l) !== undefined && selectedRow(l) !== before);
    before = selectedRow(selected);
    if (before!.includes('forgetting')) break;
  }
  t.true(region(selected, L.alerts!).some((row) => row.includes('>') && row.includes('forgetting')), region(selected, L.alerts!).join('\n'));
  s.send('Enter');
  const box = (await s.waitFor('the alert box', (l) => l.join('\n').includes('evidence:'))).join('\n');
  t.regex(box, /task 0 is being forgotten: since it ended \(epoch 5\)/);
  t.regex(box, /when it ended\)/, 'the message is shown whole, past the panel width');
  for (const field of ['task: 0', 'ended_epoch: 5', 'drift:', 'mix:', 'mix_before:', 'k: 10']) t.true(box.includes(field), field);
  const epoch = /g: go to epoch (\d+)/.exec(box)?.[1];
  t.truthy(epoch);
  s.send('g');
  await s.waitFor(`epoch ${epoch} shown`, (l) => l[0].includes('HISTORY') && l[0].includes(`epoch ${epoch}/11`));
  s.send('Escape');
  await s.waitFor('the box closed', (l) => !l.join('\n').includes('evidence:'));
  s.send('q');
  await s.waitFor('the exit status', (l) => l.join('\n').includes('EXIT='), 60_000);
  t.true(s.capture().join('\n').includes('EXIT=0'));
});
