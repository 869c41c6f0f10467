/**
 * The full-screen dashboard: folds the Event stream into DashboardState and paints every panel
 * straight into blessed's screen buffer on each (rate-capped, coalesced) frame. blessed does the
 * terminal work: alternate screen, raw keys, resize, and sending only the cells that changed.
 */
import type blessed from 'blessed';
import type { Event } from '../model/events.js';
import { type CellLine, Painter, PLAIN } from './cell-painter.js';
import { DashboardState } from './dashboard-state.js';
import { computeLayout, type DashboardLayout, type Rect } from './layout-math.js';
import { createPalette, type ColorMode, resolveColorMode } from './palette.js';
import { paintAlerts } from './panels/alert-log.js';
import { paintHelp } from './panels/help-overlay.js';
import { legendEntries, paintGauge, paintLegend, paintLoss, paintMetrics } from './panels/side-panels.js';
import { paintStatus, type StatusInfo } from './panels/status-line.js';
import { createTheme, type Theme } from './panels/theme.js';
import { RateMeter } from './rate-meter.js';
import { RedrawScheduler } from './redraw-scheduler.js';
import { ScatterWidget } from './scatter-widget.js';
import type { EpochLayout } from '../model/epoch-layout.js';
import { openScreen } from './terminal-screen.js';
import { keyBindings, type KeyAction } from './keymap.js';

/** How to open and draw the dashboard. */
export interface DashboardOptions {
  /**
   * ASCII characters instead of braille and box drawing. Default (undefined): ASCII only when the
   * locale is not UTF-8; false forces braille even then.
   */
  readonly ascii?: boolean;
  /** Colours to use (capped by what the terminal declares); NO_COLOR in `env` forces 0. */
  readonly colors?: ColorMode;
  /** Frame-rate cap (default 10). */
  readonly fps?: number;
  readonly input?: NodeJS.ReadableStream;
  readonly output?: NodeJS.WritableStream;
  /** Terminal name (default $TERM); blessed falls back to xterm if it cannot use it. */
  readonly terminal?: string;
  /** Environment consulted for NO_COLOR (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Clock for alert timestamps (default: the wall clock). */
  readonly now?: () => Date;
  /** Layouts kept per run for time travel (default 200). */
  readonly historyLimit?: number;
}

/** A key's effect on the dashboard. */
type Action = () => void;

/** Key name -> action, from the one keymap the help overlay also shows. */
const KEY_BINDINGS = keyBindings();

export class Dashboard {
  readonly state: DashboardState;
  readonly scatter: ScatterWidget;
  readonly theme: Theme;
  /** Terminal name in use and, if a fallback was needed, why. */
  readonly terminal: string;
  readonly fallbackReason?: string;
  /** blessed's complaints about the terminal description, kept off the screen. */
  readonly terminfoErrors?: string;
  private readonly screen: blessed.Widgets.Screen;
  private readonly scheduler: RedrawScheduler;
  private readonly frames = new RateMeter();
  private readonly quitCallbacks: (() => void)[] = [];
  private readonly classCounts = new WeakMap<EpochLayout, number>();
  private help = false;
  private closed = false;
  private rateTimer: ReturnType<typeof setTimeout> | null = null;
  /** Frames painted so far (tests and benchmarks read it). */
  paints = 0;

  constructor(opts: DashboardOptions = {}) {
    const env = opts.env ?? process.env;
    this.state = new DashboardState({ now: opts.now, historyLimit: opts.historyLimit });
    const opened = openScreen({
      input: opts.input,
      output: opts.output,
      terminal: opts.terminal,
      title: 'SentryCam',
      // Explicit choices override blessed's locale check; undefined leaves it to the locale.
      forceUnicode: opts.ascii === undefined ? undefined : !opts.ascii,
    });
    this.screen = opened.screen;
    this.terminal = opened.terminal;
    this.fallbackReason = opened.fallbackReason;
    this.terminfoErrors = opened.terminfoErrors;
    const tput = (this.screen as unknown as { tput: { unicode: boolean; colors: number; brokenACS: boolean } }).tput;
    const ascii = opts.ascii ?? !tput.unicode;
    // Box characters as UTF-8 rather than the terminal's line-drawing charset (ACS): they survive
    // tmux, SSH and pane captures. The user's NCURSES_NO_UTF8_ACS still decides if set.
    if (!ascii && process.env.NCURSES_NO_UTF8_ACS === undefined) tput.brokenACS = true;
    const palette = createPalette(resolveColorMode(env, tput.colors, opts.colors));
    this.theme = createTheme(palette, ascii);
    this.scatter = new ScatterWidget(palette, ascii);
    this.scheduler = new RedrawScheduler(() => this.screen.render(), opts.fps ?? 10);
    this.screen.on('prerender', () => this.paint());
    this.screen.on('keypress', (ch: string | undefined, key: { full?: string } | undefined) => this.onKey(ch, key));
    this.scheduler.request();
  }

