/**
 * The demo's learning-rate schedule. The stable run decays its rate smoothly (halving every
 * `halfLife` epochs) so that it converges and its representation settles; the unstable run
 * follows it until `rampFrom`, then multiplies the rate by `rampFactor` every epoch, so training
 * first gets noisier (validation loss creeps up for several epochs) and then breaks (the ReLU
 * layers die and the loss sits at ln 10 = 2.30, chance level): a slow failure, so that early
 * warnings have something to be early about.
 */

/** Schedule parameters. */
export interface LrSchedule {
  /** The rate at epoch 0. */
  readonly base: number;
  /** Epochs over which the stable rate halves (Infinity: constant). */
  readonly halfLife: number;
  readonly unstable: boolean;
  /** First epoch (0-based) whose rate is raised. */
  readonly rampFrom: number;
  /** Growth per epoch during the ramp (> 1). */
  readonly rampFactor: number;
  /** The ramp stops at base * rampMax: past the break a larger rate only makes numbers overflow. */
  readonly rampMax: number;
}

/** Defaults; see DEMO-NOTES in the report for the measurements behind them. */
export const DEFAULT_SCHEDULE: LrSchedule = { base: 0.05, halfLife: 10, unstable: false, rampFrom: 6, rampFactor: 1.25, rampMax: 20 };

/** The rate for a 0-based epoch. */
export function learningRate(epoch: number, s: LrSchedule): number {
  if (!Number.isInteger(epoch) || epoch < 0) throw new Error(`learningRate: epoch must be an integer >= 0, got ${epoch}`);
  const decayed = (e: number): number => s.base * 0.5 ** (e / s.halfLife);
  if (!s.unstable || epoch < s.rampFrom) return decayed(epoch);
  // The ramp starts from the rate the stable schedule had reached.
  const start = decayed(Math.max(0, s.rampFrom - 1));
  return Math.min(s.base * s.rampMax, start * s.rampFactor ** (epoch - s.rampFrom + 1));
}
