/**
 * The one place that chooses the tfjs backend: tfjs-node when it loads (native, multi-threaded),
 * else tfjs-core with the wasm backend (SIMD) and our own gradients (tf/gradients.ts). Never the cpu
 * backend for real work: it is ~50x slower.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { registerGradients } from './gradients.js';

/** The tfjs namespace type (tfjs-core's; tfjs-node re-exports the same API). */
export type Tf = typeof import('@tensorflow/tfjs-core');

/** What `initTf` gives back. */
export interface TfHandle {
  readonly tf: Tf;
  /** 'tensorflow' (tfjs-node) or 'wasm'. */
  readonly backend: string;
}

let pending: Promise<TfHandle> | undefined;

/** Load tfjs once per thread and return it with the backend name. Safe to call many times. */
export function initTf(): Promise<TfHandle> {
  pending ??= load();
  return pending;
}

async function load(): Promise<TfHandle> {
  if (process.env.SENTRYCAM_TF_BACKEND !== 'wasm') {
    try {
      // Optional dependency: a string variable keeps tsc from requiring its types.
      const nodePkg = '@tensorflow/tfjs-node';
      const tfn = (await import(nodePkg)) as Tf;
      await tfn.ready();
      return { tf: tfn, backend: tfn.getBackend() };
    } catch {
      // Not installed or its native library failed to load: fall through to wasm.
    }
  }
  const tf = await import('@tensorflow/tfjs-core');
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const require = createRequire(import.meta.url);
  // The package's main file lives in dist/, next to the .wasm binaries.
  const dist = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
  wasm.setWasmPaths(dist + path.sep);
  const ok = await tf.setBackend('wasm');
  if (!ok) throw new Error('tf-backend: the wasm backend failed to initialise (and tfjs-node is not available)');
  await tf.ready();
  // tfjs-core alone registers no gradients; tfjs-node (via @tensorflow/tfjs) does.
  registerGradients(tf);
  return { tf, backend: tf.getBackend() };
}
