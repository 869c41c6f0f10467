"""Protocol 1.1 over real sockets: one Producer streams several layers (a hello per layer, the
layer named in batch and epoch_end), with one seq count, and says every layer's hello again on a
new connection."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import sentrycam_client as sc  # noqa: E402
from sp_pull import PullServer, free_tcp_port  # noqa: E402
from test_producer import wait_until  # noqa: E402


class Layers(unittest.TestCase):
    def test_two_layers_one_seq_count_layer_fields(self):
        with PullServer() as server:
            p = sc.Producer(server.address, run="r", producer=0)
            p.hello(layer="fc1", dim=2)
            p.hello(layer="fc2", dim=3)
            p.batch(0, [[0.0, 1.0]], [7])
            p.batch(0, [[0.0, 1.0, 2.0]], [7], layer="fc2")
            p.epoch_end(0, layer="fc2")
            p.epoch_end(0)
            p.end()
            self.assertTrue(p.close(timeout=10))
            frames = server.wait_frames(7)
        self.assertEqual(
            [(f["type"], f.get("layer"), f["seq"]) for f in frames],
            [("hello", "fc1", 0), ("hello", "fc2", 1), ("batch", None, 2), ("batch", "fc2", 3), ("epoch_end", "fc2", 4), ("epoch_end", None, 5), ("end", None, 6)],
        )
        self.assertEqual(frames[3]["tensors"][0]["shape"], [1, 3])

    def test_dims_per_layer_and_unknown_layers_refused(self):
        p = sc.Producer("tcp://127.0.0.1:1", run="r", disabled=False, reconnect_max=0.1)
        try:
            p.hello(layer="a", dim=2)
            p.hello(layer="b", dim=3)
            with self.assertRaisesRegex(ValueError, "x has 2 columns but hello\\(\\) announced dim=3"):
                p.batch(0, [[0.0, 1.0]], [1], layer="b")
            with self.assertRaisesRegex(ValueError, "layer 'c' has had no hello"):
                p.batch(0, [[0.0, 1.0]], [1], layer="c")
            with self.assertRaisesRegex(ValueError, "epoch_end: layer 'c' has had no hello"):
                p.epoch_end(0, layer="c")
            with self.assertRaisesRegex(RuntimeError, "already called for layer 'b'"):
                p.hello(layer="b", dim=3)
        finally:
            p.close(timeout=0)

    def test_a_new_connection_hears_every_layer_hello(self):
        port = free_tcp_port()
        server = PullServer("tcp", port)
        p = sc.Producer(f"tcp://127.0.0.1:{port}", run="r", reconnect_max=0.2)
        p.hello(layer="a", dim=1)
        p.hello(layer="b", dim=1)
        first = server.wait_frames(2)
        self.assertEqual([(f["layer"], f["seq"]) for f in first], [("a", 0), ("b", 1)])
        server.close()
        self.assertTrue(wait_until(lambda: not p.stats.connected))
        server = PullServer("tcp", port)
        try:
            self.assertTrue(wait_until(lambda: p.stats.connected and p.stats.reconnects == 1))
            p.batch(1, [[1.0]], [0], layer="b")
            p.end()
            self.assertTrue(p.close(timeout=10))
            second = server.wait_frames(4)
        finally:
            server.close()
        self.assertEqual([(f["type"], f.get("layer"), f["seq"]) for f in second], [("hello", "a", 2), ("hello", "b", 3), ("batch", "b", 4), ("end", None, 5)])


if __name__ == "__main__":
    unittest.main()
