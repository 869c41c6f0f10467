/**
 * The one event stream that the dashboard and the headless writers consume.
 * Field names are the public headless JSON schema (man/sentrycam.1): extend, never rename.
 */
import type { EpochMetrics, EpochLayout } from './epoch-layout.js';
import type { Split } from './epoch-data.js';

/** The monitor is receiving: printed first, so scripts know when producers may connect. */
export interface ListeningEvent {
  readonly event: 'listening';
  /** Where frames come from: the socket address, or the recording being replayed. */
  readonly source: string;
  /** Recording folder, or null when not recording. */
  readonly record: string | null;
  readonly version: string;
}

export interface HelloEvent {
  readonly event: 'hello';
  readonly run: string;
  readonly producer: string;
  readonly layer: string;
  readonly dim: number;
  readonly classes?: readonly string[];
  readonly model?: string;
}

/** An epoch was assembled (and, when the engine runs, projected: its metrics are spread in). */
export interface EpochEvent extends Partial<EpochMetrics> {
  readonly event: 'epoch';
  readonly run: string;
  readonly epoch: number;
  readonly split: Split;
  readonly n: number;
  readonly dim: number;
  /** Engine state for this epoch: projected, skipped (a newer epoch overtook it) or off. */
  readonly engine?: 'projected' | 'skipped' | 'off' | 'failed';
}

export interface MetricsEvent {
  readonly event: 'metrics';
  readonly run: string;
  readonly epoch: number;
  readonly step?: number;
  readonly values: Readonly<Record<string, number>>;
  /** The task being trained (continual learning, protocol 1.1); absent when the producer sent none. */
  readonly task?: number;
}

export interface RejectEvent {
  readonly event: 'reject';
  readonly run: string | null;
  readonly producer: string | null;
  readonly seq: number | null;
  readonly code: string;
  readonly reason: string;
}

/** Frames missing from a producer's seq sequence. */
export interface LostEvent {
  readonly event: 'lost';
  readonly run: string;
  readonly producer: string;
  /** Frames missing in this gap. */
  readonly count: number;
  /** Seq expected and seq received. */
  readonly expected: number;
  readonly got: number;
}

/**
 * Alert kinds; 'engine' is the monitor's own projection engine failing (its worker restarted);
 * 'forgetting' is an old task's samples drifting into the new task's (continual learning, opt-in).
 */
export type AlertKind = 'geometry' | 'loss' | 'nan' | 'collapse' | 'dead_units' | 'lost_frames' | 'silence' | 'engine' | 'forgetting';
export type Severity = 'info' | 'warning' | 'critical';

/** Severities in order, for "at least" comparisons. */
export const SEVERITY_RANK: Readonly<Record<Severity, number>> = { info: 0, warning: 1, critical: 2 };

export interface AlertEvent {
  readonly event: 'alert';
  readonly run: string;
  readonly epoch: number | null;
  readonly kind: AlertKind;
  readonly severity: Severity;
  readonly message: string;
  readonly evidence: Readonly<Record<string, unknown>>;
  /** Alerts of this kind dropped by the rate limit since the last one that went out (absent when none). */
  readonly suppressed?: number;
}

export interface EndEvent {
  readonly event: 'end';
  readonly run: string;
}

/** A producer said nothing for longer than the silence timeout. */
export interface SilenceEvent {
  readonly event: 'silence';
  readonly run: string;
  readonly producer: string;
  readonly seconds: number;
}

export interface SummaryEvent {
  readonly event: 'summary';
  readonly frames: number;
  readonly rejected: number;
  readonly lost: number;
  readonly epochs: number;
  /** Alerts dropped by the rate limit over the session (absent when none). */
  readonly alerts_suppressed?: number;
}

/**
 * Something the operator should know that is not about the training (an --on-alert command that
 * failed, a socket reachable from the network): a line in the alert log, a line headless.
 */
export interface NoticeEvent {
  readonly event: 'notice';
  readonly level: 'info' | 'warning';
  /** What it concerns: 'on-alert', 'listen', 'engine', ... */
  readonly topic: string;
  readonly message: string;
}

/**
 * Recording of a run failed or lost frames (disk full, folder gone, write queue full). The monitor
 * goes on showing and alerting; `file` is the run's file as it is now named (RUN.scamrec.incomplete
 * when the recording stopped with frames in it), null when no file holds any of the run.
 */
export interface RecordErrorEvent {
  readonly event: 'record_error';
  readonly run: string;
  readonly file: string | null;
  readonly message: string;
}

/** --record-max: a finished recording was removed to keep its folder under the cap. */
export interface RecordPrunedEvent {
  readonly event: 'record_pruned';
  readonly file: string;
  /** Size of the removed file. */
  readonly bytes: number;
  /** Recording bytes left in the folder. */
  readonly folder_bytes: number;
  readonly max_bytes: number;
}

/** Not printed by the headless writer (too large); drives the scatter plot. */
export interface LayoutEvent {
  readonly event: 'layout';
  readonly layout: EpochLayout;
  /** An epoch the engine skipped under load, laid out afterwards in idle time (no epoch event, no audit). */
  readonly backfill?: true;
}

/** Engine status for the status line. */
export interface EngineStateEvent {
  readonly event: 'engine';
  readonly state: 'training' | 'idle' | 'skipped';
  readonly run?: string;
  readonly epoch?: number;
}

export type Event =
  | ListeningEvent
  | HelloEvent
  | EpochEvent
  | MetricsEvent
  | RejectEvent
  | LostEvent
  | AlertEvent
  | EndEvent
  | SilenceEvent
  | SummaryEvent
  | RecordErrorEvent
  | RecordPrunedEvent
  | LayoutEvent
  | EngineStateEvent
  | NoticeEvent;

export type EventSink = (event: Event) => void;
