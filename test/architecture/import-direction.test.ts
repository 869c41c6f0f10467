/**
 * The layout's one rule, checked by reading the sources: a module imports only from its own floor
 * or lower ones (docs/architecture.md). Data moves up; nothing below knows what is above it.
 */
import test from 'ava';
import fs from 'node:fs';
import path from 'node:path';

const SRC = path.resolve('src');

/** Floors, lowest first. Folders on one floor may import each other. */
const FLOORS: readonly (readonly string[])[] = [
  ['model'],
  ['util', 'tf', 'protocol', 'sources'],
  ['ingest', 'record', 'producer'],
  ['engine'],
  ['engine-thread', 'audit', 'eval'],
  ['session'],
  ['ui', 'headless', 'export', 'metrics', 'inspect'],
  ['cli', 'demo', 'tools'],
  ['index.ts', 'version.ts'],
];

/** version.ts is a constant every floor may read. */
const ANYWHERE = new Set(['version.ts']);

function floorOf(rel: string): number {
  const top = rel.split('/')[0]!;
  const i = FLOORS.findIndex((f) => f.includes(top));
  if (i < 0) throw new Error(`src/${rel}: folder ${top} is on no floor of this test; add it`);
  return i;
}

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : /\.(ts|js)$/.test(e.name) ? [p] : [];
  });
}

/** Relative module specifiers of a file: static imports, re-exports, import() and new URL(). */
function specifiers(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/(?:from|import\(|new URL\()\s*['"](\.{1,2}\/[^'"]+)['"]/g)) out.push(m[1]!);
  return out;
}

/** Every upward import in src, as "from -> to". */
export function upwardImports(): string[] {
  const bad: string[] = [];
  for (const file of sources(SRC)) {
    const rel = path.relative(SRC, file);
    const mine = floorOf(rel);
    for (const spec of specifiers(fs.readFileSync(file, 'utf8'))) {
      const target = path.relative(SRC, path.resolve(path.dirname(file), spec));
      if (target.startsWith('..') || ANYWHERE.has(target.replace(/\.js$/, '.ts'))) continue;
      if (floorOf(target) > mine) bad.push(`src/${rel} -> src/${target}`);
    }
  }
  return bad;
}

test('no module in src imports from a higher floor', (t) => {
  t.deepEqual(upwardImports(), []);
});

test('model/ is the ground floor: it imports nothing outside itself', (t) => {
  const outside = sources(path.join(SRC, 'model')).flatMap((f) =>
    specifiers(fs.readFileSync(f, 'utf8')).filter((s) => !path.resolve(path.dirname(f), s).startsWith(path.join(SRC, 'model'))),
  );
  t.deepEqual(outside, []);
});

test('the checker sees an upward import (it can fail)', (t) => {
  t.deepEqual(specifiers("import { x } from '../session/pipeline.js';\nconst w = new URL('./w.js', import.meta.url);"), ['../session/pipeline.js', './w.js']);
  t.true(floorOf('session/pipeline.ts') > floorOf('ingest/ingest.ts'));
});
