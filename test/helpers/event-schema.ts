/** docs/events.schema.json applied to a process's stdout (JSON lines, `ts` and all). */
import fs from 'node:fs';
import path from 'node:path';
import { validate, type Schema } from './json-schema.js';
import { ROOT } from './processes.js';

export const EVENT_SCHEMA = JSON.parse(fs.readFileSync(path.join(ROOT, 'docs/events.schema.json'), 'utf8')) as Schema;

/** Raw stdout lines (the CLI harness takes `ts` off its parsed events; the schema wants it). */
export function rawEvents(stdout: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Every schema violation of the events, with its line number and event name. */
export function schemaProblems(events: readonly Record<string, unknown>[]): string[] {
  return events.flatMap((e, i) => validate(EVENT_SCHEMA, e).map((p) => `line ${i + 1} (${String(e.event)}): ${p}`));
}
