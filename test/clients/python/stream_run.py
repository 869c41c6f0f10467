"""Stream a synthetic run of known content through the SentryCam Python client (standard library only).

Usage: stream_run.py ADDRESS --run NAME [--epochs 30] [--n 300] [--dim 32] [--classes 5] [--batches 3] [--seed 1]

Each epoch sends `--batches` batch frames covering n samples (stable ids 1000..1000+n-1, labels
id mod classes, predictions), epoch_end with a head, and metrics; then `end`. Prints the client's
stats as one JSON line at the end. The activations are seeded class clusters drifting apart, so a
monitor has real structure to show.
"""

import argparse
import array
import json
import os
import random
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "clients", "python"))

from sentrycam_client import Producer  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("address")
    ap.add_argument("--run", required=True)
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--dim", type=int, default=32)
    ap.add_argument("--classes", type=int, default=5)
    ap.add_argument("--batches", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    n, d, c = args.n, args.dim, args.classes
    ids = list(range(1000, 1000 + n))
    labels = [i % c for i in range(n)]
    centers = [[rng.gauss(0, 1) for _ in range(d)] for _ in range(c)]
    noise = [[rng.gauss(0, 1) for _ in range(d)] for _ in range(n)]
    head_w = array.array("f", [centers[k][j] for k in range(c) for j in range(d)])
    head_b = array.array("f", [0.0] * c)
    with Producer(args.address, run=args.run, queue_size=1024) as p:
        p.hello(layer="penultimate", dim=d, classes=[f"class{k}" for k in range(c)], model="synthetic")
        for epoch in range(args.epochs):
            spread = 1.0 + 0.03 * epoch  # clusters separate slowly as "training" goes on
            x = array.array("f")
            for i in range(n):
                center = centers[labels[i]]
                x.extend(spread * center[j] + noise[i][j] for j in range(d))
            step = (n + args.batches - 1) // args.batches
            for start in range(0, n, step):
                stop = min(n, start + step)
                rows = memoryview(x)[start * d:stop * d]
                preds = [labels[i] if (i + epoch) % 4 else (labels[i] + 1) % c for i in range(start, stop)]
                p.batch(epoch, rows, ids[start:stop], labels=labels[start:stop], preds=preds)
            # A 2-D view of a flat array.array: the stdlib way to hand over a [C, D] matrix.
            p.epoch_end(epoch, head_weight=memoryview(head_w).cast("B").cast("f", (c, d)), head_bias=head_b)
            p.metrics(epoch, {"train_loss": 1.0 / (1 + epoch), "val_acc": 0.5 + epoch / (2.0 * args.epochs)})
        p.end()
        drained = p.close(timeout=60)
    s = p.stats
    print(json.dumps({"drained": drained, "sent": s.sent, "dropped": s.dropped, "reconnects": s.reconnects,
                      "numpy_loaded": "numpy" in sys.modules}))
    return 0 if drained else 1


if __name__ == "__main__":
    sys.exit(main())
