/**
 * The README and docs render as written: every code fence closes (the Node producer's block once
 * ran to the end of the README because text sat on its closing fence), every table row has the
 * header's column count, and every relative link points to a file that exists.
 */
import test from 'ava';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../helpers/processes.js';

const FENCE = /^ {0,3}(`{3,}|~{3,})(.*)$/;

/** Problems with code fences, CommonMark's rules: a closing fence is the opening's character, at least as long, and nothing else. */
export function fenceProblems(text: string): string[] {
  let open: { line: number; marker: string } | undefined;
  const lines = text.split('\n');
  lines.forEach((l, i) => {
    const m = FENCE.exec(l);
    if (!m) return;
    const [, marker, rest] = m as unknown as [string, string, string];
    if (!open) open = { line: i + 1, marker };
    else if (marker[0] === open.marker[0] && marker.length >= open.marker.length && rest.trim() === '') open = undefined;
  });
  return open ? [`the code fence opened on line ${open.line} never closes`] : [];
}

/** Cells of a table row: split on pipes outside code spans and not escaped; outer pipes dropped. */
function cells(row: string): number {
  let n = 1;
  let inCode = false;
  for (let i = 0; i < row.length; i++) {
    if (row[i] === '\\') i++;
    else if (row[i] === '`') inCode = !inCode;
    else if (row[i] === '|' && !inCode) n++;
  }
  const t = row.trim();
  return n - (t.startsWith('|') ? 1 : 0) - (t.endsWith('|') && t.length > 1 ? 1 : 0);
}

/** Lines outside code fences, with their numbers. */
function prose(text: string): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  let open: string | undefined;
  text.split('\n').forEach((l, i) => {
    const m = FENCE.exec(l);
    if (m && !open) open = m[1];
    else if (m && open && m[1]![0] === open[0] && m[1]!.length >= open.length && m[2]!.trim() === '') open = undefined;
    else if (!open) out.push({ line: i + 1, text: l });
  });
  return out;
}

/** Table rows whose cell count differs from their header's. */
export function tableProblems(text: string): string[] {
  const problems: string[] = [];
  const lines = prose(text);
  for (let i = 1; i < lines.length; i++) {
    const delim = lines[i]!.text;
    if (!/^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$/.test(delim) || !lines[i - 1]!.text.includes('|')) continue;
    const want = cells(lines[i - 1]!.text);
    if (cells(delim) !== want) problems.push(`line ${lines[i]!.line}: the delimiter row has ${cells(delim)} cells, the header ${want}`);
    for (let j = i + 1; j < lines.length && lines[j]!.text.includes('|') && lines[j]!.line === lines[j - 1]!.line + 1; j++) {
      const got = cells(lines[j]!.text);
      if (got !== want) problems.push(`line ${lines[j]!.line}: ${got} cells, the header has ${want}`);
    }
  }
  return problems;
}

/** Relative links ([text](path) outside code) whose file does not exist. */
function linkProblems(file: string, text: string): string[] {
  const problems: string[] = [];
  for (const { line, text: l } of prose(text)) {
    for (const m of l.replace(/`[^`]*`/g, '').matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1]!.split('#')[0]!;
      if (target === '' || /^[a-z]+:/i.test(target)) continue;
      if (!existsSync(path.resolve(path.dirname(file), target))) problems.push(`line ${line}: link to ${m[1]} (no such file)`);
    }
  }
  return problems;
}

const DOCS = ['README.md', 'clients/PROTOCOL.md', 'clients/python/README.md', ...readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

for (const rel of DOCS) {
  test(`${rel}: fences close, tables are rectangular, relative links resolve`, (t) => {
    const file = path.join(ROOT, rel);
    const text = readFileSync(file, 'utf8');
    t.deepEqual([...fenceProblems(text), ...tableProblems(text), ...linkProblems(file, text)], []);
  });
}

test('unclosed fence: text on the closing fence line (the README fault) is found', (t) => {
  const broken = ['```ts', "import { Producer } from 'sentrycam';", '``` Any language can produce:', '', '| a | b |', '|---|---|'].join('\n');
  t.deepEqual(fenceProblems(broken), ['the code fence opened on line 1 never closes']);
  t.deepEqual(fenceProblems(broken.replace('``` Any', '```\nAny')), []);
  t.deepEqual(fenceProblems('````\n```\n````'), [], 'a shorter fence inside does not close a longer one');
});

test('a table row with a missing or extra cell is found; pipes in code spans are not cells', (t) => {
  t.deepEqual(tableProblems('| a | b |\n|---|---|\n| 1 | 2 |\n| `x|y` | 3 |'), []);
  t.deepEqual(tableProblems('| a | b |\n|---|---|\n| 1 |\n| 1 | 2 | 3 |'), ['line 3: 1 cells, the header has 2', 'line 4: 3 cells, the header has 2']);
});

test('a relative link to a missing file is found; links in code spans and URLs are not checked', (t) => {
  const file = path.join(ROOT, 'README.md');
  t.deepEqual(linkProblems(file, '[a](docs/nope.md) [b](docs/method.md#x) `[c](nope.md)` [d](https://example.org/x)'), ['line 1: link to docs/nope.md (no such file)']);
});
