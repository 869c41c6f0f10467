/**
 * `sentrycam inspect FILE --id N --json`: one sample's layout positions, label, prediction and
 * raw-space neighbours per epoch, from a recording projected with fixed work and a seed; the exact
 * output on a committed fixture is pinned here (same file + seed + options = same bytes).
 */
import test from 'ava';
import { formatHistory, type SampleHistory } from '../../src/inspect/sample-history.js';
import { ROOT, runCli } from './cli-process.js';

const FIXTURE = 'fixtures/runs/torch-mlp-digits-narrow-lr-s2.scamrec.gz';

/**
 * Produced by: SENTRYCAM_FROM_SOURCE=1 node bin/sentrycam.js inspect fixtures/runs/torch-mlp-digits-narrow-lr-s2.scamrec.gz --id 572 --max-epoch 2 --json
 * (twice, identical). A change to the engine moves the positions: regenerate with that command; the
 * neighbours (raw space) do not depend on the engine.
 */
const EXPECTED =
  '{"file":"fixtures/runs/torch-mlp-digits-narrow-lr-s2.scamrec.gz","run":"torch-mlp-digits-narrow-lr-s2","id":572,"seed":1,"k":5,"epochs":[' +
  '{"epoch":0,"split":"train","label":1,"pred":2,"x":-1.2724,"y":4.9928,"moved":null,"neighbours":[{"id":468,"label":6,"dist":0.2948},{"id":1668,"label":1,"dist":0.3322},{"id":188,"label":6,"dist":0.343},{"id":136,"label":6,"dist":0.4094},{"id":600,"label":2,"dist":0.411}]},' +
  '{"epoch":1,"split":"train","label":1,"pred":6,"x":-1.8756,"y":4.648,"moved":0.6948,"neighbours":[{"id":188,"label":6,"dist":1.1485},{"id":136,"label":6,"dist":1.2605},{"id":344,"label":6,"dist":1.2797},{"id":1092,"label":6,"dist":1.3524},{"id":968,"label":6,"dist":1.4639}]},' +
  '{"epoch":2,"split":"train","label":1,"pred":6,"x":-0.8367,"y":4.3391,"moved":1.0839,"neighbours":[{"id":1668,"label":1,"dist":2.3661},{"id":1688,"label":1,"dist":2.7514},{"id":188,"label":6,"dist":3.5757},{"id":136,"label":6,"dist":3.6461},{"id":872,"label":8,"dist":3.6884}]}' +
  '],"absent":[]}\n';

test('inspect --id --json: the exact per-epoch history of one sample on a fixture', async (t) => {
  const p = runCli(['inspect', FIXTURE, '--id', '572', '--max-epoch', '2', '--json'], ROOT);
  t.is(await p.exit(300_000), 0, p.stderr());
  t.is(p.stdout(), EXPECTED);
  // The text form of the same facts, one line per epoch.
  t.deepEqual(formatHistory(JSON.parse(EXPECTED) as SampleHistory).split('\n'), [
    `${FIXTURE}: run torch-mlp-digits-narrow-lr-s2, sample 572 (seed 1, 5 raw-space neighbours)`,
    '',
    '   epoch split   label    pred       x       y   moved  neighbour labels',
    '       0 train       1       2 -1.2724  4.9928       -  6 1 6 6 2',
    '       1 train       1       6 -1.8756  4.6480  0.6948  6 6 6 6 6',
    '       2 train       1       6 -0.8367  4.3391  1.0839  1 1 6 6 8',
  ]);
});

test('inspect --id: an unknown run or id, or a bad --k, is an error naming it', async (t) => {
  const run = runCli(['inspect', FIXTURE, '--id', '572', '--run', 'nope'], ROOT);
  t.is(await run.exit(120_000), 1);
  t.regex(run.stderr(), /no run "nope"; it has "torch-mlp-digits-narrow-lr-s2"/);
  const id = runCli(['inspect', FIXTURE, '--id', '5', '--max-epoch', '0'], ROOT);
  t.is(await id.exit(120_000), 1);
  t.regex(id.stderr(), /run "torch-mlp-digits-narrow-lr-s2" has no sample with id 5/);
  const k = runCli(['inspect', FIXTURE, '--id', '5', '--k', '0'], ROOT);
  t.is(await k.exit(60_000), 1);
  t.regex(k.stderr(), /--k must be an integer from 1 to 100, got 0/);
  const noId = runCli(['inspect', FIXTURE, '--run', 'x'], ROOT);
  t.is(await noId.exit(60_000), 1);
  t.regex(noId.stderr(), /--run and --max-epoch choose what --id looks at: give --id N too/);
});
