"""Per-call cost of Producer.batch() in a training loop, with a monitor consuming the frames.

Usage: send_cost.py ADDRESS [--calls 200] [--warmup 20] [--n 2500] [--dim 1024] [--work-ms 20] [--copy]

Each step does `--work-ms` of stand-in training work (a sleep: the GPU's time, during which the
sender thread runs), then one timed `batch()` of an n x dim float32 numpy array (2500 x 1024 =
10.24 MB) as a new epoch, then an untimed `epoch_end()`. Prints one JSON line: median/p90/max
microseconds per batch() call, and the client's sent/dropped counts.
"""

import argparse
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import numpy as np  # noqa: E402

from sentrycam_client import Producer  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("address")
    ap.add_argument("--calls", type=int, default=200)
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--n", type=int, default=2500)
    ap.add_argument("--dim", type=int, default=1024)
    ap.add_argument("--work-ms", type=float, default=20.0)
    ap.add_argument("--copy", action="store_true", help="copy each batch at call time (safe with in-place reuse)")
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    # A few distinct arrays, as a training loop produces fresh activations each step.
    xs = [rng.standard_normal((args.n, args.dim), dtype=np.float32) for _ in range(4)]
    ids = np.arange(args.n, dtype=np.int64)
    labels = (ids % 10).astype(np.int64)
    times = []
    with Producer(args.address, run="bench-producer", copy=args.copy) as p:
        p.hello(layer="bench", dim=args.dim, classes=[str(i) for i in range(10)])
        for step in range(args.warmup + args.calls):
            time.sleep(args.work_ms / 1000.0)
            x = xs[step % len(xs)]
            t0 = time.perf_counter_ns()
            p.batch(step, x, ids, labels=labels)
            t1 = time.perf_counter_ns()
            p.epoch_end(step)
            if step >= args.warmup:
                times.append((t1 - t0) / 1000.0)
        p.end()
        drained = p.close(timeout=60)
    s = p.stats
    times.sort()
    print(json.dumps({
        "median_us": statistics.median(times),
        "p90_us": times[int(0.9 * (len(times) - 1))],
        "max_us": times[-1],
        "calls": len(times),
        "batch_bytes": xs[0].nbytes,
        "sent": s.sent,
        "dropped": s.dropped,
        "drained": drained,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
