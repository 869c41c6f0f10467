/**
 * A sequential change detector for one representation signal (docs/alerts.md#the-change-detector):
 * a one-sided CUSUM on the signal's log, standardised by the run's own noise. Feed one value per
 * epoch, in order; it reports at most one `info` and one `warning` per run.
 *
 * Per value v (the log makes the signal scale-free, `floor` keeps values near zero from turning
 * noise into huge log moves; signals whose bad direction is down are negated):
 *   x = ±ln(v + floor)
 *   ref = median of the last `refWindow` in-control levels      (where the signal has been lately)
 *   noise = max(minNoise, 1.4826 * MAD of the in-control residuals x - ref)   (how much it wanders)
 *   S = max(0, S + (x - ref) / noise - k)
 * While S > 0 the run is in an excursion: the reference and the noise stay as they were when it
 * began, so a change that persists keeps adding up instead of becoming the new normal. When S falls
 * back to 0 the excursion was noise after all, and its levels join the history then (learning only
 * from quiet epochs would keep every high value out and pull the reference down). A level that falls more
 * than `winsor` noise units below the reference enters the reference history clipped there, so a
 * passing dip followed by a return to normal does not read as a rise.
 */

/** Which way a signal moves when training goes wrong. */
export type Direction = 'up' | 'down';

/** Settings of one detector. */
export interface ChangeDetectorOptions {
  readonly bad: Direction;
  /** Allowance per epoch in noise units: only levels more than k noise units above the reference accumulate. */
  readonly k: number;
  /** Warning when S reaches this (from the target run length between false alarms: `cusumThreshold`). */
  readonly h: number;
  /** Info when S first reaches this (below h). */
  readonly hInfo: number;
  /** Values fed before one may fire (early training is a transient). */
  readonly burnIn: number;
  /** Levels in the running median reference. */
  readonly refWindow: number;
  /** Smallest noise, in log units: moves below it are never significant. */
  readonly minNoise: number;
  /** Levels below ref - winsor * noise enter the reference history clipped there. */
  readonly winsor: number;
  /** Added to the value before the log, in the signal's own units. */
  readonly floor: number;
  /**
   * A warning only while the signal is still moving the bad way (this epoch worse than the last):
   * "act now" is for an excursion that is growing; one already receding stays an info.
   */
  readonly warnWhileRising: boolean;
}

/** A crossing: everything needed to check the decision by hand. */
export interface ChangeFiring {
  readonly severity: 'info' | 'warning';
  readonly epoch: number;
  readonly value: number;
  /** The CUSUM statistic and the threshold it reached. */
  readonly statistic: number;
  readonly threshold: number;
  /** The reference and the noise of this excursion, back in the signal's units (exp of the log level) and in log units. */
  readonly reference: number;
  readonly noise: number;
  /** Standardised level of this epoch, (x - ref) / noise. */
  readonly z: number;
  /** The excursion: epochs and values from the first one above the reference, oldest first. */
  readonly epochs: readonly number[];
  readonly values: readonly number[];
}

/** One judged value, in the detector's signed log units (docs/alerts.md#the-change-detector). */
export interface ChangeState {
  readonly epoch: number;
  /** ±ln(value + floor). */
  readonly level: number;
  readonly reference: number;
  readonly noise: number;
  readonly z: number;
  readonly statistic: number;
  /** This level is worse than the previous one. */
  readonly rising: boolean;
}

/** Values (levels, residuals) a reference and a noise estimate need before the detector judges. */
const MIN_HISTORY = 3;
/** Residuals the noise is estimated from: the last 50 quiet epochs, long enough for a stable MAD. */
const NOISE_HISTORY = 50;
/** MAD to standard deviation for normal noise. */
const MAD_TO_SD = 1.4826;

function median(v: readonly number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Threshold h of a one-sided CUSUM with allowance k whose average run length between false alarms
 * on in-control N(0, 1) values is `arl` (Siegmund's approximation, accurate to a few percent:
 * ARL = (e^(2kb) - 2kb - 1) / (2k^2) with b = h + 1.166).
 */
export function cusumThreshold(arl: number, k: number): number {
  if (!(arl > 1) || !(k > 0)) throw new Error(`cusumThreshold: need arl > 1 and k > 0, got ${arl}, ${k}`);
  const runLength = (b: number): number => (Math.exp(2 * k * b) - 2 * k * b - 1) / (2 * k * k);
  let lo = 0;
  let hi = 1;
  while (runLength(hi) < arl) hi *= 2;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (runLength(mid) < arl) lo = mid;
    else hi = mid;
  }
  return Math.max(0, (lo + hi) / 2 - 1.166);
}

