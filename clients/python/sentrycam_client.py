"""SentryCam producer client: stream a training run's hidden activations to the SentryCam monitor.

One file, standard library only (numpy and torch are used when you hand it their arrays).
It speaks the SentryCam wire protocol v1 (PROTOCOL.md) over the Scalability Protocols PUSH
pattern itself, on ``tcp://host:port`` and ``ipc:///path`` addresses, so no nanomsg/nng binding
is needed; if ``pynng`` is installed, ``transport="pynng"`` uses it instead.

Every call made from the training loop only validates its arguments, takes a zero-copy view of
the array buffers and appends the frame to a bounded queue; a background thread encodes and
sends. When the queue is full the OLDEST frame is dropped and counted. When the monitor is down
the sender reconnects with exponential backoff and re-sends ``hello`` on every new connection.

    from sentrycam_client import Producer
    with Producer("tcp://127.0.0.1:5555", run="resnet-lr0.1") as p:
        p.hello(layer="fc1", dim=256, classes=["cat", "dog"])
        for epoch in range(30):
            ...
            p.batch(epoch, activations, ids, labels=y, preds=y_hat)
            p.epoch_end(epoch, head_weight=W, head_bias=b)
            p.metrics(epoch, {"train_loss": loss, "val_acc": acc})
        p.end()
"""

from __future__ import annotations

import array
import atexit
import collections
import dataclasses
import json
import math
import select
import socket
import struct
import sys
import threading
import time
import weakref
from typing import Any, Mapping, Optional, Sequence

__all__ = [
    "ActivationTap",
    "Producer",
    "ProducerStats",
    "Tensor",
    "encode_frame",
    "frame_bytes",
    "parse_address",
    "to_tensor",
]

__version__ = "0.1.0"

PROTOCOL_VERSION = 1
MAGIC = b"SCAM"
#: magic(4) + version(1) + reserved(3) + header length(4)
PREAMBLE_BYTES = 12
#: Tensors (and the body) start 8-byte aligned so that the monitor can view them without a copy.
ALIGN = 8
#: Bytes per element of each wire dtype.
ITEM_SIZE = {"float16": 2, "float32": 4, "float64": 8, "int32": 4, "int64": 8, "uint8": 1, "uint32": 4}
FLOAT_DTYPES = ("float16", "float32", "float64")
INT_DTYPES = ("int32", "int64", "uint8", "uint32")
ID_DTYPES = ("int32", "int64", "uint32")
#: Protocol limit for run (and, by the monitor's rule, producer/layer) names.
MAX_NAME = 128

# Scalability Protocols: an 8-byte greeting `00 'S' 'P' 00 <u16 BE protocol> 00 00` each way.
SP_PUSH = 0x0050
SP_PULL = 0x0051
#: nanomsg's ipc transport puts a 1-byte message type (1 = normal) before each u64 length.
IPC_MSG_NORMAL = 1


def _sp_greeting(protocol: int) -> bytes:
    return b"\x00SP\x00" + struct.pack(">H", protocol) + b"\x00\x00"


# --------------------------------------------------------------------------------------------
# Tensors
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Tensor:
    """One tensor ready for the wire: C-order little-endian bytes and their description."""

    name: str
    dtype: str
    shape: tuple
    #: A byte view (memoryview of format 'B', or bytes) of exactly nbytes.
    data: Any

    @property
    def nbytes(self) -> int:
        return len(self.data)


# struct format character -> kind; itemsize picks the width.
_FORMAT_KIND = {
    "e": "float", "f": "float", "d": "float",
    "b": "int", "h": "int", "i": "int", "l": "int", "q": "int", "n": "int",
    "B": "uint", "H": "uint", "I": "uint", "L": "uint", "Q": "uint", "N": "uint",
}
_WIRE_DTYPE = {
    ("float", 2): "float16", ("float", 4): "float32", ("float", 8): "float64",
    ("int", 4): "int32", ("int", 8): "int64", ("uint", 1): "uint8", ("uint", 4): "uint32",
}
# array.array typecodes for the wire dtypes (itemsizes checked at import below).
_ARRAY_CODE = {"float32": "f", "float64": "d", "int32": "i", "int64": "q", "uint8": "B", "uint32": "I"}
assert array.array("i").itemsize == 4 and array.array("I").itemsize == 4 and array.array("q").itemsize == 8


def _parse_format(fmt: str, itemsize: int) -> tuple:
    """(kind, byteorder) of a buffer-protocol format string; kind None when not a plain number."""
    order = "native"
    if fmt and fmt[0] in "@=<>!":
        order = {"<": "little", ">": "big", "!": "big"}.get(fmt[0], "native")
        fmt = fmt[1:]
    if order == "native":
        order = sys.byteorder
    kind = _FORMAT_KIND.get(fmt)
    return kind, order, itemsize


def _is_torch_tensor(value: Any) -> bool:
    mod = type(value).__module__ or ""
    return mod.startswith("torch") and hasattr(value, "detach") and hasattr(value, "cpu")


def _is_numpy_array(value: Any) -> bool:
    return type(value).__module__ == "numpy" and hasattr(value, "__array_interface__")


