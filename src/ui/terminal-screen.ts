/**
 * Open a blessed screen, falling back to a known terminal description when blessed cannot
 * handle the one named by TERM, so an exotic TERM degrades instead of crashing.
 */
import blessed from 'blessed';

/** Where and how to open the screen. */
export interface ScreenOpenOptions {
  readonly input?: NodeJS.ReadableStream;
  readonly output?: NodeJS.WritableStream;
  /** Terminal name; default: $TERM. */
  readonly terminal?: string;
  /** Window title. */
  readonly title?: string;
  /** Force (true) or forbid (false) Unicode output; default: blessed's locale detection. */
  readonly forceUnicode?: boolean;
}

/** The opened screen and how it was obtained. */
export interface OpenedScreen {
  readonly screen: blessed.Widgets.Screen;
  /** The terminal name actually used. */
  readonly terminal: string;
  /** Why the requested terminal was not used, when a fallback was needed. */
  readonly fallbackReason?: string;
  /** What blessed complained about while reading the terminal description (kept off the screen). */
  readonly terminfoErrors?: string;
}

/**
 * Colours the terminal supports. blessed 0.1.81 cannot read every terminfo entry (the newer
 * extended-number format, or strings its compiler chokes on, e.g. screen-256color's plab_norm) and
 * then silently uses its built-in xterm entry with 8 colours. The name says better: a TERM ending
 * in 256color, or COLORTERM=truecolor/24bit, means 256 colours at least.
 * @param tputColors what blessed's terminfo reading reported.
 * @param term the terminal name.
 * @param env environment (COLORTERM).
 */
export function terminalColors(tputColors: number, term: string, env: Readonly<Record<string, string | undefined>>): number {
  const named = /256colou?r|direct|truecolor/i.test(term) || /^(truecolor|24bit)$/i.test(env.COLORTERM ?? '');
  return named ? Math.max(256, tputColors) : tputColors;
}

/**
 * Run fn with console.error captured: blessed prints terminfo compile errors there, which would
 * land on the user's terminal before the dashboard starts (and stay after it ends).
 */
function capturingErrors<T>(fn: () => T): { readonly value: T; readonly errors: string } {
  const original = console.error;
  const lines: string[] = [];
  console.error = (...args: unknown[]): void => {
    lines.push(args.map(String).join(' '));
  };
  try {
    return { value: fn(), errors: lines.join('\n').trim() };
  } finally {
    console.error = original;
  }
}

/** Terminal descriptions tried after the requested one; blessed ships xterm's, vt100 is a last resort. */
const FALLBACKS = ['xterm', 'vt100'];

/**
 * Create the screen (enters the alternate screen, raw input).
 * @throws when no terminal description works at all; the error lists what was tried.
 */
export function openScreen(opts: ScreenOpenOptions = {}): OpenedScreen {
  const requested = opts.terminal ?? process.env.TERM ?? 'xterm';
  const tried: string[] = [];
  let firstError: string | undefined;
  for (const terminal of [requested, ...FALLBACKS.filter((t) => t !== requested)]) {
    try {
      const { value: screen, errors } = capturingErrors(() =>
        blessed.screen({
          input: opts.input,
          output: opts.output,
          terminal,
          title: opts.title,
          // We paint every cell ourselves and compare against blessed's last frame: no scroll tricks.
          smartCSR: false,
          fullUnicode: false,
          autoPadding: false,
          warnings: false,
          forceUnicode: opts.forceUnicode,
        } as blessed.Widgets.IScreenOptions),
      );
      const tput = (screen as unknown as { tput: { colors: number; error?: Error | null } }).tput;
      tput.colors = terminalColors(tput.colors, terminal, process.env);
      const tputError = tput.error ? `${tput.error.message} (blessed uses its built-in xterm description)` : '';
      return {
        screen,
        terminal,
        fallbackReason: firstError && `TERM=${requested}: ${firstError}`,
        terminfoErrors: [tputError, errors].filter(Boolean).join('\n') || undefined,
      };
    } catch (err) {
      tried.push(terminal);
      firstError ??= (err as Error).message;
    }
  }
  throw new Error(`cannot open the terminal: blessed failed for ${tried.join(', ')} (${firstError})`);
}
