/**
 * What the dashboard knows, folded from the Event stream; no terminal here, so every behaviour
 * (time travel, pause, alert log, loss series) is testable with plain events.
 * Every producer-supplied string is sanitised as it comes in.
 */
import type { EpochLayout, EpochMetrics } from '../model/epoch-layout.js';
import { SEVERITY_RANK, type AlertEvent, type AlertKind, type EngineStateEvent, type EpochEvent, type Event, type Severity, type SummaryEvent } from '../model/events.js';
import type { EpochSet } from '../model/epoch-data.js';
import { streamName } from '../model/stream-name.js';
import { rawRowsOf, type RawRows } from '../inspect/sample-facts.js';

/** One line of the alert log. */
export interface AlertEntry {
  readonly time: Date;
  readonly severity: Severity;
  /** Sanitised, one line. */
  readonly text: string;
  /** For alerts: the epoch it concerns (null when none), its whole message and evidence (alert details box). */
  readonly alert?: Pick<AlertEvent, 'kind' | 'epoch' | 'message' | 'evidence' | 'run'>;
}


/** One value of a loss curve. */
export interface SeriesPoint {
  readonly epoch: number;
  readonly step?: number;
  readonly value: number;
}

/** The newest alert of a run (the runs panel shows it). */
export interface LastAlert {
  readonly kind: AlertKind;
  readonly severity: Severity;
  readonly epoch: number | null;
}

/** Everything known about one run (one stream: a run's further layers are streams RUN/LAYER). */
export interface RunView {
  readonly run: string;
  /** The run this stream is a layer of (its own name for a run's first layer). */
  base: string;
  /** Newest alert of this stream. */
  lastAlert?: LastAlert;
  /** Most severe alert raised while the stream was not on display; cleared once it is shown. */
  flag: Severity | null;
  /** Raw activations of the newest epochs (the inspector's neighbours), oldest dropped beyond rawLimit. */
  readonly raw: Map<number, RawRows>;
  layer?: string;
  dim?: number;
  model?: string;
  classes?: readonly string[];
  /** Stored layouts by epoch (time travel), oldest dropped beyond the history limit. */
  readonly layouts: Map<number, EpochLayout>;
  /** Epochs with a layout, ascending. */
  layoutEpochs: number[];
  /** Latest epoch event per epoch (metrics when no layout exists, e.g. engine off). */
  readonly epochs: Map<number, EpochEvent>;
  /** Highest epoch seen in any event. */
  latestEpoch: number | null;
  readonly trainLoss: SeriesPoint[];
  readonly valLoss: SeriesPoint[];
  /** The most severe alert per epoch, marked on the loss sparkline's epoch axis. */
  readonly alertEpochs: Map<number, Severity>;
  /** Task being trained, from metrics' `task` (continual learning); undefined when never sent. */
  task?: number;
  /** Epoch -> the task that starts there, for every task change after the first task. */
  readonly taskBoundaries: Map<number, number>;
  ended: boolean;
}

/** Options of the state. */
export interface DashboardStateOptions {
  /** Clock for alert timestamps (tests pass a fixed one). */
  readonly now?: () => Date;
  /** Layouts kept per run for time travel (each ~25 bytes per point). */
  readonly historyLimit?: number;
  /** Alert log entries kept. */
  readonly alertLimit?: number;
  /** Points kept per loss series. */
  readonly seriesLimit?: number;
  /** Epochs of raw activations kept per stream for the inspector (each n*D*4 bytes; default 4). */
  readonly rawLimit?: number;
  /**
   * Bytes of raw activations kept over all streams (default 256 MiB): the oldest go first, and an
   * epoch larger than this is not copied at all (the inspector then says its rows are not kept).
   */
  readonly rawBytesLimit?: number;
  /** Streams (run, layer) kept; the oldest ended (else oldest) one not on display is forgotten beyond it (default 64). */
  readonly runLimit?: number;
}

