/** Option groups shared by watch, replay and demo, and their translation into session options. */
import type { Argv } from 'yargs';
import { AUDIT_DEFAULTS, resolveAuditOptions, type AuditOptions } from '../audit/options.js';
import type { Severity } from '../model/events.js';
import { DEFAULT_LIMITS, checkLimits, type ReceiveLimits } from '../ingest/limits.js';
import { parseSize } from './parse-size.js';
import { checkAlertCommand } from '../session/on-alert.js';
import type { RecordingReadOptions } from '../session/recording-epochs.js';

export interface OutputArgs {
  headless?: boolean;
  json: boolean;
  'alerts-only': boolean;
  'exit-on-alert'?: string;
  'on-alert'?: string;
  'exit-on-end': boolean;
  ascii: boolean;
  fps: number;
  color: boolean;
  monochrome: boolean;
}

export interface EngineArgs {
  engine: boolean;
  seed: number;
  'budget-ms': number;
  reproducible: boolean;
  'engine-heap-mb'?: number;
}

export interface AuditArgs {
  'silence-s': number;
  'alert-forgetting'?: boolean;
  'forgetting-drift'?: number;
  'forgetting-mix'?: number;
  'burn-in': number;
  'bad-moves': number;
  'std-margin': number;
  window: number;
  'collapse-d': number;
  'collapse-rank': number;
  'dead-units': number;
  'lost-frames': number;
  'geometry-metrics': string[];
  'geometry-source': string;
  'min-rel-change': number;
  'loss-metric': string;
  'geometry-detector': string;
  'target-arl': number;
  'info-arl': number;
  'cusum-k': number;
  'dead-rise': number;
  'collapse-rank-classes': number;
}

/** The caps of sentrycam(1), LIMITS: one flag each, named as the reject reasons name them. */
export interface LimitArgs {
  'max-header': number;
  'max-epoch-bytes': number;
  'max-buffered': number;
  'max-open-epochs': number;
  'max-producers': number;
  'max-runs': number;
  'max-epoch-ids': number;
}

/** Byte caps beyond 4 GiB make sense on big hosts; 1 TiB bounds typos. */
const MAX_CAP_BYTES = 2 ** 40;

function sizeFlag(flag: string): (v: string | number) => number {
  return (v) => {
    try {
      return parseSize(v, MAX_CAP_BYTES);
    } catch (err) {
      throw new Error(`--${flag}: ${(err as Error).message}`);
    }
  };
}

/** A byte count as the shortest K/M/G spelling that is exact (for --help defaults). */
function sizeText(bytes: number): string {
  for (const [unit, size] of [['G', 2 ** 30], ['M', 2 ** 20], ['K', 2 ** 10]] as const) if (bytes % size === 0) return `${bytes / size}${unit}`;
  return String(bytes);
}

/** --record-max SIZE (watch, demo): cap of the recording folder. */
export interface RecordMaxArgs {
  'record-max'?: number;
}

/** Recording folders above a petabyte are not a typo we need to allow. */
const MAX_RECORD_FOLDER_BYTES = 2 ** 50;

export function recordMaxOption<T>(y: Argv<T>): Argv<T & RecordMaxArgs> {
  return y.option('record-max', {
    type: 'string',
    describe: "Keep the recording folder's recordings under this size (K/M/G): the oldest finished ones are removed first, each with a record_pruned event",
    coerce: (v: string | number | undefined) => {
      if (v === undefined) return undefined;
      try {
        return parseSize(v, MAX_RECORD_FOLDER_BYTES);
      } catch (err) {
        throw new Error(`--record-max: ${(err as Error).message}`);
      }
    },
  }) as unknown as Argv<T & RecordMaxArgs>;
}

