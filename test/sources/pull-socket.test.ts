import test from 'ava';
import os from 'node:os';
import path from 'node:path';
import { MAX_FRAME_CEILING, PullSocket } from '../../src/sources/pull-socket.js';
import { RawPush } from './raw-push.js';

/** A PullSocket that collects what it receives. */
function collector(listen: string, maxFrame = 256 * 2 ** 20) {
  const frames: Buffer[] = [];
  const errors: Error[] = [];
  const waiters: (() => void)[] = [];
  const socket = new PullSocket({
    listen,
    maxFrame,
    onFrame: (f) => {
      frames.push(f);
      for (const w of waiters.splice(0)) w();
    },
    onError: (e) => errors.push(e),
  });
  const waitFor = async (pred: () => boolean, timeoutMs = 15_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!pred()) {
      if (Date.now() > deadline) throw new Error(`test: timed out; ${frames.length} frames received`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 50);
      });
    }
  };
  return { socket, frames, errors, waitFor };
}

/** Bytes 0..len-1 with a recognisable pattern (tag in the first byte). */
function message(len: number, tag: number): Buffer {
  const b = Buffer.alloc(len);
  for (let i = 0; i < len; i += 4099) b[i] = (i * 31 + tag) & 0xff;
  b[0] = tag;
  return b;
}

test('a message larger than nanomsg\'s 1 MiB default arrives intact (the limit is raised)', async (t) => {
  const c = collector('tcp://127.0.0.1:5711');
  const push = new RawPush('tcp://127.0.0.1:5711');
  const big = message(5000 * 128 * 4 + 1000, 7);
  await push.send(message(10, 1), big, message(20, 2));
  await c.waitFor(() => c.frames.length >= 3);
  await push.close();
  c.socket.close();
  t.deepEqual(c.frames.map((f) => f.length), [10, big.length, 20]);
  t.true(c.frames[1]!.equals(big));
  t.deepEqual(c.errors, []);
});

test('a message above --max-frame is dropped by the transport without harm; later messages still arrive', async (t) => {
  const c = collector('tcp://127.0.0.1:5712', 2 ** 20);
  const first = new RawPush('tcp://127.0.0.1:5712');
  await first.send(message(100, 1));
  await c.waitFor(() => c.frames.length >= 1);
  await first.send(message(2 * 2 ** 20, 2));
  // nanomsg drops the connection of an oversized message; a new sender gets through.
  const second = new RawPush('tcp://127.0.0.1:5712');
  await second.send(message(200, 3));
  await c.waitFor(() => c.frames.some((f) => f[0] === 3));
  await first.close();
  await second.close();
  c.socket.close();
  t.false(c.frames.some((f) => f.length > 2 ** 20), 'nothing above the limit is delivered');
  t.deepEqual(c.frames.map((f) => f[0]), [1, 3]);
});

test('ipc:// addresses work', async (t) => {
  const address = `ipc://${path.join(os.tmpdir(), `scam-pull-${process.pid}.sock`)}`;
  const c = collector(address);
  const push = new RawPush(address);
  await push.send(message(3 * 2 ** 20, 9));
  await c.waitFor(() => c.frames.length >= 1);
  await push.close();
  c.socket.close();
  t.is(c.frames[0]!.length, 3 * 2 ** 20);
});

test('fan-in: several PUSH sockets into one PULL, every message arrives, per-sender order kept', async (t) => {
  const c = collector('tcp://127.0.0.1:5713');
  const pushes = [0, 1, 2].map(() => new RawPush('tcp://127.0.0.1:5713'));
  await Promise.all(pushes.map((p, k) => p.send(...Array.from({ length: 50 }, (_, i) => Buffer.from([k, i])))));
  await c.waitFor(() => c.frames.length >= 150);
  await Promise.all(pushes.map((p) => p.close()));
  c.socket.close();
  for (const k of [0, 1, 2]) {
    t.deepEqual(c.frames.filter((f) => f[0] === k).map((f) => f[1]), Array.from({ length: 50 }, (_, i) => i));
  }
});

test('binding an address already in use fails with a message naming it', (t) => {
  const c = collector('tcp://127.0.0.1:5714');
  t.throws(() => new PullSocket({ listen: 'tcp://127.0.0.1:5714', maxFrame: 1024, onFrame: () => {}, onError: () => {} }), {
    message: /cannot listen on tcp:\/\/127\.0\.0\.1:5714: .*(in use|Address)/i,
  });
  c.socket.close();
});

test('an invalid address is refused before any socket is made', (t) => {
  t.throws(() => new PullSocket({ listen: 'tcp://127.0.0.1', maxFrame: 1024, onFrame: () => {}, onError: () => {} }), { message: /is not tcp:\/\/HOST:PORT/ });
});

test('a max frame nanomsg cannot enforce is refused before binding (4 GiB used to wrap to 0 and drop every frame)', (t) => {
  for (const maxFrame of [2 ** 32, 2 ** 31, 0, 1.5]) {
    t.throws(() => new PullSocket({ listen: 'tcp://127.0.0.1:5715', maxFrame, onFrame: () => {}, onError: () => {} }), {
      message: `max frame ${maxFrame} is outside 1..2147483647 bytes, the range nanomsg can enforce`,
    });
  }
  const c = collector('tcp://127.0.0.1:5715', MAX_FRAME_CEILING);
  c.socket.close();
  t.deepEqual(c.errors, []);
});

test('a frame handler that throws is reported through onError and the socket goes on receiving', async (t) => {
  const seen: number[] = [];
  const errors: Error[] = [];
  const socket = new PullSocket({
    listen: 'tcp://127.0.0.1:5716',
    maxFrame: 1024,
    onFrame: (f) => {
      seen.push(f[0]!);
      if (f[0] === 1) throw new RangeError('handler broke');
    },
    onError: (e) => errors.push(e),
  });
  const push = new RawPush('tcp://127.0.0.1:5716');
  await push.send(message(10, 1), message(10, 2));
  const deadline = Date.now() + 15_000;
  while (seen.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await push.close();
  socket.close();
  t.deepEqual(seen, [1, 2]);
  t.deepEqual(errors.map((e) => e.message), ['handler broke']);
});
