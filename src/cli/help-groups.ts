/**
 * `--help` layout: every option of a command under a named group, the common groups first, then
 * examples and a pointer to the man page (a flat list of 50 options hides the five people use).
 */
import type { Argv } from 'yargs';

/** Group title -> options, in the order the help shows them. An option belongs to one group. */
export const HELP_GROUPS: readonly (readonly [string, readonly string[]])[] = [
  ['Input:', ['listen', 'max-frame', 'follow', 'speed', 'epochs', 'unstable', 'continual', 'joint', 'manifest']],
  ['Sample:', ['id', 'k', 'max-epoch']],
  ['Output:', ['headless', 'json', 'alerts-only', 'exit-on-end', 'out', 'format', 'epoch', 'all', 'run', 'metrics-listen']],
  ['Recording:', ['record', 'record-max']],
  ['Alerts:', ['exit-on-alert', 'on-alert']],
  ['Display:', ['color', 'monochrome', 'ascii', 'fps']],
  ['Engine:', ['engine', 'seed', 'budget-ms', 'reproducible', 'engine-heap-mb']],
  ['Comparison:', ['umap', 'umap-every', 'warm-umap']],
  [
    'Alert tuning:',
    ['silence-s', 'burn-in', 'bad-moves', 'std-margin', 'window', 'geometry-detector', 'target-arl', 'info-arl', 'cusum-k', 'collapse-d', 'collapse-rank', 'collapse-rank-classes', 'dead-units', 'dead-rise', 'geometry-metrics', 'geometry-source', 'min-rel-change', 'loss-metric', 'lost-frames', 'alert-forgetting', 'forgetting-drift', 'forgetting-mix'],
  ],
  ['Limits:', ['max-header', 'max-epoch-bytes', 'max-buffered', 'max-open-epochs', 'max-producers', 'max-runs', 'max-epoch-ids']],
  ['General:', ['config', 'help', 'version']],
];

export const MAN_POINTER = "Every option, the JSON events, the environment and the exit codes: man sentrycam (man/sentrycam.1).";

/** yargs keeps what a builder declared here; @types/yargs does not declare it. */
interface Declared {
  getOptions(): { key: Record<string, unknown>; boolean: string[]; array: string[]; alias: Record<string, string[]> };
}

/** Long option names a yargs instance declares (after a command's builder ran on it). */
export function declaredOptions(y: Argv<unknown>): string[] {
  return Object.keys((y as unknown as Declared).getOptions().key).filter((k) => k !== '$0');
}

/** Declared boolean and array options, for turning settings into command-line tokens. */
export function optionKinds(y: Argv<unknown>): { readonly boolean: ReadonlySet<string>; readonly array: ReadonlySet<string> } {
  const o = (y as unknown as Declared).getOptions();
  return { boolean: new Set(o.boolean), array: new Set(o.array) };
}

/** Puts a command's options into HELP_GROUPS and adds its examples and the man-page pointer. */
export function helpLayout<T>(y: Argv<T>, examples: readonly (readonly [string, string])[]): Argv<T> {
  const have = new Set(declaredOptions(y as Argv<unknown>));
  let out = y;
  for (const [title, keys] of HELP_GROUPS) {
    const present = keys.filter((k) => have.has(k));
    if (present.length) out = out.group(present, title);
  }
  for (const [cmd, what] of examples) out = out.example(cmd, what);
  return out.epilogue(MAN_POINTER);
}
