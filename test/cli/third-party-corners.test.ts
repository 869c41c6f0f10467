/**
 * A producer written by someone else from PROTOCOL.md, using the corners the text allows, against
 * the real monitor (`watch --headless --json --record`) over a real socket: frames built byte by
 * byte (not by our encoder), every one accepted, the epoch assembled, the run recorded once.
 */
import test from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { readRecording } from '../../src/sources/recording-reader.js';
import { RawPush } from '../sources/raw-push.js';
import { bytesOf, frameWith, rawFrame } from '../protocol/frame-helpers.js';
import { epochSignature, eventsOf, startWatch, tempDir } from './cli-process.js';

const RUN = `${'\u{1F9EA}'.repeat(100)} caf\u00e9`;

function frames(): Buffer[] {
  const who = (seq: number) => ({ run: RUN, producer: 'rank-1', seq });
  const trainIds = [2 ** 31, 2 ** 32 - 1, 7];
  return [
    frameWith({ type: 'hello', ...who(0), layer: 'fc', dim: 3, classes: ['a', 'a', 'b'], model: `Net(${'layer, '.repeat(150)})`, step_hint: 3 }),
    // Listed id-label-x, laid out x-label-id, 5 bytes of padding in front; x in float16; split null.
    frameWith({ type: 'batch', ...who(1), epoch: 0, split: null, host: 'gpu-7' }, [
      { name: 'id', dtype: 'uint32', shape: [3], bytes: bytesOf('uint32', trainIds), offset: 5 + 18 + 3 },
      { name: 'label', dtype: 'uint8', shape: [3], bytes: Uint8Array.of(0, 2, 1), offset: 5 + 18 },
      { name: 'x', dtype: 'float16', shape: [3, 3], bytes: bytesOf('float16', [0, 2 ** -24, 1, -1, 0.5, 2, 3, 4, 65504]), offset: 5 },
    ]),
    frameWith({ type: 'batch', ...who(2), epoch: 0 }, [
      { name: 'x', dtype: 'float32', shape: [0, 3], bytes: new Uint8Array(0) },
      { name: 'id', dtype: 'int64', shape: [0], bytes: new Uint8Array(0) },
    ]),
    // The test split reuses the train split's ids; x in float64.
    frameWith({ type: 'batch', ...who(3), epoch: 0, split: 'test' }, [
      { name: 'x', dtype: 'float64', shape: [2, 3], bytes: bytesOf('float64', [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]) },
      { name: 'id', dtype: 'int64', shape: [2], bytes: bytesOf('int64', [7n, 2n ** 53n - 1n]) },
    ]),
    frameWith({ type: 'metrics', ...who(4), epoch: 0, step: null, values: JSON.parse('{"__proto__":0.25,"val_loss":0.5}') as Record<string, number> }),
    rawFrame(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(` ${JSON.stringify({ type: 'epoch_end', ...who(5), epoch: 0 })}\n`)])),
    frameWith({ type: 'end', ...who(6) }),
  ];
}

test('a third-party run that uses the protocol\'s corners is taken whole: 0 rejected, 0 lost, one epoch, one recording', async (t) => {
  const cwd = tempDir('corners');
  const address = 'tcp://127.0.0.1:47101';
  const watch = await startWatch(['--listen', address, '--exit-on-end', '--record', 'rec'], cwd);
  const push = new RawPush(address);
  const sent = frames();
  await push.send(...sent);
  await push.close();
  t.is(await watch.exit(), 0, watch.stderr());

  t.deepEqual(eventsOf(watch, 'reject'), []);
  t.like(watch.events.at(-1), { event: 'summary', frames: sent.length, rejected: 0, lost: 0, epochs: 1 });
  const [hello] = eventsOf(watch, 'hello');
  t.like(hello, { run: RUN, producer: 'rank-1', classes: ['a', 'a', 'b'] });
  t.is([...String(hello!.model)].length, 256, 'a long model is cut, not refused');
  t.deepEqual(epochSignature(watch.events), [`${RUN}#0/train n=3 dim=3`, `${RUN}#0/test n=2 dim=3`]);
  const [metrics] = eventsOf(watch, 'metrics');
  t.deepEqual(Object.entries(metrics!.values as object), [['__proto__', 0.25], ['val_loss', 0.5]]);
  t.deepEqual(eventsOf(watch, 'end'), [{ event: 'end', run: RUN }]);

  const files = fs.readdirSync(path.join(cwd, 'rec'));
  t.is(files.length, 1, files.join(', '));
  const recorded = readRecording(path.join(cwd, 'rec', files[0]!)).frames.map((f) => Buffer.from(f.frame));
  t.deepEqual(recorded, sent, 'recorded verbatim, BOM and padding included');
});
