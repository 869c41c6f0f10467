/**
 * The evidence for the alerts: per recorded run, when the first representation warning and the
 * validation-loss baseline fired and the lead between them, with the run's ground truth from the
 * corpus manifest (fixtures/runs/corpus.json); and the false-alarm rate on healthy runs with its
 * exact upper confidence bound. Pure: takes what a replay saw, returns rows, numbers and Markdown
 * (docs/alerts.md#evidence).
 */
import type { AlertEvent, AlertKind, Severity } from '../model/events.js';

/** Ground truth of one recorded run. */
export interface CorpusEntry {
  readonly run: string;
  /** Recording file, relative to the manifest's folder. */
  readonly file: string;
  readonly health: 'healthy' | 'failing';
  /** Failure family (lr-blowup, dying-relu, data) and how it was injected; null when healthy. */
  readonly failure: string | null;
  readonly variant: string | null;
  /** First epoch (0-based) the failure acts on; null when healthy. */
  readonly onset: number | null;
  /** Failing runs: 'developing' (grows epoch by epoch) or 'sudden' (full strength at onset); null when healthy. */
  readonly tempo: 'developing' | 'sudden' | null;
  /** design: the rule was chosen on it; held-out: not looked at until the rule was fixed. */
  readonly part: 'design' | 'held-out';
  readonly description?: string;
}

/**
 * Alert kinds read from the representation itself: what "a geometry alert" means in the evidence.
 * Counting collapse and dead units too makes the healthy-run check stricter, not looser.
 */
export const REPRESENTATION_KINDS: ReadonlySet<AlertKind> = new Set<AlertKind>(['geometry', 'collapse', 'dead_units']);

const SEVERITY_ORDER: Readonly<Record<Severity, number>> = { info: 0, warning: 1, critical: 2 };

/** What a headless replay saw of one run. */
export interface RunReplay {
  readonly run: string;
  /** Every alert of the run, in order. */
  readonly alerts: readonly AlertEvent[];
  /** Epochs whose activations arrived, in order. */
  readonly epochs: readonly number[];
}

/** The first alert of some kind: its epoch, what fired it and how loud. */
export interface AlertMark {
  readonly epoch: number;
  readonly kind: AlertKind;
  /** The evidence's metric ("activations:drift", "dead_share", ...). */
  readonly signal: string;
  readonly severity: Severity;
}

/** One row of the evidence table. */
export interface EvidenceRow {
  readonly file: string;
  readonly run: string;
  /** Null for a recording the manifest does not describe. */
  readonly truth: CorpusEntry | null;
  /** Epochs with activations. */
  readonly epochs: number;
  /** First representation alert of severity warning or critical (null: none). */
  readonly geometry: AlertMark | null;
  /** Representation alerts of severity info (they ask for a look, not for action). */
  readonly infos: readonly AlertMark[];
  /**
   * The validation-loss baseline: its alert, or the first non-finite metric (a run whose loss went
   * NaN needs no early warning to be noticed), whichever came first; null when neither happened.
   */
  readonly loss: number | null;
  readonly lossBy: 'val-loss alert' | 'non-finite metric' | null;
  /** loss - geometry.epoch when both fired: positive = the representation warned earlier. */
  readonly lead: number | null;
  /** Every other alert kind with its first epoch and severity, e.g. "collapse@15 (critical)". */
  readonly others: readonly string[];
  /** Criticals of any kind, "kind@epoch". */
  readonly criticals: readonly string[];
}

function mark(a: AlertEvent): AlertMark {
  return { epoch: a.epoch ?? -1, kind: a.kind, signal: String(a.evidence['metric'] ?? a.kind), severity: a.severity };
}

/** True for a nan alert raised by a metrics value (not by activations or the head). */
function isMetricNan(a: AlertEvent): boolean {
  if (a.kind !== 'nan') return false;
  const reason = a.evidence['reason'];
  return typeof reason === 'string' ? reason.startsWith('metric ') : a.evidence['metric'] !== 'non_finite';
}

/** The evidence row of one replayed run. */
export function evidenceRow(file: string, r: RunReplay, truth: CorpusEntry | null = null): EvidenceRow {
  const loud = r.alerts.filter((a) => REPRESENTATION_KINDS.has(a.kind) && SEVERITY_ORDER[a.severity] >= SEVERITY_ORDER.warning && a.epoch !== null);
  const first = loud.length ? loud.reduce((p, a) => (a.epoch! < p.epoch! ? a : p)) : null;
  const geo = first ? mark(first) : null;
  const infos = r.alerts.filter((a) => REPRESENTATION_KINDS.has(a.kind) && a.severity === 'info' && a.epoch !== null).map(mark);
  const lossAlert = r.alerts.find((a) => a.kind === 'loss')?.epoch ?? null;
  const nan = r.alerts.find((a) => isMetricNan(a) && a.epoch !== null)?.epoch ?? null;
  const loss = lossAlert === null ? nan : nan === null ? lossAlert : Math.min(lossAlert, nan);
  const lossBy = loss === null ? null : loss === lossAlert ? 'val-loss alert' : 'non-finite metric';
  const others: string[] = [];
  const seen = new Set<string>();
  for (const a of r.alerts) {
    if (a.kind === 'loss' || a === first) continue;
    const key = `${a.kind}/${a.severity}`;
    if (seen.has(key)) continue;
    seen.add(key);
    others.push(`${a.kind}@${a.epoch ?? '-'} (${a.severity})`);
  }
  const criticals = [...new Set(r.alerts.filter((a) => a.severity === 'critical').map((a) => `${a.kind}@${a.epoch ?? '-'}`))];
  return {
    file,
    run: r.run,
    truth,
    epochs: r.epochs.length,
    geometry: geo,
    infos,
    loss,
    lossBy,
    lead: geo !== null && loss !== null ? loss - geo.epoch : null,
    others,
    criticals,
  };
}

