/**
 * The --on-alert recipes of docs/integrations.md, taken from the page itself and run for real: a
 * replay of a recorded unstable run posts its alerts to a local HTTP server (generic webhook and
 * Slack script, with the real curl and jq) and signals a real Python "trainer" with SIGUSR1 on the
 * geometry alert only.
 */
import test from 'ava';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { eventsOf, runCli, tempDir, ROOT } from '../cli/cli-process.js';
import { requireSystem } from '../helpers/system.js';

requireSystem(['curl', 'jq', 'procps', 'python3']);

const DOC = fs.readFileSync(path.join(ROOT, 'docs/integrations.md'), 'utf8');
const FIXTURE = path.join(ROOT, 'fixtures/runs/torch-cnn-digits-unstable-s1.scamrec.gz');

/** The fenced block of the page whose text starts with `start`. */
function block(start: string): string {
  const found = [...DOC.matchAll(/```[a-z]*\n([\s\S]*?)```/g)].map((m) => m[1]!).find((b) => b.startsWith(start));
  if (!found) throw new Error(`docs/integrations.md has no code block starting with ${JSON.stringify(start)}`);
  return found;
}

/** A local HTTP server that keeps every request body. */
async function hookServer(): Promise<{ url: string; bodies: string[]; close(): void }> {
  const bodies: string[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      bodies.push(body);
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`, bodies, close: () => server.close() };
}

/** Replays the unstable run headless (no engine: the default alerts are on raw activations) with --on-alert. */
async function replayWith(onAlert: string, cwd: string, env: Record<string, string> = {}) {
  // runCli passes this process's environment; set the extra variables only while it spawns.
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  const p = runCli(['replay', FIXTURE, '--headless', '--json', '--no-engine', '--on-alert', onAlert], cwd);
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  const code = await p.exit(120_000);
  return { code, p };
}

test('generic webhook: every alert is POSTed as its JSON', async (t) => {
  const hook = await hookServer();
  t.teardown(() => hook.close());
  const line = block('sentrycam watch --on-alert "curl').trim();
  const cmd = /--on-alert "(.*)"$/.exec(line)![1]!.replace('https://hooks.example.com/sentrycam', hook.url);
  const { code, p } = await replayWith(cmd, tempDir('hook'));
  t.is(code, 0, p.stderr());
  const alerts = eventsOf(p, 'alert');
  t.true(alerts.length >= 4);
  t.deepEqual(hook.bodies.map((b) => JSON.parse(b) as { kind: string; epoch: number }).map((a) => `${a.kind}@${a.epoch}`), alerts.map((a) => `${String(a.kind)}@${String(a.epoch)}`));
  t.deepEqual(eventsOf(p, 'notice'), [], 'no on-alert failure');
});

test('Slack script: one message per alert, with severity, kind, run, epoch and message', async (t) => {
  const hook = await hookServer();
  t.teardown(() => hook.close());
  const dir = tempDir('slack');
  fs.writeFileSync(path.join(dir, 'slack-alert.sh'), block('#!/bin/sh\n# SentryCam --on-alert: post the alert to Slack'), { mode: 0o755 });
  const { code, p } = await replayWith('./slack-alert.sh', dir, { SLACK_WEBHOOK_URL: hook.url });
  t.is(code, 0, p.stderr());
  const alerts = eventsOf(p, 'alert');
  t.is(hook.bodies.length, alerts.length);
  const geometry = alerts.find((a) => a.kind === 'geometry')!;
  const texts = hook.bodies.map((b) => (JSON.parse(b) as { text: string }).text);
  t.true(texts.includes(`SentryCam warning geometry alert, run torch-cnn-digits-unstable-s1, epoch 11: ${String(geometry.message)}`), texts.join('\n'));
});

test('kill -USR1 recipe: the trainer gets exactly one SIGUSR1, for the geometry alert', async (t) => {
  const dir = tempDir('usr1');
  fs.writeFileSync(path.join(dir, 'usr1-on-geometry.sh'), block('#!/bin/sh\n# SentryCam --on-alert: SIGUSR1'), { mode: 0o755 });
  // The page's trainer lines, with a handler that counts into a file.
  const trainerLines = block('import os, signal').replace('lambda *_: save_checkpoint_and_halve_lr()', 'lambda *_: open("usr1.log", "a").write("USR1\\n")');
  fs.writeFileSync(path.join(dir, 'trainer.py'), `${trainerLines}import time\nwhile True:\n    time.sleep(0.1)\n`);
  const trainer = spawn('/usr/bin/python3', ['trainer.py'], { cwd: dir, stdio: 'ignore' });
  t.teardown(() => trainer.kill('SIGKILL'));
  const deadline = Date.now() + 30_000;
  while (!fs.existsSync(path.join(dir, 'trainer.pid')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  t.is(fs.readFileSync(path.join(dir, 'trainer.pid'), 'utf8'), String(trainer.pid));
  const { code, p } = await replayWith('./usr1-on-geometry.sh', dir);
  t.is(code, 0, p.stderr());
  t.true(eventsOf(p, 'alert').length > 1, 'several alerts, one of them geometry');
  t.is(eventsOf(p, 'alert').filter((a) => a.kind === 'geometry').length, 1);
  // The signal is delivered before the replay exits (the command ran to completion); let Python's handler run.
  await new Promise((r) => setTimeout(r, 500));
  t.is(fs.readFileSync(path.join(dir, 'usr1.log'), 'utf8'), 'USR1\n');
  t.is(trainer.exitCode, null, 'the trainer is still running');
});
