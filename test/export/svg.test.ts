import test from 'ava';
import type { EpochLayout } from '../../src/model/epoch-layout.js';
import { fenceBounds, layoutToSvg, metricsCaption, svgClassColor, wrapParts, xmlText } from '../../src/export/svg.js';
import { clusterLayout } from '../ui/fixtures/fixture-events.js';
import { toPrintable } from '../../src/model/printable.js';

/** A parsed element: name, attributes, children, text. */
interface El {
  name: string;
  attrs: Record<string, string>;
  children: El[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const decode = (s: string): string =>
  s.replace(/&(\w+);/g, (m, e: string) => {
    if (!(e in ENTITIES)) throw new Error(`unknown entity ${m}`);
    return ENTITIES[e];
  });

/**
 * A strict little XML parser (enough for our output): prolog, elements, quoted attributes,
 * text with the five entities; throws on anything malformed (unbalanced tags, stray '<' or '&').
 */
function parseXml(src: string): El {
  let i = 0;
  const prolog = /^<\?xml [^?]*\?>\s*/.exec(src);
  if (!prolog) throw new Error('no XML declaration');
  i = prolog[0].length;
  const root: El = { name: '#doc', attrs: {}, children: [], text: '' };
  const stack: El[] = [root];
  while (i < src.length) {
    if (src[i] === '<') {
      const close = /^<\/([\w:-]+)>/.exec(src.slice(i));
      if (close) {
        const top = stack.pop()!;
        if (top.name !== close[1]) throw new Error(`</${close[1]}> closes <${top.name}>`);
        i += close[0].length;
        continue;
      }
      const open = /^<([\w:-]+)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/.exec(src.slice(i));
      if (!open) throw new Error(`malformed tag at ${i}: ${src.slice(i, i + 40)}`);
      const attrs: Record<string, string> = {};
      for (const m of open[2].matchAll(/([\w:-]+)="([^"]*)"/g)) {
        if (m[1] in attrs) throw new Error(`duplicate attribute ${m[1]}`);
        attrs[m[1]] = decode(m[2]);
      }
      const el: El = { name: open[1], attrs, children: [], text: '' };
      stack[stack.length - 1].children.push(el);
      if (!open[3]) stack.push(el);
      i += open[0].length;
    } else {
      const j = src.indexOf('<', i);
      const raw = src.slice(i, j < 0 ? src.length : j);
      if (/&(?!(amp|lt|gt|quot|apos);)/.test(raw) || raw.includes('>')) throw new Error(`unescaped text: ${raw}`);
      stack[stack.length - 1].text += decode(raw);
      i = j < 0 ? src.length : j;
    }
  }
  if (stack.length !== 1) throw new Error(`unclosed <${stack[stack.length - 1].name}>`);
  if (root.children.length !== 1) throw new Error('more than one root element');
  return root.children[0];
}

const find = (el: El, pred: (e: El) => boolean): El[] => [...(pred(el) ? [el] : []), ...el.children.flatMap((c) => find(c, pred))];
const byClass = (root: El, cls: string): El => {
  const hits = find(root, (e) => e.attrs.class === cls);
  if (hits.length !== 1) throw new Error(`expected one .${cls}, found ${hits.length}`);
  return hits[0];
};

test('structure: svg root, one circle per point, rings for the misclassified, regions, legend, caption', (t) => {
  const layout = clusterLayout(2, 50); // 200 points; every 10th of class 1 predicted as 2 -> 5 misclassified
  const svg = layoutToSvg(layout, { classes: ['zero', 'one', 'two', 'three'].map(toPrintable), width: 800, height: 600 });
  const root = parseXml(svg);
  t.is(root.name, 'svg');
  t.is(root.attrs.xmlns, 'http://www.w3.org/2000/svg');
  t.is(root.attrs.viewBox, '0 0 800 600');
  const points = byClass(root, 'points').children;
  t.is(points.length, 200);
  for (const c of points) {
    const x = Number(c.attrs.cx);
    const y = Number(c.attrs.cy);
    t.true(x >= 0 && x <= 800 && y >= 0 && y <= 600, `${x},${y} inside`);
  }
  // Point colours follow labels: the first 50 are class 0.
  t.is(points[0].attrs.fill, svgClassColor(0));
  t.is(points[199].attrs.fill, svgClassColor(3));
  const rings = byClass(root, 'misclassified').children;
  t.is(rings.length, 5);
  t.deepEqual([rings[0].attrs.cx, rings[0].attrs.cy], [points[50].attrs.cx, points[50].attrs.cy], 'ring sits on point 50 (class 1, predicted 2)');
  t.is(byClass(root, 'regions').children.length, 4, '2x2 region grid');
  const legend = byClass(root, 'legend');
  const names = legend.children.filter((c) => c.name === 'text').map((c) => c.text);
  t.deepEqual(names, ['0 zero', '1 one', '2 two', '3 three', 'misclassified']);
  t.is(find(root, (e) => e.name === 'title')[0].text, 'demo-run — epoch 2');
  const caption = find(root, (e) => e.attrs.class === 'caption').map((e) => e.text).join(' · ');
  t.true(caption.includes('n=200'));
  t.true(caption.includes('nn15 0.432'));
  t.true(caption.includes('trust15 0.900'));
  t.true(caption.includes('update_ms 642'));
});

test('quadrants land where they belong (y up)', (t) => {
  const svg = layoutToSvg(clusterLayout(1, 20));
  const pts = byClass(parseXml(svg), 'points').children;
  const mean = (from: number, key: 'cx' | 'cy'): number => pts.slice(from, from + 20).reduce((s, c) => s + Number(c.attrs[key]), 0) / 20;
  // class 0 at (-5, 5): left and top; class 3 at (5, -5): right and bottom.
  t.true(mean(0, 'cx') < mean(60, 'cx'));
  t.true(mean(0, 'cy') < mean(60, 'cy'));
});

test('hostile text is sanitised (where it enters) and escaped', (t) => {
  const layout = clusterLayout(1, 5);
  // Class names arrive printable from ingest; the export adds XML's escaping.
  const classes = ['<script>alert(1)</script>', 'a&b "q" \'s\'', '\x1b]0;x\x07c\x00', 'ok'].map(toPrintable);
  const svg = layoutToSvg(layout, { classes, title: 'T <&> \ud800' });
  const root = parseXml(svg);
  t.false(svg.includes('<script>'));
  t.false(svg.includes('\x1b'));
  t.false(svg.includes('\x00'));
  const names = byClass(root, 'legend').children.filter((c) => c.name === 'text').map((c) => c.text);
  t.is(names[0], '0 <script>alert(1)</script>');
  t.is(names[1], '1 a&b "q" \'s\'');
  t.is(names[2], '2 c');
  t.is(find(root, (e) => e.name === 'title')[0].text, 'T <&> ');
  t.is(xmlText('x"y'), 'x&quot;y');
});

test('an outlier is clipped and reported, not allowed to shrink the picture', (t) => {
  const base = clusterLayout(1, 250); // 1000 points
  const positions = Float32Array.from(base.positions);
  positions[0] = 1e6;
  positions[1] = 1e6;
  const svg = layoutToSvg({ ...base, positions });
  const root = parseXml(svg);
  t.is(byClass(root, 'points').children.length, 999);
  const caption = find(root, (e) => e.attrs.class === 'caption').map((e) => e.text).join(' ');
  t.true(caption.includes('1 point outside the view'));
});

test('many classes: the legend says how many were left out', (t) => {
  const base = clusterLayout(1, 5);
  const labels = Int32Array.from({ length: base.n }, (_, i) => i);
  const svg = layoutToSvg({ ...base, labels, preds: undefined }, { height: 300 });
  const texts = byClass(parseXml(svg), 'legend').children.filter((c) => c.name === 'text').map((c) => c.text);
  t.regex(texts[texts.length - 1], /^\+\d+ more classes$/);
  t.false(texts.includes('misclassified'), 'no predictions, no ring entry');
});

test('prediction colouring, captions and wrapping', (t) => {
  const layout = clusterLayout(1, 10);
  const svg = layoutToSvg(layout, { coloring: 'prediction', regions: false });
  const root = parseXml(svg);
  t.is(byClass(root, 'points').children[10].attrs.fill, svgClassColor(2), 'point 10: label 1, predicted 2');
  t.is(find(root, (e) => e.attrs.class === 'regions').length, 0);
  t.deepEqual(metricsCaption(layout).slice(0, 3), ['n=40', 'nn15 0.422', 'trust15 0.900']);
  t.deepEqual(wrapParts(['aaaa', 'bbbb', 'cc'], 11), ['aaaa · bbbb', 'cc']);
});

test('bad input is refused with a clear message', (t) => {
  const l = clusterLayout(1, 5);
  t.throws(() => layoutToSvg(l, { width: 10 }), { message: /at least 200x150/ });
  t.throws(() => layoutToSvg({ ...l, positions: new Float32Array(3) } as EpochLayout), { message: /positions has 3 values, expected 2\*n = 40/ });
  t.throws(() => layoutToSvg({ ...l, labels: new Int32Array(2) }), { message: /labels has 2 entries, expected n = 20/ });
});

test('an empty layout still makes a valid picture', (t) => {
  const l = clusterLayout(1, 5);
  const empty: EpochLayout = { ...l, n: 0, ids: new Float64Array(0), positions: new Float32Array(0), split: new Uint8Array(0), labels: undefined, preds: undefined, regions: undefined };
  const root = parseXml(layoutToSvg(empty));
  t.is(byClass(root, 'points').children.length, 0);
});

test('fence bounds enclose all regular points and drop far outliers', (t) => {
  const pos: number[] = [];
  for (let i = 0; i <= 100; i++) pos.push(i, -i);
  pos.push(1e6, 0);
  const b = fenceBounds(pos, 102);
  t.is(b.x0, -4);
  t.is(b.x1, 104);
  t.is(b.y0, -104);
  t.is(b.y1, 4);
  t.deepEqual(fenceBounds([2, 3, 2, 3], 2), { x0: 1, y0: 2, x1: 3, y1: 4 });
});
