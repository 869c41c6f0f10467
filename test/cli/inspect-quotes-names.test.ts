/** inspect printed "producers 0" for one producer named "0", which reads as a count: names are quoted. */
import test from 'ava';
import { formatSummary, type RecordingSummary } from '../../src/cli/inspect.js';

test('inspect quotes run, layer, model, producer and class names, and counts producers', (t) => {
  const s: RecordingSummary = {
    file: 'r.scamrec',
    version: 2,
    frames: 3,
    rejected: 0,
    lost: 0,
    truncatedBytes: 0,
    damage: { entries: 0, bytes: 0, places: 0, regions: [], epochs: [] },
    runs: [{ run: '0', layer: 'fc 1', dim: 4, model: 'm', producers: ['0'], classes: ['a, b', 'c'], epochs: [], ended: true }],
  };
  const text = formatSummary(s);
  t.regex(text, /^producers 1: "0"$/m);
  t.regex(text, /^run {7}"0"$/m);
  t.regex(text, /^layer {5}"fc 1" of "m"$/m);
  t.regex(text, /^classes {3}2: "a, b", "c"$/m, 'a comma inside a name stays readable');
});
