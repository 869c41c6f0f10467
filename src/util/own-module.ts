/**
 * Finds this package's own modules that run in a worker thread or a child process. The package runs
 * either as TypeScript source through tsx (tests, benches) or compiled in dist/ (npm start, the
 * installed package); the caller's own URL tells which, so a spawned module always matches its parent.
 */

/** True when `moduleUrl` is a .ts file: the process runs the source through tsx. */
export function runsFromSource(moduleUrl: string): boolean {
  return moduleUrl.endsWith('.ts');
}

/** The module `stem` beside `moduleUrl`, with the running build's extension (.ts or .js). */
export function siblingModule(moduleUrl: string, stem: string): URL {
  return new URL(`./${stem}${runsFromSource(moduleUrl) ? '.ts' : '.js'}`, moduleUrl);
}
