"""ResNet-18 (torchvision, random init) trained on sklearn's digits upsampled to small RGB images,
streaming its 512-D ``avgpool`` features to the SentryCam monitor through ActivationTap.

    sentrycam watch                                   # in one terminal
    python3 clients/python/examples/resnet18_digits.py   # in another

Nothing is downloaded: the 8x8 digits ship with scikit-learn and the network starts from random
weights. Each image is upsampled (bilinear) to --size x --size and repeated over 3 channels, so
the stock ImageNet architecture runs unchanged; at 32x32 its last stage sees 1x1 maps and
``avgpool`` gives the 512-D representation the classifier ``fc`` reads. After every epoch the
tap streams a fixed subset of training images (and held-out ones, as split "test") with fc as
the head, then the epoch's metrics.

Options: --address (default $SENTRYCAM_ADDRESS, else tcp://127.0.0.1:5555), --epochs, --train
(training images per epoch), --fixed / --test (streamed subsets), --size, --batch, --seed, --run.
Prints one JSON line at the end: the client's stats and the last validation accuracy.
"""

import argparse
import json
import os
import sys

try:
    import sentrycam_client  # noqa: F401  (installed, or on PYTHONPATH)
except ImportError:  # run from a checkout: use the package next to this folder
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
import torchvision  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from torch import nn  # noqa: E402

from sentrycam_client import ActivationTap, Producer  # noqa: E402


def digit_images(size: int) -> tuple:
    """sklearn's 1797 digits as [N, 3, size, size] float32 images (standardised) and [N] labels."""
    digits = load_digits()
    small = torch.tensor(digits.images / 16.0, dtype=torch.float32).unsqueeze(1)  # [N, 1, 8, 8]
    big = F.interpolate(small, size=(size, size), mode="bilinear", align_corners=False)
    big = (big - big.mean()) / big.std()
    return big.repeat(1, 3, 1, 1).contiguous(), torch.tensor(digits.target, dtype=torch.long)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--address", default=None, help="monitor address (default $SENTRYCAM_ADDRESS or tcp://127.0.0.1:5555)")
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--train", type=int, default=1200, help="training images (the rest of the 1797 are held out)")
    ap.add_argument("--fixed", type=int, default=300, help="training images streamed each epoch")
    ap.add_argument("--test", type=int, default=150, help="held-out images streamed each epoch (0: none)")
    ap.add_argument("--size", type=int, default=32, help="image side in pixels")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--run", default="resnet18-digits")
    args = ap.parse_args()

    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    x_all, y_all = digit_images(args.size)
    order = rng.permutation(len(x_all))
    train_idx, val_idx = order[:args.train], order[args.train:]
    fixed_train, fixed_val = train_idx[:args.fixed], val_idx[:args.test]

    model = torchvision.models.resnet18(weights=None, num_classes=10)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    loss_fn = nn.CrossEntropyLoss()
    val_acc = 0.0
    with Producer(args.address, run=args.run) as producer:
        tap = ActivationTap(
            producer, model, layer=model.avgpool, head=model.fc,
            samples=(x_all[fixed_train], y_all[fixed_train], torch.tensor(fixed_train)),
            test_samples=(x_all[fixed_val], y_all[fixed_val], torch.tensor(fixed_val)) if args.test else None,
            classes=[str(d) for d in range(10)], batch_size=128,
        )
        for epoch in range(args.epochs):
            model.train()
            perm = torch.tensor(rng.permutation(train_idx))
            total = 0.0
            for start in range(0, len(perm), args.batch):
                idx = perm[start:start + args.batch]
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
