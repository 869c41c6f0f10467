"""Data-parallel training (torch.distributed, gloo, CPU) of a small MLP on sklearn's digits, every rank
streaming through ActivationTap into the monitor at $SENTRYCAM_ADDRESS.

Usage: ddp_digits.py --world W [--mode shard|rank0] [--epochs 3] [--run NAME] [--seed 0]

W processes are started with torch.multiprocessing.spawn. Every rank trains on its own slice of
the training rows (gradients averaged by DistributedDataParallel) and hands the tap the SAME fixed
subsets: 301 train and 101 test samples (odd sizes, so shards differ by one row), ids = dataset
rows. The model has a BatchNorm layer and the tap is given the DDP wrapper itself: unwrapping it
is what keeps the tap's forward passes out of DDP's collectives.
Prints one JSON line: per rank its producer name, shard sizes and the client's stats.
"""

import argparse
import datetime
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "clients", "python"))

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.distributed as dist  # noqa: E402
import torch.multiprocessing as mp  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from torch import nn  # noqa: E402
from torch.nn.parallel import DistributedDataParallel  # noqa: E402

from sentrycam_client import ActivationTap, Producer  # noqa: E402

N_TRAIN_FIXED = 301
N_TEST_FIXED = 101


class Mlp(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc1 = nn.Linear(64, 64)
        self.bn = nn.BatchNorm1d(64)  # buffers: DDP would broadcast them in its own forward
        self.fc2 = nn.Linear(64, 32)  # the representation streamed
        self.head = nn.Linear(32, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = torch.relu(self.bn(self.fc1(x)))
        return self.head(torch.relu(self.fc2(h)))


def worker(rank: int, args: argparse.Namespace, port: int, results) -> None:
    # One thread per rank: W ranks share this machine's cores.
    torch.set_num_threads(1)
    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=args.world,
                            timeout=datetime.timedelta(seconds=60))
    try:
        torch.manual_seed(args.seed)  # the same initial weights on every rank
        rng = np.random.default_rng(args.seed)
        digits = load_digits()
        x_all = torch.tensor(digits.data / 16.0, dtype=torch.float32)
        y_all = torch.tensor(digits.target, dtype=torch.long)
        order = rng.permutation(len(x_all))
        train_idx, val_idx = order[:1400], order[1400:]
        fixed_train, fixed_val = train_idx[:N_TRAIN_FIXED], val_idx[:N_TEST_FIXED]
        mine = train_idx[rank::args.world]  # this rank's training rows (what DistributedSampler does)

        model = DistributedDataParallel(Mlp())
        opt = torch.optim.Adam(model.parameters(), lr=3e-3)
        loss_fn = nn.CrossEntropyLoss()
        producer = Producer(run=args.run, queue_size=256)  # address from SENTRYCAM_ADDRESS, name from the rank
        tap = ActivationTap(
            producer, model, layer=model.module.fc2, head=model.module.head,
            samples=(x_all[fixed_train], y_all[fixed_train], torch.tensor(fixed_train)),
            test_samples=(x_all[fixed_val], y_all[fixed_val], torch.tensor(fixed_val)),
            classes=[str(d) for d in range(10)], batch_size=64, distributed=args.mode,
        )
        for epoch in range(args.epochs):
            model.train()
            perm = torch.tensor(rng.permutation(mine))
            total = 0.0
            for start in range(0, len(perm) - 31, 32):  # full batches only: every rank steps alike
                idx = perm[start:start + 32]
                opt.zero_grad()
                loss = loss_fn(model(x_all[idx]), y_all[idx])
                loss.backward()
                opt.step()
                total += loss.item()
            model.eval()
            with torch.no_grad():
                val_acc = (model.module(x_all[val_idx]).argmax(1) == y_all[val_idx]).float().mean().item()
            tap.after_epoch(epoch, metrics={"train_loss": total, "val_acc": val_acc})
        producer.end()
        drained = producer.close(timeout=60)
        s = producer.stats
        results.put({"rank": rank, "producer": producer.producer, "disabled": producer.disabled,
                     "train_rows": len(tap.splits[0][1][0]), "test_rows": len(tap.splits[1][1][0]),
                     "drained": drained, "sent": s.sent, "dropped": s.dropped, "reconnects": s.reconnects})
    finally:
        dist.destroy_process_group()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--world", type=int, required=True)
    ap.add_argument("--mode", default="shard", choices=("shard", "rank0"))
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--run", default="ddp-digits")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--port", type=int, required=True, help="free port for the process group's rendezvous")
    args = ap.parse_args()
    results = mp.get_context("spawn").SimpleQueue()
    mp.spawn(worker, args=(args, args.port, results), nprocs=args.world, join=True)
    ranks = sorted((results.get() for _ in range(args.world)), key=lambda r: r["rank"])
    print(json.dumps({"ranks": ranks}))
    return 0 if all(r["drained"] for r in ranks) else 1


if __name__ == "__main__":
    sys.exit(main())
