/**
 * The engine's worker thread: adapts ProjectionEngine to messages. One update at a time; the
 * client decides what to send (newest pending set per run), so this file holds no queue.
 */
import { parentPort } from 'node:worker_threads';
import { ProjectionEngine } from './engine.js';
import { buffersOf, type FromWorker, type ToWorker } from './engine-messages.js';

if (!parentPort) throw new Error('engine-worker: must run in a worker thread');
const port = parentPort;
let engine: ProjectionEngine | undefined;

function post(msg: FromWorker, transfer: ArrayBuffer[] = []): void {
  port.postMessage(msg, transfer);
}

// Messages are handled strictly in order (init must finish before the first update runs).
let chain: Promise<void> = Promise.resolve();
port.on('message', (msg: ToWorker) => {
  chain = chain.then(() => handle(msg));
});

async function handle(msg: ToWorker): Promise<void> {
  try {
    if (msg.type === 'init') {
      engine = new ProjectionEngine(msg.opts);
      await engine.init();
      post({ type: 'ready', backend: engine.backend });
    } else if (msg.type === 'update') {
      if (!engine) throw new Error('engine-worker: update before init');
      try {
        const layout = await engine.update(msg.set);
        const l = layout;
        post({ type: 'layout', job: msg.job, layout }, buffersOf([l.positions, l.ids, l.split, l.labels, l.preds, l.regions?.cls]));
      } catch (err) {
        const e = err instanceof Error ? err : new Error(String(err));
        post({ type: 'error', job: msg.job, message: e.message, stack: e.stack });
      }
    } else if (msg.type === 'close') {
      port.close();
    }
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    post({ type: 'error', job: null, message: e.message, stack: e.stack });
  }
}