// Metric keys recognised as the training / validation loss, in order of preference.
const TRAIN_KEYS = ['train_loss', 'loss'];
const VAL_KEYS = ['val_loss', 'valid_loss', 'test_loss'];

const push = <T>(a: T[], v: T, limit: number): void => {
  a.push(v);
  if (a.length > limit) a.splice(0, a.length - limit);
};

export class DashboardState {
  readonly runs = new Map<string, RunView>();
  /**
   * The run on display: the one of the most recent hello (a new run takes over the screen) until
   * the user picks a run (Tab, digits): from then on a new run only joins the list. Epoch and
   * layout events only choose it while none is shown, so two concurrent runs do not make the
   * display flip between them.
   */
  current: string | null = null;
  /** The user picked the run on display: a new run's hello no longer takes over the screen. */
  chosen = false;
  /** The other run of the split view (key s), or null when the view is not split. */
  partner: string | null = null;
  /** First layer of each run (by run name): a hello naming another layer starts a stream RUN/LAYER. */
  private readonly firstLayer = new Map<string, string>();
  /** Streams forgotten at the stream cap (a notice says so). */
  forgotten = 0;
  /** Newest first. */
  readonly alerts: AlertEntry[] = [];
  lost = 0;
  rejected = 0;
  engine: EngineStateEvent['state'] | null = null;
  engineEpoch: number | null = null;
  summary: SummaryEvent | null = null;
  /** Time travel: the epoch on display, or null to follow the latest. */
  viewEpoch: number | null = null;
  /** Frozen: the display stays on pausedEpoch while events keep being stored. */
  paused = false;
  private pausedEpoch: number | null = null;

  private readonly now: () => Date;
  private readonly historyLimit: number;
  private readonly alertLimit: number;
  private readonly seriesLimit: number;
  private readonly rawLimit: number;
  private readonly rawBytesLimit: number;
  /** Raw rows kept, oldest first, over all streams (the byte cap's order). */
  private readonly rawKept: { run: string; epoch: number; bytes: number }[] = [];
  private rawBytes = 0;
  private readonly runLimit: number;

  constructor(opts: DashboardStateOptions = {}) {
    this.now = opts.now ?? (() => new Date());
    this.historyLimit = opts.historyLimit ?? 200;
    this.alertLimit = opts.alertLimit ?? 500;
    this.seriesLimit = opts.seriesLimit ?? 5000;
    this.rawLimit = opts.rawLimit ?? 4;
    this.rawBytesLimit = opts.rawBytesLimit ?? 256 * 2 ** 20;
    this.runLimit = opts.runLimit ?? 64;
    for (const [k, v] of Object.entries({ historyLimit: this.historyLimit, alertLimit: this.alertLimit, seriesLimit: this.seriesLimit, rawLimit: this.rawLimit, rawBytesLimit: this.rawBytesLimit, runLimit: this.runLimit })) {
      if (!Number.isInteger(v) || v < 1) throw new Error(`DashboardState: ${k} must be a positive integer, got ${v}`);
    }
  }

  /** The run on display, if any. */
  get run(): RunView | undefined {
    return this.current === null ? undefined : this.runs.get(this.current);
  }

  private runState(name: string): RunView {
    const run = name;
    let s = this.runs.get(run);
    if (!s) {
      this.makeRoom();
      s = {
        run,
        base: run,
        flag: null,
        raw: new Map(),
        layouts: new Map(),
        layoutEpochs: [],
        epochs: new Map(),
        latestEpoch: null,
        trainLoss: [],
        valLoss: [],
        alertEpochs: new Map(),
        taskBoundaries: new Map(),
        ended: false,
      };
      this.runs.set(run, s);
    }
    return s;
  }

  private follow(s: RunView, force: boolean): void {
    if (this.current !== s.run && (force || this.current === null)) this.show(s.run);
  }

  /** Put a stream on display. A new run starts a new timeline: time travel is left. */
  private show(name: string): void {
    if (this.current === name) return;
    this.current = name;
    if (this.partner === name) this.partner = null;
    this.viewEpoch = null;
    this.pausedEpoch = null;
    const s = this.runs.get(name);
    if (s) s.flag = null;
  }

