"""ActivationTap: stream one layer of a PyTorch model on a fixed sample subset, once per epoch.

torch is imported when a tap is made, never by the rest of the package. Under data-parallel
training (torch.distributed, or RANK/WORLD_SIZE) every rank runs the same script: by default each
rank sends a disjoint share of the subset as its own producer and the monitor assembles the epoch
from all of them (clients/PROTOCOL.md, "Several producers in one run"); metrics and the head come
from rank 0.
"""

from __future__ import annotations

import time
from typing import Any, List, Mapping, Optional, Sequence, Tuple

from .checks import check_int
from .distributed import barrier, rank_and_world, shard_bounds
from .producer import Producer

__all__ = ["ActivationTap"]

#: distributed= values: every rank sends its share, or rank 0 sends everything.
MODES = ("shard", "rank0")


class ActivationTap:
    """Streams a fixed sample subset's activations at one layer of a PyTorch model, once per epoch.

    Usage::

        tap = ActivationTap(producer, model, layer=model.fc1, head=model.fc2,
                            samples=(x_fixed, y_fixed, ids_fixed), classes=names)
        for epoch in range(epochs):
            train_one_epoch(...)
            tap.after_epoch(epoch, metrics={"train_loss": loss, "val_acc": acc})
        producer.end()

    Making the tap runs one sample through the model to learn D and sends hello, so the monitor
    knows every producer of the run before any epoch ends. `after_epoch` runs this rank's share of
    the subset through the model in eval mode under no_grad with a forward hook on `layer` (the
    hook exists only during the call), then sends batch frames (activations flattened to [n, D],
    ids, labels, predictions = argmax of the model output), epoch_end (with the head's weight and
    bias on rank 0), and the metrics (rank 0). The model's train/eval mode is restored.

    Args:
        producer: a Producer that has not said hello (the tap does).
        model: the torch.nn.Module to run; a DistributedDataParallel/DataParallel wrapper is
            unwrapped (its forward would start collectives on this rank alone).
        layer: the submodule whose output is streamed (e.g. the penultimate block).
        head: optional nn.Linear classifier head applied to `layer`'s output (in_features = D).
        samples: (x, y) or (x, y, ids) tensors/arrays of the fixed subset; ids default to 0..n-1.
            Under data-parallel training give every rank the same subset.
        test_samples: optional second subset, sent with split="test".
        classes: optional class names for hello.
        batch_size: rows per forward pass and per batch frame.
        predict: maps the model output to class indices; default argmax over dim 1.
        layer_name: name sent in hello; default the module's qualified name in `model`.
        distributed: "shard" (default): rank r of W sends rows [n*r/W, n*(r+1)/W) of each subset
            as producer r; "rank0": rank 0 sends the whole subset and the other ranks' producers
            are disabled. Without data-parallel training both mean: send everything.
    """

    def __init__(
        self,
        producer: Producer,
        model: Any,
        layer: Any,
        head: Any = None,
        samples: Any = None,
        test_samples: Any = None,
        classes: Optional[Sequence[str]] = None,
        batch_size: int = 512,
        predict: Any = None,
        layer_name: Optional[str] = None,
        distributed: str = "shard",
    ):
        import torch  # noqa: F401  (fail early with a clear ImportError)

        if samples is None:
            raise ValueError("samples=(x, y) or (x, y, ids) is required: the fixed subset to stream each epoch")
        if distributed not in MODES:
            raise ValueError(f"distributed must be 'shard' or 'rank0', got {distributed!r}")
        self.producer = producer
        self.model = _unwrap(model)
        self.layer = layer
        self.head = head
        self.classes = list(classes) if classes is not None else None
        self.batch_size = check_int(batch_size, "batch_size", 1)
        self.predict = predict
        self.layer_name = layer_name or _qualified_name(self.model, layer)
        self.distributed = distributed
        self.rank, self.world = rank_and_world()
        full = [("train", _prepare(samples, "samples"))]
        if test_samples is not None:
            full.append(("test", _prepare(test_samples, "test_samples")))
        #: (split, (x, y, ids)) this rank sends each epoch
        self.splits = [(split, self._share(arrays)) for split, arrays in full]
        self._synced = False
        if producer.disabled:
            return
        if distributed == "rank0" and self.rank != 0:
            producer.disable()
            return
        dim = self._probe_dim(full[0][1][0][:1])
        producer.hello(layer=self.layer_name, dim=dim, classes=self.classes, model=type(self.model).__name__)

    @property
    def leads(self) -> bool:
        """This rank sends the metrics and the head."""
        return self.rank == 0

    def after_epoch(self, epoch: int, metrics: Optional[Mapping[str, Any]] = None, step: Optional[int] = None) -> None:
        """Stream this rank's share of the subset for `epoch`, the head, then `metrics` (if given)."""
        if self.producer.disabled:
            return
        if not self._synced:
            self._synced = True
            self._sync_hellos()
        frames = self._forward()
        for split, act, ids, y, pred in frames:
            self.producer.batch(epoch, act, ids, labels=y, preds=pred, split=split)
        if self.head is not None and self.leads:
            self.producer.epoch_end(epoch, head_weight=self.head.weight, head_bias=self.head.bias)
        else:
            self.producer.epoch_end(epoch)
        if metrics and self.leads:
            self.producer.metrics(epoch, metrics, step=step)

    # ---- internals ----------------------------------------------------------------------------

    def _share(self, arrays: Tuple[Any, Any, Any]) -> Tuple[Any, Any, Any]:
        if self.distributed != "shard" or self.world == 1:
            return arrays
        start, stop = shard_bounds(len(arrays[0]), self.rank, self.world)
        return tuple(a[start:stop] for a in arrays)  # type: ignore[return-value]

    def _sync_hellos(self) -> None:
        """Before the first epoch's frames: every rank's hello is written, then all ranks meet.

        Without this, rank 0 could end epoch 0 at the monitor before rank 1's hello arrived; the
        monitor would complete the epoch without rank 1 and refuse its share as stale.
        """
        if self.distributed != "shard" or self.world == 1:
            return
        # Bounded: a monitor that refuses (or is slow to accept) costs at most one connect timeout.
        deadline = time.monotonic() + self.producer.connect_timeout
        while not self.producer.flush(timeout=0.05):
            stats = self.producer.stats
            if (not stats.connected and stats.last_error is not None) or time.monotonic() > deadline:
                break
        barrier()

    def _probe_dim(self, x1: Any) -> int:
        """D of `layer`'s output, from one sample."""
        acts = self._run(x1)
        return int(acts[0][0].shape[1])

    def _forward(self) -> List[tuple]:
        """(split, activations [n, D], ids, labels, preds) per chunk of this rank's share."""
        frames = []
        for split, (x, y, ids) in self.splits:
            starts = range(0, len(x), self.batch_size)
            for start, (act, pred) in zip(starts, self._run(x)):
                stop = start + len(act)
                frames.append((split, act, ids[start:stop], y[start:stop], pred))
        return frames

    def _run(self, x: Any) -> List[tuple]:
        """Forward `x` in chunks of batch_size (eval mode, no_grad); [(activations, preds)] per chunk."""
        import torch

        captured: list = []

        def hook(_module: Any, _inputs: Any, output: Any) -> None:
            if isinstance(output, (tuple, list)):
                output = output[0]
            # A copy: a later in-place op (e.g. ReLU(inplace=True)) must not change what we send.
            captured.append(output.detach().to("cpu", copy=True))

        handle = self.layer.register_forward_hook(hook)
        was_training = self.model.training
        device, dtype = _device(self.model)
        out_chunks = []
        try:
            self.model.eval()
            with torch.no_grad():
                for start in range(0, len(x), self.batch_size):
                    xb = x[start:start + self.batch_size]
                    captured.clear()
                    if device is not None:
                        xb = xb.to(device=device, dtype=dtype if xb.is_floating_point() else None)
                    out = self.model(xb)
                    if not captured:
                        raise RuntimeError(f"layer {self.layer_name!r} did not run in the model's forward pass")
                    pred = self._predict(out)
                    out_chunks.append((captured[-1].reshape(len(xb), -1),
                                       None if pred is None else pred.detach().cpu().long().reshape(-1)))
        finally:
            handle.remove()
            self.model.train(was_training)
        return out_chunks

    def _predict(self, out: Any) -> Any:
        if self.predict is not None:
            return self.predict(out)
        if hasattr(out, "dim") and out.dim() == 2:  # logits [n, C]; other outputs: pass predict=
            return out.argmax(dim=1)
        return None