export function limitOptions<T>(y: Argv<T>): Argv<T & LimitArgs> {
  const d = DEFAULT_LIMITS;
  return y
    .option('max-header', { type: 'string', default: sizeText(d.maxHeaderBytes), describe: "largest JSON header of a frame (bytes; K/M/G), checked before it is parsed", coerce: sizeFlag('max-header') })
    .option('max-epoch-bytes', { type: 'string', default: sizeText(d.maxEpochBytes), describe: 'bytes held for one open epoch (bytes; K/M/G)', coerce: sizeFlag('max-epoch-bytes') })
    .option('max-buffered', { type: 'string', default: sizeText(d.maxBufferedBytes), describe: 'bytes held for all open epochs together (bytes; K/M/G)', coerce: sizeFlag('max-buffered') })
    .option('max-open-epochs', { type: 'number', default: d.maxOpenEpochs, describe: 'epochs open at once in one run' })
    .option('max-producers', { type: 'number', default: d.maxProducers, describe: 'producers in one run' })
    .option('max-runs', { type: 'number', default: d.maxRuns, describe: 'runs held in memory (ended, then silent runs are forgotten first)' })
    .option('max-epoch-ids', { type: 'number', default: d.maxEpochIds, describe: 'sample ids in one epoch, both splits' })
    .check((a) => {
      checkLimits(toReceiveLimits(a as unknown as LimitArgs));
      return true;
    }) as unknown as Argv<T & LimitArgs>;
}

export interface ReadArgs extends LimitArgs {
  /** Largest frame read back from a recording. */
  'max-frame': number;
}

/**
 * For commands that read a recording (replay, inspect, eval, export): --max-frame as a reader (a
 * larger entry is skipped and reported, never held, whatever a gzip stream expands to) and the
 * caps of LIMITS, since a recording holds whatever producers sent.
 */
export function readOptions<T>(y: Argv<T>): Argv<T & ReadArgs> {
  return limitOptions(y).option('max-frame', {
    type: 'string',
    default: '256M',
    describe: 'Largest frame read (bytes; K/M/G suffixes); larger entries are skipped and reported',
    coerce: sizeFlag('max-frame'),
  }) as unknown as Argv<T & ReadArgs>;
}

export function toReadOptions(a: ReadArgs): RecordingReadOptions {
  return { maxFrameBytes: a['max-frame'], limits: toReceiveLimits(a) };
}

export function toReceiveLimits(a: LimitArgs): ReceiveLimits {
  return {
    maxHeaderBytes: a['max-header'],
    maxEpochBytes: a['max-epoch-bytes'],
    maxBufferedBytes: a['max-buffered'],
    maxOpenEpochs: a['max-open-epochs'],
    maxProducers: a['max-producers'],
    maxRuns: a['max-runs'],
    maxEpochIds: a['max-epoch-ids'],
  };
}

export function outputOptions<T>(y: Argv<T>): Argv<T & OutputArgs> {
  return y
    .option('headless', { type: 'boolean', describe: 'Draw nothing; print one line per event (automatic when stdout is not a terminal, or with --json or --alerts-only)' })
    .option('json', { type: 'boolean', default: false, describe: 'Headless, lines as JSON objects (docs/events.schema.json)' })
    .option('alerts-only', { type: 'boolean', default: false, describe: 'Headless, alert events only' })
    .option('exit-on-alert', {
      type: 'string',
      describe: 'Exit with code 3 at the first alert of at least this severity (info, warning, critical; bare flag: warning)',
      coerce: (v: string | undefined) => {
        if (v === undefined) return undefined;
        const s = v === '' ? 'warning' : v;
        if (!['info', 'warning', 'critical'].includes(s)) throw new Error(`--exit-on-alert: severity ${JSON.stringify(v)} is not info, warning or critical`);
        return s;
      },
    })
    .option('on-alert', {
      type: 'string',
      describe: 'Run this command for each alert, alert JSON on its stdin and in $SENTRYCAM_ALERT (no shell)',
      // Checked at start-up (quoting, program on PATH and executable): a typo fails now, not at the first alert.
      coerce: (v: string | undefined) => {
        if (v !== undefined) checkAlertCommand(v);
        return v;
      },
    })
    .option('exit-on-end', { type: 'boolean', default: false, describe: "Exit once a run has sent 'end', every other run has ended or gone quiet (--silence-s), and their epochs are projected" })
    .option('color', { type: 'boolean', default: true, describe: 'Colour on the dashboard and in headless text on a terminal (--no-color: none, as NO_COLOR; FORCE_COLOR forces it)' })
    .option('monochrome', { type: 'boolean', default: false, describe: 'The same as --no-color' })
    .option('ascii', { type: 'boolean', default: false, describe: 'Dashboard: ASCII dots instead of braille' })
    .option('fps', { type: 'number', default: 10, describe: 'Dashboard: redraw cap, frames per second' }) as unknown as Argv<T & OutputArgs>;
}