  /** Feed one event; the screen updates on the next frame. */
  handle(event: Event): void {
    if (this.closed) return;
    this.state.handle(event);
    this.scheduler.request();
  }

  /**
   * Report received frames (for frames/s in the status line). The rate decays to 0 on screen
   * after frames stop, through one timer that lives only while frames are recent.
   */
  noteFrames(count = 1): void {
    if (this.closed) return;
    this.frames.note(count, performance.now());
    this.scheduler.request();
    this.armRateTimer();
  }

  private armRateTimer(): void {
    if (this.rateTimer !== null) return;
    const last = this.frames.lastAt ?? performance.now();
    const due = Math.max(0, last + this.frames.windowMs + 50 - performance.now());
    this.rateTimer = setTimeout(() => {
      this.rateTimer = null;
      const latest = this.frames.lastAt;
      // Frames came in since arming: wait for the window after the newest one instead.
      if (latest !== null && latest > last) this.armRateTimer();
      else this.scheduler.request();
    }, due);
  }

  /** Called after the user quits with q or Ctrl-C (the terminal is already restored). */
  onQuit(cb: () => void): void {
    this.quitCallbacks.push(cb);
  }

  /** Restore the terminal (leave the alternate screen, show the cursor) and stop all timers. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.scheduler.dispose();
    if (this.rateTimer !== null) clearTimeout(this.rateTimer);
    this.rateTimer = null;
    this.screen.destroy();
  }

  /**
   * Draw a frame now (benchmarks, tests; normal updates go through the rate cap).
   * @param full forget what the terminal shows and send every cell (as after a resize).
   */
  renderNow(full = false): void {
    if (this.closed) return;
    if (full) this.screen.alloc();
    this.scheduler.flush();
    // blessed buffers its output until the next tick: hand it to the stream now.
    (this.screen as unknown as { program: { flush(): void } }).program.flush();
  }

  /** The characters of the current frame, one string per row (tests, debugging). */
  snapshot(): string[] {
    const lines = (this.screen as unknown as { lines: CellLine[] }).lines;
    return lines.map((l) => l.map((c) => c[1]).join(''));
  }

  private quit(): void {
    this.close();
    if (this.quitCallbacks.length === 0) process.exit(0);
    for (const cb of this.quitCallbacks) cb();
  }

  /** The handler of every keymap action (a Record over KeyAction: none can be left out). */
  private keyHandlers(): Record<KeyAction, Action> {
    const s = this.state;
    const sc = this.scatter;
    return {
      quit: () => this.quit(),
      'toggle-help': () => (this.help = !this.help),
      'close-help': () => (this.help = false),
      pause: () => s.togglePause(),
      older: () => s.step(-1),
      newer: () => s.step(1),
      live: () => s.goLive(),
      'cycle-colouring': () => sc.cycleColoring(),
      'toggle-regions': () => sc.toggleBackground(),
      'zoom-in': () => sc.zoom(1),
      'zoom-out': () => sc.zoom(-1),
      'pan-left': () => sc.pan(-1, 0),
      'pan-right': () => sc.pan(1, 0),
      'pan-up': () => sc.pan(0, 1),
      'pan-down': () => sc.pan(0, -1),
      'reset-view': () => sc.reset(),
    };
  }

