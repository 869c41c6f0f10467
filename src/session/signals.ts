/** SIGINT/SIGTERM stop the session in order (summary printed, recordings synced, terminal restored). */
export function onStopSignals(stop: () => void): () => void {
  let count = 0;
  const handler = (): void => {
    // A second signal while stopping means "now": the user is not waiting for the engine.
    if (++count > 1) process.exit(130);
    stop();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
