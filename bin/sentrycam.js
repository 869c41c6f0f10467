#!/usr/bin/env node
// Entry point: runs the compiled CLI in dist/ (`npm run build`; npm install and npm pack build it).
// SENTRYCAM_FROM_SOURCE=1 runs the TypeScript in src/ through tsx instead, as the tests do, so the
// edit-test loop needs no build; tsx is a development dependency.
import { existsSync } from 'node:fs';

const fromSource = process.env.SENTRYCAM_FROM_SOURCE === '1' && existsSync(new URL('../src/cli/main.ts', import.meta.url));
let main;
if (fromSource) {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/main.ts'));
} else if (existsSync(new URL('../dist/cli/main.js', import.meta.url))) {
  ({ main } = await import('../dist/cli/main.js'));
} else {
  process.stderr.write('sentrycam: dist/ is missing: run `npm run build` in the package folder (or set SENTRYCAM_FROM_SOURCE=1)\n');
  process.exit(1);
}
const code = await main(process.argv.slice(2));
process.exitCode = code;
// Whatever still holds the event loop (a terminal's stdin, a closing worker) must not keep a finished
// command alive; the unref'd timer fires only if something does.
setTimeout(() => process.exit(code), 200).unref();