  /** At the stream cap: forget the oldest ended stream not on display, else the oldest one not on display. */
  private makeRoom(): void {
    if (this.runs.size < this.runLimit) return;
    const candidates = [...this.runs.values()].filter((r) => r.run !== this.current && r.run !== this.partner);
    const victim = candidates.find((r) => r.ended) ?? candidates[0];
    if (!victim) return;
    for (const e of [...victim.raw.keys()]) this.dropRaw(victim.run, e);
    this.runs.delete(victim.run);
    this.forgotten++;
    this.log('info', `run ${victim.run} forgotten by the dashboard: it keeps ${this.runLimit} runs and layers`);
  }

  /** Runs (first layers) in the order they arrived: Tab and the digit keys go through this list. */
  runList(): RunView[] {
    return [...this.runs.values()].filter((r) => r.base === r.run);
  }

  /** Every stream (runs and their further layers) in arrival order: the runs panel's rows. */
  streamList(): RunView[] {
    const out: RunView[] = [];
    for (const r of this.runList()) for (const s of this.runs.values()) if (s.base === r.run) out.push(s);
    // Streams whose run was forgotten still show.
    for (const s of this.runs.values()) if (!out.includes(s)) out.push(s);
    return out;
  }

  /** The layers of the run on display (its first layer first). */
  layersOfCurrent(): RunView[] {
    const base = this.run?.base;
    return base === undefined ? [] : [...this.runs.values()].filter((r) => r.base === base);
  }

  /** Show run number `i` (0-based) of runList(); the user's choice from now on. */
  pickRun(i: number): boolean {
    const r = this.runList()[i];
    if (!r) return false;
    this.chosen = true;
    this.show(r.run);
    return true;
  }

  /** Next (+1) or previous (-1) run (Tab / Shift-Tab). */
  cycleRun(dir: 1 | -1): void {
    const list = this.runList();
    if (list.length === 0) return;
    const at = list.findIndex((r) => r.run === this.run?.base);
    this.pickRun((((at < 0 ? 0 : at + dir) % list.length) + list.length) % list.length);
  }

  /** Next layer of the run on display (key L). */
  cycleLayer(): void {
    const layers = this.layersOfCurrent();
    if (layers.length < 2) return;
    const at = layers.findIndex((r) => r.run === this.current);
    this.chosen = true;
    this.show(layers[(at + 1) % layers.length].run);
  }

  /** Split view on/off (key s): the partner is the next run (else the next layer) after the one on display. */
  toggleSplit(): void {
    if (this.partner !== null) {
      this.partner = null;
      return;
    }
    const list = this.streamList().filter((r) => r.run !== this.current);
    const runs = list.filter((r) => r.base === r.run && r.run !== this.run?.base);
    const next = runs.find((r) => this.runList().indexOf(r) > this.runList().findIndex((x) => x.run === this.run?.base)) ?? runs[0] ?? list[0];
    this.partner = next?.run ?? null;
    if (next) next.flag = null;
  }

  /** Streams flagged with an alert raised while off screen. */
  flagged(): RunView[] {
    return [...this.runs.values()].filter((r) => r.flag !== null);
  }

  /**
   * Keep the raw rows of an assembled epoch for the inspector's neighbours (copied: the engine
   * takes the set's buffers). The newest rawLimit epochs are kept per stream.
   */
  noteEpochSet(set: EpochSet): void {
    const s = this.runs.get(set.run);
    if (!s || set.splits.length === 0) return;
    let bytes = 0;
    for (const d of set.splits) bytes += d.n * (d.dim * 4 + 12);
    // Too big to keep: not even copied (the main thread must stay free to receive).
    if (bytes > this.rawBytesLimit) return;
    this.dropRaw(s.run, set.epoch);
    s.raw.set(set.epoch, rawRowsOf(set));
    this.rawKept.push({ run: s.run, epoch: set.epoch, bytes });
    this.rawBytes += bytes;
    while (s.raw.size > this.rawLimit) this.dropRaw(s.run, s.raw.keys().next().value as number);
    while (this.rawBytes > this.rawBytesLimit) this.dropRaw(this.rawKept[0].run, this.rawKept[0].epoch);
  }