/** Checks and returns the runs of a corpus manifest (JSON text); throws naming the first problem. */
export function parseCorpusManifest(text: string): CorpusEntry[] {
  const doc = JSON.parse(text) as { runs?: unknown };
  if (!Array.isArray(doc.runs)) throw new Error('corpus manifest: "runs" must be an array');
  return doc.runs.map((raw, i) => {
    const e = raw as Partial<CorpusEntry>;
    const where = `corpus manifest: runs[${i}]`;
    if (typeof e.run !== 'string' || typeof e.file !== 'string') throw new Error(`${where}: run and file must be strings`);
    if (e.health !== 'healthy' && e.health !== 'failing') throw new Error(`${where} (${e.run}): health must be healthy or failing`);
    if (e.part !== 'design' && e.part !== 'held-out') throw new Error(`${where} (${e.run}): part must be design or held-out`);
    const failing = e.health === 'failing';
    if (failing !== (Number.isInteger(e.onset) && (e.onset as number) >= 0)) throw new Error(`${where} (${e.run}): a failing run needs an onset epoch, a healthy one none`);
    if (failing && e.tempo !== 'developing' && e.tempo !== 'sudden') throw new Error(`${where} (${e.run}): a failing run's tempo must be developing or sudden`);
    return {
      run: e.run,
      file: e.file,
      health: e.health,
      failure: failing ? String(e.failure) : null,
      variant: failing ? String(e.variant) : null,
      onset: failing ? (e.onset as number) : null,
      tempo: failing ? (e.tempo as 'developing' | 'sudden') : null,
      part: e.part,
      ...(typeof e.description === 'string' ? { description: e.description } : {}),
    };
  });
}

/** P(X <= k) for X ~ Poisson(lambda). */
function poissonCdf(k: number, lambda: number): number {
  let term = Math.exp(-lambda);
  let sum = term;
  for (let i = 1; i <= k; i++) {
    term *= lambda / i;
    sum += term;
  }
  return sum;
}

/** P(X <= k) for X ~ Binomial(n, p). */
function binomialCdf(k: number, n: number, p: number): number {
  let sum = 0;
  let term = (1 - p) ** n;
  for (let i = 0; i <= k; i++) {
    sum += term;
    term *= ((n - i) / (i + 1)) * (p / (1 - p));
  }
  return Math.min(1, sum);
}

/** Largest x in [lo, hi] with f(x) >= target, f decreasing (bisection to 1e-12). */
function solveDecreasing(f: (x: number) => number, target: number, lo: number, hi: number): number {
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (f(mid) >= target) lo = mid;
    else hi = mid;
  }
  return lo;
}

/**
 * Exact one-sided upper confidence bound of a Poisson mean after observing `k` events (Garwood):
 * the largest mean under which k or fewer events still have probability >= 1 - confidence.
 */
export function poissonUpper(k: number, confidence = 0.95): number {
  return solveDecreasing((l) => poissonCdf(k, l), 1 - confidence, 0, k + 50 + 10 * Math.sqrt(k + 1));
}

/** Exact one-sided upper confidence bound of a binomial share after `k` of `n` (Clopper-Pearson). */
export function binomialUpper(k: number, n: number, confidence = 0.95): number {
  if (k >= n) return 1;
  return solveDecreasing((p) => binomialCdf(k, n, p), 1 - confidence, 0, 1);
}

/** False alarms of the representation alerts on healthy runs. */
export interface FalseAlarmStats {
  readonly runs: number;
  /** Healthy runs with a representation warning or critical. */
  readonly runsWithAlarm: number;
  /** Epochs in which a first alarm could have fired: past the burn-in, up to the alarm if any. */
  readonly epochsAtRisk: number;
  readonly alarms: number;
  /** alarms per 100 epochs at risk, and its exact one-sided 95% upper bound (Poisson). */
  readonly per100: number;
  readonly per100Upper95: number;
  /** Share of healthy runs with an alarm and its exact one-sided 95% upper bound (binomial). */
  readonly runShare: number;
  readonly runShareUpper95: number;
}

