"""Frame encoding against PROTOCOL.md, byte for byte, and the conversion of every accepted input."""

import array
import json
import os
import struct
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import sentrycam_client as sc  # noqa: E402
from sentrycam_client.checks import metric_value  # noqa: E402

try:
    import numpy as np
except ImportError:  # the ava wrapper fails the suite when any test is skipped
    np = None
try:
    import torch
except ImportError:
    torch = None


def padded_header(text: str) -> bytes:
    """The JSON text padded with spaces so that 12 + H is a multiple of 8 (see encode_frame)."""
    raw = text.encode("utf-8")
    h = (12 + len(raw) + 7) // 8 * 8 - 12
    return raw + b" " * (h - len(raw))


def preamble(header: bytes) -> bytes:
    return b"SCAM" + b"\x01\x00\x00\x00" + struct.pack("<I", len(header))


class FrameLayout(unittest.TestCase):
    def test_end_frame_is_byte_exact(self):
        got = sc.frame_bytes({"type": "end", "run": "rr", "producer": "0", "seq": 7})
        text = '{"type":"end","run":"rr","producer":"0","seq":7,"tensors":[]}'
        # 61 bytes of JSON, padded with 7 spaces to 68 so that the body starts at 12 + 68 = 80.
        self.assertEqual(len(text), 61)
        header = text.encode() + b" " * 7
        self.assertEqual(got, b"SCAM\x01\x00\x00\x00" + struct.pack("<I", 68) + header)

    def test_batch_frame_is_byte_exact(self):
        x = sc.Tensor("x", "float32", (3, 2), struct.pack("<6f", 1, 2, 3, 4, 5, 6.5))
        ids = sc.Tensor("id", "int64", (3,), struct.pack("<3q", 10, 11, 2**40))
        labels = sc.Tensor("label", "int32", (3,), struct.pack("<3i", 0, 1, 2))
        got = sc.frame_bytes({"type": "batch", "run": "r", "producer": "0", "seq": 5, "epoch": 2, "split": "train"}, [x, ids, labels])
        text = (
            '{"type":"batch","run":"r","producer":"0","seq":5,"epoch":2,"split":"train","tensors":['
            '{"name":"x","dtype":"float32","shape":[3,2],"offset":0,"nbytes":24},'
            '{"name":"id","dtype":"int64","shape":[3],"offset":24,"nbytes":24},'
            '{"name":"label","dtype":"int32","shape":[3],"offset":48,"nbytes":12}]}'
        )
        header = padded_header(text)
        body = x.data + ids.data + labels.data + b"\x00" * 4  # last tensor zero-padded to 8
        self.assertEqual(got, preamble(header) + header + body)
        self.assertEqual((12 + len(header)) % 8, 0)

    def test_non_ascii_names_are_utf8(self):
        got = sc.frame_bytes({"type": "hello", "run": "lauf-ü", "producer": "0", "seq": 0, "layer": "l", "dim": 1})
        (h,) = struct.unpack("<I", got[8:12])
        self.assertIn("lauf-ü".encode("utf-8"), got[12:12 + h])
        self.assertEqual(json.loads(got[12:12 + h].decode("utf-8"))["run"], "lauf-ü")

    def test_nbytes_mismatch_is_refused(self):
        bad = sc.Tensor("x", "float32", (2, 2), b"\x00" * 12)
        with self.assertRaisesRegex(ValueError, "needs 16 bytes, data has 12"):
            sc.encode_frame({"type": "batch"}, [bad])

    def test_pieces_do_not_copy_tensor_bytes(self):
        buf = bytearray(struct.pack("<4f", 1, 2, 3, 4))
        t = sc.to_tensor("x", memoryview(buf).cast("f", (2, 2)))
        pieces = sc.encode_frame({"type": "batch"}, [t])
        buf[0:4] = struct.pack("<f", 9.0)  # a view, not a copy: the change shows
        self.assertEqual(struct.unpack("<f", bytes(pieces[1][:4]))[0], 9.0)


