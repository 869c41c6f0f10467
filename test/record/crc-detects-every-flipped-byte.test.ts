/**
 * Fault: in format 1, 34 of 36 single flipped bytes went undetected (one became a false critical
 * collapse alert on replay). Format 2 puts every byte of an entry under a CRC-32: each single
 * flipped byte, in the header or the frame, costs exactly that entry, is reported with the epochs
 * it may have touched, and every other frame comes through intact.
 */
import test from 'ava';
import { parseRecording } from '../../src/sources/recording-reader.js';
import { ENTRY_HEADER_BYTES } from '../../src/protocol/recording-format.js';
import { entryStarts, runFrames, v2Bytes } from './helpers.js';

const frames = runFrames('r', 4); // hello, 4 x (batch, epoch_end), end
const clean = v2Bytes(frames);
const starts = entryStarts(frames, ENTRY_HEADER_BYTES);

/** Sampled entries (every kind of frame) and the epochs a loss there may touch. */
const SAMPLE = [
  { index: 0, what: 'hello', epochs: { from: null, to: 0 } },
  { index: 3, what: 'batch of epoch 1', epochs: { from: 0, to: 1 } },
  { index: 6, what: 'epoch_end of epoch 2', epochs: { from: 2, to: 3 } },
  { index: 9, what: 'end', epochs: { from: 3, to: null } },
];

test('the clean recording reads whole, with nothing reported', (t) => {
  const r = parseRecording(clean, 'clean');
  t.is(r.frames.length, frames.length);
  t.like(r.report, { version: 2, truncatedBytes: 0, damage: { entries: 0, places: 0 } });
});

for (const { index, what, epochs } of SAMPLE) {
  test(`every single flipped byte of an entry is detected: the ${what}`, (t) => {
    const start = starts[index]!;
    const end = starts[index + 1]!;
    const expected = frames.filter((_, i) => i !== index);
    let checked = 0;
    for (let at = start; at < end; at++) {
      // Every bit pattern of damage in one byte is caught; two are enough to show it: all bits, and the lowest.
      for (const mask of [0xff, 0x01]) {
        const bytes = Buffer.from(clean);
        bytes[at]! ^= mask;
        const r = parseRecording(bytes, 'flipped');
        const where = `byte ${at - start} of the entry (${at - start < ENTRY_HEADER_BYTES ? 'header' : 'frame'}), mask ${mask}`;
        t.like(r.report, { truncatedBytes: 0, damage: { entries: 1, places: 1, bytes: end - start } }, where);
        t.deepEqual(r.report.damage.regions[0]!.epochs, epochs, where);
        t.is(r.report.damage.regions[0]!.reason, at - start < ENTRY_HEADER_BYTES ? 'bad_header' : 'bad_crc', where);
        t.true(r.frames.length === expected.length && r.frames.every((f, i) => f.frame.equals(expected[i]!)), `${where}: the other frames intact`);
        checked++;
      }
    }
    t.is(checked, 2 * (end - start));
  });
}
