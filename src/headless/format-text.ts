/** One human-readable line per event, for `watch --headless` without --json. */
import type { Event } from '../model/events.js';

const fmt = (v: number | undefined, digits = 3): string => (v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(digits));


/** The line for an event, or undefined for events that are not printed (layout, engine state). */
export function formatText(e: Event): string | undefined {
  switch (e.event) {
    case 'listening':
      return `listening on ${e.source}${e.record ? `, recording to ${e.record}` : ''} (sentrycam ${e.version})`;
    case 'hello':
      return `hello   run=${e.run} producer=${e.producer} layer=${e.layer} dim=${e.dim}${e.classes ? ` classes=${e.classes.length}` : ''}${e.model ? ` model=${e.model}` : ''}`;
    case 'epoch': {
      const head = `epoch   run=${e.run} epoch=${e.epoch} split=${e.split} n=${e.n} dim=${e.dim}`;
      if (e.engine !== 'projected') return `${head}${e.engine ? ` engine=${e.engine}` : ''}`;
      return `${head} nn15=${fmt(e.nn15)} trust15=${fmt(e.trust15)} stability=${fmt(e.stability)} D=${fmt(e.D)} V=${fmt(e.V)} update_ms=${fmt(e.update_ms, 0)} sample_rate=${fmt(e.sample_rate, 2)}${e.degenerate ? ' DEGENERATE' : ''}`;
    }
    case 'metrics':
      return `metrics run=${e.run} epoch=${e.epoch}${e.step !== undefined ? ` step=${e.step}` : ''} ${Object.entries(e.values).map(([k, v]) => `${k}=${v}`).join(' ')}`;
    case 'notice':
      return `notice  ${e.level} ${e.topic}: ${e.message}`;
    case 'reject':
      return `reject  ${e.code}: ${e.reason}`;
    case 'lost':
      return `lost    run=${e.run} producer=${e.producer} frames=${e.count} (expected seq ${e.expected}, got ${e.got})`;
    case 'alert':
      return `ALERT   ${e.severity.toUpperCase()} ${e.kind} run=${e.run}${e.epoch !== null ? ` epoch=${e.epoch}` : ''}: ${e.message}`;
    case 'silence':
      return `silence run=${e.run} producer=${e.producer} silent for ${e.seconds}s`;
    case 'end':
      return `end     run=${e.run}`;
    case 'record_error':
      return `RECORD  ERROR run=${e.run}${e.file ? ` file=${e.file}` : ''}: ${e.message}`;
    case 'record_pruned':
      return `record  pruned ${e.file} (${e.bytes} bytes; the folder's recordings now ${e.folder_bytes} bytes, cap ${e.max_bytes})`;
    case 'summary':
      return `summary frames=${e.frames} rejected=${e.rejected} lost=${e.lost} epochs=${e.epochs}`;
    default:
      return undefined;
  }
}
