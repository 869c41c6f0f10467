/** The command line: one yargs command per file. Returns the process exit code. */
import type { Argv, CommandModule } from 'yargs';
import { yargs } from './yargs-cjs.js';
import { watchCommand } from './watch.js';
import { replayCommand } from './replay.js';
import { inspectCommand } from './inspect.js';
import { exportCommand } from './export.js';
import { evalCommand } from './eval.js';
import { demoCommand } from './demo.js';
import { auditCommand } from './audit.js';
import { VERSION } from '../version.js';
import { EXIT_OK, EXIT_USAGE } from '../model/exit-codes.js';
import { MAN_POINTER, declaredOptions, optionKinds } from './help-groups.js';
import { type Setting, SettingsError, configFileOf, envSettings, givenOptions, readConfigFile, settingTokens } from './settings.js';

type AnyCommand = CommandModule<object, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Every command, in the order `--help` lists them. */
export function commands(setExit: (code: number) => void): AnyCommand[] {
  return [watchCommand, replayCommand, inspectCommand, demoCommand, evalCommand, exportCommand, auditCommand].map((c) => c(setExit) as AnyCommand);
}

/** The options every command has (declared on the top-level parser). */
function globalOptions<T>(y: Argv<T>): Argv<T> {
  return y
    .option('config', { type: 'string', global: true, describe: 'JSON file of option defaults (default: $XDG_CONFIG_HOME/sentrycam/config.json if present; --no-config: none)' })
    .help()
    .alias('h', 'help')
    .version(VERSION)
    .alias('V', 'version');
}

/** Short flags and the long options they stand for. */
const SHORT: Readonly<Record<string, string>> = { h: 'help', V: 'version', o: 'out' };

/** Name of a command -> the long options it declares (its builder run on a spare parser). */
export function commandOptions(name: string): { options: Set<string>; boolean: Set<string>; array: Set<string> } | undefined {
  const c = commands(() => {}).find((x) => String(x.command).split(' ')[0] === name);
  if (!c || typeof c.builder !== 'function') return undefined;
  const y = globalOptions(yargs([]));
  const built = (c.builder(y as Argv<object>) ?? y) as Argv<unknown>;
  const kinds = optionKinds(built);
  return { options: new Set(declaredOptions(built)), boolean: new Set(kinds.boolean), array: new Set(kinds.array) };
}

/** The user's arguments followed by env and config-file settings for the options not given. */
function withSettings(argv: readonly string[], env: NodeJS.ProcessEnv): { args: string[]; origins: Map<string, Setting> } {
  const none = { args: [...argv], origins: new Map<string, Setting>() };
  const names = commands(() => {}).map((c) => String(c.command).split(' ')[0]!);
  const configArg = /^--(no-)?config(?:=(.*))?$/;
  let configGiven: string | false | undefined;
  argv.forEach((a, i) => {
    const m = configArg.exec(a);
    if (m) configGiven = m[1] ? false : (m[2] ?? argv[i + 1]);
  });
  const config = configFileOf(configGiven, env);
  const file = config ? readConfigFile(config.file, new Set(names.flatMap((n) => [...commandOptions(n)!.options]))) : new Map<string, Setting>();
  const fromEnv = envSettings(env);
  const name = argv.find((a) => names.includes(a));
  // Completion asks about the words typed so far: nothing may be added to them. With no settings,
  // the command's options need not be listed (a spare parser costs milliseconds at every start).
  if (name === undefined || argv.includes('--get-yargs-completions') || (file.size === 0 && fromEnv.size === 0)) return none;
  const { tokens, origins } = settingTokens(commandOptions(name)!, givenOptions(argv, SHORT), fromEnv, file);
  const end = argv.indexOf('--');
  const args = end < 0 ? [...argv, ...tokens] : [...argv.slice(0, end), ...tokens, ...argv.slice(end)];
  return { args, origins };
}

export async function main(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  // stderr closed under us (`2>&1 | head`): losing a diagnostic is no reason to die.
  process.stderr.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
  let code = EXIT_OK;
  const setExit = (c: number): void => {
    code = c;
  };
  let settings;
  try {
    settings = withSettings(argv, env);
  } catch (err) {
    if (!(err instanceof SettingsError)) throw err;
    process.stderr.write(`sentrycam: ${err.message}\n`);
    return EXIT_USAGE;
  }
  let parser = globalOptions(yargs(settings.args))
    .scriptName('sentrycam')
    .usage("$0 <command> [options]\n\nWatch a neural network's representation space while it trains.");
  for (const c of commands(setExit)) parser = parser.command(c);
  parser = parser
    .completion('completion', 'Print a completion script for bash or zsh (add its output to ~/.bashrc or ~/.zshrc)')
    .demandCommand(1, 'Name a command (watch, replay, inspect, demo, eval, export, audit); see --help.')
    .strict()
    // A repeated option takes its last value (`--no-record --record DIR` records), as most tools do.
    .parserConfiguration({ 'duplicate-arguments-array': false })
    .example('sentrycam watch', 'receive on tcp://127.0.0.1:5555, record into ./sentrycam-runs/')
    .example('sentrycam demo', 'a real training run streaming into the dashboard')
    .example('sentrycam watch --help', "one command's options")
    .epilogue(MAN_POINTER)
    .wrap(helpWidth(env))
    .fail((msg, err) => {
      throw new UsageError(msg ?? err?.message ?? 'bad command line');
    });
  // A bare `sentrycam` shows what there is to run (starting `watch` would bind a port and create a
  // recording folder in whatever directory the user happens to be in).
  if (argv.length === 0) {
    process.stdout.write(`${await parser.getHelp()}\n`);
    return EXIT_OK;
  }
  try {
    await parser.parseAsync();
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`sentrycam: ${withOrigin(err.message, settings.origins)}\nRun 'sentrycam --help' for usage.\n`);
    return EXIT_USAGE;
  }
  return code;
}

/** Help width: the terminal's, else $COLUMNS, else 80; at most 110 (long lines are hard to read). */
function helpWidth(env: NodeJS.ProcessEnv): number {
  const cols = process.stdout.columns || Number(env.COLUMNS) || 80;
  return Math.max(40, Math.min(110, cols));
}

/** A bad value that came from the environment or a config file: say so (by its flag or value). */
function withOrigin(message: string, origins: ReadonlyMap<string, Setting>): string {
  for (const [key, s] of origins) if (message.includes(`--${key}`) || message.includes(JSON.stringify(String(s.value)))) return `${message} (set by ${s.origin})`;
  return message;
}

class UsageError extends Error {}
