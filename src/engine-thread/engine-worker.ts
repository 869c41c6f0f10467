/**
 * The engine's worker thread: adapts ProjectionEngine to messages. One update at a time; the
 * client decides what to send (newest pending set per run), so this file holds no queue.
 */
import { parentPort } from 'node:worker_threads';
import { ProjectionEngine } from '../engine/engine.js';
import { buffersOf, type FromWorker, type ToWorker } from './engine-messages.js';
import { BackfillQueue } from './backfill-queue.js';

if (!parentPort) throw new Error('engine-worker: must run in a worker thread');
const port = parentPort;
let engine: ProjectionEngine | undefined;

function post(msg: FromWorker, transfer: ArrayBuffer[] = []): void {
  port.postMessage(msg, transfer);
}

// Messages are handled strictly in order (init must finish before the first update runs). Between
// updates the worker keeps training the last run's projector in short slices (idle time is free:
// training epochs take far longer than an update), yielding to the event loop after each slice so
// that a new message is picked up within one slice.
const queue: ToWorker[] = [];
let wake: (() => void) | undefined;
let lastRun: string | undefined;
/** With fixed work (reproducible layouts) there is no idle training: its amount would depend on time. */
let idleAllowed = true;
/** Idle training slice, ms: bounds how long a new epoch may wait for the worker. */
const IDLE_SLICE_MS = 100;

port.on('message', (msg: ToWorker) => {
  queue.push(msg);
  wake?.();
});

void (async () => {
  for (;;) {
    const msg = queue.shift();
    if (msg) {
      await handle(msg);
      // Idle training serves the live run, not the shadow run of a backfilled epoch.
      if (msg.type === 'update' && BackfillQueue.runOf(msg.set.run) === msg.set.run) lastRun = msg.set.run;
      continue;
    }
    let steps = 0;
    if (engine && lastRun !== undefined && idleAllowed) {
      try {
        steps = await engine.idleTrain(lastRun, IDLE_SLICE_MS);
      } catch {
        steps = 0; // idle work is best-effort; the next update reports real errors
      }
    }
    if (steps > 0) await new Promise<void>((r) => setImmediate(r));
    else await new Promise<void>((r) => (wake = r));
    wake = undefined;
  }
})();

async function handle(msg: ToWorker): Promise<void> {
  try {
    if (msg.type === 'init') {
      engine = new ProjectionEngine(msg.opts);
      idleAllowed = msg.opts.fixedWork === undefined;
      await engine.init();
      post({ type: 'ready', backend: engine.backend });
    } else if (msg.type === 'update') {
      if (!engine) throw new Error('engine-worker: update before init');
      try {
        const layout = await engine.update(msg.set);
        const l = layout;
        post({ type: 'layout', job: msg.job, layout }, buffersOf([l.positions, l.ids, l.split, l.labels, l.preds, l.tasks, l.regions?.cls]));
      } catch (err) {
        const e = err instanceof Error ? err : new Error(String(err));
        post({ type: 'error', job: msg.job, message: e.message, stack: e.stack });
      }
    } else if (msg.type === 'forget') {
      engine?.forget(msg.run);
      if (lastRun === msg.run) lastRun = undefined;
    } else if (msg.type === 'close') {
      port.close();
      process.exit(0);
    }
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    post({ type: 'error', job: null, message: e.message, stack: e.stack });
  }
}