  /** Forget the raw rows of one epoch of one stream (the byte count follows). */
  private dropRaw(run: string, epoch: number): void {
    const at = this.rawKept.findIndex((k) => k.run === run && k.epoch === epoch);
    if (at < 0) return;
    this.rawBytes -= this.rawKept[at].bytes;
    this.rawKept.splice(at, 1);
    this.runs.get(run)?.raw.delete(epoch);
  }

  /** The layout of stream `name` at `epoch`, else its newest stored one before it (the split view's other side). */
  layoutAt(name: string, epoch: number | null): EpochLayout | undefined {
    const s = this.runs.get(name);
    if (!s || s.layoutEpochs.length === 0) return undefined;
    if (epoch === null) return s.layouts.get(s.layoutEpochs[s.layoutEpochs.length - 1]);
    let best: number | undefined;
    for (const e of s.layoutEpochs) if (e <= epoch) best = e;
    return best === undefined ? undefined : s.layouts.get(best);
  }

  /** The loss series of the run on display (metrics come per run, not per layer). */
  lossView(): RunView | undefined {
    const s = this.run;
    return s && s.base !== s.run ? (this.runs.get(s.base) ?? s) : s;
  }

  private seeEpoch(s: RunView, epoch: number): void {
    if (s.latestEpoch === null || epoch > s.latestEpoch) s.latestEpoch = epoch;
  }

  private log(severity: Severity, text: string, alert?: AlertEntry['alert']): void {
    this.alerts.unshift({ time: this.now(), severity, text, ...(alert ? { alert } : {}) });
    if (this.alerts.length > this.alertLimit) {
      const dropped = this.alerts.splice(this.alertLimit);
      if (this.selectedAlert && dropped.includes(this.selectedAlert)) this.closeAlert();
    }
  }