def _torch_to_numpy(value: Any) -> Any:
    t = value.detach().cpu()
    # bfloat16 and friends have no numpy equivalent; float32 keeps the values.
    if t.is_floating_point() and str(t.dtype) not in ("torch.float16", "torch.float32", "torch.float64"):
        t = t.float()
    if str(t.dtype) == "torch.bool":
        t = t.to(dtype=__import__("torch").int32)
    try:
        return t.numpy()
    except Exception as exc:  # torch without numpy support, or a sparse/quantized tensor
        raise TypeError(f"cannot read a {t.dtype} torch tensor as an array ({exc}); pass tensor.numpy() yourself") from exc


def _numpy_target(arr: Any, role: str) -> Optional[str]:
    """The wire dtype a numpy array of this dtype converts to for `role`, or None if it is unusable."""
    k = arr.dtype.kind  # "f" float, "i" signed, "u" unsigned; bool ("b") and others are refused
    if role in ("float", "float32"):
        return "float32" if k in "fiu" else None
    return "int64" if k in "iu" else None


def _accepts(role: str, dtype: Optional[str]) -> bool:
    if dtype is None:
        return False
    if role == "float":
        return dtype in FLOAT_DTYPES
    if role == "float32":
        return dtype == "float32"
    if role == "id":
        return dtype in ID_DTYPES
    return dtype in INT_DTYPES  # "int"


def _flatten_list(value: Sequence, name: str) -> tuple:
    """Nested lists/tuples -> (flat list, shape); rows must have equal lengths."""
    if len(value) > 0 and isinstance(value[0], (list, tuple)):
        width = len(value[0])
        flat: list = []
        for i, row in enumerate(value):
            if not isinstance(row, (list, tuple)) or len(row) != width:
                raise ValueError(f"{name}: row {i} has a different length than row 0 ({width})")
            flat.extend(row)
        return flat, (len(value), width)
    return list(value), (len(value),)


def to_tensor(name: str, value: Any, role: str = "float", copy: bool = False) -> Tensor:
    """Convert an array-like to a wire Tensor.

    Args:
        name: the tensor's name in the frame ("x", "id", "label", "pred", "head_weight", ...).
        value: numpy array, torch tensor, array.array, any buffer-protocol object of numbers,
            or a (nested) list of numbers.
        role: "float" (float16/32/64 kept, integers become float32), "float32" (always float32),
            "id" (int32/int64/uint32 kept, other integers become int64) or "int" (int32/int64/uint8/
            uint32 kept, other integers become int64).
        copy: take a private copy of the bytes. Without it the frame holds a view of your array
            until it is sent, so you must not modify the array in place meanwhile.
    """
    if _is_torch_tensor(value):
        value = _torch_to_numpy(value)
    if _is_numpy_array(value):
        return _numpy_tensor(name, value, role, copy)
    if isinstance(value, (list, tuple)):
        return _list_tensor(name, value, role)
    try:
        mv = memoryview(value)
    except TypeError:
        raise TypeError(
            f"{name}: expected a numpy array, torch tensor, array.array or list of numbers, got {type(value).__name__}"
        ) from None
    return _buffer_tensor(name, mv, role, copy)


def _numpy_tensor(name: str, arr: Any, role: str, copy: bool) -> Tensor:
    import numpy as np  # present: we were handed a numpy array

    kind, order, size = _parse_format(arr.dtype.char, arr.dtype.itemsize)
    dtype = _WIRE_DTYPE.get((kind, size)) if kind else None
    if arr.dtype.kind == "b":
        dtype = None  # bool is not a number on the wire
    if not _accepts(role, dtype):
        target = _numpy_target(arr, role)
        if target is None:
            raise TypeError(f"{name}: dtype {arr.dtype} cannot be sent as {_ROLE_TEXT[role]}")
        arr = arr.astype(np.dtype(target).newbyteorder("<"))
        dtype = target
    elif arr.dtype.byteorder == ">" or (arr.dtype.byteorder == "=" and sys.byteorder == "big"):
        arr = arr.astype(arr.dtype.newbyteorder("<"))
    if not arr.flags.c_contiguous:
        arr = np.ascontiguousarray(arr)
    elif copy:
        arr = arr.copy()
    shape = tuple(int(d) for d in arr.shape)
    data = memoryview(arr).cast("B") if arr.size else b""
    return Tensor(name, dtype, shape, data)


_ROLE_TEXT = {
    "float": "float16/float32/float64",
    "float32": "float32",
    "id": "integer ids (int32/int64/uint32)",
    "int": "integers (int32/int64/uint8/uint32)",
}


def _buffer_tensor(name: str, mv: memoryview, role: str, copy: bool) -> Tensor:
    kind, order, size = _parse_format(mv.format, mv.itemsize)
    dtype = _WIRE_DTYPE.get((kind, size)) if kind else None
    shape = tuple(mv.shape) if mv.ndim else (1,)
    if kind is None:
        raise TypeError(f"{name}: buffer of format {mv.format!r} is not an array of numbers")
    if role == "id" and kind == "float":
        raise TypeError(f"{name}: ids must be integers, got floats")
    if role in ("id", "int") and kind == "float":
        raise TypeError(f"{name}: expected integers, got floats")
    if _accepts(role, dtype) and order == "little":
        if mv.c_contiguous:
            data = mv.cast("B") if mv.nbytes else b""
            if copy:
                data = bytes(data)
        else:
            data = mv.tobytes()  # tobytes() gathers a strided view in C order
        return Tensor(name, dtype, shape, data)
    # Rare path (a dtype the wire lacks, or big-endian data): decode every element with struct.
    if not _accepts(role, dtype) or dtype not in _ARRAY_CODE:  # array.array has no float16
        dtype = "float32" if role in ("float", "float32") else "int64"
    fmt = ("<" if order == "little" else ">") + mv.format.lstrip("@=<>!")
    values = [v for (v,) in struct.iter_unpack(fmt, mv.tobytes())]
    out = array.array(_ARRAY_CODE[dtype], values)
    if sys.byteorder == "big":
        out.byteswap()
    return Tensor(name, dtype, shape, memoryview(out).cast("B") if len(out) else b"")


