/**
 * The Prometheus/OpenMetrics exporter as one of a session's event consumers: it keeps a RunTable
 * from the events and serves it on /metrics (docs/integrations.md).
 */
import fs from 'node:fs';
import type { EventConsumer } from '../session/monitor-session.js';
import type { IngestStats } from '../ingest/ingest.js';
import type { Event } from '../model/events.js';
import { RunTable, type RunTableOptions } from './run-table.js';
import { buildRegistry } from './exposition.js';
import { MetricsServer, type MetricsAddress } from './metrics-server.js';

/** What the exporter reads from the session when scraped (the session is built after the exporter). */
export interface SessionView {
  stats(): Readonly<IngestStats> | undefined;
  /** Recording file per run. */
  recordings(): ReadonlyMap<string, string>;
}

export interface MetricsExporterOptions extends RunTableOptions {
  readonly address: MetricsAddress;
  readonly session: SessionView;
}

export class MetricsExporter implements EventConsumer {
  readonly table: RunTable;
  private bytes = 0;

  private constructor(
    table: RunTable,
    private readonly server: MetricsServer,
  ) {
    this.table = table;
  }

  /** Binds the endpoint; rejects when the address cannot be bound. */
  static async start(opts: MetricsExporterOptions): Promise<MetricsExporter> {
    const table = new RunTable(opts);
    let exporter: MetricsExporter | undefined;
    const register = buildRegistry(table, {
      stats: () => opts.session.stats(),
      recordedBytes: (run) => fileSize(opts.session.recordings().get(run)),
      bytesReceived: () => exporter?.bytes ?? 0,
    });
    const server = await MetricsServer.start(opts.address, register);
    exporter = new MetricsExporter(table, server);
    return exporter;
  }

  /** Where it serves, e.g. http://127.0.0.1:9464/metrics. */
  get url(): string {
    return this.server.url;
  }

  readonly sink = (e: Event): void => this.table.onEvent(e);

  readonly noteFrame = (frame: Buffer): void => {
    this.bytes += frame.length;
  };

  close(): Promise<void> {
    return this.server.close();
  }
}

/** Size of the file, or undefined when there is none (not recorded, or removed under us). */
function fileSize(file: string | undefined): number | undefined {
  if (file === undefined) return undefined;
  try {
    return fs.statSync(file).size;
  } catch {
    return undefined;
  }
}
