/**
 * `npm run bench`: runs every benchmark in turn (one at a time: the machine has 2 cores and the
 * numbers must not compete) and prints one JSON object with all fields as the last line.
 * Progress and per-bench details go to stderr. Names on the command line run only those benches,
 * e.g. `npm run bench -- scale` (the CIFAR-size part alone).
 */
/** Interfaces without index signatures are fine: the runner only copies their fields. */
type Bench = () => Promise<object>;

const BENCHES: readonly { name: string; load: () => Promise<Bench> }[] = [
  { name: 'ingest', load: async () => (await import('./ingest.js')).benchIngest },
  { name: 'producer', load: async () => (await import('./producer.js')).benchProducer },
  { name: 'engine', load: async () => (await import('./engine.js')).benchEngine },
  { name: 'engine-demo', load: async () => (await import('./engine-demo.js')).benchEngineDemo },
  { name: 'engine-resnet', load: async () => (await import('./engine-resnet.js')).benchEngineResnet },
  { name: 'ablation', load: async () => (await import('./ablation.js')).benchAblation },
  { name: 'ui', load: async () => (await import('./ui.js')).benchUi },
  { name: 'start', load: async () => (await import('./start.js')).benchStart },
  // CIFAR-size epochs (issue 12), several minutes; alone: `npm run bench -- scale`.
  { name: 'scale', load: async () => (await import('./scale.js')).benchScale },
];

const only = process.argv.slice(2);
const result: Record<string, number | null> = {};
let failed = false;
for (const { name, load } of BENCHES) {
  if (only.length && !only.includes(name)) continue;
  const t0 = Date.now();
  process.stderr.write(`bench ${name}: running\n`);
  try {
    const fields = await (await load())();
    Object.assign(result, fields);
    process.stderr.write(`bench ${name}: ${JSON.stringify(fields)} (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
  } catch (err) {
    failed = true;
    result[`${name}_error`] = null;
    process.stderr.write(`bench ${name}: FAILED: ${(err as Error).stack ?? err}\n`);
  }
}
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exitCode = failed ? 1 : 0;