  /** Fold one event in. */
  handle(ev: Event): void {
    switch (ev.event) {
      case 'hello': {
        const first = this.firstLayer.get(ev.run) ?? ev.layer;
        if (!this.firstLayer.has(ev.run)) this.firstLayer.set(ev.run, ev.layer);
        const name = streamName(ev.run, ev.layer, first);
        const s = this.runState(name);
        s.base = ev.run;
        s.layer = ev.layer;
        s.dim = ev.dim;
        s.model = ev.model === undefined ? undefined : ev.model;
        s.classes = ev.classes;
        // Only a new run's first layer takes over the screen, and only while the user has not chosen a run.
        this.follow(s, name === ev.run && !this.chosen);
        break;
      }
      case 'epoch': {
        const s = this.runState(ev.run);
        s.epochs.set(ev.epoch, ev);
        this.seeEpoch(s, ev.epoch);
        this.follow(s, false);
        break;
      }
      case 'layout': {
        const l = ev.layout;
        const s = this.runState(l.run);
        if (!s.layouts.has(l.epoch)) {
          s.layoutEpochs.push(l.epoch);
          s.layoutEpochs.sort((a, b) => a - b);
        }
        s.layouts.set(l.epoch, l);
        while (s.layoutEpochs.length > this.historyLimit) {
          const old = s.layoutEpochs.shift()!;
          s.layouts.delete(old);
        }
        this.seeEpoch(s, l.epoch);
        this.follow(s, false);
        break;
      }
      case 'metrics': {
        const s = this.runState(ev.run);
        const point = (keys: string[]): SeriesPoint | undefined => {
          for (const k of keys) {
            const v = ev.values[k];
            if (typeof v === 'number' && Number.isFinite(v)) return { epoch: ev.epoch, step: ev.step, value: v };
          }
          return undefined;
        };
        const tr = point(TRAIN_KEYS);
        const va = point(VAL_KEYS);
        if (tr) push(s.trainLoss, tr, this.seriesLimit);
        if (va) push(s.valLoss, va, this.seriesLimit);
        if (ev.task !== undefined && ev.task !== s.task) {
          if (s.task !== undefined) s.taskBoundaries.set(ev.epoch, ev.task);
          s.task = ev.task;
        }
        this.seeEpoch(s, ev.epoch);
        break;
      }
      case 'engine':
        this.engine = ev.state;
        this.engineEpoch = ev.epoch ?? null;
        break;
      case 'alert': {
        const where = ev.epoch === null ? '' : ` e${ev.epoch}`;
        if (ev.run !== '') {
          const s = this.runState(ev.run);
          s.lastAlert = { kind: ev.kind, severity: ev.severity, epoch: ev.epoch };
          const shown = ev.run === this.current || ev.run === this.partner;
          if (!shown && (s.flag === null || SEVERITY_RANK[ev.severity] > SEVERITY_RANK[s.flag])) s.flag = ev.severity;
        }
        if (ev.epoch !== null) {
          const marks = this.runState(ev.run).alertEpochs;
          const had = marks.get(ev.epoch);
          if (!had || SEVERITY_RANK[ev.severity] > SEVERITY_RANK[had]) marks.set(ev.epoch, ev.severity);
        }
        this.log(ev.severity, `${ev.kind}${where}: ${ev.message}`, { kind: ev.kind, epoch: ev.epoch, message: ev.message, evidence: ev.evidence, run: ev.run });
        break;
      }
      case 'notice':
        this.log(ev.level, `${ev.topic}: ${ev.message}`);
        break;
      case 'reject': {
        this.rejected++;
        const who = ev.producer === null ? '' : ` from ${ev.producer}`;
        this.log('warning', `reject ${ev.code}${who}: ${ev.reason}`);
        break;
      }
      case 'lost':
        this.lost += ev.count;
        this.log(
          'warning',
          `lost ${ev.count} frame${ev.count === 1 ? '' : 's'} from ${ev.producer} (seq ${ev.expected} expected, ${ev.got} received)`,
        );
        break;
      case 'silence':
        this.log('warning', `silence: ${ev.producer} quiet for ${Math.round(ev.seconds)} s`);
        break;
      case 'end': {
        const s = this.runState(ev.run);
        s.ended = true;
        this.log('info', `run ${s.run} ended`);
        break;
      }
      case 'record_error':
        this.log('critical', `recording: ${ev.message}`);
        break;
      case 'summary':
        this.summary = ev;
        this.log('info', `summary: ${ev.frames} frames, ${ev.rejected} rejected, ${ev.lost} lost, ${ev.epochs} epochs`);
        break;
    }
  }

  /** Epoch whose layout is on display: time-travel choice, the paused one, or the newest. */
  displayedEpoch(): number | null {
    const s = this.run;
    if (!s || s.layoutEpochs.length === 0) return this.viewEpoch ?? this.pausedEpoch;
    if (this.viewEpoch !== null) return this.viewEpoch;
    if (this.paused && this.pausedEpoch !== null) return this.pausedEpoch;
    return s.layoutEpochs[s.layoutEpochs.length - 1];
  }

  /** The layout on display (undefined before the first one, or if it fell out of history). */
  displayedLayout(): EpochLayout | undefined {
    const e = this.displayedEpoch();
    return e === null ? undefined : this.run?.layouts.get(e);
  }

  /**
   * Metrics of the displayed epoch: the layout's, else the epoch event's (engine off), else those of
   * the latest epoch when nothing is displayed yet.
   */
  displayedMetrics(): Partial<EpochMetrics> | undefined {
    const s = this.run;
    if (!s) return undefined;
    const e = this.displayedEpoch() ?? s.latestEpoch;
    if (e === null) return undefined;
    return s.layouts.get(e)?.metrics ?? s.epochs.get(e);
  }

  /** Whether the display follows new data. */
  get live(): boolean {
    return this.viewEpoch === null && !this.paused;
  }

