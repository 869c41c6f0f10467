/**
 * Settings from outside the command line: SENTRYCAM_* environment variables and a JSON config file.
 * They become ordinary `--option value` tokens appended for the options the user did not give, so
 * yargs checks their types and ranges as it checks flags, and the precedence is flag > env > file.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Environment variables with our prefix that are not options (set for --on-alert commands, tests). */
const NOT_OPTIONS = new Set(['ALERT', 'CONFIG', 'PYTHON']);

/** Options that are actions or name the settings themselves: never taken from env or a file. */
export const NOT_SETTINGS: ReadonlySet<string> = new Set(['help', 'version', 'config']);

/** Where a setting came from, for error messages. */
export interface Setting {
  readonly value: unknown;
  /** "SENTRYCAM_SEED" or "config.json: seed". */
  readonly origin: string;
}

/** A config file that cannot be used: the message names the file and the problem. */
export class SettingsError extends Error {}

/** $XDG_CONFIG_HOME/sentrycam/config.json (default ~/.config/sentrycam/config.json). */
export function defaultConfigPath(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(env.HOME ?? os.homedir(), '.config');
  return path.join(base, 'sentrycam', 'config.json');
}

/**
 * The config file to read: --config FILE, else $SENTRYCAM_CONFIG, else the default path if it
 * exists; none for --no-config. `explicit` files must exist.
 */
export function configFileOf(given: string | false | undefined, env: NodeJS.ProcessEnv): { file: string; explicit: boolean } | undefined {
  if (given === false) return undefined;
  if (given !== undefined) return { file: given, explicit: true };
  if (env.SENTRYCAM_CONFIG) return { file: env.SENTRYCAM_CONFIG, explicit: true };
  const file = defaultConfigPath(env);
  return fs.existsSync(file) ? { file, explicit: false } : undefined;
}

/**
 * Reads a config file: one JSON object of long option names (as on the command line, without
 * dashes) to strings, numbers, booleans or lists of them. `known`: every option of every command.
 */
export function readConfigFile(file: string, known: ReadonlySet<string>): Map<string, Setting> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new SettingsError(`config file ${file}: ${e.code === 'ENOENT' ? 'no such file' : e.code === 'EACCES' ? 'permission denied' : e.code === 'EISDIR' ? 'is a folder' : e.message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new SettingsError(`config file ${file}: not valid JSON (${(err as Error).message})`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new SettingsError(`config file ${file}: must hold one JSON object of option names and values, e.g. {"listen": "tcp://127.0.0.1:5555"}`);
  const out = new Map<string, Setting>();
  for (const [key, value] of Object.entries(data)) {
    if (!known.has(key) || NOT_SETTINGS.has(key)) throw new SettingsError(`config file ${file}: ${JSON.stringify(key)} is not an option of any sentrycam command`);
    const scalar = (v: unknown): boolean => ['string', 'number', 'boolean'].includes(typeof v);
    if (!(scalar(value) || (Array.isArray(value) && value.every(scalar)))) throw new SettingsError(`config file ${file}: ${key} must be a string, number, boolean or a list of them, got ${JSON.stringify(value)}`);
    out.set(key, { value, origin: `${file}: ${key}` });
  }
  return out;
}

/** SENTRYCAM_MAX_FRAME=1G -> max-frame; SENTRYCAM_NO_RECORD=1 -> record false (as --no-record). */
export function envSettings(env: NodeJS.ProcessEnv): Map<string, Setting> {
  const out = new Map<string, Setting>();
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('SENTRYCAM_') || value === undefined) continue;
    const rest = name.slice('SENTRYCAM_'.length);
    if (NOT_OPTIONS.has(rest) || rest === '') continue;
    const negated = rest.startsWith('NO_');
    const key = (negated ? rest.slice(3) : rest).toLowerCase().replaceAll('_', '-');
    out.set(key, { value: negated ? { negate: value } : value, origin: name });
  }
  return out;
}

const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['0', 'false', 'no', 'off']);

function envBoolean(text: string, origin: string): boolean {
  const t = text.trim().toLowerCase();
  if (TRUE.has(t)) return true;
  if (FALSE.has(t)) return false;
  throw new SettingsError(`${origin}=${JSON.stringify(text)} is not a yes/no value (1, true, yes, on / 0, false, no, off)`);
}

/** What one command declares, for turning settings into tokens. */
export interface CommandOptions {
  readonly options: ReadonlySet<string>;
  readonly boolean: ReadonlySet<string>;
  readonly array: ReadonlySet<string>;
}

/**
 * Tokens for the settings of options this command has and the user did not give (`given`), env
 * before file. Settings for options of other commands are skipped: one config serves them all.
 * Returns the tokens and, per option, where its value came from.
 */
export function settingTokens(cmd: CommandOptions, given: ReadonlySet<string>, env: Map<string, Setting>, file: Map<string, Setting>): { tokens: string[]; origins: Map<string, Setting> } {
  const tokens: string[] = [];
  const origins = new Map<string, Setting>();
  for (const [key, s] of [...file, ...env].reduce((m, [k, v]) => m.set(k, v), new Map<string, Setting>())) {
    if (given.has(key) || !cmd.options.has(key) || NOT_SETTINGS.has(key)) continue;
    origins.set(key, s);
    const negate = typeof s.value === 'object' && s.value !== null && 'negate' in s.value;
    if (s.value === false && !cmd.boolean.has(key)) {
      tokens.push(`--no-${key}`); // {"record": false} as --no-record
    } else if (negate || cmd.boolean.has(key)) {
      const raw = negate ? (s.value as { negate: string }).negate : s.value;
      let on = typeof raw === 'string' ? envBoolean(raw, s.origin) : raw;
      if (typeof on !== 'boolean') throw new SettingsError(`${s.origin} must be true or false, got ${JSON.stringify(raw)}`);
      if (negate) on = !on;
      tokens.push(on ? `--${key}` : `--no-${key}`);
    } else if (cmd.array.has(key)) {
      const list = Array.isArray(s.value) ? s.value.map(String) : String(s.value).split(/[\s,]+/).filter(Boolean);
      tokens.push(`--${key}`, ...list);
    } else {
      tokens.push(`--${key}=${String(s.value)}`);
    }
  }
  return { tokens, origins };
}

/** Long option names given on the command line (`--seed 3`, `--no-record`, `--max-frame=1G`, `-o`). */
export function givenOptions(args: readonly string[], shortNames: Readonly<Record<string, string>>): Set<string> {
  const out = new Set<string>();
  for (const a of args) {
    if (a === '--') break;
    const long = /^--(?:no-)?([^=]+)/.exec(a);
    if (long) out.add(long[1]!.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`));
    else if (/^-[A-Za-z]+$/.test(a)) for (const c of a.slice(1)) if (shortNames[c]) out.add(shortNames[c]);
  }
  return out;
}