/** False-alarm numbers over the healthy rows; `burnIn` epochs at the start of each run cannot alarm. */
export function falseAlarms(rows: readonly EvidenceRow[], burnIn: number): FalseAlarmStats {
  const healthy = rows.filter((r) => r.truth?.health === 'healthy');
  let epochsAtRisk = 0;
  let alarms = 0;
  for (const r of healthy) {
    if (r.geometry) {
      alarms++;
      epochsAtRisk += Math.max(0, Math.min(r.epochs, r.geometry.epoch + 1) - burnIn);
    } else epochsAtRisk += Math.max(0, r.epochs - burnIn);
  }
  const n = healthy.length;
  return {
    runs: n,
    runsWithAlarm: alarms,
    epochsAtRisk,
    alarms,
    per100: epochsAtRisk > 0 ? (100 * alarms) / epochsAtRisk : 0,
    per100Upper95: epochsAtRisk > 0 ? (100 * poissonUpper(alarms)) / epochsAtRisk : Number.POSITIVE_INFINITY,
    runShare: n > 0 ? alarms / n : 0,
    runShareUpper95: n > 0 ? binomialUpper(alarms, n) : 1,
  };
}

const dash = (v: number | string | null): string => (v === null ? '—' : String(v));

/** "healthy" or "lr-ramp from 8". */
export function kindLabel(t: CorpusEntry | null): string {
  if (!t) return '—';
  return t.health === 'healthy' ? 'healthy' : `${t.variant} from ${t.onset} (${t.tempo})`;
}

/** The lead cell: "+3", "-1", "no val-loss alert" (the baseline never fired), or "—". */
export function leadLabel(r: EvidenceRow): string {
  if (r.geometry === null) return '—';
  if (r.loss === null) return 'no val-loss alert';
  return r.lead! > 0 ? `+${r.lead}` : String(r.lead);
}

/** The Markdown table: one row per run. */
export function evidenceMarkdown(rows: readonly EvidenceRow[]): string {
  const head = '| run | kind | part | first geometry warning (epoch, signal) | val-loss alert (epoch) | lead (epochs) | other alerts |';
  const rule = '|---|---|---|---|---|---|---|';
  const body = rows.map((r) => {
    const geo = r.geometry === null ? '—' : `${r.geometry.epoch} (${r.geometry.signal}${r.geometry.severity === 'critical' ? ', critical' : ''})`;
    const loss = r.loss === null ? '—' : r.lossBy === 'non-finite metric' ? `${r.loss} (NaN)` : String(r.loss);
    return `| ${r.run} | ${kindLabel(r.truth)} | ${dash(r.truth?.part ?? null)} | ${geo} | ${loss} | ${leadLabel(r)} | ${r.others.length ? r.others.join(', ') : '—'} |`;
  });
  return [head, rule, ...body].join('\n');
}

/** A few lines under the table: per part, the false-alarm rate on healthy runs and how the failing runs fared. */
export function evidenceSummary(rows: readonly EvidenceRow[], burnIn: number): string {
  const out: string[] = [];
  for (const part of ['design', 'held-out', 'all'] as const) {
    const mine = part === 'all' ? rows.filter((r) => r.truth !== null) : rows.filter((r) => r.truth?.part === part);
    if (mine.length === 0) continue;
    const fa = falseAlarms(mine, burnIn);
    const healthy = mine.filter((r) => r.truth!.health === 'healthy');
    const criticals = healthy.filter((r) => r.criticals.length > 0).length;
    const failing = mine.filter((r) => r.truth!.health === 'failing');
    const warned = failing.filter((r) => r.geometry !== null).length;
    const developing = failing.filter((r) => r.truth!.tempo === 'developing');
    const early = developing.filter((r) => r.geometry !== null && (r.loss === null || r.lead! >= 2)).length;
    const leads = developing.filter((r) => r.lead !== null).map((r) => r.lead!);
    const sudden = failing.filter((r) => r.truth!.tempo === 'sudden');
    const onTime = sudden.filter((r) => r.geometry !== null && (r.loss === null || r.lead! >= 0)).length;
    const atOnset = sudden.filter((r) => r.geometry !== null && r.geometry.epoch === r.truth!.onset).length;
    out.push(
      `${part}: healthy ${fa.runs} runs, ${fa.runsWithAlarm} with a geometry warning, ${criticals} with a critical alert; ` +
        `${fa.alarms} false alarms in ${fa.epochsAtRisk} healthy epochs past burn-in = ${fa.per100.toFixed(2)} per 100 epochs ` +
        `(one-sided 95% upper bound ${fa.per100Upper95.toFixed(2)}), ${fa.runsWithAlarm} of ${fa.runs} runs (upper bound ${(100 * fa.runShareUpper95).toFixed(0)}%). ` +
        `Failing ${failing.length} runs, ${warned} warned. Developing ${developing.length}: ${early} warned at least 2 epochs before the val-loss baseline or without one` +
        `${leads.length ? ` (leads ${Math.min(...leads)} to ${Math.max(...leads)}, median ${median(leads)})` : ''}. ` +
        `Sudden ${sudden.length}: ${onTime} warned no later than the baseline, ${atOnset} in the onset epoch.`,
    );
  }
  return out.join('\n');
}

function median(v: readonly number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
