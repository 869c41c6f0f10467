/**
 * yargs loaded through its CommonJS build. Its ESM build wraps help text with a stand-in for
 * wrap-ansi that cuts words anywhere ("te/rminal"); the CommonJS build wraps at spaces.
 */
import { createRequire } from 'node:module';
import type { Argv } from 'yargs';

/** The yargs factory: yargs(args) -> a fresh parser. */
export const yargs = createRequire(import.meta.url)('yargs/yargs') as (args: readonly string[]) => Argv;