export function engineOptions<T>(y: Argv<T>): Argv<T & EngineArgs> {
  return y
    .option('engine', { type: 'boolean', default: true, describe: 'Project epochs to 2-D (--no-engine: data path and alerts on raw data only)' })
    .option('seed', { type: 'number', default: 1, describe: 'Seed of every random choice of the engine' })
    .option('budget-ms', { type: 'number', default: 1000, describe: 'Time budget of one epoch update, ms' })
    .option('engine-heap-mb', {
      type: 'number',
      describe: "Heap limit of the engine's worker thread, MB (default: Node's). Past it the worker is restarted, the monitor carries on",
    })
    .option('reproducible', {
      type: 'boolean',
      default: false,
      describe: 'Fixed amounts of engine work instead of a time budget: the same input and seed give the same layout (replay/eval/export)',
    })
    .check((a) => {
      if (!(Number.isFinite(a['budget-ms']) && (a['budget-ms'] as number) > 0)) throw new Error(`--budget-ms must be a number > 0, got ${a['budget-ms']}`);
      if (!Number.isSafeInteger(a.seed)) throw new Error(`--seed must be an integer, got ${a.seed}`);
      const heap = a['engine-heap-mb'];
      if (heap !== undefined && !(Number.isInteger(heap) && (heap as number) >= 8)) throw new Error(`--engine-heap-mb must be an integer >= 8, got ${heap}`);
      return true;
    }) as unknown as Argv<T & EngineArgs>;
}

export function auditOptions<T>(y: Argv<T>): Argv<T & AuditArgs> {
  return y
    .option('silence-s', { type: 'number', default: 300, describe: 'A producer silent this long (s) is reported and treated as done with its epoch' })
    .option('burn-in', { type: 'number', default: AUDIT_DEFAULTS.burnIn, describe: 'epochs observed before a trend trigger or detector may fire' })
    .option('bad-moves', { type: 'number', default: AUDIT_DEFAULTS.consecutive, describe: 'consecutive moves in the bad direction that fire a trigger (loss baseline; geometry with --geometry-detector trigger)' })
    .option('std-margin', { type: 'number', default: AUDIT_DEFAULTS.stdMargin, describe: 'the last move must exceed this many stds of the window (as --bad-moves)' })
    .option('window', { type: 'number', default: AUDIT_DEFAULTS.window, describe: 'epochs the std is taken over (as --bad-moves)' })
    .option('geometry-detector', { type: 'string', choices: ['cusum', 'trigger'], default: AUDIT_DEFAULTS.geometryDetector, describe: 'geometry by a change detector (cusum) or by the causal trigger' })
    .option('target-arl', { type: 'number', default: AUDIT_DEFAULTS.targetArl, describe: 'healthy epochs per false geometry warning the detector is set for' })
    .option('info-arl', { type: 'number', default: AUDIT_DEFAULTS.infoArl, describe: 'the same for geometry infos' })
    .option('cusum-k', { type: 'number', default: AUDIT_DEFAULTS.cusumK, describe: 'change detector allowance, in noise units' })
    .option('collapse-d', { type: 'number', default: AUDIT_DEFAULTS.collapseD, describe: 'collapse when class separation D falls below this' })
    .option('collapse-rank', { type: 'number', default: AUDIT_DEFAULTS.collapseRankRatio, describe: "collapse when effective rank falls below this share of the run's best (0 = off)" })
    .option('collapse-rank-classes', { type: 'number', default: AUDIT_DEFAULTS.collapseRankClasses, describe: 'collapse when effective rank falls below this share of classes - 1' })
    .option('dead-units', { type: 'number', default: AUDIT_DEFAULTS.deadUnitShare, describe: 'dead_units info when this share of dimensions is always zero' })
    .option('dead-rise', { type: 'number', default: AUDIT_DEFAULTS.deadUnitRise, describe: 'dead_units warning when the dead share rises this much above its recent median' })
    .option('geometry-metrics', {
      type: 'string',
      array: true,
      default: [...AUDIT_DEFAULTS.geometryMetrics],
      describe: 'signals the geometry alert watches, SOURCE:SIGNAL with SOURCE layout|activations and SIGNAL D|V|sep|drift|rescale',
    })
    .option('geometry-source', { type: 'string', choices: ['layout', 'activations'], default: AUDIT_DEFAULTS.geometrySource, describe: 'where unqualified signals and the collapse check are measured' })
    .option('min-rel-change', { type: 'number', default: AUDIT_DEFAULTS.minRelChange, describe: 'the bad moves together must change the signal by more than this share (0 = off)' })
    .option('loss-metric', { type: 'string', default: AUDIT_DEFAULTS.lossMetric, describe: 'the metrics value the loss baseline watches' })
    .option('lost-frames', { type: 'number', default: AUDIT_DEFAULTS.lostFrames, describe: 'lost_frames once this many frames were lost' })
    .option('alert-forgetting', { type: 'boolean', default: AUDIT_DEFAULTS.alertForgetting, describe: "forgetting, when an ended task's samples drift and mix with the new task's (continual learning; needs tasks, protocol 1.1)" })
    .option('forgetting-drift', { type: 'number', default: AUDIT_DEFAULTS.forgettingDrift, describe: 'forgetting needs the old task to have moved this many of its spreads' })
    .option('forgetting-mix', { type: 'number', default: AUDIT_DEFAULTS.forgettingMix, describe: "...and the share of its neighbours from other tasks to have risen this much" })
    .check((a) => {
      // Every threshold checked here, so a bad value is a usage error naming the option, not a crash later.
      resolveAuditOptions(toAuditOptions(a as unknown as AuditArgs));
      if (!(Number.isFinite(a['silence-s']) && (a['silence-s'] as number) > 0)) throw new Error(`--silence-s must be a number > 0, got ${a['silence-s']}`);
      return true;
    }) as unknown as Argv<T & AuditArgs>;
}