  /** Freeze or unfreeze the display (key p). */
  togglePause(): void {
    if (this.paused) {
      this.paused = false;
      this.pausedEpoch = null;
    } else {
      this.pausedEpoch = this.displayedEpoch();
      this.paused = true;
    }
  }

  /**
   * Step through stored epochs (keys left/right); -1 = older. Stepping starts from the displayed
   * epoch and stops at the ends of the history.
   */
  step(dir: -1 | 1): void {
    const s = this.run;
    if (!s || s.layoutEpochs.length === 0) return;
    const list = steppableEpochs(s);
    const cur = this.displayedEpoch() ?? list[list.length - 1];
    // Position of the first stored epoch >= cur (cur may have fallen out of history).
    let i = list.findIndex((e) => e >= cur);
    if (i < 0) i = list.length;
    if (dir < 0) i = Math.max(0, i - 1);
    else i = Math.min(list.length - 1, list[i] === cur ? i + 1 : i);
    this.viewEpoch = list[i];
  }

  /** Back to following the newest epoch (keys f / End). */
  goLive(): void {
    this.viewEpoch = null;
    this.paused = false;
    this.pausedEpoch = null;
  }

  /** Whether the displayed epoch is one without a layout (skipped by the engine, or jumped to). */
  displayedWithoutLayout(): boolean {
    const e = this.displayedEpoch();
    const s = this.run;
    return e !== null && s !== undefined && (s.layoutEpochs.length > 0 || this.viewEpoch !== null) && !s.layouts.has(e);
  }

  /** The alert picked in the log (keys [ and ]), or null; `alertOpen`: its details box is shown. */
  selectedAlert: AlertEntry | null = null;
  alertOpen = false;

  /** Index of the selected alert in the log (0 = newest), or -1. */
  selectedIndex(): number {
    return this.selectedAlert ? this.alerts.indexOf(this.selectedAlert) : -1;
  }

  /**
   * Move the selection through the log's alerts (entries that are alerts, not notices): +1 = older,
   * -1 = newer; the first move picks the newest alert. Stops at the ends.
   */
  selectAlert(dir: -1 | 1): void {
    const idx = this.alerts.flatMap((a, i) => (a.alert ? [i] : []));
    if (idx.length === 0) return;
    const cur = this.selectedIndex();
    let next: number | undefined;
    if (cur < 0) next = idx[0];
    else if (dir > 0) next = idx.find((i) => i > cur) ?? cur;
    else next = [...idx].reverse().find((i) => i < cur) ?? cur;
    this.selectedAlert = this.alerts[next!] ?? null;
  }

  /** Open / close the selected alert's details box (Enter); selects the newest alert when none is. */
  toggleAlertDetails(): void {
    if (!this.selectedAlert) this.selectAlert(1);
    this.alertOpen = this.selectedAlert !== null && !this.alertOpen;
  }

  /** Drop the selection and close the box (Esc). */
  closeAlert(): void {
    this.selectedAlert = null;
    this.alertOpen = false;
  }

  /**
   * Time travel to the selected alert's epoch (key g), on its run. The epoch is shown even when it
   * has no layout (the status line says so).
   */
  jumpToAlert(): void {
    const a = this.selectedAlert?.alert;
    if (!a || a.epoch === null || !this.runs.has(a.run)) return;
    this.current = a.run;
    this.viewEpoch = a.epoch;
  }
}

/**
 * Epochs time travel visits: those with a layout and those the engine skipped (a backfill may lay
 * them out later; until then the status line says they have none), ascending.
 */
function steppableEpochs(s: RunView): number[] {
  const skipped = [...s.epochs.values()].filter((e) => e.engine === 'skipped' && !s.layouts.has(e.epoch)).map((e) => e.epoch);
  if (skipped.length === 0) return s.layoutEpochs;
  // Skipped epochs older than the history kept are not visited: their layouts would fall out anyway.
  const oldest = s.layoutEpochs[0]!;
  return [...new Set([...s.layoutEpochs, ...skipped.filter((e) => e >= oldest)])].sort((a, b) => a - b);
}
