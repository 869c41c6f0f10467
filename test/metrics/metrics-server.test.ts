/** The /metrics endpoint over real HTTP, its address checks, and `watch --metrics-listen` start-up. */
import test from 'ava';
import http from 'node:http';
import { MetricsServer, parseMetricsAddress } from '../../src/metrics/metrics-server.js';
import { buildRegistry } from '../../src/metrics/exposition.js';
import { RunTable } from '../../src/metrics/run-table.js';
import { ipcAddress } from '../producer/pull-helper.js';
import { runCli } from '../cli/cli-process.js';

function registry() {
  const table = new RunTable();
  table.onEvent({ event: 'hello', run: 'r', producer: '0', layer: 'fc', dim: 4 });
  return buildRegistry(table, { stats: () => undefined, recordedBytes: () => undefined, bytesReceived: () => 0 });
}

test('parseMetricsAddress: HOST:PORT, [v6]:PORT, port 0; loopback told apart; bad values named', (t) => {
  t.deepEqual(parseMetricsAddress('127.0.0.1:9464'), { host: '127.0.0.1', port: 9464, loopback: true });
  t.deepEqual(parseMetricsAddress('[::1]:0'), { host: '::1', port: 0, loopback: true });
  t.deepEqual(parseMetricsAddress('localhost:80'), { host: 'localhost', port: 80, loopback: true });
  t.deepEqual(parseMetricsAddress('0.0.0.0:9464'), { host: '0.0.0.0', port: 9464, loopback: false });
  t.throws(() => parseMetricsAddress('9464'), { message: /is not HOST:PORT/ });
  t.throws(() => parseMetricsAddress('http://127.0.0.1:9464'), { message: /is not HOST:PORT/ });
  t.throws(() => parseMetricsAddress('127.0.0.1:70000'), { message: /outside 0-65535/ });
});

test('GET /metrics serves OpenMetrics; HEAD has no body; other paths 404, other methods 405', async (t) => {
  const server = await MetricsServer.start(parseMetricsAddress('127.0.0.1:0'), registry());
  t.teardown(() => server.close());
  t.regex(server.url, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
  const res = await fetch(server.url);
  t.is(res.status, 200);
  t.is(res.headers.get('content-type'), 'application/openmetrics-text; version=1.0.0; charset=utf-8');
  const body = await res.text();
  t.true(body.includes('sentrycam_run_info{run="r",layer="fc",model=""} 1'));
  t.true(body.includes('\nprocess_cpu_seconds_total '), 'process metrics');
  t.true(body.trimEnd().endsWith('# EOF'));
  const head = await fetch(server.url, { method: 'HEAD' });
  t.is(head.status, 200);
  t.is(await head.text(), '');
  t.is((await fetch(server.url.replace('/metrics', '/'))).status, 404);
  const post = await fetch(server.url, { method: 'POST' });
  t.is(post.status, 405);
  t.is(post.headers.get('allow'), 'GET, HEAD');
});

test('a port in use is refused at start, with its code', async (t) => {
  const taken = http.createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  t.teardown(() => taken.close());
  const port = (taken.address() as { port: number }).port;
  await t.throwsAsync(MetricsServer.start({ host: '127.0.0.1', port, loopback: true }, registry()), { code: 'EADDRINUSE' });
});

test('watch --metrics-listen: a bad address is a usage error (exit 2); a port in use exits 1 before anything starts; the notice follows the listening event', async (t) => {
  const bad = runCli(['watch', '--headless', '--json', '--no-record', '--listen', ipcAddress('metrics-bad'), '--metrics-listen', 'nonsense']);
  t.is(await bad.exit(60_000), 2);
  t.regex(bad.stderr(), /--metrics-listen "nonsense" is not HOST:PORT/);

  const taken = http.createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  t.teardown(() => taken.close());
  const port = (taken.address() as { port: number }).port;
  const inUse = runCli(['watch', '--headless', '--json', '--no-record', '--listen', ipcAddress('metrics-inuse'), '--metrics-listen', `127.0.0.1:${port}`]);
  t.is(await inUse.exit(60_000), 1);
  t.is(inUse.stderr(), `sentrycam watch: --metrics-listen 127.0.0.1:${port} cannot be used: the port is in use\n`);
  t.deepEqual(inUse.events, []);

  const ok = runCli(['watch', '--headless', '--json', '--no-record', '--no-engine', '--listen', ipcAddress('metrics-ok'), '--metrics-listen', '127.0.0.1:0']);
  const notice = await ok.waitFor((e) => e.event === 'notice', 60_000, 'metrics notice');
  t.is(ok.events[0]!.event, 'listening');
  t.is(ok.events[1], notice);
  const url = /serving OpenMetrics at (http:\S+)$/.exec(String(notice.message))![1]!;
  t.is((await fetch(url)).status, 200);
  ok.child.kill('SIGTERM');
  t.is(await ok.exit(30_000), 0, ok.stderr());
  // The endpoint closed with the session.
  await t.throwsAsync(fetch(url));
});
