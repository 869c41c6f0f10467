"""Stream a small run slowly, so a test can restart the monitor in the middle of it.

Usage: paced_run.py ADDRESS [--run paced] [--epochs 20] [--pause 0.05] [--hold-at E --hold S [--hold-mid]]

Standard library only. Each epoch: two batch frames of 50 samples (ids 0..99), epoch_end, metrics,
then a pause; after epoch `--hold-at` the pause is `--hold` seconds (the window in which a test
swaps the monitor); with `--hold-mid` the hold comes between the two batches of epoch E instead (a
monitor killed there dies in the middle of an epoch). Prints the client's stats as one JSON line at
the end.
"""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "clients", "python"))

from sentrycam_client import Producer  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("address")
    ap.add_argument("--run", default="paced")
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--pause", type=float, default=0.05)
    ap.add_argument("--hold-at", type=int, default=-1)
    ap.add_argument("--hold", type=float, default=0.0)
    ap.add_argument("--hold-mid", action="store_true")
    args = ap.parse_args()
    dim = 8
    with Producer(args.address, run=args.run, reconnect_max=0.2) as p:
        p.hello(layer="h", dim=dim, classes=["a", "b"])
        for epoch in range(args.epochs):
            for half in range(2):
                ids = list(range(half * 50, half * 50 + 50))
                x = [[float((i * 7 + j + epoch) % 11) for j in range(dim)] for i in ids]
                p.batch(epoch, x, ids, labels=[i % 2 for i in ids])
                if half == 0 and args.hold_mid and epoch == args.hold_at:
                    p.flush(timeout=5)
                    time.sleep(args.hold)
            p.epoch_end(epoch)
            p.metrics(epoch, {"loss": 1.0 / (epoch + 1)})
            time.sleep(args.hold if epoch == args.hold_at and not args.hold_mid else args.pause)
        p.end()
        drained = p.close(timeout=30)
    s = p.stats
    print(json.dumps({"drained": drained, "sent": s.sent, "dropped": s.dropped, "reconnects": s.reconnects}))
    return 0 if drained else 1


if __name__ == "__main__":
    sys.exit(main())
