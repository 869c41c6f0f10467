/**
 * The HTTP endpoint Prometheus scrapes: GET /metrics, nothing else. Bounded: at most
 * MAX_CONNECTIONS open connections (Prometheus keeps one per target; the rest is for curl), and
 * slow clients are cut off by the request and header timeouts.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type client from 'prom-client';

/** A parsed --metrics-listen value. */
export interface MetricsAddress {
  readonly host: string;
  readonly port: number;
  /** True for loopback hosts; anything else is reachable from the network. */
  readonly loopback: boolean;
}

/** Parses HOST:PORT ([v6]:PORT for IPv6); port 0 picks a free one. Throws a message naming the problem. */
export function parseMetricsAddress(s: string): MetricsAddress {
  const m = /^(\[[^\]]+\]|[^:[\]/]+):(\d{1,5})$/.exec(s);
  if (!m) throw new Error(`--metrics-listen ${JSON.stringify(s)} is not HOST:PORT (e.g. 127.0.0.1:9464)`);
  const port = Number(m[2]);
  if (port > 65535) throw new Error(`--metrics-listen ${JSON.stringify(s)}: port ${port} is outside 0-65535`);
  const host = m[1]!.replace(/^\[|\]$/g, '');
  return { host, port, loopback: host === 'localhost' || host === '::1' || /^127\./.test(host) };
}

/**
 * Prometheus holds one keep-alive connection per target; 16 leave room for a few people with curl
 * while a flood of connections cannot pile up sockets.
 */
const MAX_CONNECTIONS = 16;
/** A scrape of a few thousand series takes milliseconds; 10 s only cuts off clients that stall. */
const REQUEST_TIMEOUT_MS = 10_000;

export class MetricsServer {
  private constructor(
    private readonly server: http.Server,
    /** The address bound (the real port when 0 was asked for). */
    readonly url: string,
  ) {}

  /** Binds and serves; rejects when the address cannot be bound (in use, not local). */
  static async start(address: MetricsAddress, register: client.Registry<client.OpenMetricsContentType>): Promise<MetricsServer> {
    const server = http.createServer((req, res) => void serve(register, req, res));
    server.maxConnections = MAX_CONNECTIONS;
    server.requestTimeout = REQUEST_TIMEOUT_MS;
    server.headersTimeout = REQUEST_TIMEOUT_MS;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(address.port, address.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    // Never keep the process alive on its own: the session decides when the monitor ends.
    server.unref();
    const bound = server.address() as AddressInfo;
    const host = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address;
    return new MetricsServer(server, `http://${host}:${bound.port}/metrics`);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

async function serve(register: client.Registry<client.OpenMetricsContentType>, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const path = (req.url ?? '').split('?')[0];
  if (path !== '/metrics') {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('SentryCam serves /metrics only\n');
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('GET /metrics\n');
    return;
  }
  try {
    const body = await register.metrics();
    res.writeHead(200, { 'content-type': register.contentType });
    res.end(req.method === 'HEAD' ? undefined : body);
  } catch (err) {
    res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${(err as Error).message}\n`);
  }
}