class StdlibInputs(unittest.TestCase):
    def test_array_array_float64_kept(self):
        t = sc.to_tensor("x", array.array("d", [1.5, -2.0]))
        self.assertEqual((t.dtype, t.shape), ("float64", (2,)))
        self.assertEqual(bytes(t.data), struct.pack("<2d", 1.5, -2.0))

    def test_nested_list_becomes_float32(self):
        t = sc.to_tensor("x", [[1, 2, 3], [4, 5, 6]])
        self.assertEqual((t.dtype, t.shape), ("float32", (2, 3)))
        self.assertEqual(bytes(t.data), struct.pack("<6f", 1, 2, 3, 4, 5, 6))

    def test_ragged_list_is_refused(self):
        with self.assertRaisesRegex(ValueError, "row 1 has a different length"):
            sc.to_tensor("x", [[1, 2], [3]])

    def test_int_list_ids_become_int64(self):
        t = sc.to_tensor("id", [3, 1, 2], role="id")
        self.assertEqual((t.dtype, t.shape), ("int64", (3,)))
        self.assertEqual(bytes(t.data), struct.pack("<3q", 3, 1, 2))

    def test_float_ids_are_refused(self):
        with self.assertRaisesRegex(TypeError, "expected integers"):
            sc.to_tensor("id", [1.5, 2.0], role="id")
        with self.assertRaisesRegex(TypeError, "ids must be integers"):
            sc.to_tensor("id", array.array("f", [1.0]), role="id")

    def test_int16_buffer_converted_to_int64(self):
        t = sc.to_tensor("label", array.array("h", [1, -2, 3]), role="int")
        self.assertEqual(t.dtype, "int64")
        self.assertEqual(bytes(t.data), struct.pack("<3q", 1, -2, 3))

    def test_unsupported_object_named_in_error(self):
        with self.assertRaisesRegex(TypeError, "x: expected a numpy array, torch tensor"):
            sc.to_tensor("x", object())


@unittest.skipIf(np is None, "numpy is not installed (apt-get install python3-numpy)")
class NumpyInputs(unittest.TestCase):
    def test_float32_is_zero_copy_view(self):
        a = np.arange(6, dtype=np.float32).reshape(2, 3)
        t = sc.to_tensor("x", a)
        self.assertEqual((t.dtype, t.shape), ("float32", (2, 3)))
        a[0, 0] = 42.0
        self.assertEqual(struct.unpack("<f", bytes(t.data[:4]))[0], 42.0)

    def test_copy_true_detaches(self):
        a = np.arange(6, dtype=np.float32).reshape(2, 3)
        t = sc.to_tensor("x", a, copy=True)
        a[0, 0] = 42.0
        self.assertEqual(struct.unpack("<f", bytes(t.data[:4]))[0], 0.0)

    def test_float16_and_float64_kept(self):
        h = np.array([[1.0, -0.5]], dtype=np.float16)
        t = sc.to_tensor("x", h)
        self.assertEqual(t.dtype, "float16")
        self.assertEqual(bytes(t.data), struct.pack("<2e", 1.0, -0.5))
        self.assertEqual(sc.to_tensor("x", h.astype(np.float64)).dtype, "float64")

    def test_big_endian_converted_to_little(self):
        a = np.array([[1.0, 2.0]], dtype=">f4")
        t = sc.to_tensor("x", a)
        self.assertEqual(t.dtype, "float32")
        self.assertEqual(bytes(t.data), struct.pack("<2f", 1.0, 2.0))

    def test_transposed_array_sent_in_c_order(self):
        a = np.arange(6, dtype=np.float32).reshape(2, 3).T  # shape (3, 2), not C-contiguous
        t = sc.to_tensor("x", a)
        self.assertEqual(t.shape, (3, 2))
        self.assertEqual(bytes(t.data), struct.pack("<6f", 0, 3, 1, 4, 2, 5))

    def test_integer_x_becomes_float32(self):
        t = sc.to_tensor("x", np.array([[1, 2]], dtype=np.int16))
        self.assertEqual(t.dtype, "float32")
        self.assertEqual(bytes(t.data), struct.pack("<2f", 1, 2))

    def test_int_dtypes_for_ids_and_labels(self):
        for dt, wire in ((np.int32, "int32"), (np.int64, "int64"), (np.uint32, "uint32")):
            self.assertEqual(sc.to_tensor("id", np.array([1, 2], dtype=dt), role="id").dtype, wire)
        self.assertEqual(sc.to_tensor("label", np.array([1], dtype=np.uint8), role="int").dtype, "uint8")
        self.assertEqual(sc.to_tensor("id", np.array([1], dtype=np.uint8), role="id").dtype, "int64")
        self.assertEqual(sc.to_tensor("id", np.array([1], dtype=np.uint16), role="id").dtype, "int64")

    def test_bad_dtypes_named(self):
        with self.assertRaisesRegex(TypeError, "id: dtype float64 cannot be sent as integer ids"):
            sc.to_tensor("id", np.array([1.0]), role="id")
        with self.assertRaisesRegex(TypeError, "x: dtype complex64 cannot be sent"):
            sc.to_tensor("x", np.array([1j], dtype=np.complex64))
        with self.assertRaisesRegex(TypeError, "x: dtype bool cannot be sent"):
            sc.to_tensor("x", np.array([True]))

    def test_head_role_forces_float32(self):
        t = sc.to_tensor("head_weight", np.ones((2, 3)), role="float32")
        self.assertEqual((t.dtype, t.shape), ("float32", (2, 3)))
        self.assertEqual(bytes(t.data), struct.pack("<6f", *[1.0] * 6))


