import test from 'ava';
import { DEFAULT_LISTEN, parseListenAddress } from '../../src/sources/address.js';

test('tcp and ipc addresses parse; loopback is told apart from the network', (t) => {
  t.deepEqual(parseListenAddress(DEFAULT_LISTEN), { url: 'tcp://127.0.0.1:5555', transport: 'tcp', loopback: true });
  t.like(parseListenAddress('tcp://localhost:80'), { transport: 'tcp', loopback: true });
  t.like(parseListenAddress('tcp://127.1.2.3:7000'), { loopback: true });
  t.like(parseListenAddress('tcp://[::1]:7000'), { loopback: true });
  t.like(parseListenAddress('ipc:///tmp/sentrycam.sock'), { transport: 'ipc', loopback: true });
  for (const open of ['tcp://0.0.0.0:5555', 'tcp://*:5555', 'tcp://10.1.2.3:5555', 'tcp://[::]:5555', 'tcp://eth0:5555', 'tcp://example.org:5555']) {
    t.like(parseListenAddress(open), { transport: 'tcp', loopback: false }, open);
  }
});

test('malformed addresses are refused with a message naming the address and the problem', (t) => {
  for (const bad of ['', 'localhost:5555', 'tcp://127.0.0.1', 'tcp://:5555', 'udp://127.0.0.1:5555', 'ipc://', 'tcp://127.0.0.1:55x', 'tcp://127.0.0.1:5555/path']) {
    t.throws(() => parseListenAddress(bad), { message: new RegExp(`listen address ${JSON.stringify(bad).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is not tcp://HOST:PORT or ipc:///PATH`) }, bad);
  }
  t.throws(() => parseListenAddress('tcp://127.0.0.1:0'), { message: /port 0 is outside 1-65535/ });
  t.throws(() => parseListenAddress('tcp://127.0.0.1:70000'), { message: /port 70000 is outside 1-65535/ });
});
