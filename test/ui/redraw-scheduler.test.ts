import test from 'ava';
import { RedrawScheduler, type SchedulerClock } from '../../src/ui/redraw-scheduler.js';
import { RateMeter } from '../../src/ui/rate-meter.js';

/** A manual clock: timers fire only when the test advances time. */
function manualClock(): SchedulerClock & { advance(ms: number): void; timers(): number } {
  let now = 0;
  let timers: { at: number; fn: () => void; id: number }[] = [];
  let next = 1;
  return {
    now: () => now,
    setTimeout(fn, ms) {
      const id = next++;
      timers.push({ at: now + ms, fn, id });
      return id;
    },
    clearTimeout(h) {
      timers = timers.filter((x) => x.id !== h);
    },
    advance(ms) {
      const end = now + ms;
      for (;;) {
        timers.sort((a, b) => a.at - b.at);
        const tm = timers[0];
        if (!tm || tm.at > end) break;
        timers.shift();
        now = tm.at;
        tm.fn();
      }
      now = end;
    },
    timers: () => timers.length,
  };
}

test('requests between frames coalesce into one frame, at most fps per second', (t) => {
  const clock = manualClock();
  let frames = 0;
  const s = new RedrawScheduler(() => frames++, 10, clock);
  for (let i = 0; i < 50; i++) s.request();
  t.is(clock.timers(), 1, 'one timer for fifty requests');
  clock.advance(0);
  t.is(frames, 1, 'the first frame comes at once');
  // A steady stream of requests for one second: capped at 10 frames per second.
  for (let ms = 0; ms < 1000; ms += 5) {
    s.request();
    clock.advance(5);
  }
  t.true(frames >= 10 && frames <= 11, `frames=${frames}`);
});

test('no timer exists while nothing asks for a redraw', (t) => {
  const clock = manualClock();
  let frames = 0;
  const s = new RedrawScheduler(() => frames++, 10, clock);
  s.request();
  clock.advance(1000);
  t.is(frames, 1);
  t.is(clock.timers(), 0);
  t.false(s.scheduled);
  clock.advance(60_000);
  t.is(frames, 1, 'idle: no frames');
});

test('flush draws at once and dispose cancels', (t) => {
  const clock = manualClock();
  let frames = 0;
  const s = new RedrawScheduler(() => frames++, 10, clock);
  s.request();
  s.flush();
  t.is(frames, 1);
  t.is(clock.timers(), 0, 'the scheduled frame was cancelled');
  s.request();
  s.dispose();
  clock.advance(1000);
  t.is(frames, 1);
  s.request();
  t.is(clock.timers(), 0);
  t.throws(() => new RedrawScheduler(() => {}, 0), { message: /fps must be a positive number/ });
});

test('rate meter: frames per second over the window', (t) => {
  const m = new RateMeter(2000);
  t.is(m.rate(0), null, 'nobody reported frames');
  m.note(10, 0);
  m.note(10, 1000);
  t.is(m.rate(1500), 10);
  t.is(m.rate(2500), 5, 'the first report left the window');
  t.is(m.rate(5000), 0);
  t.is(m.lastAt, 1000);
  t.throws(() => m.note(-1, 0), { message: /count must be >= 0/ });
  t.throws(() => new RateMeter(150), { message: /multiple of 100/ });
  // Many reports cost one slot each: a million frames in a second.
  const fast = new RateMeter(1000);
  for (let i = 0; i < 1_000_000; i++) fast.note(1, 10_000 + i / 1000);
  t.is(fast.rate(10_999), 1_000_000);
});