def _list_tensor(name: str, value: Sequence, role: str) -> Tensor:
    flat, shape = _flatten_list(value, name)
    if role in ("float", "float32"):
        dtype = "float32"
    else:
        for v in flat:
            if isinstance(v, bool) or not isinstance(v, int):
                if isinstance(v, float) and v.is_integer():
                    continue
                raise TypeError(f"{name}: expected integers, found {v!r}")
        flat = [int(v) for v in flat]
        dtype = "int64"
    try:
        out = array.array(_ARRAY_CODE[dtype], flat)
    except (TypeError, OverflowError) as exc:
        raise TypeError(f"{name}: cannot store the list as {dtype} ({exc})") from None
    if sys.byteorder == "big":
        out.byteswap()
    return Tensor(name, dtype, shape, memoryview(out).cast("B") if len(out) else b"")


# --------------------------------------------------------------------------------------------
# Frame encoding
# --------------------------------------------------------------------------------------------

_ZEROS = bytes(ALIGN)


def _round_up(n: int) -> int:
    return (n + ALIGN - 1) // ALIGN * ALIGN


def encode_frame(header: Mapping[str, Any], tensors: Sequence[Tensor] = ()) -> list:
    """Encode one frame as a list of byte pieces (scatter-gather; the tensor bytes are not copied).

    Layout (PROTOCOL.md): ``SCAM``, version 1, 3 zero bytes, u32 LE header length H, H bytes of
    UTF-8 JSON, then the body. The header is ``header`` plus a ``tensors`` list; each tensor starts
    at an 8-byte aligned body offset and is zero-padded to a multiple of 8. The JSON is padded with
    spaces (JSON whitespace) so the body starts 8-byte aligned in the frame.
    """
    specs = []
    offset = 0
    for t in tensors:
        count = 1
        for d in t.shape:
            count *= d
        nbytes = count * ITEM_SIZE[t.dtype]
        if nbytes != len(t.data):
            raise ValueError(f"tensor '{t.name}': shape {list(t.shape)} of {t.dtype} needs {nbytes} bytes, data has {len(t.data)}")
        specs.append({"name": t.name, "dtype": t.dtype, "shape": list(t.shape), "offset": offset, "nbytes": nbytes})
        offset += _round_up(nbytes)
    full = dict(header)
    full["tensors"] = specs
    text = json.dumps(full, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")
    header_len = _round_up(PREAMBLE_BYTES + len(text)) - PREAMBLE_BYTES
    head = MAGIC + bytes((PROTOCOL_VERSION, 0, 0, 0)) + struct.pack("<I", header_len) + text + b" " * (header_len - len(text))
    pieces: list = [head]
    for t in tensors:
        if len(t.data):
            pieces.append(t.data)
        pad = _round_up(len(t.data)) - len(t.data)
        if pad:
            pieces.append(_ZEROS[:pad])
    return pieces


def frame_bytes(header: Mapping[str, Any], tensors: Sequence[Tensor] = ()) -> bytes:
    """The whole frame as one bytes object (for tests, recording, or other transports)."""
    return b"".join(bytes(p) if not isinstance(p, bytes) else p for p in encode_frame(header, tensors))


# --------------------------------------------------------------------------------------------
# Addresses and links (one connection to the monitor)
# --------------------------------------------------------------------------------------------


def parse_address(address: str) -> tuple:
    """``tcp://host:port`` -> ("tcp", (host, port)); ``ipc:///path`` -> ("ipc", "/path")."""
    if not isinstance(address, str):
        raise TypeError(f"address must be a string like 'tcp://127.0.0.1:5555', got {type(address).__name__}")
    if address.startswith("ipc://"):
        path = address[len("ipc://"):]
        if not path:
            raise ValueError(f"address {address!r} has no socket path (expected ipc:///path/to/socket)")
        return "ipc", path
    if address.startswith("tcp://"):
        rest = address[len("tcp://"):]
        if rest.startswith("["):
            host, sep, port = rest[1:].partition("]:")
        else:
            host, sep, port = rest.rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(f"address {address!r} is not tcp://HOST:PORT with a port in 1-65535")
        if host == "*":
            raise ValueError(f"address {address!r}: a producer connects, so give the monitor's host, not '*'")
        return "tcp", (host, int(port))
    raise ValueError(f"address {address!r} must start with tcp:// or ipc://")


class _SpLink:
    """A PUSH connection speaking SP over TCP or IPC with plain sockets."""

    def __init__(self, address: str, connect_timeout: float, io_timeout: float):
        self.kind, self.target = parse_address(address)
        self.address = address
        self.connect_timeout = connect_timeout
        self.io_timeout = io_timeout
        self.sock: Optional[socket.socket] = None

    def connect(self) -> None:
        if self.kind == "tcp":
            sock = socket.create_connection(self.target, timeout=self.connect_timeout)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        else:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(self.connect_timeout)
            try:
                sock.connect(self.target)
            except OSError:
                sock.close()
                raise
        try:
            sock.sendall(_sp_greeting(SP_PUSH))
            peer = b""
            while len(peer) < 8:
                chunk = sock.recv(8 - len(peer))
                if not chunk:
                    raise ConnectionError(f"{self.address} closed the connection during the SP handshake")
                peer += chunk
            if peer[:4] != b"\x00SP\x00" or peer[6:] != b"\x00\x00":
                raise ConnectionError(f"{self.address} is not a Scalability Protocols socket (greeting {peer.hex()})")
            proto = struct.unpack(">H", peer[4:6])[0]
            if proto != SP_PULL:
                raise ConnectionError(f"{self.address} speaks SP protocol 0x{proto:04x}, a PULL socket (0x0051) was expected")
        except BaseException:
            sock.close()
            raise
        sock.settimeout(self.io_timeout)
        self.sock = sock

    def alive(self) -> bool:
        """False once the peer closed or reset: a PULL socket never sends, so readable means EOF."""
        if self.sock is None:
            return False
        try:
            readable, _, _ = select.select([self.sock], [], [], 0)
            if not readable:
                return True
            return bool(self.sock.recv(1, socket.MSG_PEEK))
        except (OSError, ValueError):
            return False

    def send(self, pieces: list, total: int, should_abort) -> int:
        """Write one message; waits in io_timeout slices so that `should_abort()` can interrupt.

        Returns the bytes written, SP framing included."""
        assert self.sock is not None
        prefix = struct.pack(">Q", total)
        if self.kind == "ipc":
            prefix = bytes((IPC_MSG_NORMAL,)) + prefix
        bufs = [memoryview(prefix)] + [memoryview(p) for p in pieces]
        written = len(prefix) + total
        while bufs:
            try:
                n = self.sock.sendmsg(bufs)
            except (socket.timeout, BlockingIOError, InterruptedError):
                if should_abort():
                    raise ConnectionAbortedError("send abandoned at close") from None
                continue
            while n and bufs:
                if n >= len(bufs[0]):
                    n -= len(bufs[0])
                    bufs.pop(0)
                else:
                    bufs[0] = bufs[0][n:]
                    n = 0
            while bufs and len(bufs[0]) == 0:
                bufs.pop(0)
        return written

    def close(self, linger_until: float = 0.0, should_abort: Any = None) -> None:
        """Half-close, then wait (until the monotonic time `linger_until`) for the monitor to close.

        The monitor closes its end only after it has read every message up to our EOF, so this
        wait is what tells us the last frames were delivered. It matters for ipc:// above all:
        nanomsg drops a unix-socket connection on hang-up (EPOLLHUP) without reading what is
        still buffered, so a plain close() right after the last send loses the final frames.
        """
        if self.sock is None:
            return
        sock, self.sock = self.sock, None
        try:
            sock.shutdown(socket.SHUT_WR)
            while True:
                left = linger_until - time.monotonic()
                if left <= 0 or (should_abort is not None and should_abort()):
                    break
                readable, _, _ = select.select([sock], [], [], min(left, 0.05))
                if readable and not sock.recv(4096):
                    break  # EOF: the monitor consumed everything and closed
        except OSError:
            pass
        finally:
            sock.close()


class _PynngLink:
    """A pynng Push0 socket; nng reconnects by itself and tells us through a pipe callback."""

    def __init__(self, address: str, io_timeout: float, reconnect_max: float):
        import pynng  # noqa: F401  (checked by the caller)

        parse_address(address)
        self.address = address
        self.io_timeout = io_timeout
        self.reconnect_max = reconnect_max
        self.sock = None
        self.pipes = 0
        self.reconnected = threading.Event()

    def connect(self) -> None:
        import pynng

        def on_pipe(_pipe: Any) -> None:
            self.pipes += 1
            if self.pipes > 1:
                self.reconnected.set()

        self.sock = pynng.Push0(send_timeout=int(self.io_timeout * 1000), reconnect_time_max=int(self.reconnect_max * 1000))
        self.sock.add_post_pipe_connect_cb(on_pipe)
        self.sock.dial(self.address, block=False)

    def alive(self) -> bool:
        return self.sock is not None

    def send(self, pieces: list, total: int, should_abort) -> int:
        import pynng

        data = b"".join(pieces)
        while True:
            try:
                self.sock.send(data)
                return total
            except pynng.Timeout:
                if should_abort():
                    raise ConnectionAbortedError("send abandoned at close") from None

    def close(self, linger_until: float = 0.0, should_abort: Any = None) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None


def _pynng_available() -> bool:
    try:
        import pynng  # noqa: F401
    except Exception:
        return False
    return True


# --------------------------------------------------------------------------------------------
# Producer
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ProducerStats:
    """A snapshot of a Producer's counters."""

    #: frames written to the connection (hello re-sends included)
    sent: int
    #: frames discarded: dropped as oldest from a full queue, failed mid-send, or unsent at close
    dropped: int
    #: connections established after the first one
    reconnects: int
    #: frames waiting in the queue now
    queued: int
    #: bytes written, SP framing included
    bytes_sent: int
    #: whether a connection is up now
    connected: bool
    #: the last connection or send error, if any
    last_error: Optional[str]


@dataclasses.dataclass
class _Item:
    index: int
    header: dict
    tensors: tuple
    nbytes: int


def _check_name(value: Any, what: str) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and what == "producer":
        value = str(value)
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a string, got {type(value).__name__}")
    if not 1 <= len(value) <= MAX_NAME:
        raise ValueError(f"{what} must have 1-{MAX_NAME} characters, has {len(value)}")
    if any(ord(c) < 32 or 127 <= ord(c) < 160 for c in value):
        raise ValueError(f"{what} {value!r} has control characters")
    return value


def _check_int(value: Any, what: str, minimum: int = 0) -> int:
    if isinstance(value, bool):
        raise TypeError(f"{what} must be an integer, got a bool")
    try:
        v = value.__index__()
    except (AttributeError, TypeError):
        raise TypeError(f"{what} must be an integer, got {type(value).__name__}") from None
    if v < minimum:
        raise ValueError(f"{what} must be >= {minimum}, got {v}")
    return int(v)


def _metric_value(key: str, value: Any) -> Any:
    """A JSON-safe metric: finite numbers pass, NaN/Inf become "nan"/"inf"/"-inf" (the monitor flags them)."""
    if isinstance(value, bool):
        raise TypeError(f"metric '{key}' must be a number, got a bool")
    if isinstance(value, int):
        return value
    try:
        f = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"metric '{key}' must be a number, got {type(value).__name__}") from None
    if math.isnan(f):
        return "nan"
    if math.isinf(f):
        return "inf" if f > 0 else "-inf"
    return f


