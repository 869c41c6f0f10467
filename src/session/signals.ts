/**
 * Stop signals end the session in order (summary printed, recordings synced, terminal restored):
 * SIGINT and SIGTERM, and SIGHUP (the SSH connection or the tmux pane went away) and SIGQUIT, which
 * would otherwise kill the process before its recordings are synced.
 */
const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];

/** Installs the handlers; returns a function that removes them. */
export function onStopSignals(stop: () => void): () => void {
  let count = 0;
  const handler = (): void => {
    // A second signal while stopping means "now": the user is not waiting for the engine.
    if (++count > 1) process.exit(130);
    stop();
  };
  for (const s of STOP_SIGNALS) process.on(s, handler);
  return () => {
    for (const s of STOP_SIGNALS) process.off(s, handler);
  };
}
