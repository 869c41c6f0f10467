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
      const screen = blessed.screen({
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
      } as blessed.Widgets.IScreenOptions);
      return { screen, terminal, fallbackReason: firstError && `TERM=${requested}: ${firstError}` };
    } catch (err) {
      tried.push(terminal);
      firstError ??= (err as Error).message;
    }
  }
  throw new Error(`cannot open the terminal: blessed failed for ${tried.join(', ')} (${firstError})`);
}