def _unwrap(model: Any) -> Any:
    import torch

    wrappers = (torch.nn.parallel.DistributedDataParallel, torch.nn.DataParallel)
    while isinstance(model, wrappers):
        model = model.module
    return model


def _qualified_name(model: Any, layer: Any) -> str:
    for name, module in model.named_modules():
        if module is layer:
            return name or type(layer).__name__
    raise ValueError("layer is not a submodule of model")


def _prepare(samples: Any, what: str) -> Tuple[Any, Any, Any]:
    """(x, y[, ids]) -> tensors (x, y long, ids long), checked for equal lengths and unique ids."""
    import torch

    if not isinstance(samples, (tuple, list)) or len(samples) not in (2, 3):
        raise ValueError(f"{what} must be (x, y) or (x, y, ids)")
    x = torch.as_tensor(samples[0])
    y = torch.as_tensor(samples[1]).long().reshape(-1)
    ids = torch.as_tensor(samples[2]).long().reshape(-1) if len(samples) == 3 else torch.arange(len(x), dtype=torch.long)
    if len(x) == 0:
        raise ValueError(f"{what} is empty")
    if not (len(x) == len(y) == len(ids)):
        raise ValueError(f"{what}: x, y and ids have different lengths ({len(x)}, {len(y)}, {len(ids)})")
    if len(torch.unique(ids)) != len(ids):
        raise ValueError(f"{what}: ids must be unique")
    return x, y, ids


def _device(model: Any) -> tuple:
    """Device and dtype of the model's first parameter: inputs are moved/cast to match."""
    for p in model.parameters():
        return p.device, p.dtype
    return None, None
