/**
 * The dashboard's keys, written once: the key bindings (dashboard.ts) and the help overlay
 * (panels/help-overlay.ts) are both read from KEYMAP, so a key cannot be bound without being
 * documented, or documented without being bound. (The man page's KEYS section is kept by hand.)
 */

/** Everything a key can do; dashboard.ts gives each a handler (a Record over KeyAction). */
export const KEY_ACTIONS = [
  'quit',
  'toggle-help',
  'close-help',
  'pause',
  'older',
  'newer',
  'live',
  'cycle-colouring',
  'toggle-regions',
  'zoom-in',
  'zoom-out',
  'pan-left',
  'pan-down',
  'pan-up',
  'pan-right',
  'reset-view',
  'colour-by-task',
  'older-alert',
  'newer-alert',
  'alert-details',
  'jump-to-alert',
  'next-run',
  'previous-run',
  'run-1',
  'run-2',
  'run-3',
  'run-4',
  'run-5',
  'run-6',
  'run-7',
  'run-8',
  'run-9',
  'toggle-runs',
  'next-layer',
  'toggle-split',
  'toggle-select',
  'find-id',
  'next-mover',
] as const;

export type KeyAction = (typeof KEY_ACTIONS)[number];

/** One line of the help: how the keys are written there, what they do, and the bindings behind it. */
export interface KeyRow {
  /** The keys as the help shows them, e.g. "q, Ctrl-C". */
  readonly label: string;
  readonly help: string;
  /** blessed key names (key.full, e.g. 'C-c', 'left', 'escape', or the typed character) -> action. */
  readonly bind: Readonly<Record<string, KeyAction>>;
}

/** Title line of the help overlay (tests wait for it on screen). */
export const HELP_TITLE = 'SentryCam dashboard keys';

export const KEYMAP: readonly KeyRow[] = [
  { label: '?', help: 'show / hide this help (Esc also closes it)', bind: { '?': 'toggle-help', escape: 'close-help' } },
  { label: 'q, Ctrl-C', help: 'quit (the terminal is restored)', bind: { q: 'quit', 'C-c': 'quit' } },
  { label: 'p', help: 'pause: freeze the picture; data keeps arriving', bind: { p: 'pause' } },
  { label: 'Left/Right', help: 'step through past epochs (time travel)', bind: { left: 'older', right: 'newer' } },
  { label: 'f, End', help: 'back to live (follow the newest epoch)', bind: { f: 'live', end: 'live' } },
  { label: 'c', help: 'colour by label / prediction / correctness', bind: { c: 'cycle-colouring' } },
  { label: 'b', help: 'decision-region background on/off (needs a head)', bind: { b: 'toggle-regions' } },
  // '=' is '+' without Shift on most layouts.
  { label: '+ / -', help: 'zoom in / out about the centre', bind: { '+': 'zoom-in', '=': 'zoom-in', '-': 'zoom-out' } },
  { label: 'h j k l', help: 'pan left / down / up / right', bind: { h: 'pan-left', j: 'pan-down', k: 'pan-up', l: 'pan-right' } },
  { label: 'r', help: 'reset zoom and pan', bind: { r: 'reset-view' } },
  { label: 'T', help: 'colour by task (continual learning) / back to label', bind: { T: 'colour-by-task' } },
  // blessed reports CR (what tmux and most terminals send for Enter) twice, as 'enter' and again as
  // 'return'; the dashboard drops the first (Dashboard.onKey), so Enter is bound as 'return'. LF
  // arrives as 'linefeed'.
  {
    label: '[ ] Enter g',
    help: 'alerts: select older/newer, read one whole, go to its epoch',
    bind: { '[': 'older-alert', ']': 'newer-alert', return: 'alert-details', linefeed: 'alert-details', g: 'jump-to-alert' },
  },
  { label: 'Tab / S-Tab', help: 'next / previous run (your pick stays on screen)', bind: { tab: 'next-run', 'S-tab': 'previous-run' } },
  {
    label: '1-9',
    help: 'show run 1-9 of the runs panel',
    bind: Object.fromEntries([1, 2, 3, 4, 5, 6, 7, 8, 9].map((d) => [String(d), `run-${d}` as KeyAction])),
  },
  { label: 'R', help: 'runs panel: run, layer, epoch, engine, last alert, fr/s', bind: { R: 'toggle-runs' } },
  { label: 'L', help: "next layer of the run (producers tapping several)", bind: { L: 'next-layer' } },
  { label: 's', help: 'split view: this run and the next side by side', bind: { s: 'toggle-split' } },
  { label: 'i', help: 'select mode: arrows / mouse click pick a point (Esc leaves)', bind: { i: 'toggle-select' } },
  { label: '/', help: 'find a sample by id (type it, Enter)', bind: { '/': 'find-id' } },
  { label: 'm', help: 'select the next sample of the "moved most" list', bind: { m: 'next-mover' } },
];

/** Lines after the key table: what the scatter's marks mean. */
const HELP_NOTES: readonly string[] = [
  'Underlined bold cells hold misclassified points (pred != label).',
  "Scatter: 2x4 braille dots per cell; --ascii draws . ' : # x instead.",
  'Select mode: a point, its raw-space neighbours and trajectory, and the samples',
  'that moved most this epoch: a failing run shows there first.',
];

/** Width of the key column in the help (the longest label plus a gap). */
const LABEL_WIDTH = 13;

/** Every key name -> its action; a key bound twice is a programming error. */
export function keyBindings(rows: readonly KeyRow[] = KEYMAP): ReadonlyMap<string, KeyAction> {
  const out = new Map<string, KeyAction>();
  for (const row of rows) {
    for (const [key, action] of Object.entries(row.bind)) {
      if (out.has(key)) throw new Error(`keymap: key ${JSON.stringify(key)} is bound twice`);
      out.set(key, action);
    }
  }
  return out;
}

/** The help text, one string per line: title, the key table, notes. */
export function helpText(rows: readonly KeyRow[] = KEYMAP): string[] {
  return [HELP_TITLE, '', ...rows.map((r) => `  ${r.label.padEnd(LABEL_WIDTH)}${r.help}`), '', ...HELP_NOTES];
}