  private onKey(ch: string | undefined, key: { full?: string } | undefined): void {
    if (this.closed) return;
    // blessed's full key name first (C-c, left, escape), else the typed character (?, +).
    const name = key?.full && KEY_BINDINGS.has(key.full) ? key.full : ch;
    const action = name === undefined ? undefined : KEY_BINDINGS.get(name);
    if (!action) return;
    this.keyHandlers()[action]();
    if (!this.closed) this.scheduler.request();
  }

  /** Number of classes for the legend: names from hello, else the largest label/pred + 1. */
  private classCount(layout: EpochLayout | undefined): number {
    const names = this.state.run?.classes?.length ?? 0;
    if (!layout) return names;
    let n = this.classCounts.get(layout);
    if (n === undefined) {
      n = 0;
      for (const a of [layout.labels, layout.preds]) if (a) for (let i = 0; i < a.length; i++) if (a[i] + 1 > n) n = a[i] + 1;
      this.classCounts.set(layout, n);
    }
    return Math.max(names, n);
  }

  private statusInfo(): StatusInfo {
    const s = this.state;
    const run = s.run;
    return {
      run: run?.run ?? null,
      layer: run?.layer,
      shownEpoch: s.displayedEpoch(),
      latestEpoch: run?.latestEpoch ?? null,
      points: s.displayedLayout()?.n ?? null,
      fps: this.frames.rate(performance.now()),
      lost: s.lost,
      engine: s.engine,
      mode: s.viewEpoch !== null ? 'history' : s.paused ? 'paused' : 'live',
      coloring: this.scatter.coloring,
      ended: run?.ended ?? false,
    };
  }

  /** Paint every panel into blessed's buffer (runs inside screen.render, before the diff). */
  private paint(): void {
    this.paints++;
    const lines = (this.screen as unknown as { lines: CellLine[] }).lines;
    const cols = this.screen.width as number;
    const rows = this.screen.height as number;
    const th = this.theme;
    const p = new Painter(lines, undefined, th.ascii);
    p.fill({ left: 0, top: 0, width: cols, height: rows }, ' ', PLAIN);
    const layout = this.state.displayedLayout();
    const classes = this.classCount(layout);
    const L: DashboardLayout = computeLayout(cols, rows, classes);
    if (L.mode === 'tiny') {
      p.text(0, 0, `terminal too small (${cols}x${rows})`, th.text, cols);
      return;
    }
    const run = this.state.run;
    if (L.status) paintStatus(p, L.status, th, this.statusInfo());
    if (L.scatter) this.paintScatter(p, L.scatter, layout);
    const panel = (r: Rect | undefined, title: string, body: (inner: Rect) => void): void => {
      if (r) body(p.frame(r, title, th.border, th.title, th.ascii));
    };
    panel(L.alerts, 'alerts', (r) => paintAlerts(p, r, th, this.state.alerts));
    panel(L.legend, 'legend', (r) => paintLegend(p, r, th, legendEntries(th, this.scatter.coloring, run?.classes, classes)));
    const m = this.state.displayedMetrics();
    const shown = this.state.displayedEpoch();
    panel(L.metrics, shown === null ? 'metrics' : `metrics e${shown}`, (r) => paintMetrics(p, r, th, m));
    panel(L.gauge, 'density', (r) => paintGauge(p, r, th, m));
    panel(L.loss, 'loss', (r) => paintLoss(p, r, th, run?.trainLoss ?? [], run?.valLoss ?? [], run?.alertEpochs));
    if (this.help) paintHelp(p, cols, rows, th);
  }

  private paintScatter(p: Painter, r: Rect, layout: EpochLayout | undefined): void {
    const th = this.theme;
    const title = layout
      ? `scatter e${layout.epoch} · ${layout.n} pts · ${this.scatter.describe(layout)}`
      : 'scatter';
    const inner = p.frame(r, th.ascii ? title.replaceAll('·', '-') : title, th.border, th.title, th.ascii);
    const message = layout ? undefined : this.state.run ? 'waiting for the first layout' : 'waiting for a producer';
    this.scatter.paint(p, inner, layout, message);
    if (layout?.metrics.degenerate) p.text(inner.left, inner.top, 'degenerate epoch: all points on one spot', th.bold, inner.width);
  }
}
