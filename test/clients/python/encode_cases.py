"""Print frames encoded by the Python client for fixed inputs, as JSON lines {"case", "hex"}.

The ava test encodes the same inputs with the monitor's TypeScript encoder and compares the
bytes, then decodes these frames with the monitor's decoder.
"""

import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "clients", "python"))

import numpy as np  # noqa: E402

from sentrycam_client import frame_bytes, to_tensor  # noqa: E402


def emit(case, header, tensors=()):
    print(json.dumps({"case": case, "hex": frame_bytes(header, list(tensors)).hex()}))


base = {"run": "xcheck", "producer": "0"}
emit("hello", {"type": "hello", **base, "seq": 0, "layer": "fc1", "dim": 2, "classes": ["a", "b", "ü"], "model": "Mlp"})
emit("batch", {"type": "batch", **base, "seq": 1, "epoch": 3, "split": "test"}, [
    to_tensor("x", [[1, 2], [3, 4.5], [5, 6]]),
    to_tensor("id", [7, 8, 9], role="id"),
    to_tensor("label", [0, 1, 0], role="int"),
    to_tensor("pred", np.array([1, 1, 0], dtype=np.int32), role="int"),
])
emit("batch_f16", {"type": "batch", **base, "seq": 2, "epoch": 3, "split": "train"}, [
    to_tensor("x", np.array([[0.5, -2.0]], dtype=np.float16)),
    to_tensor("id", np.array([4], dtype=np.uint32), role="id"),
])
emit("epoch_end", {"type": "epoch_end", **base, "seq": 3, "epoch": 3}, [
    to_tensor("head_weight", [[1, 0], [0, 1], [1, 1]], role="float32"),
    to_tensor("head_bias", [0, 0.5, -1], role="float32"),
])
emit("metrics", {"type": "metrics", **base, "seq": 4, "epoch": 3, "step": 12, "values": {"loss": 0.25, "acc": 1}})
emit("end", {"type": "end", **base, "seq": 5})
