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
import { legendEntries, lossTitle, paintGauge, paintLegend, paintLoss, paintMetrics, taskLegendEntries } from './panels/side-panels.js';
import { paintAlertDetails } from './panels/alert-details.js';
import { paintStatus, type StatusInfo } from './panels/status-line.js';
import { createTheme, type Theme } from './panels/theme.js';
import { RateMeter } from './rate-meter.js';
import { RedrawScheduler } from './redraw-scheduler.js';
import { ScatterWidget } from './scatter-widget.js';
import type { EpochLayout } from '../model/epoch-layout.js';
import { openScreen } from './terminal-screen.js';
import { keyBindings, type KeyAction } from './keymap.js';
import { CallbackGuard } from '../session/callback-guard.js';
import { toPrintable } from '../model/printable.js';
import { Inspector, inspectorFacts, type InspectorFacts } from './inspector.js';
import type { RunView } from './dashboard-state.js';
import { paintInspector } from './panels/inspector-panel.js';
import { paintRuns, runRows } from './panels/runs-panel.js';
import { DEFAULT_COLOR, FLAG_BOLD, FLAG_INVERSE, packAttr } from './palette.js';
import type { EpochSet } from '../model/epoch-data.js';

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

/** blessed's program, as far as the mouse goes. */
interface MouseProgram {
  setMouse(opts: Record<string, boolean>, enable: boolean): void;
  on(event: 'mouse', cb: (m: MouseReport) => void): void;
}

/** A mouse report from blessed (0-based cells). */
interface MouseReport {
  readonly action: string;
  readonly x: number;
  readonly y: number;
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
  /** The runs panel (key R) is open. */
  private runsPanel = false;
  /** The point inspector: select mode, cursor, selected sample, `/` input. */
  readonly inspector = new Inspector();
  /** The split view's right-hand scatter (same colouring, background and zoom as the left one). */
  private readonly scatter2: ScatterWidget;
  /** Frames/s per run, for the runs panel (capped like the state's streams). */
  private readonly runFrames = new Map<string, RateMeter>();
  /** Inside of the (left) scatter panel in the last frame: where clicks and the cursor land. */
  private scatterInner: Rect | null = null;
  private factsCache: { layout: EpochLayout; key: string; facts: InspectorFacts } | null = null;
  private closed = false;
  private rateTimer: ReturnType<typeof setTimeout> | null = null;
  /**
   * Redraws, key presses and the rate timer run from timers and terminal events, where an exception
   * would end the monitor: it becomes a line in the alert log instead (shown with the next frame).
   */
  private readonly guard = new CallbackGuard((message) => this.state.handle({ event: 'notice', level: 'warning', topic: 'internal_error', message: toPrintable(message) }));
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
    this.scatter2 = new ScatterWidget(palette, ascii);
    this.scheduler = new RedrawScheduler(() => this.guard.run('the dashboard redraw', () => this.screen.render()), opts.fps ?? 10);
    this.screen.on('prerender', () => this.paint());
    this.screen.on('keypress', (ch: string | undefined, key: { full?: string } | undefined) => this.guard.run('a key press', () => this.onKey(ch, key)));
    // Button presses only (no motion reports), SGR-encoded so any column can be reported.
    const program = (this.screen as unknown as { program: MouseProgram }).program;
    program.setMouse({ vt200Mouse: true, sgrMouse: true }, true);
    program.on('mouse', (m: MouseReport) => this.guard.run('a mouse click', () => this.onMouse(m)));
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
  noteFrames(count = 1, run?: string): void {
    if (this.closed) return;
    this.frames.note(count, performance.now());
    if (run !== undefined && (this.runFrames.has(run) || this.state.runs.has(run))) {
      let m = this.runFrames.get(run);
      if (!m) {
        // One meter per run the state holds; meters of forgotten runs go first.
        for (const k of this.runFrames.keys()) if (!this.state.runs.has(k)) this.runFrames.delete(k);
        this.runFrames.set(run, (m = new RateMeter()));
      }
      m.note(count, performance.now());
    }
    this.scheduler.request();
    this.armRateTimer();
  }

