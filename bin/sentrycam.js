#!/usr/bin/env node
// Entry point: registers the TypeScript loader (tsx), then runs the CLI.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
const code = await main(process.argv.slice(2));
process.exitCode = code;
// Whatever still holds the event loop (a terminal's stdin, a closing worker) must not keep a finished
// command alive; the unref'd timer fires only if something does.
setTimeout(() => process.exit(code), 200).unref();
