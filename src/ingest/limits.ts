/**
 * The caps on what producers can make the monitor hold (sentrycam(1), LIMITS). Each is checked
 * before the memory it bounds is allocated; a frame that would go over one is rejected with code
 * `over_limit` and a reason naming the cap and its value, and nothing else changes.
 */
import { DEFAULT_MAX_HEADER_BYTES, type DecodeLimits } from '../protocol/decode.js';

export interface ReceiveLimits {
  /** Largest JSON header of one frame, bytes (checked before it is parsed). */
  readonly maxHeaderBytes: number;
  /** Bytes held for one open epoch: rows of both splits and the head. */
  readonly maxEpochBytes: number;
  /** Bytes held for every open epoch of every run together. */
  readonly maxBufferedBytes: number;
  /** Epochs open at once in one run. */
  readonly maxOpenEpochs: number;
  /** Producers (that said hello) in one run. */
  readonly maxProducers: number;
  /** Runs held in memory; ended runs are forgotten first, then runs whose producers all fell silent. */
  readonly maxRuns: number;
  /** Sample ids in one epoch, both splits together (and so rows in one batch). */
  readonly maxEpochIds: number;
}

/** Each cap's name: the command-line flag without its dashes, and the name a reject reason gives. */
export const LIMIT_NAMES: Readonly<Record<keyof ReceiveLimits, string>> = {
  maxHeaderBytes: 'max-header',
  maxEpochBytes: 'max-epoch-bytes',
  maxBufferedBytes: 'max-buffered',
  maxOpenEpochs: 'max-open-epochs',
  maxProducers: 'max-producers',
  maxRuns: 'max-runs',
  maxEpochIds: 'max-epoch-ids',
};

/** A JavaScript Set holds at most 2^24 entries, and the duplicate-id check keeps one per split. */
export const MAX_EPOCH_IDS_CEILING = 2 ** 24;

/**
 * Defaults: generous for a 100k-sample epoch of 2048 float32 columns (781 MiB of x), the largest
 * epoch the monitor is meant for.
 */
export const DEFAULT_LIMITS: ReceiveLimits = {
  maxHeaderBytes: DEFAULT_MAX_HEADER_BYTES,
  /** 1 GiB: the 100k x 2048 epoch is 783 MiB as counted (16 bytes a row for id, label and pred). */
  maxEpochBytes: 2 ** 30,
  /** 4 GiB: four such epochs; one producer keeps one open, a lagging rank a second. */
  maxBufferedBytes: 4 * 2 ** 30,
  /** 128: an epoch stays open only until every rank moved past it or fell silent (--silence-s). */
  maxOpenEpochs: 128,
  /** 4096: the largest data-parallel jobs; every frame's completion check visits each producer. */
  maxProducers: 4096,
  /** 1024 runs: a few hundred bytes each here, but the engine and dashboard keep more per run. */
  maxRuns: 1024,
  /** 2^20 ids: ten 100k epochs; the duplicate-id sets cost about 40 MiB at the cap. */
  maxEpochIds: 2 ** 20,
};

/** Throws a message naming the cap when a value is out of range (for the command line). */
export function checkLimits(l: ReceiveLimits): void {
  for (const key of Object.keys(LIMIT_NAMES) as (keyof ReceiveLimits)[]) {
    const v = l[key];
    if (!Number.isSafeInteger(v) || v < 1) throw new Error(`--${LIMIT_NAMES[key]} must be an integer >= 1, got ${v}`);
  }
  if (l.maxEpochIds > MAX_EPOCH_IDS_CEILING) {
    throw new Error(`--max-epoch-ids must be at most ${MAX_EPOCH_IDS_CEILING} (the most entries a JavaScript Set holds), got ${l.maxEpochIds}`);
  }
}

/** The caps the decoder checks. */
export function decodeLimits(l: ReceiveLimits): DecodeLimits {
  return { maxHeaderBytes: l.maxHeaderBytes, maxBatchRows: l.maxEpochIds };
}

/** Reason text of an over_limit reject: the cap's name and value, then what would have gone over. */
export function overLimit(key: keyof ReceiveLimits, value: number, what: string): string {
  return `over the cap ${LIMIT_NAMES[key]} = ${value}: ${what}`;
}
