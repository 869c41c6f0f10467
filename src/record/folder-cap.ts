/**
 * --record-max: keeps a recording folder under a size by removing its oldest finished recordings.
 * Only recording files count and go (RUN.scamrec, .scamrec.gz, .scamrec.incomplete); never a file
 * this monitor is writing, nor one written to in the last RECENT_MS (another monitor may own it).
 */
import fs from 'node:fs';
import path from 'node:path';
import { RECORD_EXTENSION } from '../protocol/recording-format.js';
import { INCOMPLETE_SUFFIX } from './file-names.js';

/** A file modified this recently may be another writer's live recording: left alone. */
export const RECENT_MS = 60_000;

/** One removed recording, as the record_pruned event reports it. */
export interface PrunedFile {
  readonly file: string;
  /** Size of the removed file. */
  readonly bytes: number;
  /** Recording bytes left in the folder after the removal. */
  readonly folderBytes: number;
  readonly maxBytes: number;
}

export function isRecordingName(name: string): boolean {
  return [RECORD_EXTENSION, `${RECORD_EXTENSION}.gz`, `${RECORD_EXTENSION}${INCOMPLETE_SUFFIX}`].some((ext) => name.endsWith(ext));
}

/**
 * Removes the oldest recordings (by modification time, then name) until the folder's recordings
 * total at most maxBytes or only protected ones are left. Returns what it removed, in order.
 * @param busy paths being written by this monitor
 */
export function pruneFolder(dir: string, maxBytes: number, busy: ReadonlySet<string>, now = Date.now()): PrunedFile[] {
  const files = fs
    .readdirSync(dir)
    .filter(isRecordingName)
    .flatMap((name) => {
      const file = path.join(dir, name);
      try {
        const st = fs.statSync(file);
        return st.isFile() ? [{ file, bytes: st.size, mtime: st.mtimeMs }] : [];
      } catch {
        return []; // gone meanwhile
      }
    });
  let total = files.reduce((s, f) => s + f.bytes, 0);
  const out: PrunedFile[] = [];
  const candidates = files.filter((f) => !busy.has(f.file) && now - f.mtime >= RECENT_MS).sort((a, b) => a.mtime - b.mtime || a.file.localeCompare(b.file));
  for (const f of candidates) {
    if (total <= maxBytes) break;
    try {
      fs.unlinkSync(f.file);
    } catch {
      continue; // removed by someone else, or not ours to remove: the next one
    }
    total -= f.bytes;
    out.push({ file: f.file, bytes: f.bytes, folderBytes: total, maxBytes });
  }
  return out;
}
