"""Producer behaviour over real sockets: delivery, seq numbering, drop-oldest, non-blocking calls,
reconnect with hello re-sent, the SP handshake check, and ipc:// framing."""

import os
import struct
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import sentrycam_client as sc  # noqa: E402
from sp_pull import PullServer, free_tcp_port  # noqa: E402


def x_rows(n, d, base=0.0):
    """n x d float32 rows as nested lists with known values."""
    return [[base + i * d + j for j in range(d)] for i in range(n)]


def wait_until(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


class Delivery(unittest.TestCase):
    def test_frames_arrive_in_order_with_consecutive_seq(self):
        with PullServer() as server:
            p = sc.Producer(server.address, run="r1", producer=3)
            p.hello(layer="fc1", dim=2, classes=["a", "b"], model="MLP")
            p.batch(0, x_rows(3, 2), [10, 11, 12], labels=[0, 1, 0], preds=[1, 1, 0])
            p.epoch_end(0, head_weight=[[1, 0], [0, 1]], head_bias=[0.5, -0.5])
            p.metrics(0, {"loss": 0.5, "acc": float("nan")}, step=100)
            p.end()
            self.assertTrue(p.close(timeout=10))
            frames = server.wait_frames(5)
        self.assertEqual([f["type"] for f in frames], ["hello", "batch", "epoch_end", "metrics", "end"])
        self.assertEqual([f["seq"] for f in frames], [0, 1, 2, 3, 4])
        self.assertTrue(all(f["run"] == "r1" and f["producer"] == "3" for f in frames))
        hello, batch, epoch_end, metrics, _ = frames
        self.assertEqual((hello["layer"], hello["dim"], hello["classes"], hello["model"]), ("fc1", 2, ["a", "b"], "MLP"))
        self.assertEqual((batch["epoch"], batch["split"]), (0, "train"))
        self.assertEqual(batch["_data"]["x"], struct.pack("<6f", 0, 1, 2, 3, 4, 5))
        self.assertEqual(batch["_data"]["id"], struct.pack("<3q", 10, 11, 12))
        self.assertEqual(batch["_data"]["label"], struct.pack("<3q", 0, 1, 0))
        self.assertEqual(batch["_data"]["pred"], struct.pack("<3q", 1, 1, 0))
        self.assertEqual(epoch_end["_data"]["head_weight"], struct.pack("<4f", 1, 0, 0, 1))
        self.assertEqual(epoch_end["_data"]["head_bias"], struct.pack("<2f", 0.5, -0.5))
        self.assertEqual(metrics["values"], {"loss": 0.5, "acc": "nan"})
        self.assertEqual(metrics["step"], 100)
        for f in frames:  # every tensor starts 8-byte aligned within the frame
            for t in f["tensors"]:
                self.assertEqual(t["offset"] % 8, 0)
        stats = p.stats
        self.assertEqual((stats.sent, stats.dropped, stats.reconnects, stats.queued), (5, 0, 0, 0))

    def test_ipc_framing(self):
        with tempfile.TemporaryDirectory() as d:
            with PullServer("ipc", os.path.join(d, "mon.sock")) as server:
                p = sc.Producer(server.address, run="r-ipc")
                p.hello(layer="l", dim=1)
                for e in range(3):
                    p.batch(e, [[float(e)]], [0])
                p.end()
                self.assertTrue(p.close(timeout=10))
                frames = server.wait_frames(7)
                self.assertEqual(server.errors, [])
        # hello again before the first frame of each later epoch
        self.assertEqual([f["type"] for f in frames], ["hello", "batch", "hello", "batch", "hello", "batch", "end"])
        self.assertEqual([f["_data"]["x"] for f in frames[1:6:2]], [struct.pack("<f", e) for e in range(3)])

    def test_flat_x_is_read_as_rows_of_dim(self):
        with PullServer() as server:
            p = sc.Producer(server.address, run="r")
            p.hello(layer="l", dim=3)
            import array
            p.batch(0, array.array("f", range(6)), [1, 2])
            p.close(timeout=10)
            frames = server.wait_frames(2)
        self.assertEqual(frames[1]["tensors"][0]["shape"], [2, 3])


class Validation(unittest.TestCase):
    def setUp(self):
        # Nothing listens here: validation happens in the caller, before anything is queued.
        self.p = sc.Producer(f"tcp://127.0.0.1:{free_tcp_port()}", run="r")

    def tearDown(self):
        self.p.close(timeout=0)

    def test_frames_before_hello_refused(self):
        for call in (lambda: self.p.batch(0, [[1.0]], [0]), lambda: self.p.epoch_end(0), lambda: self.p.metrics(0, {}), self.p.end):
            with self.assertRaisesRegex(RuntimeError, r"call hello\(layer, dim\) before"):
                call()

    def test_shapes_checked_against_hello(self):
        self.p.hello(layer="l", dim=2)
        with self.assertRaisesRegex(ValueError, "x has 3 columns but hello\\(\\) announced dim=2"):
            self.p.batch(0, x_rows(2, 3), [0, 1])
        with self.assertRaisesRegex(ValueError, r"id must have shape \[2\]"):
            self.p.batch(0, x_rows(2, 2), [0, 1, 2])
        with self.assertRaisesRegex(ValueError, r"label must have shape \[2\]"):
            self.p.batch(0, x_rows(2, 2), [0, 1], labels=[1])
        with self.assertRaisesRegex(ValueError, r"head_weight must have shape \[C, 2\]"):
            self.p.epoch_end(0, head_weight=[[1.0]], head_bias=[0.0])
        with self.assertRaisesRegex(ValueError, "must be given together"):
            self.p.epoch_end(0, head_weight=[[1.0, 2.0]])
        with self.assertRaisesRegex(ValueError, "split must be 'train' or 'test'"):
            self.p.batch(0, x_rows(1, 2), [0], split="val")
        with self.assertRaisesRegex(ValueError, "epoch must be >= 0"):
            self.p.batch(-1, x_rows(1, 2), [0])
        with self.assertRaisesRegex(RuntimeError, "hello\\(\\) was already called"):
            self.p.hello(layer="l", dim=2)
        self.assertEqual(self.p.stats.queued, 0)

    def test_names_checked(self):
        with self.assertRaisesRegex(TypeError, "run is required"):
            sc.Producer()
        with self.assertRaisesRegex(ValueError, "run must have 1-128 characters"):
            sc.Producer(run="")
        with self.assertRaisesRegex(ValueError, "control characters"):
            sc.Producer(run="a\nb")
        # What the monitor refuses in a name is refused at the call (it used to leave as rejects).
        for bad in ("a\u202eb", "a\u2028b", "\u200f", "a\ud800b"):
            with self.assertRaisesRegex(ValueError, "control characters"):
                sc.Producer(run=bad)
        # Characters, as the monitor counts them: 128 emoji are a valid name, 129 are not.
        sc.Producer(f"tcp://127.0.0.1:{free_tcp_port()}", run="\U0001F600" * 128).close(timeout=0)
        with self.assertRaisesRegex(ValueError, "has 129"):
            sc.Producer(run="\U0001F600" * 129)
        with self.assertRaisesRegex(ValueError, "transport must be"):
            sc.Producer(run="r", transport="zmq")

    def test_closed_producer_refuses_calls(self):
        self.p.hello(layer="l", dim=1)
        self.p.close(timeout=0)
        with self.assertRaisesRegex(RuntimeError, "closed"):
            self.p.batch(0, [[1.0]], [0])


class QueueBound(unittest.TestCase):
    def test_full_queue_drops_oldest_and_seq_shows_the_gap(self):
        port = free_tcp_port()
        # Monitor down; backoff capped low so the producer connects soon after it comes up.
        p = sc.Producer(f"tcp://127.0.0.1:{port}", run="r", queue_size=3, reconnect_max=0.1)
        p.hello(layer="l", dim=1)
        for e in range(10):
            p.batch(0, [[float(e)]], [e])  # one epoch: no hello repeated in between
        stats = p.stats
        self.assertEqual((stats.queued, stats.dropped, stats.sent), (3, 7, 0))
        with PullServer("tcp", port) as server:
            self.assertTrue(p.close(timeout=20))
            frames = server.wait_frames(4)
        # The newest three survive; hello takes the seq just before them, so seq 0-6 are a gap.
        self.assertEqual([f["type"] for f in frames], ["hello", "batch", "batch", "batch"])
        self.assertEqual([f["_data"]["x"] for f in frames[1:]], [struct.pack("<f", e) for e in (7, 8, 9)])
        self.assertEqual([f["seq"] for f in frames], [7, 8, 9, 10])
        self.assertEqual(p.stats.dropped, 7)

    def test_byte_bound_drops_oldest(self):
        p = sc.Producer(f"tcp://127.0.0.1:{free_tcp_port()}", run="r", queue_size=100, queue_bytes=100)
        p.hello(layer="l", dim=10)
        for e in range(5):
            p.batch(0, [[0.0] * 10], [e])  # 40 + 8 bytes each: two fit in 100
        self.assertEqual((p.stats.queued, p.stats.dropped), (2, 3))
        p.close(timeout=0)
        self.assertEqual(p.stats.dropped, 5)

    def test_close_without_monitor_counts_unsent_frames(self):
        p = sc.Producer(f"tcp://127.0.0.1:{free_tcp_port()}", run="r")
        p.hello(layer="l", dim=1)
        p.batch(0, [[1.0]], [0])
        p.end()
        self.assertFalse(p.close(timeout=0.2))
        self.assertEqual((p.stats.dropped, p.stats.sent, p.stats.queued), (2, 0, 0))
        self.assertIn("connect tcp://127.0.0.1", p.stats.last_error)


class NonBlocking(unittest.TestCase):
    def test_calls_return_while_the_monitor_does_not_read(self):
        """A stalled monitor fills the kernel buffers; a blocking client would hang here forever."""
        with PullServer(stall=True) as server:
            p = sc.Producer(server.address, run="r", queue_size=4)
            p.hello(layer="l", dim=1024)
            big = bytearray(2500 * 1024 * 4)  # a 10 MB batch
            x = memoryview(big).cast("f", (2500, 1024))
            ids = list(range(2500))
            done = threading.Event()

            def loop():
                for _ in range(40):  # 400 MB in total, far beyond any socket buffer
                    p.batch(0, x, ids)
                done.set()

            threading.Thread(target=loop, daemon=True).start()
            self.assertTrue(done.wait(60), "batch() blocked while the monitor was not reading")
            self.assertTrue(wait_until(lambda: server.connections == 1))
            stats = p.stats
            self.assertLessEqual(stats.queued, 4)
            self.assertGreater(stats.dropped, 0)  # 400 MB cannot all sit in socket buffers
            # close() gives up on the stalled monitor after its timeout and counts what it dropped.
            self.assertFalse(p.close(timeout=0.5))
            self.assertEqual(p.stats.queued, 0)
            self.assertEqual(p.stats.sent + p.stats.dropped, 41)


class HelloEveryEpoch(unittest.TestCase):
    def test_hello_is_repeated_before_the_first_frame_of_each_later_epoch(self):
        # So that a monitor restarted mid-run, which has no hello from this producer, takes part in
        # the run from the next epoch on (the monitor takes a repeated hello as a no-op).
        with PullServer("tcp", free_tcp_port()) as server:
            p = sc.Producer(server.address, run="r", producer="p")
            p.hello(layer="l", dim=1, classes=["a"])
            for epoch in range(3):
                p.batch(epoch, [[0.0]], [0])
                p.batch(epoch, [[1.0]], [1])
                p.epoch_end(epoch)
                p.metrics(epoch, {"loss": 1.0})
            p.metrics(1, {"late": 2.0})  # an older epoch's frame starts nothing
            p.end()
            self.assertTrue(p.close(timeout=10))
            frames = server.wait_frames(17)
        kinds = [f["type"] for f in frames]
        epoch_frames = ["batch", "batch", "epoch_end", "metrics"]
        self.assertEqual(kinds, ["hello"] + epoch_frames + ["hello"] + epoch_frames + ["hello"] + epoch_frames + ["metrics", "end"])
        self.assertEqual([f["seq"] for f in frames], list(range(17)))
        hellos = [f for f in frames if f["type"] == "hello"]
        self.assertTrue(all((h["run"], h["producer"], h["layer"], h["dim"], h["classes"]) == ("r", "p", "l", 1, ["a"]) for h in hellos))


class Reconnect(unittest.TestCase):
    def test_monitor_restart_gets_hello_again_and_seq_continues(self):
        port = free_tcp_port()
        server = PullServer("tcp", port)
        p = sc.Producer(f"tcp://127.0.0.1:{port}", run="r", reconnect_max=0.2)
        p.hello(layer="l", dim=1)
        p.batch(0, [[0.0]], [0])
        p.epoch_end(0)
        first = server.wait_frames(3)
        self.assertEqual([(f["type"], f["seq"]) for f in first], [("hello", 0), ("batch", 1), ("epoch_end", 2)])
        server.close()  # the monitor goes away
        self.assertTrue(wait_until(lambda: not p.stats.connected))
        server = PullServer("tcp", port)  # and comes back
        try:
            # Connected, and hello written on the new connection (hello, batch, epoch_end, hello).
            self.assertTrue(wait_until(lambda: p.stats.connected and p.stats.reconnects == 1 and p.stats.sent == 4))
            p.batch(1, [[1.0]], [0])
            p.end()
            self.assertTrue(p.close(timeout=10))
            second = server.wait_frames(4)
        finally:
            server.close()
        # hello re-sent first on the new connection, then as at the start of every epoch; seq keeps increasing.
        self.assertEqual([(f["type"], f["seq"]) for f in second], [("hello", 3), ("hello", 4), ("batch", 5), ("end", 6)])
        self.assertEqual(p.stats.reconnects, 1)

    def test_wrong_peer_protocol_is_refused(self):
        with PullServer(greeting_protocol=0x0020) as server:  # a PUB socket, not PULL
            p = sc.Producer(server.address, run="r", reconnect_max=0.1)
            p.hello(layer="l", dim=1)
            self.assertTrue(wait_until(lambda: p.stats.last_error is not None))
            self.assertIn("speaks SP protocol 0x0020, a PULL socket (0x0051) was expected", p.stats.last_error)
            self.assertEqual(p.stats.sent, 0)
            p.close(timeout=0)


if __name__ == "__main__":
    unittest.main()


class ContinualTasks(unittest.TestCase):
    """Protocol 1.1: a task tensor beside label in batch, a task field in metrics."""

    def test_tasks_and_the_trained_task_are_sent(self):
        with tempfile.TemporaryDirectory() as d, PullServer("ipc", os.path.join(d, "pull.sock")) as server:
            p = sc.Producer(server.address, run="cl")
            p.hello(layer="fc", dim=2)
            p.batch(0, x_rows(3, 2), [1, 2, 3], labels=[0, 5, 6], tasks=[0, 1, 1])
            p.metrics(0, {"loss": 0.5}, task=1)
            self.assertTrue(p.close(timeout=10))
            frames = server.wait_frames(3)
        _, batch, metrics = frames
        self.assertEqual(batch["_data"]["task"], struct.pack("<3q", 0, 1, 1))
        self.assertEqual(metrics["task"], 1)

    def test_bad_task_values_are_refused_at_the_call(self):
        # Nobody listens there: the checks refuse the calls before anything is sent.
        p = sc.Producer("ipc://" + os.path.join(tempfile.gettempdir(), "scam-nobody-%d.sock" % os.getpid()), run="cl")
        try:
            p.hello(layer="fc", dim=2)
            with self.assertRaises(ValueError):
                p.batch(0, x_rows(2, 2), [1, 2], tasks=[0])
            with self.assertRaises(ValueError):
                p.metrics(0, {"loss": 0.5}, task=-1)
        finally:
            p.close(timeout=1)