  private armRateTimer(): void {
    if (this.rateTimer !== null) return;
    const last = this.frames.lastAt ?? performance.now();
    const due = Math.max(0, last + this.frames.windowMs + 50 - performance.now());
    this.rateTimer = setTimeout(() => this.guard.run('the frame-rate timer', () => {
      this.rateTimer = null;
      const latest = this.frames.lastAt;
      // Frames came in since arming: wait for the window after the newest one instead.
      if (latest !== null && latest > last) this.armRateTimer();
      else this.scheduler.request();
    }), due);
  }

  /** An assembled epoch (before the engine takes it): its raw rows are kept for the inspector's neighbours. */
  noteEpochSet(set: EpochSet): void {
    if (!this.closed) this.state.noteEpochSet(set);
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
    (this.screen as unknown as { program: MouseProgram }).program.setMouse({ vt200Mouse: false, sgrMouse: false }, false);
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
      'close-help': () => {
        this.help = false;
        s.closeAlert();
      },
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
      'colour-by-task': () => sc.toggleTaskColoring(),
      'older-alert': () => s.selectAlert(1),
      'newer-alert': () => s.selectAlert(-1),
      'alert-details': () => s.toggleAlertDetails(),
      'jump-to-alert': () => s.jumpToAlert(),
      'next-run': () => s.cycleRun(1),
      'previous-run': () => s.cycleRun(-1),
      'run-1': () => s.pickRun(0),
      'run-2': () => s.pickRun(1),
      'run-3': () => s.pickRun(2),
      'run-4': () => s.pickRun(3),
      'run-5': () => s.pickRun(4),
      'run-6': () => s.pickRun(5),
      'run-7': () => s.pickRun(6),
      'run-8': () => s.pickRun(7),
      'run-9': () => s.pickRun(8),
      'toggle-runs': () => (this.runsPanel = !this.runsPanel),
      'next-layer': () => s.cycleLayer(),
      'toggle-split': () => s.toggleSplit(),
      'toggle-select': () => {
        const r = this.scatterInner;
        this.inspector.toggle(r?.width ?? 0, r?.height ?? 0);
        if (this.inspector.active) this.pickAtCursor();
      },
      'find-id': () => this.inspector.startFind(),
      'next-mover': () => this.nextMover(),
    };
  }

  /** Select the next sample of the moved-most list (the first, unless the selected one is in it). */
  private nextMover(): void {
    const run = this.state.run;
    const layout = this.state.displayedLayout();
    if (!run || !layout) return;
    const moved = this.facts(run, layout).moved;
    if (moved.length === 0) return;
    const at = moved.findIndex((m) => m.id === this.inspector.selectedId);
    this.inspector.selectedId = moved[(at + 1) % moved.length].id;
    this.inspector.active = true;
    this.inspector.note = null;
    this.inspector.follow(layout, this.scatter.lastTransform);
  }

  /** Select the sample under the cursor in the layout on display. */
  private pickAtCursor(): void {
    this.inspector.pickAtCursor(this.state.displayedLayout(), this.scatter.lastTransform);
  }

  /** Select mode's own keys (arrows move the cursor, Esc leaves); true when the key was taken. */
  private selectKey(full: string | undefined): boolean {
    const ins = this.inspector;
    if (!ins.active || full === undefined) return false;
    // With the help or an alert's box open, Esc closes that first.
    if (full === 'escape' && (this.help || this.state.alertOpen)) return false;
    const step: Record<string, [number, number]> = { left: [-1, 0], right: [1, 0], up: [0, -1], down: [0, 1] };
    const d = step[full];
    if (d) {
      const r = this.scatterInner;
      ins.move(d[0], d[1], r?.width ?? 1, r?.height ?? 1);
      this.pickAtCursor();
      return true;
    }
    if (full === 'escape') {
      ins.active = false;
      return true;
    }
    return false;
  }

  /** A mouse button press on the scatter puts the cursor there and selects the nearest sample. */
  private onMouse(m: MouseReport): void {
    const r = this.scatterInner;
    if (this.closed || m.action !== 'mousedown' || !r) return;
    const col = m.x - r.left;
    const row = m.y - r.top;
    if (col < 0 || row < 0 || col >= r.width || row >= r.height) return;
    this.inspector.place(col, row);
    this.pickAtCursor();
    this.scheduler.request();
  }

  private onKey(ch: string | undefined, key: { full?: string; sequence?: string } | undefined): void {
    if (this.closed) return;
    // blessed reports one CR twice, as 'enter' and then 'return' (an LF comes as 'linefeed'): the
    // first is dropped, or Enter would act twice (open and at once close the alert box).
    if (key?.full === 'enter' && key.sequence === '\r') return;
    // Typing an id after `/`, then select mode's arrows, before the global keys.
    if (this.inspector.typing !== null) {
      this.inspector.type(ch, key?.full);
      // Found: the cursor jumps to it (the panel says so when the epoch on display lacks it).
      if (this.inspector.typing === null) this.inspector.follow(this.state.displayedLayout(), this.scatter.lastTransform);
      this.scheduler.request();
      return;
    }
    if (this.selectKey(key?.full)) {
      this.scheduler.request();
      return;
    }
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

  /** Number of tasks for the legend when colouring by task: the largest task + 1 in the layout. */
  private taskCount(layout: EpochLayout | undefined): number {
    let n = 0;
    if (layout?.tasks) for (const t of layout.tasks) if (t + 1 > n) n = t + 1;
    return n;
  }

  private statusInfo(): StatusInfo {
    const s = this.state;
    const run = s.run;
    return {
      run: run?.base ?? null,
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
      noLayout: s.displayedWithoutLayout(),
      task: run?.task,
      runs: s.runList().length,
      flagged: s.flagged().map((r) => r.run),
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
    if (L.scatter) this.paintScatters(p, L.scatter, layout);
    const panel = (r: Rect | undefined, title: string, body: (inner: Rect) => void): void => {
      if (r) body(p.frame(r, title, th.border, th.title, th.ascii));
    };
    if (this.inspector.active && L.alerts) {
      const f = layout && run ? this.facts(run, layout) : undefined;
      panel(L.alerts, 'inspector', (r) => paintInspector(p, r, th, f, this.inspector.selectedId, run?.classes, this.inspector.note));
    } else panel(L.alerts, 'alerts', (r) => paintAlerts(p, r, th, this.state.alerts, this.state.selectedIndex()));
    const legend = this.scatter.coloring === 'task' ? taskLegendEntries(th, this.taskCount(layout)) : legendEntries(th, this.scatter.coloring, run?.classes, classes);
    panel(L.legend, 'legend', (r) => paintLegend(p, r, th, legend));
    const m = this.state.displayedMetrics();
    const shown = this.state.displayedEpoch();
    panel(L.metrics, shown === null ? 'metrics' : `metrics e${shown}`, (r) => paintMetrics(p, r, th, m));
    panel(L.gauge, 'density', (r) => paintGauge(p, r, th, m));
    const lossRun = this.state.lossView();
    const train = lossRun?.trainLoss ?? [];
    const val = lossRun?.valLoss ?? [];
    panel(L.loss, lossTitle(train, val), (r) => paintLoss(p, r, th, train, val, run?.alertEpochs, lossRun?.taskBoundaries));
    if (this.runsPanel && L.scatter) {
      const st = this.state;
      const now = performance.now();
      const rows = runRows(st.streamList(), st.runList(), [st.current, st.partner], (name) => this.runFrames.get(name)?.rate(now) ?? null);
      paintRuns(p, { ...L.scatter, top: L.scatter.top + 1, left: L.scatter.left + 1, width: L.scatter.width - 2, height: L.scatter.height - 2 }, th, rows);
    }
    if (this.inspector.typing !== null && L.status) {
      p.fill(L.status, ' ', th.status);
      p.text(0, L.status.top, ` find id: ${this.inspector.typing}_   (Enter: find, Esc: cancel)`, th.status, cols);
    }
    const selected = this.state.selectedAlert;
    if (this.state.alertOpen && selected) paintAlertDetails(p, cols, rows, th, selected);
    if (this.help) paintHelp(p, cols, rows, th);
  }

  /** The scatter, or two side by side in the split view (the right one at the same epoch, colours shared). */
  private paintScatters(p: Painter, r: Rect, layout: EpochLayout | undefined): void {
    const s = this.state;
    const partner = s.partner === null ? undefined : s.runs.get(s.partner);
    if (!partner || r.width < 40) {
      this.scatterInner = this.paintScatter(p, r, layout, this.scatter, undefined);
      this.paintSelection(p, this.scatterInner, layout);
      return;
    }
    const half = Math.floor(r.width / 2);
    const left: Rect = { ...r, width: half };
    const right: Rect = { ...r, left: r.left + half, width: r.width - half };
    this.scatterInner = this.paintScatter(p, left, layout, this.scatter, s.run?.run);
    this.paintSelection(p, this.scatterInner, layout);
    // The right side follows the left: same colouring and background, and the same epoch (time travel moves both).
    const sc2 = this.scatter2;
    sc2.coloring = this.scatter.coloring;
    sc2.background = this.scatter.background;
    sc2.view = this.scatter.view;
    const other = s.layoutAt(partner.run, layout?.epoch ?? s.displayedEpoch());
    this.paintScatter(p, right, other, sc2, partner.run);
  }

  /** One scatter panel; returns its inside. */
  private paintScatter(p: Painter, r: Rect, layout: EpochLayout | undefined, sc: ScatterWidget, name: string | undefined): Rect {
    const th = this.theme;
    const who = name === undefined ? '' : `${name} `;
    const title = layout
      ? `${name === undefined ? 'scatter ' : who}e${layout.epoch} · ${layout.n} pts · ${sc.describe(layout)}`
      : `${who || 'scatter'}`;
    const inner = p.frame(r, th.ascii ? title.replaceAll('·', '-') : title, th.border, th.title, th.ascii);
    const shown = this.state.displayedEpoch();
    const message = layout
      ? undefined
      : this.state.displayedWithoutLayout() && shown !== null
        ? `epoch ${shown} has no layout yet`
        : this.state.run
          ? 'waiting for the first layout'
          : 'waiting for a producer';
    sc.paint(p, inner, layout, message);
    if (layout?.metrics.degenerate) p.text(inner.left, inner.top, 'degenerate epoch: all points on one spot', th.bold, inner.width);
    return inner;
  }

  /**
   * The inspector's facts for the layout on display, computed once per (layout, sample, stored
   * epochs, raw rows kept) rather than per frame: the moved-most list sorts every point.
   */
  private facts(run: RunView, layout: EpochLayout): InspectorFacts {
    const key = `${run.run}\u0000${this.inspector.selectedId}\u0000${run.layoutEpochs[0]}\u0000${run.layoutEpochs.length}\u0000${run.raw.has(layout.epoch)}`;
    const c = this.factsCache;
    if (c && c.layout === layout && c.key === key) return c.facts;
    const facts = inspectorFacts(run, layout, this.inspector.selectedId);
    this.factsCache = { layout, key, facts };
    return facts;
  }

  /** Select mode: the selected sample's trajectory, then the cursor. */
  private paintSelection(p: Painter, inner: Rect, layout: EpochLayout | undefined): void {
    const ins = this.inspector;
    const run = this.state.run;
    if (!ins.active || !layout || !run) return;
    const f = this.facts(run, layout);
    this.scatter.paintTrail(p, inner, f.trail, packAttr(this.theme.palette.accent, DEFAULT_COLOR, FLAG_BOLD));
    ins.move(0, 0, inner.width, inner.height);
    this.scatter.paintCursor(p, inner, ins.col, ins.row, packAttr(DEFAULT_COLOR, DEFAULT_COLOR, FLAG_INVERSE | FLAG_BOLD));
  }
}
