"""Producer: the calls a training loop makes (hello, batch, epoch_end, metrics, end), never blocking it.

Each call checks its arguments, takes zero-copy views of the arrays and appends one frame to a
bounded queue (send_queue.py); a daemon thread (sender.py) encodes and sends. Under data-parallel
training a producer is named after its rank unless told otherwise; with SENTRYCAM_DISABLED=1 every
call returns at once and nothing is started.
"""

from __future__ import annotations

import atexit
import dataclasses
import threading
import time
import weakref
from typing import Any, Mapping, Optional, Sequence

from .address import parse_address
from .checks import check_int, check_name, metric_value
from .distributed import rank_and_world
from .env import address_from_env, disabled_from_env
from .send_queue import SendQueue
from .sender import Sender
from .sp_link import SpLink
from .tensors import Tensor, to_tensor

__all__ = ["Producer", "ProducerStats"]


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


_IDLE_STATS = ProducerStats(sent=0, dropped=0, reconnects=0, queued=0, bytes_sent=0, connected=False, last_error=None)

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
        address: the monitor's PULL address, ``tcp://host:port`` or ``ipc:///path``; default
            ``$SENTRYCAM_ADDRESS``, else ``tcp://127.0.0.1:5555``.
        run: the run's name, 1-128 printable characters (required).
        producer: this producer's name within the run; default the data-parallel rank
            (torch.distributed, else $RANK), "0" outside data-parallel training.
        queue_size: frames that may wait to be sent; when full the oldest is dropped and counted.
        queue_bytes: the same bound in bytes (tensor bytes held by waiting frames); a single frame
            larger than this is still accepted when the queue is otherwise empty.
        transport: "sp", the built-in Scalability Protocols code ("auto" is the same).
        copy: copy array bytes at call time. By default frames hold zero-copy views of your
            arrays until sent: do not modify them in place after the call (or pass copy=True).
        reconnect_min, reconnect_max: exponential backoff between connection attempts, seconds.
        connect_timeout: seconds allowed for the TCP connect and the SP handshake.
        exit_timeout: seconds the interpreter-exit hook waits to flush frames of an unclosed
            producer.
        disabled: make every call a no-op; default ``$SENTRYCAM_DISABLED``.
    """

    def __init__(
        self,
        address: Optional[str] = None,
        run: Optional[str] = None,
        producer: Any = None,
        queue_size: int = 64,
        queue_bytes: int = 256 * 1024 * 1024,
        transport: str = "sp",
        copy: bool = False,
        reconnect_min: float = 0.05,
        reconnect_max: float = 2.0,
        connect_timeout: float = 2.0,
        exit_timeout: float = 5.0,
        disabled: Optional[bool] = None,
    ):
        self.address = address_from_env() if address is None else address
        parse_address(self.address)
        if run is None:
            raise TypeError("run is required: Producer(address, run='my-run'), the name the monitor shows")
        self.run = check_name(run, "run")
        self._named = producer is not None
        self.producer = check_name(producer, "producer") if self._named else str(rank_and_world()[0])
        self.queue_size = check_int(queue_size, "queue_size", 1)
        self.queue_bytes = check_int(queue_bytes, "queue_bytes", 0)
        if transport == "pynng":
            raise ValueError("transport='pynng' was removed (it could not be tested); the built-in 'sp' transport speaks the same protocol")
        if transport not in ("sp", "auto"):
            raise ValueError(f"transport must be 'sp' or 'auto', got {transport!r}")
        self.transport = "sp"
        self.copy = bool(copy)
        if not 0 < reconnect_min <= reconnect_max:
            raise ValueError(f"need 0 < reconnect_min <= reconnect_max, got {reconnect_min}, {reconnect_max}")
        self.reconnect_min = float(reconnect_min)
        self.reconnect_max = float(reconnect_max)
        self.exit_timeout = float(exit_timeout)
        # 0.25 s slices: short enough for close() to interrupt a send to a stalled monitor.
        self._io_timeout = 0.25
        self.connect_timeout = float(connect_timeout)
        self.disabled = disabled_from_env() if disabled is None else bool(disabled)
        self._dim: Optional[int] = None
        #: D per layer that said hello (the first layer first)
        self._layers: dict = {}
        self._q = SendQueue(self.queue_size, self.queue_bytes)
        self._thread: Optional[threading.Thread] = None
        if not self.disabled:
            self._start()

    # ---- public API (training thread) -----------------------------------------------------

    def hello(self, layer: str, dim: int, classes: Optional[Sequence[str]] = None, model: Optional[str] = None) -> None:
        """Announce the run: which layer is streamed, its width D, class names (index = label), model.

        Call once, before any other frame. It is re-sent automatically after every reconnect and
        before the first frame of every later epoch, so that a monitor restarted mid-run (or one
        that missed it) takes part in the run from the next epoch on.
        To stream several layers of one model (protocol 1.1), call it once per layer, the first
        layer first, and name the layer in ``batch`` and ``epoch_end`` (``layer=``).
        """
        if self.disabled:
            return
        layer = check_name(layer, "layer")
        dim = check_int(dim, "dim", 1)
        header: dict = {"type": "hello", "layer": layer, "dim": dim}
        if classes is not None:
            header["classes"] = [str(c) for c in classes]
        if model is not None:
            if not isinstance(model, str):
                raise TypeError(f"model must be a string, got {type(model).__name__}")
            header["model"] = model
        q = self._q
        further = False
        with q.lock:
            self._check_open()
            if q.hello is None:
                if not self._named:
                    # A process group initialised after the Producer was made: take the rank it gives.
                    self.producer = str(rank_and_world()[0])
                q.hello = header
                q.hello_due = True
                self._dim = dim
            elif layer in self._layers:
                raise RuntimeError(f"hello() was already called for layer {layer!r}")
            else:
                # A further layer: said after the first on every new connection, and now, in order
                # with the frames, unless the connection's hellos (which include it) are still due.
                q.extra_hellos.append(header)
                further = not q.hello_due
            q.hello_fresh = True
            self._layers[layer] = dim
            q.wake.notify_all()
        if further:
            q.put(header, [])

    def batch(
        self,
        epoch: int,
        x: Any,
        ids: Any,
        labels: Any = None,
        preds: Any = None,
        split: str = "train",
        copy: Optional[bool] = None,
        tasks: Any = None,
        layer: Optional[str] = None,
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
            tasks: optional [n] task index of each sample, integers >= 0 (continual learning;
                protocol 1.1: a 1.0 monitor ignores it).
            layer: which layer (protocol 1.1; one that said hello); default the first layer.
        """
        if self.disabled:
            return
        epoch = check_int(epoch, "epoch")
        if split not in ("train", "test"):
            raise ValueError(f"split must be 'train' or 'test', got {split!r}")
        dim = self._layer_dim("batch", layer)
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
        if tasks is not None:
            tensors.append(self._rows("task", tasks, "int", n, cp))
        self._put(epoch, {"type": "batch", "epoch": epoch, "split": split, **self._layer_field(layer)}, tensors)

    def epoch_end(self, epoch: int, head_weight: Any = None, head_bias: Any = None, layer: Optional[str] = None) -> None:
        """Mark the epoch complete; optionally send the classifier head (weight [C, D], bias [C]).

        A torch nn.Linear's ``.weight`` / ``.bias`` can be passed directly (they are copied).
        """
        if self.disabled:
            return
        epoch = check_int(epoch, "epoch")
        dim = self._layer_dim("epoch_end", layer)
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
        self._put(epoch, {"type": "epoch_end", "epoch": epoch, **self._layer_field(layer)}, tensors)

    def metrics(self, epoch: int, values: Mapping[str, Any], step: Optional[int] = None, task: Optional[int] = None) -> None:
        """Send scalar metrics, e.g. {"train_loss": 0.7, "val_acc": 0.71}.

        ``task``: the task being trained (continual learning; protocol 1.1), an integer >= 0.

        NaN and infinite values are sent as the strings "nan", "inf", "-inf" (JSON has no NaN);
        the monitor rejects such a frame as non_finite and raises a NaN alert.
        """
        if self.disabled:
            return
        epoch = check_int(epoch, "epoch")
        self._require_hello("metrics")
        if not isinstance(values, Mapping):
            raise TypeError(f"values must be a dict of metric name -> number, got {type(values).__name__}")
        clean = {}
        for key, value in values.items():
            key = check_name(key, "metric name")
            clean[key] = metric_value(key, value)
        header: dict = {"type": "metrics", "epoch": epoch}
        if step is not None:
            header["step"] = check_int(step, "step")
        if task is not None:
            header["task"] = check_int(task, "task")
        header["values"] = clean
        self._put(epoch, header, [])

    def end(self) -> None:
        """Tell the monitor the run finished normally."""
        if self.disabled:
            return
        self._require_hello("end")
        self._q.put({"type": "end"}, [])

    def flush(self, timeout: Optional[float] = None) -> bool:
        """Wait until every queued frame, and hello on the current connection, was written (or
        dropped). True when nothing is left to write."""
        if self.disabled:
            return True
        return self._q.wait_settled(timeout)

    def close(self, timeout: float = 5.0) -> bool:
        """Send what is queued (waiting at most `timeout` seconds), then stop and disconnect.

        Frames still queued after the timeout are dropped and counted. Returns True when
        everything queued was written. Calling close() again does nothing.
        """
        q = self._q
        if self._thread is None:
            return True
        with q.lock:
            if q.closed:
                return not q.items
            q.close_deadline = time.monotonic() + max(0.0, timeout)
            q.closing = True
            q.wake.notify_all()
        self._thread.join(max(0.0, timeout))
        with q.lock:
            q.abort = True
            q.wake.notify_all()
        self._thread.join()
        with q.lock:
            drained = q.drop_all()
            q.closed = True
        _live_producers.discard(self)
        return drained

    def disable(self) -> None:
        """Turn this producer into a no-op from now on (before hello() only: the monitor then never
        hears of it). ActivationTap(distributed="rank0") does this on ranks other than 0, so the
        same script's ``producer.end()`` runs on every rank."""
        if self.disabled:
            return
        with self._q.lock:
            if self._q.hello is not None:
                raise RuntimeError("disable() after hello(): the monitor already counts this producer; call end() instead")
        self.close(timeout=0)
        self.disabled = True

    @property
    def stats(self) -> ProducerStats:
        q = self._q
        with q.lock:
            return ProducerStats(
                sent=q.sent,
                dropped=q.dropped,
                reconnects=max(0, q.connects - 1),
                queued=len(q.items),
                bytes_sent=q.bytes_sent,
                connected=q.connected,
                last_error=q.last_error,
            ) if self._thread is not None else _IDLE_STATS

    def __enter__(self) -> "Producer":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close(self.exit_timeout)

    # ---- internals (training thread) ----------------------------------------------------------

    def _start(self) -> None:
        sender = Sender(
            self._q,
            make_link=lambda: SpLink(self.address, self.connect_timeout, self._io_timeout),
            identity=lambda: {"run": self.run, "producer": self.producer},
            address=self.address,
            reconnect_min=self.reconnect_min,
            reconnect_max=self.reconnect_max,
        )
        self._thread = threading.Thread(target=sender.run, name=f"sentrycam-sender-{self.run}", daemon=True)
        self._thread.start()
        _live_producers.add(self)

    def _put(self, epoch: int, header: dict, tensors: Sequence[Any]) -> None:
        """Queue a frame of `epoch`, preceded by the hellos again when it is the first frame of a later epoch
        and no hello went out since the latest epoch began (the monitor takes a repeated hello as a no-op)."""
        q = self._q
        with q.lock:
            later = epoch > q.epoch
            rehello = later and not q.hello_fresh and q.hello is not None
            if later:
                q.epoch = epoch
                q.hello_fresh = False
            hellos = [q.hello, *q.extra_hellos]
        if rehello:
            # Every layer's hello, the first layer's first (as on a new connection).
            for h in hellos:
                q.put(h, [])
        q.put(header, tensors)

    def _check_open(self) -> None:
        if self._q.closing or self._q.closed:
            raise RuntimeError("this Producer is closed")

    def _require_hello(self, what: str) -> int:
        if self._dim is None:
            raise RuntimeError(f"call hello(layer, dim) before {what}()")
        return self._dim

    def _layer_dim(self, what: str, layer: Optional[str]) -> int:
        first = self._require_hello(what)
        if layer is None:
            return first
        if layer not in self._layers:
            raise ValueError(f"{what}: layer {layer!r} has had no hello() (say hello once per layer)")
        return self._layers[layer]

    def _layer_field(self, layer: Optional[str]) -> dict:
        return {} if layer is None else {"layer": layer}

    def _rows(self, name: str, value: Any, role: str, n: int, copy: bool) -> Tensor:
        t = to_tensor(name, value, role, copy)
        if len(t.shape) != 1 or t.shape[0] != n:
            raise ValueError(f"{name} must have shape [{n}] (one per row of x), got {list(t.shape)}")
        return t