export function toAuditOptions(a: AuditArgs): AuditOptions {
  return {
    burnIn: a['burn-in'],
    consecutive: a['bad-moves'],
    stdMargin: a['std-margin'],
    window: a.window,
    collapseD: a['collapse-d'],
    collapseRankRatio: a['collapse-rank'],
    deadUnitShare: a['dead-units'],
    lostFrames: a['lost-frames'],
    silenceSeconds: a['silence-s'],
    geometryMetrics: a['geometry-metrics'] as AuditOptions['geometryMetrics'],
    geometrySource: a['geometry-source'] as AuditOptions['geometrySource'],
    minRelChange: a['min-rel-change'],
    lossMetric: a['loss-metric'],
    geometryDetector: a['geometry-detector'] as AuditOptions['geometryDetector'],
    targetArl: a['target-arl'],
    infoArl: a['info-arl'],
    cusumK: a['cusum-k'],
    deadUnitRise: a['dead-rise'],
    collapseRankClasses: a['collapse-rank-classes'],
    alertForgetting: a['alert-forgetting'],
    forgettingDrift: a['forgetting-drift'],
    forgettingMix: a['forgetting-mix'],
  };
}

export function severityOf(v: string | undefined): Severity | undefined {
  return v as Severity | undefined;
}

/**
 * Headless when asked, when the output asked for is lines (--json, --alerts-only: a dashboard
 * cannot show them), or when stdout is not a terminal (pipes, CI, scripts).
 */
export function isHeadless(a: Pick<OutputArgs, 'headless' | 'json' | 'alerts-only'>, isTTY = process.stdout.isTTY === true): boolean {
  return a.headless === true || a.json || a['alerts-only'] || !isTTY;
}

/** Colour allowed by the flags (FORCE_COLOR and NO_COLOR are weighed where colour is drawn). */
export function colorAllowed(a: Pick<OutputArgs, 'color' | 'monochrome'>): boolean {
  return a.color !== false && !a.monochrome;
}