_live_producers: "weakref.WeakSet[Producer]" = weakref.WeakSet()


@atexit.register
def _flush_at_exit() -> None:
    for p in list(_live_producers):
        try:
            p.close(timeout=p.exit_timeout)
        except Exception:
            pass


class Producer:
    """Streams one training run's frames to a SentryCam monitor without ever blocking the caller.

    Args:
        address: the monitor's PULL address, ``tcp://host:port`` or ``ipc:///path``.
        run: the run's name, 1-128 printable characters (required).
        producer: this producer's name within the run (e.g. the data-parallel rank); default "0".
        queue_size: frames that may wait to be sent; when full the oldest is dropped and counted.
        queue_bytes: the same bound in bytes (tensor bytes held by waiting frames); a single frame
            larger than this is still accepted when the queue is otherwise empty.
        transport: "sp" (built-in, default), "pynng" (requires pynng), or "auto" (pynng when it
            imports, else built-in).
        copy: copy array bytes at call time. By default frames hold zero-copy views of your
            arrays until sent: do not modify them in place after the call (or pass copy=True).
        reconnect_min, reconnect_max: exponential backoff between connection attempts, seconds.
        connect_timeout: seconds allowed for the TCP connect and the SP handshake.
        exit_timeout: seconds the interpreter-exit hook waits to flush frames of an unclosed
            producer.
    """

    def __init__(
        self,
        address: str = "tcp://127.0.0.1:5555",
        run: Optional[str] = None,
        producer: Any = "0",
        queue_size: int = 64,
        queue_bytes: int = 256 * 1024 * 1024,
        transport: str = "sp",
        copy: bool = False,
        reconnect_min: float = 0.05,
        reconnect_max: float = 2.0,
        connect_timeout: float = 2.0,
        exit_timeout: float = 5.0,
    ):
        self.address = address
        parse_address(address)
        if run is None:
            raise TypeError("run is required: Producer(address, run='my-run'), the name the monitor shows")
        self.run = _check_name(run, "run")
        self.producer = _check_name(producer, "producer")
        self.queue_size = _check_int(queue_size, "queue_size", 1)
        self.queue_bytes = _check_int(queue_bytes, "queue_bytes", 0)
        if transport not in ("sp", "pynng", "auto"):
            raise ValueError(f"transport must be 'sp', 'pynng' or 'auto', got {transport!r}")
        if transport == "auto":
            transport = "pynng" if _pynng_available() else "sp"
        if transport == "pynng" and not _pynng_available():
            raise ImportError("transport='pynng' needs the pynng package; use transport='sp' (built-in)")
        self.transport = transport
        self.copy = bool(copy)
        if not 0 < reconnect_min <= reconnect_max:
            raise ValueError(f"need 0 < reconnect_min <= reconnect_max, got {reconnect_min}, {reconnect_max}")
        self.reconnect_min = float(reconnect_min)
        self.reconnect_max = float(reconnect_max)
        self.exit_timeout = float(exit_timeout)
        # 0.25 s slices: short enough for close() to interrupt a send to a stalled monitor.
        self._io_timeout = 0.25
        self._connect_timeout = float(connect_timeout)

        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._queue: collections.deque = collections.deque()
        self._queued_bytes = 0
        self._next_index = 0
        self._hello: Optional[dict] = None
        self._dim: Optional[int] = None
        self._closing = False
        self._close_deadline = 0.0
        self._closed = False
        self._abort = False
        self._busy = False  # the sender holds a frame it took from the queue
        self._sent = 0
        self._dropped = 0
        self._connects = 0
        self._bytes_sent = 0
        self._connected = False
        self._last_error: Optional[str] = None
        self._thread = threading.Thread(target=self._run_sender, name=f"sentrycam-sender-{self.run}", daemon=True)
        self._thread.start()
        _live_producers.add(self)

    # ---- public API (training thread) -----------------------------------------------------

    def hello(self, layer: str, dim: int, classes: Optional[Sequence[str]] = None, model: Optional[str] = None) -> None:
        """Announce the run: which layer is streamed, its width D, class names (index = label), model.

        Call once, before any other frame. It is re-sent automatically after every reconnect.
        """
        layer = _check_name(layer, "layer")
        dim = _check_int(dim, "dim", 1)
        header: dict = {"type": "hello", "layer": layer, "dim": dim}
        if classes is not None:
            names = [str(c) for c in classes]
            header["classes"] = names
        if model is not None:
            if not isinstance(model, str):
                raise TypeError(f"model must be a string, got {type(model).__name__}")
            header["model"] = model
        with self._lock:
            self._check_open()
            if self._hello is not None:
                raise RuntimeError("hello() was already called for this Producer; create another Producer for another layer")
            self._hello = header
            self._dim = dim
            self._wake.notify_all()

    def batch(
        self,
        epoch: int,
        x: Any,
        ids: Any,
        labels: Any = None,
        preds: Any = None,
        split: str = "train",
        copy: Optional[bool] = None,
    ) -> None:
        """Queue one chunk of an epoch's activations.

        Args:
            epoch: epoch number, integer >= 0.
            x: [n, D] activations (float16/32/64; integers become float32). A flat 1-D buffer is
                read as rows of D (from hello).
            ids: [n] sample ids, stable across epochs (int32/int64/uint32).
            labels, preds: optional [n] class indices.
            split: "train" or "test".
            copy: override the Producer's copy setting for this call.
        """
        epoch = _check_int(epoch, "epoch")
        if split not in ("train", "test"):
            raise ValueError(f"split must be 'train' or 'test', got {split!r}")
        dim = self._require_hello("batch")
        cp = self.copy if copy is None else bool(copy)
        xt = to_tensor("x", x, "float", cp)
        if len(xt.shape) == 1 and xt.shape[0] % dim == 0:
            xt = Tensor("x", xt.dtype, (xt.shape[0] // dim, dim), xt.data)
        if len(xt.shape) != 2:
            raise ValueError(f"x must have shape [n, D], got {list(xt.shape)}")
        n, d = xt.shape
        if d != dim:
            raise ValueError(f"x has {d} columns but hello() announced dim={dim}")
        tensors = [xt, self._rows("id", ids, "id", n, cp)]
        if labels is not None:
            tensors.append(self._rows("label", labels, "int", n, cp))
        if preds is not None:
            tensors.append(self._rows("pred", preds, "int", n, cp))
        self._enqueue({"type": "batch", "epoch": epoch, "split": split}, tensors)

    def epoch_end(self, epoch: int, head_weight: Any = None, head_bias: Any = None) -> None:
        """Mark the epoch complete; optionally send the classifier head (weight [C, D], bias [C]).

        A torch nn.Linear's ``.weight`` / ``.bias`` can be passed directly (they are copied).
        """
        epoch = _check_int(epoch, "epoch")
        dim = self._require_hello("epoch_end")
        tensors = []
        if (head_weight is None) != (head_bias is None):
            raise ValueError("head_weight and head_bias must be given together")
        if head_weight is not None:
            w = to_tensor("head_weight", head_weight, "float32", copy=True)
            b = to_tensor("head_bias", head_bias, "float32", copy=True)
            if len(w.shape) != 2 or w.shape[1] != dim:
                raise ValueError(f"head_weight must have shape [C, {dim}] (D from hello), got {list(w.shape)}")
            if len(b.shape) != 1 or b.shape[0] != w.shape[0]:
                raise ValueError(f"head_bias must have shape [{w.shape[0]}], got {list(b.shape)}")
            tensors = [w, b]
        self._enqueue({"type": "epoch_end", "epoch": epoch}, tensors)

    def metrics(self, epoch: int, values: Mapping[str, Any], step: Optional[int] = None) -> None:
        """Send scalar metrics, e.g. {"train_loss": 0.7, "val_acc": 0.71}.

        NaN and infinite values are sent as the strings "nan", "inf", "-inf" (JSON has no NaN);
        the monitor rejects such a frame as non_finite and raises a NaN alert.
        """
        epoch = _check_int(epoch, "epoch")
        self._require_hello("metrics")
        if not isinstance(values, Mapping):
            raise TypeError(f"values must be a dict of metric name -> number, got {type(values).__name__}")
        clean = {}
        for key, value in values.items():
            key = _check_name(key, "metric name")
            clean[key] = _metric_value(key, value)
        header: dict = {"type": "metrics", "epoch": epoch}
        if step is not None:
            header["step"] = _check_int(step, "step")
        header["values"] = clean
        self._enqueue(header, [])

    def end(self) -> None:
        """Tell the monitor the run finished normally."""
        self._require_hello("end")
        self._enqueue({"type": "end"}, [])

    def flush(self, timeout: Optional[float] = None) -> bool:
        """Wait until every queued frame was written (or dropped). True when the queue drained."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._lock:
            while self._queue or self._busy:
                if self._closed:
                    return not self._queue
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                self._wake.wait(0.05 if remaining is None else min(0.05, remaining))
            return True

    def close(self, timeout: float = 5.0) -> bool:
        """Send what is queued (waiting at most `timeout` seconds), then stop and disconnect.

        Frames still queued after the timeout are dropped and counted. Returns True when
        everything queued was written. Calling close() again does nothing.
        """
        with self._lock:
            if self._closed:
                return not self._queue
            self._close_deadline = time.monotonic() + max(0.0, timeout)
            self._closing = True
            self._wake.notify_all()
        self._thread.join(max(0.0, timeout))
        with self._lock:
            self._abort = True
            self._wake.notify_all()
        self._thread.join()
        with self._lock:
            drained = not self._queue
            self._dropped += len(self._queue)
            self._queue.clear()
            self._queued_bytes = 0
            self._closed = True
        _live_producers.discard(self)
        return drained

    @property
    def stats(self) -> ProducerStats:
        with self._lock:
            return ProducerStats(
                sent=self._sent,
                dropped=self._dropped,
                reconnects=max(0, self._connects - 1),
                queued=len(self._queue),
                bytes_sent=self._bytes_sent,
                connected=self._connected,
                last_error=self._last_error,
            )

    def __enter__(self) -> "Producer":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close(self.exit_timeout)

    # ---- internals (training thread) ----------------------------------------------------------

    def _check_open(self) -> None:
        if self._closing or self._closed:
            raise RuntimeError("this Producer is closed")

    def _require_hello(self, what: str) -> int:
        if self._hello is None:
            raise RuntimeError(f"call hello(layer, dim) before {what}()")
        assert self._dim is not None
        return self._dim

    def _rows(self, name: str, value: Any, role: str, n: int, copy: bool) -> Tensor:
        t = to_tensor(name, value, role, copy)
        if len(t.shape) != 1 or t.shape[0] != n:
            raise ValueError(f"{name} must have shape [{n}] (one per row of x), got {list(t.shape)}")
        return t

    def _enqueue(self, header: dict, tensors: Sequence[Tensor]) -> None:
        nbytes = sum(len(t.data) for t in tensors)
        with self._lock:
            self._check_open()
            item = _Item(self._next_index, header, tuple(tensors), nbytes)
            self._next_index += 1
            self._queue.append(item)
            self._queued_bytes += nbytes
            # Drop the oldest, never the frame just added: the newest data is the most useful.
            while len(self._queue) > 1 and (len(self._queue) > self.queue_size or self._queued_bytes > self.queue_bytes):
                old = self._queue.popleft()
                self._queued_bytes -= old.nbytes
                self._dropped += 1
            self._wake.notify_all()

    # ---- sender thread ----------------------------------------------------------------------

    def _should_abort(self) -> bool:
        return self._abort

    def _make_link(self) -> Any:
        if self.transport == "pynng":
            return _PynngLink(self.address, self._io_timeout, self.reconnect_max)
        return _SpLink(self.address, self._connect_timeout, self._io_timeout)

    def _wait_for_work(self, link: Any) -> bool:
        """Block until there is something to do. False when the sender should exit."""
        with self._lock:
            while True:
                if self._abort or (self._closing and not self._queue):
                    return False
                if self._hello is not None:
                    if link is None or self._queue:
                        return True  # connect eagerly once hello is known; or send a frame
                    if isinstance(link, _PynngLink) and link.reconnected.is_set():
                        return True
                self._wake.wait(0.5)
                if link is not None and not link.alive():
                    return True  # the monitor went away while we were idle: reconnect, re-hello

    def _run_sender(self) -> None:
        link: Any = None
        backoff = self.reconnect_min
        hellos_sent = 0  # seq on the wire = frame index + hellos sent before it: gaps = frames lost
        while self._wait_for_work(link):
            need_hello = False
            if link is not None and not link.alive():
                link.close()
                link = None
                with self._lock:
                    self._connected = False
            if link is None:
                candidate = self._make_link()
                try:
                    candidate.connect()
                except Exception as exc:  # refused, timed out, not a PULL socket: back off, retry
                    candidate.close()
                    with self._lock:
                        self._last_error = f"connect {self.address}: {exc}"
                        if not self._abort:
                            self._wake.wait(backoff)
                    backoff = min(backoff * 2, self.reconnect_max)
                    continue
                link = candidate
                backoff = self.reconnect_min
                need_hello = True
                with self._lock:
                    self._connects += 1
                    self._connected = True
            if isinstance(link, _PynngLink) and link.reconnected.is_set():
                link.reconnected.clear()
                need_hello = True
                with self._lock:
                    self._connects += 1
            if need_hello:
                # Every new connection starts with hello, numbered just before the next frame.
                with self._lock:
                    next_index = self._queue[0].index if self._queue else self._next_index
                    item = _Item(next_index, self._hello, (), 0)
                    self._busy = True
                ok = self._send(link, item, hellos_sent)
                if ok:
                    hellos_sent += 1
            else:
                with self._lock:
                    if not self._queue:
                        continue
                    item = self._queue.popleft()
                    self._queued_bytes -= item.nbytes
                    self._busy = True
                ok = self._send(link, item, hellos_sent)
                if not ok:
                    with self._lock:
                        self._dropped += 1  # the connection broke under it: the monitor sees a seq gap
            with self._lock:
                self._busy = False
                self._wake.notify_all()
            if not ok:
                link.close()
                link = None
                with self._lock:
                    self._connected = False
        if link is not None:
            # Orderly end: wait (within close()'s timeout) until the monitor has read everything.
            link.close(self._close_deadline, self._should_abort)
        with self._lock:
            self._connected = False
            self._wake.notify_all()

    def _send(self, link: Any, item: _Item, hellos_sent: int) -> bool:
        header = {"type": item.header["type"], "run": self.run, "producer": self.producer, "seq": item.index + hellos_sent}
        header.update((k, v) for k, v in item.header.items() if k != "type")
        try:
            pieces = encode_frame(header, item.tensors)
            written = link.send(pieces, sum(len(p) for p in pieces), self._should_abort)
        except Exception as exc:
            with self._lock:
                self._last_error = f"send to {self.address}: {exc}"
            return False
        with self._lock:
            self._sent += 1
            self._bytes_sent += written
        return True


# --------------------------------------------------------------------------------------------
# PyTorch helper
# --------------------------------------------------------------------------------------------


class ActivationTap:
    """Streams a fixed sample subset's activations at one layer of a PyTorch model, once per epoch.

    Usage::

        tap = ActivationTap(producer, model, layer=model.fc1, head=model.fc2,
                            samples=(x_fixed, y_fixed, ids_fixed), classes=names)
        for epoch in range(epochs):
            train_one_epoch(...)
            tap.after_epoch(epoch, metrics={"train_loss": loss, "val_acc": acc})
        producer.end()

    `after_epoch` runs the subset through the model in eval mode under no_grad with a forward
    hook on `layer` (the hook exists only during that call), then sends batch frames (activations
    flattened to [n, D], ids, labels, predictions = argmax of the model output), epoch_end with
    the head's weight and bias, and the metrics. The model's train/eval mode is restored.

    Args:
        producer: a Producer (hello is sent by the tap on its first epoch).
        model: the torch.nn.Module to run.
        layer: the submodule whose output is streamed (e.g. the penultimate block).
        head: optional nn.Linear classifier head applied to `layer`'s output (in_features = D).
        samples: (x, y) or (x, y, ids) tensors/arrays of the fixed subset; ids default to 0..n-1.
        test_samples: optional second subset, sent with split="test".
        classes: optional class names for hello.
        batch_size: rows per forward pass and per batch frame.
        predict: maps the model output to class indices; default argmax over dim 1.
        layer_name: name sent in hello; default the module's qualified name in `model`.
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
    ):
        import torch  # noqa: F401  (fail early with a clear ImportError)

        if samples is None:
            raise ValueError("samples=(x, y) or (x, y, ids) is required: the fixed subset to stream each epoch")
        self.producer = producer
        self.model = model
        self.layer = layer
        self.head = head
        self.classes = list(classes) if classes is not None else None
        self.batch_size = _check_int(batch_size, "batch_size", 1)
        self.predict = predict
        self.layer_name = layer_name or self._qualified_name(model, layer)
        self.splits = [("train", self._prepare(samples, "samples"))]
        if test_samples is not None:
            self.splits.append(("test", self._prepare(test_samples, "test_samples")))
        self._said_hello = False

    @staticmethod
    def _qualified_name(model: Any, layer: Any) -> str:
        for name, module in model.named_modules():
            if module is layer:
                return name or type(layer).__name__
        raise ValueError("layer is not a submodule of model")

    @staticmethod
    def _prepare(samples: Any, what: str) -> tuple:
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

    def _predict(self, out: Any) -> Any:
        if self.predict is not None:
            return self.predict(out)
        if hasattr(out, "dim") and out.dim() == 2:  # logits [n, C]; other outputs: pass predict=
            return out.argmax(dim=1)
        return None

    def after_epoch(self, epoch: int, metrics: Optional[Mapping[str, Any]] = None, step: Optional[int] = None) -> None:
        """Stream the subset's activations for `epoch`, the head, then `metrics` (if given)."""
        import torch

        captured: list = []

        def hook(_module: Any, _inputs: Any, output: Any) -> None:
            if isinstance(output, (tuple, list)):
                output = output[0]
            # A copy: a later in-place op (e.g. ReLU(inplace=True)) must not change what we send.
            captured.append(output.detach().to("cpu", copy=True))

        handle = self.layer.register_forward_hook(hook)
        was_training = self.model.training
        device, dtype = self._device()
        frames = []
        try:
            self.model.eval()
            with torch.no_grad():
                for split, (x, y, ids) in self.splits:
                    for start in range(0, len(x), self.batch_size):
                        xb = x[start:start + self.batch_size]
                        captured.clear()
                        if device is not None:
                            xb = xb.to(device=device, dtype=dtype if xb.is_floating_point() else None)
                        out = self.model(xb)
                        if not captured:
                            raise RuntimeError(f"layer {self.layer_name!r} did not run in the model's forward pass")
                        act = captured[-1].reshape(len(xb), -1)
                        pred = self._predict(out)
                        frames.append((split, act, ids[start:start + self.batch_size], y[start:start + self.batch_size],
                                       None if pred is None else pred.detach().cpu().long().reshape(-1)))
        finally:
            handle.remove()
            self.model.train(was_training)
        if not self._said_hello:
            dim = frames[0][1].shape[1]
            self.producer.hello(layer=self.layer_name, dim=dim, classes=self.classes, model=type(self.model).__name__)
            self._said_hello = True
        for split, act, ids, y, pred in frames:
            self.producer.batch(epoch, act, ids, labels=y, preds=pred, split=split)
        if self.head is not None:
            self.producer.epoch_end(epoch, head_weight=self.head.weight, head_bias=self.head.bias)
        else:
            self.producer.epoch_end(epoch)
        if metrics:
            self.producer.metrics(epoch, metrics, step=step)

    def _device(self) -> tuple:
        """Device and dtype of the model's first parameter: inputs are moved/cast to match."""
        for p in self.model.parameters():
            return p.device, p.dtype
        return None, None
