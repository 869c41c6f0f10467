import test from 'ava';
import { BRAILLE_BASE, BrailleCanvas } from '../../src/ui/braille-canvas.js';

const braille = (bits: number): string => String.fromCharCode(BRAILLE_BASE + bits);

test('each dot of a cell sets its Unicode braille bit', (t) => {
  // Unicode numbering: dots 1,2,3,7 down the left column, 4,5,6,8 down the right.
  const expected: [number, number, number][] = [
    [0, 0, 0x01],
    [0, 1, 0x02],
    [0, 2, 0x04],
    [0, 3, 0x40],
    [1, 0, 0x08],
    [1, 1, 0x10],
    [1, 2, 0x20],
    [1, 3, 0x80],
  ];
  for (const [x, y, bit] of expected) {
    const c = new BrailleCanvas(1, 1);
    c.plot(x, y);
    t.is(c.brailleAt(0, 0), braille(bit), `dot (${x},${y})`);
  }
  const full = new BrailleCanvas(1, 1);
  for (const [x, y] of expected) full.plot(x, y);
  t.is(full.brailleAt(0, 0), '⣿');
  t.is(full.brailleAt(0, 0).codePointAt(0), 0x28ff);
});

test('dots land in the right cells and out-of-range dots are clipped', (t) => {
  const c = new BrailleCanvas(3, 2);
  t.is(c.dotWidth, 6);
  t.is(c.dotHeight, 8);
  c.plot(2, 0); // cell (1,0), left column top
  c.plot(5.9, 7.2); // fractions floor: cell (2,1), dot (1,3)
  c.plot(-1, 0);
  c.plot(6, 0);
  c.plot(0, 8);
  c.plot(Number.NaN, 1);
  t.deepEqual(c.toLines(), [`${braille(0)}${braille(0x01)}${braille(0)}`, `${braille(0)}${braille(0)}${braille(0x80)}`]);
});

test('cell colour is the majority class, the newest class on a tie', (t) => {
  const c = new BrailleCanvas(3, 1);
  c.plot(0, 0, 1);
  c.plot(0, 1, 1);
  c.plot(1, 0, 2);
  t.is(c.cls[c.index(0, 0)], 1, 'two votes for 1 against one for 2');
  c.plot(2, 0, 4);
  c.plot(2, 1, 5);
  t.is(c.cls[c.index(1, 0)], 5, 'one each: the newest wins');
  t.is(c.cls[c.index(2, 0)], -1, 'empty cell has no class');
});

test('misclassified dots are counted per cell and clear() resets everything', (t) => {
  const c = new BrailleCanvas(2, 1);
  c.plot(0, 0, 0, true);
  c.plot(1, 1, 0, true);
  c.plot(2, 0, 1, false);
  t.is(c.mis[0], 2);
  t.is(c.mis[1], 0);
  c.clear();
  t.deepEqual(c.toLines(), [braille(0) + braille(0)]);
  t.is(c.mis[0], 0);
  t.is(c.cls[0], -1);
});

test('ASCII stand-ins follow the dot halves and density', (t) => {
  const c = new BrailleCanvas(5, 1);
  c.plot(0, 0); // cell 0: upper half only
  c.plot(2, 3); // cell 1: lower half only
  c.plot(4, 0);
  c.plot(4, 3); // cell 2: both halves
  for (let x = 6; x < 8; x++) for (let y = 0; y < 3; y++) c.plot(x, y); // cell 3: six dots
  c.plot(8, 0, 0, true); // cell 4: misclassified
  t.deepEqual(c.toLines(true), ["'.:#x"]);
});

test('resize changes the size and clears; bad sizes are refused', (t) => {
  const c = new BrailleCanvas(2, 2);
  c.plot(0, 0);
  c.resize(4, 1);
  t.is(c.cols, 4);
  t.is(c.rows, 1);
  t.deepEqual(c.toLines(), [braille(0).repeat(4)]);
  t.throws(() => c.resize(-1, 2), { message: /non-negative integers/ });
  t.throws(() => new BrailleCanvas(1.5, 2), { message: /non-negative integers/ });
});
