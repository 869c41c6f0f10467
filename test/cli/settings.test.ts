/**
 * Settings from SENTRYCAM_* variables and a JSON config file, in real runs: a flag beats the
 * environment, which beats the file; a bad file or value exits 2 naming where it came from.
 */
import test from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { runCli, tempDir, type CliProcess } from './cli-process.js';

/** An empty config home, so a developer's own ~/.config/sentrycam never leaks into a test. */
function home(): Record<string, string> {
  return { XDG_CONFIG_HOME: tempDir('xdg') };
}

function writeConfig(dir: string, data: unknown, name = 'config.json'): string {
  const file = path.join(dir, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(file, typeof data === 'string' ? data : JSON.stringify(data));
  return file;
}

/** Starts `watch` with the given arguments and env, returns its listening event, stops it. */
async function listening(args: readonly string[], env: Record<string, string | undefined>, cwd: string): Promise<Record<string, unknown>> {
  const p: CliProcess = runCli(['watch', '--headless', '--json', '--no-engine', ...args], cwd, env);
  const e = await p.waitFor((x) => x.event === 'listening', 120_000, 'listening event');
  p.child.kill('SIGINT');
  if ((await p.exit(60_000)) !== 0) throw new Error(`watch exited badly: ${p.stderr()}`);
  return e;
}

test.serial('precedence: flag > SENTRYCAM_* > config file > default', async (t) => {
  const cwd = tempDir('prec');
  const file = writeConfig(cwd, { listen: 'tcp://127.0.0.1:58052', record: 'from-file', 'silence-s': 9, umap: false });
  const fromFile = await listening(['--config', file], home(), cwd);
  t.like(fromFile, { source: 'tcp://127.0.0.1:58052', record: path.join(cwd, 'from-file') }, 'the file; umap (eval only) is skipped');
  const fromEnv = await listening(['--config', file], { ...home(), SENTRYCAM_LISTEN: 'tcp://127.0.0.1:58053' }, cwd);
  t.like(fromEnv, { source: 'tcp://127.0.0.1:58053', record: path.join(cwd, 'from-file') }, 'env over file, file for the rest');
  const fromFlag = await listening(['--config', file, '--listen', 'tcp://127.0.0.1:58054'], { ...home(), SENTRYCAM_LISTEN: 'tcp://127.0.0.1:58053', SENTRYCAM_NO_RECORD: '1' }, cwd);
  t.like(fromFlag, { source: 'tcp://127.0.0.1:58054', record: null }, 'flag over env; SENTRYCAM_NO_RECORD=1 is --no-record');
});

test.serial('the default config file in $XDG_CONFIG_HOME/sentrycam/config.json; --no-config skips it', async (t) => {
  const cwd = tempDir('xdgdefault');
  const env = home();
  writeConfig(path.join(env.XDG_CONFIG_HOME!, 'sentrycam'), { listen: 'tcp://127.0.0.1:58055', record: false });
  t.like(await listening([], env, cwd), { source: 'tcp://127.0.0.1:58055', record: null });
  t.like(await listening(['--no-config', '--listen', 'tcp://127.0.0.1:58056'], env, cwd), { source: 'tcp://127.0.0.1:58056', record: path.join(cwd, 'sentrycam-runs') });
});

test.serial('a bad config file exits 2 naming the file and the problem', async (t) => {
  const dir = tempDir('badcfg');
  for (const [data, problem] of [
    ['{"listen": ', /not valid JSON/],
    ['[1, 2]', /must hold one JSON object of option names and values/],
    [{ lisen: 'tcp://127.0.0.1:58057' }, /"lisen" is not an option of any sentrycam command/],
    [{ seed: { value: 3 } }, /seed must be a string, number, boolean or a list of them/],
  ] as const) {
    const file = writeConfig(dir, data, 'bad.json');
    const p = runCli(['watch', '--headless', '--json', '--config', file], dir, home());
    t.is(await p.exit(60_000), 2, String(data));
    t.regex(p.stderr(), new RegExp(`^sentrycam: config file ${file.replaceAll('/', '\\/')}: `));
    t.regex(p.stderr(), problem);
    t.deepEqual(p.events, []);
  }
  const missing = runCli(['inspect', 'x.scamrec', '--config', path.join(dir, 'nope.json')], dir, home());
  t.is(await missing.exit(60_000), 2);
  t.regex(missing.stderr(), /config file .*nope\.json: no such file/);
});

test.serial('a bad value from the environment or the file is a usage error that says where it was set', async (t) => {
  const dir = tempDir('badenv');
  const env = runCli(['watch', '--headless', '--json', '--no-record'], dir, { ...home(), SENTRYCAM_MAX_FRAME: 'lots' });
  t.is(await env.exit(60_000), 2);
  t.regex(env.stderr(), /size "lots" is not a number of bytes.*\(set by SENTRYCAM_MAX_FRAME\)/);
  const file = writeConfig(dir, { 'budget-ms': -5 });
  const fromFile = runCli(['watch', '--headless', '--json', '--no-record', '--config', file], dir, home());
  t.is(await fromFile.exit(60_000), 2);
  t.regex(fromFile.stderr(), /--budget-ms must be a number > 0, got -5 \(set by .*config\.json: budget-ms\)/);
  const yesNo = runCli(['watch', '--headless', '--no-record'], dir, { ...home(), SENTRYCAM_JSON: 'perhaps' });
  t.is(await yesNo.exit(60_000), 2);
  t.regex(yesNo.stderr(), /SENTRYCAM_JSON="perhaps" is not a yes\/no value/);
});

test.serial('sentrycam completion prints a bash script; the completions of watch list its options', async (t) => {
  const script = runCli(['completion'], undefined, { ...home(), SHELL: '/bin/bash' });
  t.is(await script.exit(60_000), 0);
  t.regex(script.stdout(), /complete -o bashdefault -o default -F _sentrycam_yargs_completions sentrycam/);
  const zsh = runCli(['completion'], undefined, { ...home(), SHELL: '/usr/bin/zsh' });
  t.is(await zsh.exit(60_000), 0);
  t.regex(zsh.stdout(), /compdef _sentrycam_yargs_completions sentrycam/);
  const words = runCli(['--get-yargs-completions', 'sentrycam', 'watch', '--li'], undefined, { ...home(), SENTRYCAM_SEED: '4' });
  t.is(await words.exit(60_000), 0);
  t.true(words.stdout().split('\n').includes('--listen'));
});
