/**
 * Hostile clients for the soak test: each sends one kind of abuse over its own real nanomsg PUSH
 * socket until told to stop, and counts what it sent. Every random choice comes from a seeded Rng.
 * Not a test file (no `.test.ts`).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { encodeFrame } from '../../src/protocol/encode.js';
import { createRng, type Rng } from '../../src/util/random.js';
import { rawFrame } from '../protocol/frame-helpers.js';
import { RawPush } from '../sources/raw-push.js';

/** What the hostile clients sent, by kind. */
export interface HostileCounts {
  malformed: number;
  runs: number;
  runFrames: number;
  strays: number;
  openEpochFrames: number;
  bigHeaders: number;
  overMaxFrame: number;
}

export interface HostileOptions {
  readonly address: string;
  readonly seed: number;
  /** The honest run: strays send frames under its name. */
  readonly honestRun: string;
  readonly dim: number;
  /** Runs of their own and the never-ending epoch stop once this is false (so they can fall silent). */
  readonly flooding: () => boolean;
  /** Everything else keeps going while this is true. */
  readonly going: () => boolean;
  /** Distinct runs to start at most. */
  readonly runs: number;
  /** Header bytes of the oversized-header frames (above the monitor's --max-header). */
  readonly bigHeaderBytes: number;
  /** Size of the frames above the monitor's --max-frame. */
  readonly overMaxFrameBytes: number;
}

const f32 = (n: number, dim: number, rng: Rng) => ({ dtype: 'float32' as const, shape: [n, dim], data: Float32Array.from({ length: n * dim }, () => rng.normal()) });
const i32 = (ids: readonly number[]) => ({ dtype: 'int32' as const, shape: [ids.length], data: Int32Array.from(ids) });

/** Frames broken in one of several ways: random bytes, cut short, bad magic or version, a header that lies. */
function malformed(rng: Rng, run: string, dim: number): Buffer {
  const valid = encodeFrame({ type: 'batch', run, producer: `m${rng.int(50)}`, seq: rng.int(1000), epoch: rng.int(5) }, { x: f32(4, dim, rng), id: i32([0, 1, 2, 3]) });
  switch (rng.int(7)) {
    case 0:
      return Buffer.from(Array.from({ length: rng.int(300) }, () => rng.int(256)));
    case 1:
      return valid.subarray(0, rng.int(valid.length));
    case 2: {
      const b = Buffer.from(valid);
      for (let k = 0; k < 1 + rng.int(8); k++) b[rng.int(b.length)] = rng.int(256);
      return b;
    }
    case 3:
      return rawFrame('{"type":"batch","run":', new Uint8Array(8));
    case 4:
      return rawFrame('{}', new Uint8Array(0), { version: 2 + rng.int(200) });
    case 5:
      return rawFrame(JSON.stringify({ type: 'hello', run, seq: 0, layer: 'x', dim: 1 }), new Uint8Array(0), { headerLength: 0xfffffff0 });
    default:
      // Well-formed, but a C1 control and a bidi override in the run name (refused by the decoder).
      return rawFrame(JSON.stringify({ type: 'end', run: `evil\u0085\u202e${rng.int(100)}`, seq: 0 }));
  }
}

/** Sends `frames()` in rounds until `going()` is false; yields between rounds so nothing starves. */
async function loop(push: RawPush, going: () => boolean, round: () => Buffer[], pauseMs: number): Promise<void> {
  while (going()) {
    await push.send(...round());
    await sleep(pauseMs);
  }
}

