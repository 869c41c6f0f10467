"""ActivationTap: the frames it sends for a small PyTorch model, over a real socket."""

import os
import struct
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import sentrycam_client as sc  # noqa: E402
from sp_pull import PullServer  # noqa: E402

try:
    import numpy as np
    import torch
    from torch import nn
except ImportError:  # the ava wrapper fails the suite when any test is skipped
    torch = None


if torch is not None:

    class Mlp(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(4, 6)
            self.act = nn.ReLU(inplace=True)  # in place: the tap must capture fc1's output before it
            self.fc2 = nn.Linear(6, 3)

        def forward(self, x):
            return self.fc2(self.act(self.fc1(x)))


@unittest.skipIf(torch is None, "torch/numpy are not installed (apt-get install python3-torch python3-numpy)")
class ActivationTapFrames(unittest.TestCase):
    def setUp(self):
        torch.manual_seed(0)
        self.model = Mlp()
        self.x = torch.randn(10, 4)
        self.y = torch.arange(10) % 3
        self.ids = torch.arange(100, 110)

    def run_tap(self, **kwargs):
        with PullServer() as server:
            p = sc.Producer(server.address, run="tap")
            tap = sc.ActivationTap(p, self.model, layer=self.model.fc1, head=self.model.fc2,
                                   samples=(self.x, self.y, self.ids), classes=["a", "b", "c"], batch_size=4, **kwargs)
            self.model.train()
            tap.after_epoch(0, metrics={"loss": 1.25})
            tap.after_epoch(1)
            p.end()
            self.assertTrue(p.close(timeout=10))
            return server.wait_frames(1), tap

    def test_frames_match_the_model(self):
        frames, tap = self.run_tap()
        kinds = [f["type"] for f in frames]
        # 10 samples in batches of 4 -> 3 batch frames per epoch.
        self.assertEqual(kinds, ["hello"] + ["batch"] * 3 + ["epoch_end", "metrics", "hello"] + ["batch"] * 3 + ["epoch_end", "end"])
        hello = frames[0]
        self.assertEqual((hello["layer"], hello["dim"], hello["classes"], hello["model"]), ("fc1", 6, ["a", "b", "c"], "Mlp"))
        with torch.no_grad():
            pre_relu = self.model.fc1(self.x)
            logits = self.model(self.x)
        batches = frames[1:4]
        xs = b"".join(f["_data"]["x"] for f in batches)
        got = np.frombuffer(xs, dtype="<f4").reshape(10, 6)
        # Pre-ReLU values (negative ones included): the in-place ReLU did not change what was sent.
        np.testing.assert_allclose(got, pre_relu.numpy(), rtol=0, atol=0)
        self.assertTrue((got < 0).any())
        ids = np.frombuffer(b"".join(f["_data"]["id"] for f in batches), dtype="<i8")
        labels = np.frombuffer(b"".join(f["_data"]["label"] for f in batches), dtype="<i8")
        preds = np.frombuffer(b"".join(f["_data"]["pred"] for f in batches), dtype="<i8")
        np.testing.assert_array_equal(ids, np.arange(100, 110))
        np.testing.assert_array_equal(labels, np.arange(10) % 3)
        np.testing.assert_array_equal(preds, logits.argmax(1).numpy())
        head = frames[4]
        self.assertEqual(head["epoch"], 0)
        w = np.frombuffer(head["_data"]["head_weight"], dtype="<f4").reshape(3, 6)
        np.testing.assert_array_equal(w, self.model.fc2.weight.detach().numpy())
        b = np.frombuffer(head["_data"]["head_bias"], dtype="<f4")
        np.testing.assert_array_equal(b, self.model.fc2.bias.detach().numpy())
        self.assertEqual(frames[5]["values"], {"loss": 1.25})
        self.assertEqual([f["epoch"] for f in frames[7:10]], [1, 1, 1])

    def test_model_mode_restored_and_hook_removed(self):
        self.run_tap()
        self.assertTrue(self.model.training)
        self.assertEqual(len(self.model.fc1._forward_hooks), 0)

    def test_test_split(self):
        with PullServer() as server:
            p = sc.Producer(server.address, run="tap")
            tap = sc.ActivationTap(p, self.model, layer=self.model.act, samples=(self.x[:5], self.y[:5]),
                                   test_samples=(self.x[5:], self.y[5:], self.ids[5:]))
            tap.after_epoch(0)
            p.close(timeout=10)
            frames = server.wait_frames(4)
        self.assertEqual([(f["type"], f.get("split")) for f in frames],
                         [("hello", None), ("batch", "train"), ("batch", "test"), ("epoch_end", None)])
        self.assertEqual(frames[0]["layer"], "act")
        self.assertEqual(np.frombuffer(frames[1]["_data"]["id"], dtype="<i8").tolist(), [0, 1, 2, 3, 4])
        self.assertEqual(frames[3]["tensors"], [])  # no head given

    def test_hello_is_sent_when_the_tap_is_made(self):
        """The monitor learns every producer of the run before any epoch can end (see the DDP tests)."""
        with PullServer() as server:
            p = sc.Producer(server.address, run="tap")
            sc.ActivationTap(p, self.model, layer=self.model.fc1, samples=(self.x, self.y))
            self.assertTrue(p.flush(timeout=10))
            frames = server.wait_frames(1)
            p.close(timeout=5)
        self.assertEqual([(f["type"], f["layer"], f["dim"]) for f in frames], [("hello", "fc1", 6)])
        self.assertTrue(self.model.training)  # the probe restored the mode
        self.assertEqual(len(self.model.fc1._forward_hooks), 0)

    def test_data_parallel_wrapper_is_unwrapped(self):
        wrapped = nn.DataParallel(self.model)  # on CPU it just calls the module
        with PullServer() as server:
            p = sc.Producer(server.address, run="tap")
            tap = sc.ActivationTap(p, wrapped, layer=self.model.fc1, samples=(self.x, self.y))
            tap.after_epoch(0)
            p.close(timeout=10)
            frames = server.wait_frames(3)
        self.assertIs(tap.model, self.model)
        self.assertEqual((frames[0]["layer"], frames[0]["model"]), ("fc1", "Mlp"))

    def test_bad_arguments_named(self):
        p = sc.Producer("tcp://127.0.0.1:9", run="t")
        try:
            with self.assertRaisesRegex(ValueError, "layer is not a submodule of model"):
                sc.ActivationTap(p, self.model, layer=nn.Linear(1, 1), samples=(self.x, self.y))
            with self.assertRaisesRegex(ValueError, "ids must be unique"):
                sc.ActivationTap(p, self.model, layer=self.model.fc1, samples=(self.x[:2], self.y[:2], [1, 1]))
            with self.assertRaisesRegex(ValueError, "different lengths"):
                sc.ActivationTap(p, self.model, layer=self.model.fc1, samples=(self.x, self.y[:3]))
            with self.assertRaisesRegex(ValueError, "samples=\\(x, y\\) or \\(x, y, ids\\) is required"):
                sc.ActivationTap(p, self.model, layer=self.model.fc1)
        finally:
            p.close(timeout=0)


if __name__ == "__main__":
    unittest.main()
