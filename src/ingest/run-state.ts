/** What ingest holds per run and per producer, and which run to forget when the run cap is reached. */
import type { EpochEndFrame, Split } from '../protocol/types.js';
import type { Printable } from '../model/printable.js';
import type { SplitAssembler } from './split-assembler.js';
import type { OpenEpochs } from './open-epochs.js';

export interface ProducerState {
  /** Seq expected next. */
  nextSeq: number;
  /** Highest epoch this producer is known to be finished with (-1: none). */
  doneThrough: number;
  lastSeen: number;
  ended: boolean;
  /** Reported silent in the current silence episode. */
  silent: boolean;
}

export interface OpenEpoch {
  readonly splits: Map<Split, SplitAssembler>;
  head?: EpochEndFrame['head'];
  /** Bytes held for this epoch (splits as counted by rowBytes, plus the head). */
  bytes: number;
  /** Rows (= ids) of both splits. */
  ids: number;
}

export interface IngestRunState {
  readonly name: string;
  dim: number;
  layer: Printable;
  classes?: readonly Printable[];
  model?: Printable;
  /** Producers that said hello, by name: only they take part in epoch accounting. */
  readonly producers: Map<string, ProducerState>;
  readonly open: OpenEpochs<OpenEpoch>;
  /** Epochs below this are complete: their batches are refused. */
  completedBelow: number;
  ended: boolean;
  /** Clock when the run ended (for eviction order). */
  endedAt: number;
  /**
   * Protocol 1.1: the run's further layers by layer name, each a stream of its own (named
   * RUN/LAYER) with its own D, producers and open epochs. Seq and silence are tracked on the run.
   */
  readonly layers: Map<string, IngestRunState>;
}

/** True when every producer of the run has been reported silent or has ended. */
export function dormant(run: IngestRunState): boolean {
  for (const p of run.producers.values()) if (!p.ended && !p.silent) return false;
  return true;
}

function lastSeen(run: IngestRunState): number {
  let last = -Infinity;
  for (const p of run.producers.values()) last = Math.max(last, p.lastSeen);
  return last;
}

/**
 * The run to forget so that a new one fits: the one that ended first, else the one whose
 * producers, all silent, were heard from longest ago; undefined when every run is live.
 */
export function runToEvict(runs: Iterable<IngestRunState>): IngestRunState | undefined {
  let ended: IngestRunState | undefined;
  let quiet: IngestRunState | undefined;
  let quietSince = Infinity;
  for (const run of runs) {
    if (run.ended) {
      if (!ended || run.endedAt < ended.endedAt) ended = run;
    } else if (!ended && dormant(run)) {
      const since = lastSeen(run);
      if (since < quietSince) {
        quiet = run;
        quietSince = since;
      }
    }
  }
  return ended ?? quiet;
}
