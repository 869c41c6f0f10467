"""Train a small MLP on sklearn's bundled handwritten digits and stream it through ActivationTap.

Usage: train_digits.py ADDRESS [--epochs 6] [--seed 0] [--run digits-mlp]

The 8x8 digits (1797 samples) ship with Debian's python3-sklearn: nothing is downloaded. A fixed
subset of 400 training samples (ids = dataset row numbers) and 200 held-out samples is streamed
at the penultimate layer after every epoch, with the classifier head and the epoch's metrics.
Prints one JSON line at the end: the client's stats and the last validation accuracy.
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "clients", "python"))

import numpy as np  # noqa: E402
import torch  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from torch import nn  # noqa: E402

from sentrycam_client import ActivationTap, Producer  # noqa: E402


class Mlp(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc1 = nn.Linear(64, 64)
        self.fc2 = nn.Linear(64, 32)  # the penultimate representation we stream
        self.head = nn.Linear(32, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = torch.relu(self.fc1(x))
        return self.head(torch.relu(self.fc2(h)))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("address")
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--run", default="digits-mlp")
    args = ap.parse_args()
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    digits = load_digits()
    x_all = torch.tensor(digits.data / 16.0, dtype=torch.float32)
    y_all = torch.tensor(digits.target, dtype=torch.long)
    order = rng.permutation(len(x_all))
    train_idx, val_idx = order[:1400], order[1400:]
    fixed_train = train_idx[:400]
    fixed_val = val_idx[:200]

    model = Mlp()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    loss_fn = nn.CrossEntropyLoss()
    val_acc = 0.0
    with Producer(args.address, run=args.run) as producer:
        tap = ActivationTap(
            producer, model, layer=model.fc2, head=model.head,
            samples=(x_all[fixed_train], y_all[fixed_train], torch.tensor(fixed_train)),
            test_samples=(x_all[fixed_val], y_all[fixed_val], torch.tensor(fixed_val)),
            classes=[str(d) for d in range(10)],
        )
        # The tap streams fc2's output (pre-ReLU): the representation the head sees after ReLU.
        for epoch in range(args.epochs):
            model.train()
            perm = torch.tensor(rng.permutation(train_idx))
            total = 0.0
            for start in range(0, len(perm), 64):
                idx = perm[start:start + 64]
                opt.zero_grad()
                loss = loss_fn(model(x_all[idx]), y_all[idx])
                loss.backward()
                opt.step()
                total += loss.item() * len(idx)
            model.eval()
            with torch.no_grad():
                logits = model(x_all[val_idx])
                val_loss = loss_fn(logits, y_all[val_idx]).item()
                val_acc = (logits.argmax(1) == y_all[val_idx]).float().mean().item()
            tap.after_epoch(epoch, metrics={"train_loss": total / len(perm), "val_loss": val_loss, "val_acc": val_acc})
        producer.end()
        drained = producer.close(timeout=60)
    s = producer.stats
    print(json.dumps({"drained": drained, "sent": s.sent, "dropped": s.dropped, "val_acc": val_acc}))
    return 0 if drained else 1


if __name__ == "__main__":
    sys.exit(main())
