"""SentryCam producer client: stream a training run's hidden activations to the SentryCam monitor.

Standard library only: numpy and torch are used when you hand it their arrays, and torch is
imported when an ActivationTap is made. It speaks the SentryCam wire protocol v1 (clients/PROTOCOL.md)
over the Scalability Protocols PUSH pattern itself, on ``tcp://host:port`` and ``ipc:///path``.

    from sentrycam_client import Producer
    with Producer("tcp://127.0.0.1:5555", run="resnet-lr0.1") as p:
        p.hello(layer="fc1", dim=256, classes=["cat", "dog"])
        for epoch in range(30):
            ...
            p.batch(epoch, activations, ids, labels=y, preds=y_hat)
            p.epoch_end(epoch, head_weight=W, head_bias=b)
            p.metrics(epoch, {"train_loss": loss, "val_acc": acc})
        p.end()

Modules, one concern each: wire (protocol constants), tensors (array-likes to wire tensors),
frames (encoding), address, sp_link (the socket transport), send_queue and sender (the
background sending), checks (argument checks), env (SENTRYCAM_* variables), distributed (rank,
world size, shards), producer (the API), torch_tap (ActivationTap).
"""

from __future__ import annotations

from .address import parse_address
from .distributed import rank_and_world
from .frames import encode_frame, frame_bytes
from .producer import Producer, ProducerStats
from .tensors import Tensor, to_tensor
from .torch_tap import ActivationTap  # imports torch only when a tap is made

__all__ = [
    "ActivationTap",
    "Producer",
    "ProducerStats",
    "Tensor",
    "encode_frame",
    "frame_bytes",
    "parse_address",
    "rank_and_world",
    "to_tensor",
]

__version__ = "0.2.0"

