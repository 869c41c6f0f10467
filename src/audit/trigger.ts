/**
 * The causal trigger of the geometry and loss alerts (docs/alerts.md#the-causal-trigger), as an
 * incremental detector: feed one value per epoch, in epoch order; it fires at most once.
 */

/** Which way a metric moves when training goes wrong. */
export type BadDirection = 'up' | 'down';

/** Thresholds of one causal trigger. */
export interface TriggerOptions {
  /** Direction that counts as a bad move (val_loss: 'up'; separation: 'down'). */
  readonly bad: BadDirection;
  /**
   * Values observed before the first one that may fire: the value at 0-based position i can fire
   * only when i >= burnIn. Counted in fed values, not epoch numbers, so runs that number their epochs
   * from 0 or from 1 (or skip epochs) behave alike.
   */
  readonly burnIn: number;
  /** k: the last k moves (i vs i-1, ..., i-k+1 vs i-k) must all be bad. */
  readonly consecutive: number;
  /** The last move must exceed stdMargin * std of the previous `window` values. */
  readonly stdMargin: number;
  /** How many previous values the std is taken over. */
  readonly window: number;
  /**
   * The k moves together must also exceed this share of the level before them
   * (|m_i - m_{i-k}| > minRelChange * |m_{i-k}|); 0 turns the check off. Guards against
   * a run whose metric has settled so flat that its std is near zero and any wobble fires.
   */
  readonly minRelChange: number;
}

/** Why a trigger fired: everything needed to check the decision by hand. */
export interface TriggerFiring {
  /** Epoch number of the value that fired. */
  readonly epoch: number;
  /** Its 0-based position among the fed values. */
  readonly index: number;
  readonly value: number;
  readonly previous: number;
  /** |m_i - m_{i-1}|. */
  readonly move: number;
  /** Std of the previous `window` values. */
  readonly std: number;
  /** stdMargin * std: the move had to exceed this. */
  readonly threshold: number;
  /** Relative change over the k bad moves, |m_i - m_{i-k}| / |m_{i-k}|. */
  readonly relChange: number;
  /** Epochs and values of the k+1 points whose moves were bad, oldest first. */
  readonly epochs: readonly number[];
  readonly values: readonly number[];
}

/** Checks the options and names the first bad one. */
export function checkTriggerOptions(o: TriggerOptions, what = 'trigger'): void {
  if (o.bad !== 'up' && o.bad !== 'down') throw new Error(`${what}: bad must be 'up' or 'down', got ${String(o.bad)}`);
  const ints: Array<[string, number, number]> = [
    ['burnIn', o.burnIn, 0],
    ['consecutive', o.consecutive, 1],
    ['window', o.window, 2],
  ];
  for (const [name, v, min] of ints) {
    if (!Number.isInteger(v) || v < min) throw new Error(`${what}: ${name} must be an integer >= ${min}, got ${v}`);
  }
  if (!Number.isFinite(o.stdMargin) || o.stdMargin < 0) {
    throw new Error(`${what}: stdMargin must be a finite number >= 0, got ${o.stdMargin}`);
  }
  if (!Number.isFinite(o.minRelChange) || o.minRelChange < 0) {
    throw new Error(`${what}: minRelChange must be a finite number >= 0, got ${o.minRelChange}`);
  }
}

/** Population standard deviation. */
function std(values: readonly number[]): number {
  if (values.length === 0) return 0;
  let mean = 0;
  for (const v of values) mean += v;
  mean /= values.length;
  let ss = 0;
  for (const v of values) ss += (v - mean) * (v - mean);
  return Math.sqrt(ss / values.length);
}

/** One metric's causal trigger. Values must be fed in increasing epoch order. */
export class CausalTrigger {
  private readonly epochs: number[] = [];
  private readonly values: number[] = [];
  private firing: TriggerFiring | null = null;

  constructor(private readonly opts: TriggerOptions) {
    checkTriggerOptions(opts);
  }

  /** The firing, once it happened. */
  get fired(): TriggerFiring | null {
    return this.firing;
  }

  /** Values fed so far (finite ones, in order). */
  get history(): { readonly epochs: readonly number[]; readonly values: readonly number[] } {
    return { epochs: this.epochs, values: this.values };
  }

  /**
   * Feeds the value of one epoch. Returns the firing if this value fires the trigger (once per
   * trigger); null otherwise. Non-finite values and epochs not after the last fed one are ignored
   * (a late or repeated epoch cannot rewrite history that may already have been reported).
   */
  push(epoch: number, value: number): TriggerFiring | null {
    if (!Number.isFinite(value) || !Number.isFinite(epoch)) return null;
    const last = this.epochs.length - 1;
    if (last >= 0 && epoch <= this.epochs[last]!) return null;
    this.epochs.push(epoch);
    this.values.push(value);
    if (this.firing !== null) return null;
    const f = this.check();
    if (f !== null) this.firing = f;
    return f;
  }

  private check(): TriggerFiring | null {
    const { bad, burnIn, consecutive: k, stdMargin, window, minRelChange } = this.opts;
    const m = this.values;
    const i = m.length - 1;
    if (i < burnIn || i < k) return null;
    const sign = bad === 'up' ? 1 : -1;
    for (let j = i; j > i - k; j--) {
      if (sign * (m[j]! - m[j - 1]!) <= 0) return null;
    }
    const move = Math.abs(m[i]! - m[i - 1]!);
    const sd = std(m.slice(Math.max(0, i - window), i));
    const threshold = stdMargin * sd;
    if (!(move > threshold)) return null;
    const base = m[i - k]!;
    const total = Math.abs(m[i]! - base);
    const relChange = base !== 0 ? total / Math.abs(base) : Number.POSITIVE_INFINITY;
    if (minRelChange > 0 && !(relChange > minRelChange)) return null;
    return {
      epoch: this.epochs[i]!,
      index: i,
      value: m[i]!,
      previous: m[i - 1]!,
      move,
      std: sd,
      threshold,
      relChange,
      epochs: this.epochs.slice(i - k),
      values: m.slice(i - k),
    };
  }
}
