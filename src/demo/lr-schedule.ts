/**
 * The demo's learning-rate schedule. The stable run keeps a constant rate; the unstable run
 * multiplies it by `rampFactor` every epoch from `rampFrom` on, so training first gets noisier
 * (validation loss creeps up for several epochs) and then breaks (the ReLU layers die and the
 * loss jumps to ln 10 = 2.30, chance level): a slow failure, so that early warnings have
 * something to be early about.
 */

/** Schedule parameters. */
export interface LrSchedule {
  /** The stable rate. */
  readonly base: number;
  readonly unstable: boolean;
  /** First epoch (0-based) whose rate is raised. */
  readonly rampFrom: number;
  /** Growth per epoch during the ramp (> 1). */
  readonly rampFactor: number;
  /** The ramp stops at base * rampMax: past the break a larger rate only makes numbers overflow. */
  readonly rampMax: number;
}

/**
 * Defaults measured on MNIST with the 784-128-64-10 MLP, SGD momentum 0.9, weight decay 5e-4,
 * batch 128, seed 1: the stable run's val loss stays at ~0.20-0.21 from epoch 5; with x1.3 per
 * epoch from epoch 8 it rises 0.21 -> 0.39 over epochs 8-15, then the network breaks at a rate of
 * ~0.5-0.9 (val loss 0.53, 1.0, 6.5 at epochs 16-18; dead, at chance, from epoch 19).
 */
export const DEFAULT_SCHEDULE: LrSchedule = { base: 0.05, unstable: false, rampFrom: 8, rampFactor: 1.3, rampMax: 20 };

/** The rate for a 0-based epoch. */
export function learningRate(epoch: number, s: LrSchedule): number {
  if (!Number.isInteger(epoch) || epoch < 0) throw new Error(`learningRate: epoch must be an integer >= 0, got ${epoch}`);
  if (!s.unstable || epoch < s.rampFrom) return s.base;
  return s.base * Math.min(s.rampMax, s.rampFactor ** (epoch - s.rampFrom + 1));
}
