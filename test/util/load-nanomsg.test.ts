import test from 'ava';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadNanomsg, nanomsgLoadError } from '../../src/util/load-nanomsg.js';

const MODULES = fileURLToPath(new URL('../../node_modules/', import.meta.url));

test('nanomsg loads: the native build is there', (t) => {
  const nano = loadNanomsg<{ socket: unknown }>();
  t.is(typeof nano.socket, 'function');
});

// Regression: with nanomsg's install script skipped (npm's install-script approvals,
// --ignore-scripts), `sentrycam watch` failed with the binding's list of 13 searched paths.
test('nanomsg not built: the error names the missing native build and how to rebuild it', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'sentrycam-nobuild-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  // The real package and its loader, without build/: what an install that skipped node-gyp leaves.
  for (const pkg of ['nanomsg/package.json', 'nanomsg/lib', 'bindings', 'file-uri-to-path']) {
    await cp(path.join(MODULES, pkg), path.join(dir, 'node_modules', pkg), { recursive: true });
  }
  await writeFile(path.join(dir, 'index.js'), '');
  const raw = t.throws(() => createRequire(path.join(dir, 'index.js'))('nanomsg'));
  const err = nanomsgLoadError(raw) as Error;
  t.not(err, raw);
  t.regex(err.message, /^the nanomsg native module is not built \(Could not locate the bindings file/);
  t.regex(err.message, /npm rebuild nanomsg/);
  t.regex(err.message, /npm install-scripts approve nanomsg/);
  t.false(err.message.includes('\n') || err.message.includes('Tried:'), 'one line, not the list of searched paths');
  t.is(err.cause, raw);
});

test('other load errors pass through unchanged', (t) => {
  const other = new Error('EACCES: permission denied');
  t.is(nanomsgLoadError(other), other);
});
