/**
 * What a reader skipped in a recording, and which epochs that may have cost: the entries lost in
 * a gap lie between the last good frame before it and the first good frame after it, so the
 * epochs those two frames name bound the epochs that may be missing frames.
 */
import type { ScannedSkip, SkipReason } from './recording-scanner.js';
import { MAGIC as WIRE_MAGIC, PREAMBLE_BYTES } from '../protocol/encode.js';

/** Epochs (inclusive) that may have lost frames; null: unknown on that side (start or end of the file). */
export interface EpochSpan {
  readonly from: number | null;
  readonly to: number | null;
}

export interface SkippedRegion {
  /** Byte offset in the (decompressed) recording. */
  readonly offset: number;
  readonly bytes: number;
  readonly entries: number;
  readonly reason: SkipReason;
  readonly epochs: EpochSpan;
}

export interface RecordingDamage {
  /** Entries skipped in all (a damaged header can hide more than one: see SkippedRegion.entries). */
  readonly entries: number;
  readonly bytes: number;
  /** Places where bytes were skipped. */
  readonly places: number;
  /** The first MAX_LISTED_REGIONS places, in file order. */
  readonly regions: readonly SkippedRegion[];
  /** Epoch spans that may have lost frames, merged where they overlap, in order. */
  readonly epochs: readonly EpochSpan[];
}

/** Regions listed one by one; enough to locate damage, while totals count every place. */
export const MAX_LISTED_REGIONS = 100;
/** Frame headers longer than this are not parsed for their epoch (batch headers are a few hundred bytes). */
const MAX_PEEK_HEADER = 64 * 1024;

/** The epoch a frame's JSON header names, if any (hello and end name none). */
export function frameEpoch(frame: Buffer): number | undefined {
  if (frame.length < PREAMBLE_BYTES || !frame.subarray(0, WIRE_MAGIC.length).equals(WIRE_MAGIC)) return undefined;
  const len = frame.readUInt32LE(8);
  if (len > MAX_PEEK_HEADER || PREAMBLE_BYTES + len > frame.length) return undefined;
  try {
    const epoch = (JSON.parse(frame.toString('utf8', PREAMBLE_BYTES, PREAMBLE_BYTES + len)) as { epoch?: unknown } | null)?.epoch;
    return typeof epoch === 'number' && Number.isSafeInteger(epoch) && epoch >= 0 ? epoch : undefined;
  } catch {
    return undefined;
  }
}

interface OpenRegion {
  readonly offset: number;
  readonly bytes: number;
  readonly entries: number;
  readonly reason: SkipReason;
  from: number | null;
  to: number | null;
}

/** Spans kept before merging them; merging keeps the list short when damage is everywhere. */
const MERGE_AT = 2 * MAX_LISTED_REGIONS;

export class DamageLog {
  private entries = 0;
  private bytes = 0;
  private places = 0;
  private readonly listed: OpenRegion[] = [];
  /** Listed places still waiting for the first epoch after them. */
  private waiting: OpenRegion[] = [];
  /** Epoch before the places not yet closed by a frame with an epoch (undefined: none open). */
  private openFrom?: number | null;
  private spans: EpochSpan[] = [];
  private lastEpoch: number | null = null;

  get damaged(): boolean {
    return this.places > 0;
  }

  /** A good frame went by. */
  noteFrame(frame: Buffer): void {
    const epoch = frameEpoch(frame);
    if (epoch === undefined) return;
    this.lastEpoch = epoch;
    if (this.openFrom === undefined) return;
    for (const r of this.waiting) Object.assign(r, ordered(r.from, epoch));
    this.waiting = [];
    this.spans.push(ordered(this.openFrom, epoch));
    this.openFrom = undefined;
    if (this.spans.length >= MERGE_AT) this.spans = mergeSpans(this.spans);
  }

  noteSkip(s: ScannedSkip): void {
    this.entries += s.entries;
    this.bytes += s.bytes;
    this.places++;
    this.openFrom ??= this.lastEpoch;
    if (this.listed.length >= MAX_LISTED_REGIONS) return;
    const r: OpenRegion = { offset: s.offset, bytes: s.bytes, entries: s.entries, reason: s.reason, from: this.lastEpoch, to: null };
    this.listed.push(r);
    this.waiting.push(r);
  }

  /** The report so far (complete once the whole recording has been read). */
  report(): RecordingDamage {
    const open = this.openFrom === undefined ? [] : [{ from: this.openFrom, to: null }];
    return {
      entries: this.entries,
      bytes: this.bytes,
      places: this.places,
      regions: this.listed.map((r) => ({ offset: r.offset, bytes: r.bytes, entries: r.entries, reason: r.reason, epochs: { from: r.from, to: r.to } })),
      epochs: mergeSpans([...this.spans, ...open]),
    };
  }
}

/**
 * The span from the epoch before a gap to the one after it, low end first (frames of several
 * producers need not come in epoch order); no epoch before: from the start (null).
 */
function ordered(from: number | null, to: number): EpochSpan {
  return from === null ? { from: null, to } : { from: Math.min(from, to), to: Math.max(from, to) };
}

/** Sorts spans and merges those that overlap or touch; a null end reaches the start or end of the file. */
export function mergeSpans(spans: readonly EpochSpan[]): EpochSpan[] {
  const lo = (s: EpochSpan) => s.from ?? -Infinity;
  const hi = (s: EpochSpan) => s.to ?? Infinity;
  const sorted = [...spans].sort((a, b) => lo(a) - lo(b));
  const out: EpochSpan[] = [];
  for (const s of sorted) {
    const last = out.at(-1);
    if (last && lo(s) <= hi(last) + 1) {
      if (hi(s) > hi(last)) out[out.length - 1] = { from: last.from, to: s.to };
    } else {
      out.push(s);
    }
  }
  return out;
}

const REASONS: Readonly<Record<SkipReason, string>> = {
  bad_crc: 'frame CRC mismatch',
  bad_header: 'damaged entry header',
  too_large: 'frame larger than the reader takes',
};

function spanText(s: EpochSpan): string {
  const from = s.from ?? 'start';
  const to = s.to ?? 'end';
  return from === to ? String(from) : `${from}-${to}`;
}

/**
 * One sentence on what a reader skipped (damaged entries, or frames over its cap), or undefined
 * when nothing was: entries, bytes, places, why, and the epochs that may be missing frames.
 */
export function damageText(d: RecordingDamage): string | undefined {
  if (d.places === 0) return undefined;
  const why = [...new Set(d.regions.map((r) => REASONS[r.reason]))].join(', ');
  const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  return `${count(d.entries, 'entry', 'entries')} (${count(d.bytes, 'byte', 'bytes')}) skipped at ${count(d.places, 'place', 'places')} (${why}); epochs that may be missing frames: ${d.epochs.map(spanText).join(', ') || 'none known'}`;
}
