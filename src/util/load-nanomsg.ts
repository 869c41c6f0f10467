/**
 * Loads the nanomsg binding, the one native module the monitor and the producer need. npm builds it
 * from source when installing (node-gyp: python3, make, a C++ compiler); when that build did not
 * run or failed (install scripts skipped by `--ignore-scripts` or by npm's install-script approvals,
 * a missing compiler) the binding's own error is a list of paths it searched. This says what is
 * wrong and how to fix it instead.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** What a missing native build throws (the `bindings` package) or Node's loader says of a bad one. */
const NOT_BUILT = /Could not locate the bindings file|node_nanomsg\.node|was compiled against a different Node\.js version/;

/**
 * The `nanomsg` module, typed by the caller.
 * @throws Error naming the missing native build and the commands that repair it (nanomsgLoadError)
 */
export function loadNanomsg<T>(): T {
  try {
    return require('nanomsg') as T;
  } catch (err) {
    throw nanomsgLoadError(err);
  }
}

/**
 * The error to show for a failed `require('nanomsg')`: a missing or mismatched native build is
 * explained, with the repair; anything else is passed on unchanged.
 */
export function nanomsgLoadError(err: unknown): unknown {
  const msg = err instanceof Error ? err.message : String(err);
  if (!NOT_BUILT.test(msg)) return err;
  const first = msg.split('\n')[0].replace(/\s*Tried:\s*$/, '');
  return new Error(
    `the nanomsg native module is not built (${first}). npm builds it when installing, unless install ` +
      `scripts were skipped (--ignore-scripts, or npm's install-script approvals: ` +
      `\`npm install-scripts approve nanomsg\`) or the build failed (it needs python3, make and a C++ compiler: ` +
      `apt-get install python3 make g++). Rebuild it with \`npm rebuild nanomsg\`.`,
    { cause: err },
  );
}