/** Checks the options and names the first bad one. */
export function checkChangeDetectorOptions(o: ChangeDetectorOptions, what = 'change detector'): void {
  if (o.bad !== 'up' && o.bad !== 'down') throw new Error(`${what}: bad must be 'up' or 'down', got ${String(o.bad)}`);
  const positive: Array<[string, number]> = [
    ['k', o.k],
    ['h', o.h],
    ['hInfo', o.hInfo],
    ['minNoise', o.minNoise],
    ['winsor', o.winsor],
  ];
  for (const [name, v] of positive) if (!(Number.isFinite(v) && v > 0)) throw new Error(`${what}: ${name} must be a finite number > 0, got ${v}`);
  if (!(Number.isFinite(o.floor) && o.floor >= 0)) throw new Error(`${what}: floor must be a finite number >= 0, got ${o.floor}`);
  if (!Number.isInteger(o.burnIn) || o.burnIn < 0) throw new Error(`${what}: burnIn must be an integer >= 0, got ${o.burnIn}`);
  if (!Number.isInteger(o.refWindow) || o.refWindow < 1) throw new Error(`${what}: refWindow must be an integer >= 1, got ${o.refWindow}`);
}

/** One signal's detector. Values must be fed in increasing epoch order. */
export class ChangeDetector {
  private readonly levels: number[] = [];
  private readonly residuals: number[] = [];
  private statistic = 0;
  private fed = 0;
  private lastEpoch = Number.NEGATIVE_INFINITY;
  /** The excursion in progress (S > 0): its epochs and values, and its reference and noise. */
  private excursion: { epochs: number[]; values: number[]; levels: number[]; ref: number; noise: number } | null = null;
  private readonly fired = new Set<'info' | 'warning'>();
  /** The previous level (signed log), for warnWhileRising. */
  private previous: number | null = null;
  private judged: ChangeState | null = null;

  constructor(private readonly opts: ChangeDetectorOptions) {
    checkChangeDetectorOptions(opts);
    if (opts.hInfo > opts.h) throw new Error(`change detector: hInfo (${opts.hInfo}) must not exceed h (${opts.h})`);
  }

  /** The CUSUM statistic after the last value (0: in control). */
  get value(): number {
    return this.statistic;
  }

  /** How the last value fed was judged (null while the history fills): for tools that explain a run. */
  get last(): ChangeState | null {
    return this.judged;
  }

  /**
   * Feeds one epoch's value. Returns the crossings it caused (info and/or warning, each once per
   * detector). Non-finite or negative values, and epochs not after the last one fed, are ignored.
   */
  push(epoch: number, value: number): ChangeFiring[] {
    if (!Number.isFinite(value) || value < 0 || !Number.isFinite(epoch) || epoch <= this.lastEpoch) return [];
    this.lastEpoch = epoch;
    this.fed++;
    const o = this.opts;
    const x = (o.bad === 'up' ? 1 : -1) * Math.log(value + o.floor);
    const rising = this.previous !== null && x > this.previous;
    this.previous = x;
    if (this.levels.length < MIN_HISTORY) {
      this.levels.push(x);
      return [];
    }
    const ref = this.excursion?.ref ?? median(this.levels.slice(-o.refWindow));
    if (this.residuals.length < MIN_HISTORY) {
      this.residuals.push(x - ref);
      this.levels.push(x);
      return [];
    }
    const noise = this.excursion?.noise ?? this.noiseNow();
    const z = (x - ref) / noise;
    this.statistic = Math.max(0, this.statistic + z - o.k);
    this.judged = { epoch, level: x, reference: ref, noise, z, statistic: this.statistic, rising };
    if (this.statistic === 0) {
      // Back in control: the excursion's levels were noise, and join the history with this one.
      for (const l of [...(this.excursion?.levels ?? []), x]) {
        this.residuals.push(l - ref);
        this.levels.push(Math.max(l, ref - o.winsor * noise));
      }
      this.excursion = null;
      this.trim();
      return [];
    }
    this.excursion ??= { epochs: [], values: [], levels: [], ref, noise };
    this.excursion.epochs.push(epoch);
    this.excursion.values.push(value);
    this.excursion.levels.push(x);
    const out: ChangeFiring[] = [];
    if (this.fed <= o.burnIn) return out;
    // The louder crossing first: a warning in the same epoch makes the info redundant.
    for (const [severity, threshold] of [['warning', o.h], ['info', o.hInfo]] as const) {
      if (this.statistic < threshold || this.fired.has(severity)) continue;
      if (severity === 'warning' && o.warnWhileRising && !rising) continue;
      this.fired.add(severity);
      if (severity === 'warning') this.fired.add('info');
      out.push({
        severity,
        epoch,
        value,
        statistic: this.statistic,
        threshold,
        reference: Math.exp((o.bad === 'up' ? 1 : -1) * ref) - o.floor,
        noise,
        z,
        epochs: [...this.excursion.epochs],
        values: [...this.excursion.values],
      });
    }
    return out;
  }

  /**
   * Bounds the history: the reference reads the last refWindow levels; the noise reads at most
   * NOISE_HISTORY residuals (recent ones: the noise of a run changes as it settles).
   */
  private trim(): void {
    if (this.levels.length > this.opts.refWindow + MIN_HISTORY) this.levels.splice(0, this.levels.length - this.opts.refWindow - MIN_HISTORY);
    if (this.residuals.length > NOISE_HISTORY) this.residuals.splice(0, this.residuals.length - NOISE_HISTORY);
  }

  /** Robust noise of the in-control residuals, floored. */
  private noiseNow(): number {
    const m = median(this.residuals);
    const mad = median(this.residuals.map((r) => Math.abs(r - m)));
    return Math.max(this.opts.minNoise, MAD_TO_SD * mad);
  }
}
