"""Data-parallel awareness without a process group: RANK/WORLD_SIZE, producer names, the tap's shards.

The real thing (torch.distributed with gloo, 2 and 4 processes, into the monitor) is in
test/clients/python-ddp.test.ts.
"""

import os
import sys
import unittest
from unittest import mock

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import sentrycam_client as sc  # noqa: E402
from sentrycam_client.distributed import rank_and_world, shard_bounds  # noqa: E402
from sp_pull import PullServer  # noqa: E402

try:
    import numpy as np
    import torch
    from torch import nn
except ImportError:  # the ava wrapper fails the suite when any test is skipped
    torch = None

CLEAN = {k: v for k, v in os.environ.items() if not k.startswith("SENTRYCAM_") and k not in ("RANK", "WORLD_SIZE")}


def ranked(rank, world):
    """The environment torchrun gives rank `rank` of `world`."""
    return mock.patch.dict(os.environ, {**CLEAN, "RANK": str(rank), "WORLD_SIZE": str(world)}, clear=True)


class RankAndWorld(unittest.TestCase):
    def test_from_environment(self):
        self.assertEqual(rank_and_world({}), (0, 1))
        self.assertEqual(rank_and_world({"RANK": "3", "WORLD_SIZE": "4"}), (3, 4))

    def test_bad_environment_named(self):
        with self.assertRaisesRegex(ValueError, "RANK and WORLD_SIZE must be set together"):
            rank_and_world({"RANK": "1"})
        with self.assertRaisesRegex(ValueError, "need 0 <= RANK < WORLD_SIZE, got RANK=4, WORLD_SIZE=4"):
            rank_and_world({"RANK": "4", "WORLD_SIZE": "4"})
        with self.assertRaisesRegex(ValueError, "WORLD_SIZE='two' is not an integer"):
            rank_and_world({"RANK": "0", "WORLD_SIZE": "two"})

    def test_shards_partition_the_subset(self):
        for n in (1, 7, 100, 101):
            for world in (1, 2, 3, 4, 8):
                bounds = [shard_bounds(n, r, world) for r in range(world)]
                rows = [i for start, stop in bounds for i in range(start, stop)]
                self.assertEqual(rows, list(range(n)), (n, world))  # disjoint, complete, in order
                sizes = [stop - start for start, stop in bounds]
                self.assertLessEqual(max(sizes) - min(sizes), 1)


class ProducerName(unittest.TestCase):
    def test_named_after_the_rank(self):
        with ranked(2, 4):
            p = sc.Producer("tcp://127.0.0.1:9", run="r")
        self.assertEqual(p.producer, "2")
        p.close(timeout=0)

    def test_explicit_name_kept(self):
        with ranked(2, 4):
            p = sc.Producer("tcp://127.0.0.1:9", run="r", producer="gpu-a")
            p.hello(layer="l", dim=1)
        self.assertEqual(p.producer, "gpu-a")
        p.close(timeout=0)

    def test_rank_known_only_at_hello(self):
        """A Producer made before the launcher's rank is known takes the rank at hello()."""
        with mock.patch.dict(os.environ, CLEAN, clear=True):
            p = sc.Producer("tcp://127.0.0.1:9", run="r")
        self.assertEqual(p.producer, "0")
        with ranked(3, 4):
            p.hello(layer="l", dim=1)
        self.assertEqual(p.producer, "3")
        p.close(timeout=0)


@unittest.skipIf(torch is None, "torch/numpy are not installed (apt-get install python3-torch python3-numpy)")
class TapShards(unittest.TestCase):
    N = 10

    def setUp(self):
        torch.manual_seed(0)
        self.model = nn.Sequential(nn.Linear(4, 6), nn.ReLU(), nn.Linear(6, 3))
        self.x = torch.randn(self.N, 4)
        self.y = torch.arange(self.N) % 3
        self.ids = torch.arange(100, 100 + self.N)

    def stream(self, rank, world, mode):
        with PullServer() as server, ranked(rank, world):
            p = sc.Producer(server.address, run="ddp")
            tap = sc.ActivationTap(p, self.model, layer=self.model[0], head=self.model[2],
                                   samples=(self.x, self.y, self.ids), batch_size=4, distributed=mode)
            for epoch in range(2):
                tap.after_epoch(epoch, metrics={"loss": 1.0 / (epoch + 1)})
            p.end()
            self.assertTrue(p.close(timeout=10))
            frames = server.wait_frames(1, timeout=0.5 if p.disabled else 20)
            connections = server.connections
        return p, frames, connections

    def ids_of(self, frames, epoch):
        return [int(i) for f in frames if f["type"] == "batch" and f["epoch"] == epoch
                for i in np.frombuffer(f["_data"]["id"], dtype="<i8")]

    def test_shard_rank1_of_3_sends_its_rows_without_head_or_metrics(self):
        p, frames, _ = self.stream(1, 3, "shard")
        self.assertEqual(p.producer, "1")
        self.assertTrue(all(f["producer"] == "1" for f in frames))
        # rows [10*1//3, 10*2//3) = [3, 6)
        self.assertEqual(self.ids_of(frames, 0), [103, 104, 105])
        self.assertEqual(self.ids_of(frames, 1), [103, 104, 105])
        kinds = [f["type"] for f in frames]
        self.assertEqual(kinds, ["hello", "batch", "epoch_end", "hello", "batch", "epoch_end", "end"])
        self.assertTrue(all(f["tensors"] == [] for f in frames if f["type"] == "epoch_end"))
        self.assertEqual(frames[0]["dim"], 6)

    def test_shard_rank0_of_3_sends_head_and_metrics(self):
        p, frames, _ = self.stream(0, 3, "shard")
        self.assertEqual(p.producer, "0")
        self.assertEqual(self.ids_of(frames, 0), [100, 101, 102])
        kinds = [f["type"] for f in frames]
        self.assertEqual(kinds, ["hello", "batch", "epoch_end", "metrics", "hello", "batch", "epoch_end", "metrics", "end"])
        self.assertEqual([t["name"] for t in frames[2]["tensors"]], ["head_weight", "head_bias"])

    def test_shards_of_all_ranks_are_the_subset(self):
        seen = []
        for rank in range(4):
            _, frames, _ = self.stream(rank, 4, "shard")
            seen += self.ids_of(frames, 1)
        self.assertEqual(sorted(seen), list(range(100, 110)))

    def test_rank0_mode_other_ranks_send_nothing(self):
        p, frames, connections = self.stream(2, 4, "rank0")
        self.assertTrue(p.disabled)
        self.assertEqual((frames, connections), ([], 0))

    def test_rank0_mode_rank0_sends_everything(self):
        _, frames, _ = self.stream(0, 4, "rank0")
        self.assertEqual(self.ids_of(frames, 0), list(range(100, 110)))
        self.assertEqual(sum(f["type"] == "metrics" for f in frames), 2)

    def test_bad_mode_named(self):
        p = sc.Producer("tcp://127.0.0.1:9", run="r")
        try:
            with self.assertRaisesRegex(ValueError, "distributed must be 'shard' or 'rank0', got 'all'"):
                sc.ActivationTap(p, self.model, layer=self.model[0], samples=(self.x, self.y), distributed="all")
        finally:
            p.close(timeout=0)

    def test_disable_after_hello_refused(self):
        p = sc.Producer("tcp://127.0.0.1:9", run="r")
        p.hello(layer="l", dim=1)
        with self.assertRaisesRegex(RuntimeError, "disable\\(\\) after hello\\(\\)"):
            p.disable()
        p.close(timeout=0)


if __name__ == "__main__":
    unittest.main()
