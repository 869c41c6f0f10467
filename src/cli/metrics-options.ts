/** The --metrics-listen option (watch, replay): serve Prometheus/OpenMetrics (docs/integrations.md). */
import type { Argv } from 'yargs';
import { parseMetricsAddress } from '../metrics/metrics-server.js';

export interface MetricsArgs {
  'metrics-listen'?: string;
}

export function metricsOptions<T>(y: Argv<T>): Argv<T & MetricsArgs> {
  return y.option('metrics-listen', {
    type: 'string',
    describe: 'Serve Prometheus/OpenMetrics at http://HOST:PORT/metrics, e.g. 127.0.0.1:9464 (port 0: any free port)',
    // Checked at start-up: a typo is a usage error now, not a failure after the terminal is taken.
    coerce: (v: string | undefined) => {
      if (v !== undefined) parseMetricsAddress(v);
      return v;
    },
  }) as unknown as Argv<T & MetricsArgs>;
}