/** Starts every hostile client; resolves with the counts once each has stopped and closed. */
export async function runHostileClients(o: HostileOptions): Promise<HostileCounts> {
  const c: HostileCounts = { malformed: 0, runs: 0, runFrames: 0, strays: 0, openEpochFrames: 0, bigHeaders: 0, overMaxFrame: 0 };
  // A short wait for a full pipe: once the monitor has exited, every client notices within a second.
  const socket = () => new RawPush(o.address, 1000);
  const rng = (k: number) => createRng(o.seed * 31 + k);

  // 1. Malformed frames, 20 a round.
  const garbage = async (push: RawPush, r: Rng): Promise<void> => {
    await loop(push, o.going, () => {
      c.malformed += 20;
      // Never under the honest run's name: with no authentication on the socket, a frame naming the
      // honest run and producer is indistinguishable from the producer's own (sentrycam(1), SECURITY).
      return Array.from({ length: 20 }, () => malformed(r, `junk-${r.int(9)}`, o.dim));
    }, 10);
  };

  // 2. Runs of their own (up to o.runs), each a hello; every tenth also one batch of an epoch it never ends.
  const runs = async (push: RawPush, r: Rng): Promise<void> => {
    await loop(push, () => o.flooding() && c.runs < o.runs, () => {
      const out: Buffer[] = [];
      for (let k = 0; k < 100; k++) {
        const run = `${r.int(2) ? '-' : ''}hostile-${c.runs++}`;
        out.push(encodeFrame({ type: 'hello', run, seq: 0, layer: 'l', dim: 8 }));
        c.runFrames++;
        if (c.runs % 10 !== 0) continue;
        out.push(encodeFrame({ type: 'batch', run, seq: 1, epoch: 0 }, { x: f32(16, 8, r), id: i32([...Array(16).keys()]) }));
        c.runFrames++;
      }
      return out;
    }, 2);
  };

  // 3. Strays in the honest run: producers that never said hello send batches (ids the honest
  //    producer also sends), epoch_ends, metrics and ends.
  const strays = async (push: RawPush, r: Rng): Promise<void> => {
    await loop(push, o.going, () => {
      const id = { run: o.honestRun, producer: `stray-${r.int(200)}`, seq: r.int(100) };
      const epoch = r.int(30);
      c.strays += 4;
      return [
        encodeFrame({ type: 'batch', ...id, epoch }, { x: f32(8, o.dim, r), id: i32([...Array(8).keys()]) }),
        encodeFrame({ type: 'epoch_end', ...id, seq: id.seq + 1, epoch }),
        encodeFrame({ type: 'metrics', ...id, seq: id.seq + 2, epoch, values: { loss: r.next() } }),
        encodeFrame({ type: 'end', ...id, seq: id.seq + 3 }),
      ];
    }, 20);
  };

  // 4. A never-ending epoch: in a run of its own, producer "a" keeps adding rows to epoch 0 and never
  //    ends it, while "b" streams later epochs, so open epochs and epoch bytes pile up to their caps.
  const openEpoch = async (push: RawPush, r: Rng): Promise<void> => {
    const run = 'hostile-open';
    let seqA = 0;
    let seqB = 0;
    let epochB = 0;
    let nextId = 0;
    await push.send(
      encodeFrame({ type: 'hello', run, producer: 'a', seq: seqA++, layer: 'l', dim: o.dim }),
      encodeFrame({ type: 'hello', run, producer: 'b', seq: seqB++, layer: 'l', dim: o.dim }),
    );
    await loop(push, o.flooding, () => {
      const ids = Array.from({ length: 512 }, () => nextId++);
      c.openEpochFrames += 3;
      return [
        encodeFrame({ type: 'batch', run, producer: 'a', seq: seqA++, epoch: 0 }, { x: f32(ids.length, o.dim, r), id: i32(ids) }),
        encodeFrame({ type: 'batch', run, producer: 'b', seq: seqB++, epoch: ++epochB }, { x: f32(4, o.dim, r), id: i32([1_000_000, 1_000_001, 1_000_002, 1_000_003]) }),
        encodeFrame({ type: 'epoch_end', run, producer: 'b', seq: seqB++, epoch: epochB }),
      ];
    }, 20);
  };

  // 5. Oversized headers (over --max-header), and now and then a frame over --max-frame, which
  //    nanomsg drops together with the connection (the socket connects again by itself).
  const oversized = async (push: RawPush, big: RawPush, r: Rng): Promise<void> => {
    const pad = 'x'.repeat(o.bigHeaderBytes);
    await loop(push, o.going, () => {
      c.bigHeaders++;
      if (r.int(10) === 0) {
        c.overMaxFrame++;
        void big.send(Buffer.alloc(o.overMaxFrameBytes, 7)).catch(() => {});
      }
      return [rawFrame(JSON.stringify({ type: 'hello', run: `big-${r.int(5)}`, seq: 0, layer: 'l', dim: 2, pad }))];
    }, 100);
  };

  const sockets = Array.from({ length: 6 }, socket);
  await Promise.all([
    garbage(sockets[0]!, rng(1)),
    runs(sockets[1]!, rng(2)),
    strays(sockets[2]!, rng(3)),
    openEpoch(sockets[3]!, rng(4)),
    oversized(sockets[4]!, sockets[5]!, rng(5)),
  ].map((p) => p.catch(() => {})));
  // The monitor may be gone by now: closing must not wait for it.
  await Promise.all(sockets.map((s) => Promise.race([s.close(), sleep(500)])));
  return c;
}
