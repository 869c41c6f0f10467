import test from 'ava';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AlertEvent } from '../../src/model/events.js';
import { ALERT_ENV, OnAlertRunner, QUEUE_FULL, SPAWN_FAILED, runOnAlert, splitCommand } from '../../src/session/on-alert.js';

function alert(message: string, epoch = 7): AlertEvent {
  return { event: 'alert', run: 'r1', epoch, kind: 'geometry', severity: 'warning', message, evidence: { metric: 'D', epochs: [5, 6, 7] } };
}

/** A quoted argument for CMD (single quotes; the scripts below contain none). */
const q = (s: string): string => `'${s}'`;

test('splitCommand: words, quotes and escapes without expansion', (t) => {
  t.deepEqual(splitCommand('notify-send  hello\tworld'), ['notify-send', 'hello', 'world']);
  t.deepEqual(splitCommand(`a 'b c' "d e" f\\ g`), ['a', 'b c', 'd e', 'f g']);
  t.deepEqual(splitCommand(`echo '$(rm -rf /)' "$HOME" \`id\` ; | & ~ *`), ['echo', '$(rm -rf /)', '$HOME', '`id`', ';', '|', '&', '~', '*']);
  t.deepEqual(splitCommand(`"a\\"b" "c\\\\d" "e\\nf" 'g\\h'`), ['a"b', 'c\\d', 'e\\nf', 'g\\h']);
  t.deepEqual(splitCommand(`x'y'"z" '' ""`), ['xyz', '', '']);
  t.throws(() => splitCommand(`echo 'oops`), { message: /unterminated single quote/ });
  t.throws(() => splitCommand(`echo "oops`), { message: /unterminated double quote/ });
  t.throws(() => splitCommand('echo \\'), { message: /trailing backslash/ });
  t.throws(() => splitCommand('   '), { message: /empty/ });
});

test('the alert reaches a real child on stdin and in the environment; shell syntax stays inert', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'scam-onalert-'));
  const marker = join(dir, 'pwned');
  const out = join(dir, 'stdin.json');
  const env = join(dir, 'env.json');
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const script = `const fs=require("fs");fs.writeFileSync(process.argv[1],fs.readFileSync(0));fs.writeFileSync(process.argv[2],process.env.${ALERT_ENV})`;
  const evil = `$(touch ${marker}); rm -rf ${dir}; \`touch ${marker}\` && touch ${marker} | "x' 'y"`;
  const a = alert(evil);
  const cmd = `${process.execPath} -e ${q(script)} ${q(out)} ${q(env)}`;
  const code = await runOnAlert(cmd, a);
  t.is(code, 0);
  t.deepEqual(JSON.parse(readFileSync(out, 'utf8')), a);
  t.deepEqual(JSON.parse(readFileSync(env, 'utf8')), a);
  t.false(existsSync(marker), 'the message must not have been executed');
  t.true(existsSync(dir));
});

test('a failing, missing or malformed command is reported and does not throw', async (t) => {
  const reports: string[] = [];
  const r = new OnAlertRunner({ report: (m) => reports.push(m) });
  t.is(await r.run(`${process.execPath} -e 'process.exit(3)'`, alert('x')), 3);
  t.regex(reports.at(-1)!, /exited with code 3 for the geometry alert of run r1/);
  t.is(await r.run('/nonexistent/sentrycam-no-such-command arg', alert('x')), SPAWN_FAILED);
  t.regex(reports.at(-1)!, /could not run \/nonexistent\/sentrycam-no-such-command/);
  t.is(await r.run(`echo 'unterminated`, alert('x')), SPAWN_FAILED);
  t.regex(reports.at(-1)!, /unterminated single quote/);
  // A command that never reads stdin is fine.
  t.is(await r.run(`${process.execPath} -e ''`, alert('y'.repeat(20_000))), 0);
});

test('a huge alert goes whole on stdin and shortened in the environment', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'scam-onalert-'));
  const out = join(dir, 'stdin.json');
  const env = join(dir, 'env.json');
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const script = `const fs=require("fs");fs.writeFileSync(process.argv[1],fs.readFileSync(0));fs.writeFileSync(process.argv[2],process.env.${ALERT_ENV})`;
  const a = alert('y'.repeat(200_000));
  t.is(await new OnAlertRunner().run(`${process.execPath} -e ${q(script)} ${q(out)} ${q(env)}`, a), 0);
  t.deepEqual(JSON.parse(readFileSync(out, 'utf8')), a);
  const fromEnv = JSON.parse(readFileSync(env, 'utf8'));
  t.is(fromEnv.kind, 'geometry');
  t.is(fromEnv.message.length, 1000);
  t.deepEqual(fromEnv.evidence, { truncated: true });
});

test('a hung command is killed after the timeout and the queue moves on', async (t) => {
  const reports: string[] = [];
  const r = new OnAlertRunner({ timeoutMs: 5000, report: (m) => reports.push(m) });
  const hung = r.run(`${process.execPath} -e 'setInterval(()=>{},1000)'`, alert('x'));
  const next = r.run(`${process.execPath} -e ''`, alert('x'));
  t.is(await hung, 128 + 9);
  t.is(await next, 0);
  t.true(reports.some((m) => /longer than 5000 ms/.test(m)));
});

test('calls are serialised: each child starts after the previous one ended', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'scam-onalert-'));
  const log = join(dir, 'log');
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  // Each child appends "start <n>", waits 50 ms, appends "end <n>". Overlap would interleave them.
  const script = `const fs=require("fs");const a=JSON.parse(fs.readFileSync(0,"utf8"));fs.appendFileSync(process.argv[1],"start "+a.epoch+"\\n");setTimeout(()=>fs.appendFileSync(process.argv[1],"end "+a.epoch+"\\n"),50)`;
  const r = new OnAlertRunner();
  const cmd = `${process.execPath} -e ${q(script)} ${q(log)}`;
  const codes = await Promise.all([1, 2, 3, 4].map((e) => r.run(cmd, alert('m', e))));
  t.deepEqual(codes, [0, 0, 0, 0]);
  t.is(readFileSync(log, 'utf8'), [1, 2, 3, 4].map((e) => `start ${e}\nend ${e}\n`).join(''));
  t.is(r.queued, 0);
});

test('beyond maxQueue, alerts are dropped and reported', async (t) => {
  const reports: string[] = [];
  const r = new OnAlertRunner({ maxQueue: 2, report: (m) => reports.push(m) });
  const cmd = `${process.execPath} -e ''`;
  const runs = [r.run(cmd, alert('a')), r.run(cmd, alert('b')), r.run(cmd, alert('c'))];
  t.deepEqual(await Promise.all(runs), [0, 0, QUEUE_FULL]);
  t.true(reports.some((m) => /dropped the geometry alert of run r1/.test(m)));
});
