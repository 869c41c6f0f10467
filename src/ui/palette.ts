/**
 * Colours for the dashboard: class colours, region tints, severities, with 256-colour,
 * 16-colour and no-colour (NO_COLOR) variants, and blessed's packed cell attribute.
 */
import type { Severity } from '../model/events.js';
import { forcedColorLevel, noColor } from '../util/color-env.js';

/** How many colours we draw with: 256 (xterm palette), 16 (ANSI) or 0 (attributes only). */
export type ColorMode = 256 | 16 | 0;

/** blessed's "default colour" value in a packed attribute. */
export const DEFAULT_COLOR = 0x1ff;

/** Attribute flag bits as blessed packs them (attr >> 18). */
export const FLAG_BOLD = 1;
export const FLAG_UNDERLINE = 2;
export const FLAG_INVERSE = 8;

/**
 * Pack a cell attribute the way blessed's screen buffer stores it.
 * @param fg colour index 0-255 or DEFAULT_COLOR.
 * @param bg colour index 0-255 or DEFAULT_COLOR.
 * @param flags FLAG_* bits.
 */
export function packAttr(fg: number, bg: number = DEFAULT_COLOR, flags = 0): number {
  return (flags << 18) | (fg << 9) | bg;
}

/**
 * Decide the colour mode from the environment and what the terminal reports.
 * A request of 0 (--no-color, --monochrome) wins; then FORCE_COLOR when set (1: 16 colours, 2 or 3:
 * 256, 0: none; it wins over NO_COLOR and the terminal, as in Node); then NO_COLOR
 * (https://no-color.org: present and not empty); then the terminal.
 * @param env process environment.
 * @param termColors colours the terminfo entry declares (blessed's tput.colors).
 * @param requested an explicit choice (e.g. a command-line flag); NO_COLOR still wins.
 */
export function resolveColorMode(
  env: Readonly<Record<string, string | undefined>>,
  termColors: number,
  requested?: ColorMode,
): ColorMode {
  if (requested === 0) return 0;
  const forced = forcedColorLevel(env);
  if (forced !== undefined) return forced === 0 ? 0 : forced === 1 ? 16 : 256;
  if (noColor(env)) return 0;
  const available: ColorMode = termColors >= 256 ? 256 : termColors >= 8 ? 16 : 0;
  if (requested === undefined) return available;
  // Never draw more colours than the terminal declares: it would print garbage codes.
  return Math.min(requested, available) as ColorMode;
}

// Chosen to stay apart on dark backgrounds; the first ten follow the familiar "category10" hues
// (blue, orange, green, red, purple, brown, pink, grey, olive, cyan), the next ten are lighter twins.
const CLASS_256 = [39, 208, 40, 196, 141, 173, 213, 248, 184, 51, 27, 214, 120, 204, 99, 137, 219, 252, 228, 87];
// Dark tints of the same hues for decision-region backgrounds (dots stay readable on them).
const REGION_256 = [17, 94, 22, 52, 54, 58, 53, 236, 100, 23];
// ANSI: bright variants for dots, the plain 8 for region backgrounds.
const CLASS_16 = [12, 3, 10, 9, 13, 11, 5, 7, 2, 14];
const REGION_16 = [4, 3, 2, 1, 5, 3, 5, 0, 2, 6];

/** Colour choices for one mode. Every method returns a colour index or DEFAULT_COLOR. */
export interface Palette {
  readonly mode: ColorMode;
  /** Foreground colour of class `cls` (cycles when there are more classes than colours). */
  classColor(cls: number): number;
  /** Background tint of the decision region of class `cls`. */
  regionColor(cls: number): number;
  /** Correctly classified / misclassified colours (correctness mode). */
  readonly correct: number;
  readonly wrong: number;
  severityColor(s: Severity): number;
  /** Dim text (axes, placeholders). */
  readonly dim: number;
  /** Accent (gauges, sparklines). */
  readonly accent: number;
}

function cycle(table: readonly number[], cls: number): number {
  if (!Number.isInteger(cls) || cls < 0) return DEFAULT_COLOR;
  return table[cls % table.length];
}

/**
 * Build the palette for a colour mode.
 * @param mode 256, 16 or 0.
 */
export function createPalette(mode: ColorMode): Palette {
  const none = (): number => DEFAULT_COLOR;
  if (mode === 0) {
    return {
      mode,
      classColor: none,
      regionColor: none,
      correct: DEFAULT_COLOR,
      wrong: DEFAULT_COLOR,
      severityColor: none,
      dim: DEFAULT_COLOR,
      accent: DEFAULT_COLOR,
    };
  }
  const is256 = mode === 256;
  const sev256: Record<Severity, number> = { critical: 196, warning: 214, info: 45 };
  const sev16: Record<Severity, number> = { critical: 9, warning: 11, info: 14 };
  return {
    mode,
    classColor: (cls) => cycle(is256 ? CLASS_256 : CLASS_16, cls),
    regionColor: (cls) => cycle(is256 ? REGION_256 : REGION_16, cls),
    correct: is256 ? 34 : 2,
    wrong: is256 ? 196 : 9,
    severityColor: (s) => (is256 ? sev256 : sev16)[s] ?? DEFAULT_COLOR,
    dim: is256 ? 244 : 8,
    accent: is256 ? 75 : 12,
  };
}
