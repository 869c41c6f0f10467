"""A real PyTorch training run for the alert evidence (fixtures/runs), streamed through the Python client.

Usage: /usr/bin/python3 test/audit/torch_run.py ADDRESS [--epochs 30] [--seed 1] [--unstable]
       [--ramp-from 8] [--ramp-factor 1.3] [--run NAME]

A small CNN (conv 16 - conv 32 - fc 64 - head 10, ReLU) learns sklearn's bundled 8x8 handwritten
digits (1,797 images, nothing downloaded) with SGD + momentum 0.9, batch 64, learning rate 0.05.
With --unstable the rate is multiplied by --ramp-factor every epoch from --ramp-from on (the tfjs
demo's first schedule; the demo has since moved to x1.2 from epoch 6 off a decaying rate), so
training first gets noisier and then breaks. After every epoch
ActivationTap streams the 64-D post-ReLU fc layer of a fixed subset (600 training and 200 held-out
images, ids = dataset row numbers), the head, and train_loss / val_loss / val_acc / lr.
Needs Debian's python3-torch, python3-numpy, python3-sklearn (run with /usr/bin/python3).
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "clients", "python"))

import numpy as np  # noqa: E402
import torch  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from torch import nn  # noqa: E402

from sentrycam_client import ActivationTap, Producer  # noqa: E402


class SmallCnn(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(32 * 4 * 4, 64)
        self.fc_act = nn.ReLU()  # streamed: the representation the head sees
        self.head = nn.Linear(64, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = torch.relu(self.conv1(x))
        h = self.pool(torch.relu(self.conv2(h)))
        h = self.fc_act(self.fc(h.flatten(1)))
        return self.head(h)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("address")
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--unstable", action="store_true")
    ap.add_argument("--ramp-from", type=int, default=8)
    ap.add_argument("--ramp-factor", type=float, default=1.3)
    ap.add_argument("--run", default=None)
    args = ap.parse_args()
    run = args.run or f"torch-cnn-digits{'-unstable' if args.unstable else ''}-s{args.seed}"
    torch.manual_seed(args.seed)
    digits = load_digits()
    x_all = torch.tensor(digits.images / 16.0, dtype=torch.float32).unsqueeze(1)
    y_all = torch.tensor(digits.target, dtype=torch.long)
    # The split and the streamed subset are fixed (seed 0) so runs can be compared sample by sample.
    order = np.random.default_rng(0).permutation(len(x_all))
    train_idx, val_idx = order[:1297], order[1297:]
    fixed_train, fixed_val = train_idx[:600], val_idx[:200]
    rng = np.random.default_rng(args.seed)

    model = SmallCnn()
    base_lr = 0.05
    opt = torch.optim.SGD(model.parameters(), lr=base_lr, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    with Producer(args.address, run=run) as producer:
        tap = ActivationTap(
            producer, model, layer=model.fc_act, head=model.head,
            samples=(x_all[fixed_train], y_all[fixed_train], torch.tensor(fixed_train)),
            test_samples=(x_all[fixed_val], y_all[fixed_val], torch.tensor(fixed_val)),
            classes=[str(d) for d in range(10)],
        )
        for epoch in range(args.epochs):
            lr = base_lr * args.ramp_factor ** (epoch - args.ramp_from + 1) if args.unstable and epoch >= args.ramp_from else base_lr
            for g in opt.param_groups:
                g["lr"] = lr
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
            metrics = {"train_loss": total / len(perm), "val_loss": val_loss, "val_acc": val_acc, "lr": lr}
            tap.after_epoch(epoch, metrics=metrics)
            print(f"{run} epoch {epoch} lr={lr:.4g} train_loss={metrics['train_loss']:.4f} val_loss={val_loss:.4f} val_acc={val_acc:.3f}", flush=True)
        producer.end()
        drained = producer.close(timeout=60)
    return 0 if drained else 1


if __name__ == "__main__":
    sys.exit(main())
