"""SENTRYCAM_ADDRESS (the default address) and SENTRYCAM_DISABLED (every call a no-op), over real sockets."""

import os
import sys
import unittest
from unittest import mock

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import sentrycam_client as sc  # noqa: E402
from sentrycam_client.env import address_from_env, disabled_from_env  # noqa: E402
from sp_pull import PullServer, free_tcp_port  # noqa: E402

try:
    import torch
    from torch import nn
except ImportError:  # the ava wrapper fails the suite when any test is skipped
    torch = None

#: No SENTRYCAM_* variable and no rank: what a plain script sees.
CLEAN = {k: v for k, v in os.environ.items() if not k.startswith("SENTRYCAM_") and k not in ("RANK", "WORLD_SIZE")}


class Address(unittest.TestCase):
    def test_producer_without_address_uses_the_variable(self):
        with PullServer() as server:
            with mock.patch.dict(os.environ, {**CLEAN, "SENTRYCAM_ADDRESS": server.address}, clear=True):
                p = sc.Producer(run="env-addr")
            self.assertEqual(p.address, server.address)
            p.hello(layer="l", dim=1)
            p.end()
            self.assertTrue(p.close(timeout=10))
            frames = server.wait_frames(2)
        self.assertEqual([(f["type"], f["run"]) for f in frames], [("hello", "env-addr"), ("end", "env-addr")])

    def test_explicit_address_wins(self):
        with mock.patch.dict(os.environ, {**CLEAN, "SENTRYCAM_ADDRESS": "tcp://127.0.0.1:9"}, clear=True):
            p = sc.Producer("ipc:///tmp/x.sock", run="r")
        self.assertEqual(p.address, "ipc:///tmp/x.sock")
        p.close(timeout=0)

    def test_default_without_the_variable(self):
        self.assertEqual(address_from_env(CLEAN), "tcp://127.0.0.1:5555")
        self.assertEqual(address_from_env({"SENTRYCAM_ADDRESS": "  "}), "tcp://127.0.0.1:5555")

    def test_bad_address_names_the_variable(self):
        with self.assertRaisesRegex(ValueError, "SENTRYCAM_ADDRESS: address 'udp://x:1' must start with tcp:// or ipc://"):
            address_from_env({"SENTRYCAM_ADDRESS": "udp://x:1"})


class Disabled(unittest.TestCase):
    def test_values(self):
        for value in ("1", "true", "YES", "on", " 1 "):
            self.assertTrue(disabled_from_env({"SENTRYCAM_DISABLED": value}), value)
        for value in ("0", "false", "no", "off", ""):
            self.assertFalse(disabled_from_env({"SENTRYCAM_DISABLED": value}), value)
        self.assertFalse(disabled_from_env({}))
        with self.assertRaisesRegex(ValueError, r"SENTRYCAM_DISABLED='maybe': expected 1/0"):
            disabled_from_env({"SENTRYCAM_DISABLED": "maybe"})

    def test_every_call_is_a_no_op_and_nothing_connects(self):
        with PullServer() as server:
            with mock.patch.dict(os.environ, {**CLEAN, "SENTRYCAM_DISABLED": "1"}, clear=True):
                p = sc.Producer(server.address, run="off")
            self.assertTrue(p.disabled)
            p.hello(layer="l", dim=2)
            # Not even checked: a disabled producer does no work at all, whatever it is handed.
            p.batch(0, object(), None)
            p.epoch_end(-1)
            p.metrics(0, {"loss": 1.0})
            p.end()
            self.assertTrue(p.flush(timeout=0))
            self.assertTrue(p.close())
            self.assertEqual(p.stats, sc.ProducerStats(0, 0, 0, 0, 0, False, None))
            self.assertEqual(server.wait_connections(1, timeout=0.5), 0)
            self.assertEqual(server.frames, [])
        self.assertNotIn(p, __import__("sentrycam_client.producer").producer._live_producers)

    def test_disabled_false_streams(self):
        with PullServer() as server:
            with mock.patch.dict(os.environ, {**CLEAN, "SENTRYCAM_DISABLED": "0"}, clear=True):
                p = sc.Producer(server.address, run="on")
            p.hello(layer="l", dim=1)
            self.assertTrue(p.close(timeout=10))
            self.assertEqual([f["type"] for f in server.wait_frames(1)], ["hello"])

    def test_argument_overrides_the_variable(self):
        with mock.patch.dict(os.environ, {**CLEAN, "SENTRYCAM_DISABLED": "1"}, clear=True):
            p = sc.Producer(f"tcp://127.0.0.1:{free_tcp_port()}", run="r", disabled=False)
        self.assertFalse(p.disabled)
        p.close(timeout=0)

    def test_constructor_arguments_are_still_checked(self):
        with mock.patch.dict(os.environ, {**CLEAN, "SENTRYCAM_DISABLED": "1"}, clear=True):
            with self.assertRaisesRegex(TypeError, "run is required"):
                sc.Producer()

    @unittest.skipIf(torch is None, "torch is not installed (apt-get install python3-torch)")
    def test_tap_does_not_run_the_model(self):
        calls = []
        model = nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 2))
        model.register_forward_hook(lambda *_: calls.append(1))
        with mock.patch.dict(os.environ, {**CLEAN, "SENTRYCAM_DISABLED": "1"}, clear=True):
            p = sc.Producer(run="off")
        tap = sc.ActivationTap(p, model, layer=model[0], head=model[1], samples=(torch.zeros(5, 3), torch.zeros(5)))
        tap.after_epoch(0, metrics={"loss": 1.0})
        p.end()
        self.assertEqual(calls, [])
        self.assertTrue(p.close())


class Flush(unittest.TestCase):
    def test_flush_waits_for_hello_on_the_connection(self):
        with PullServer() as server:
            p = sc.Producer(server.address, run="r")
            self.assertTrue(p.flush(timeout=0))  # nothing given yet: nothing owed
            p.hello(layer="l", dim=1)
            self.assertTrue(p.flush(timeout=10))
            self.assertEqual(p.stats.sent, 1)  # written to the socket when flush returned
            self.assertEqual([f["type"] for f in server.wait_frames(1)], ["hello"])
            p.close(timeout=5)

    def test_flush_without_monitor_reports_hello_unsent(self):
        p = sc.Producer(f"tcp://127.0.0.1:{free_tcp_port()}", run="r")
        p.hello(layer="l", dim=1)
        self.assertFalse(p.flush(timeout=0.3))
        p.close(timeout=0)


if __name__ == "__main__":
    unittest.main()