@unittest.skipIf(torch is None, "torch is not installed (apt-get install python3-torch)")
class TorchInputs(unittest.TestCase):
    def test_tensor_requiring_grad(self):
        w = torch.nn.Parameter(torch.tensor([[1.0, 2.0], [3.0, 4.0]]))
        t = sc.to_tensor("x", w * 2)
        self.assertEqual((t.dtype, t.shape), ("float32", (2, 2)))
        self.assertEqual(bytes(t.data), struct.pack("<4f", 2, 4, 6, 8))

    def test_bfloat16_becomes_float32(self):
        t = sc.to_tensor("x", torch.tensor([[1.0, 0.5]], dtype=torch.bfloat16))
        self.assertEqual(t.dtype, "float32")
        self.assertEqual(bytes(t.data), struct.pack("<2f", 1.0, 0.5))

    def test_long_ids_and_half(self):
        self.assertEqual(sc.to_tensor("id", torch.arange(3), role="id").dtype, "int64")
        self.assertEqual(sc.to_tensor("x", torch.zeros(2, 2, dtype=torch.float16)).dtype, "float16")


class Metrics(unittest.TestCase):
    def test_non_finite_values_become_strings(self):
        self.assertEqual(metric_value("a", float("nan")), "nan")
        self.assertEqual(metric_value("a", float("inf")), "inf")
        self.assertEqual(metric_value("a", float("-inf")), "-inf")
        self.assertEqual(metric_value("a", 0.25), 0.25)
        self.assertEqual(metric_value("a", 3), 3)

    def test_non_numbers_refused(self):
        with self.assertRaisesRegex(TypeError, "metric 'a' must be a number, got a bool"):
            metric_value("a", True)
        with self.assertRaisesRegex(TypeError, "metric 'b' must be a number, got str"):
            metric_value("b", "x")

    @unittest.skipIf(np is None, "numpy is not installed (apt-get install python3-numpy)")
    def test_numpy_scalars(self):
        self.assertEqual(metric_value("a", np.float32(0.5)), 0.5)
        self.assertEqual(metric_value("a", np.float64("nan")), "nan")


class Addresses(unittest.TestCase):
    def test_parse(self):
        self.assertEqual(sc.parse_address("tcp://127.0.0.1:5555"), ("tcp", ("127.0.0.1", 5555)))
        self.assertEqual(sc.parse_address("tcp://[::1]:80"), ("tcp", ("::1", 80)))
        self.assertEqual(sc.parse_address("ipc:///tmp/x.sock"), ("ipc", "/tmp/x.sock"))

    def test_bad_addresses_named(self):
        for bad, msg in (
            ("udp://x:1", "must start with tcp:// or ipc://"),
            ("tcp://host", "is not tcp://HOST:PORT"),
            ("tcp://host:0", "is not tcp://HOST:PORT"),
            ("tcp://*:5555", "give the monitor's host"),
            ("ipc://", "has no socket path"),
        ):
            with self.assertRaisesRegex(ValueError, msg):
                sc.parse_address(bad)


if __name__ == "__main__":
    unittest.main()
