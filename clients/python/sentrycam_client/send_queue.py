"""The bounded queue between the training thread and the sender thread, and the counters they share.

Calls from the training loop append here under a lock held for microseconds; the sender thread
takes frames out. When the queue is over its frame or byte bound the OLDEST frame is dropped (the
newest data is the most useful) and counted; the seq gap it leaves tells the monitor.
"""

from __future__ import annotations

import collections
import dataclasses
import threading
import time
from typing import Optional, Sequence

from .tensors import Tensor

__all__ = ["Item", "SendQueue"]


@dataclasses.dataclass
class Item:
    """One frame waiting to be sent: its call-order index (seq before hello re-sends) and content."""

    index: int
    header: dict
    tensors: tuple
    nbytes: int


class SendQueue:
    """Shared state of one producer. Every field is read and written under `lock`."""

    def __init__(self, max_frames: int, max_bytes: int):
        self.max_frames = max_frames
        self.max_bytes = max_bytes
        self.lock = threading.Lock()
        #: notified on every change a waiter may care about (new frame, frame sent, closing)
        self.wake = threading.Condition(self.lock)
        self.items: collections.deque = collections.deque()
        self.bytes = 0
        self.next_index = 0
        #: the hello header, once given; re-sent first on every new connection
        self.hello: Optional[dict] = None
        #: hellos of the run's further layers (protocol 1.1), re-sent after the first on every new connection
        self.extra_hellos: list = []
        #: hello was given but not yet written on the current connection
        self.hello_due = False
        #: hello() was called since the latest epoch began: the next epoch need not repeat it (the
        #: hello of a new connection does not count, so every epoch's hello is predictable)
        self.hello_fresh = False
        #: the highest epoch a frame was queued for (-1: none yet)
        self.epoch = -1
        self.closing = False
        self.close_deadline = 0.0
        self.closed = False
        self.abort = False
        #: the sender holds a frame it took from the queue
        self.busy = False
        self.sent = 0
        self.dropped = 0
        self.connects = 0
        self.bytes_sent = 0
        self.connected = False
        self.last_error: Optional[str] = None

    def put(self, header: dict, tensors: Sequence[Tensor]) -> None:
        """Append a frame; drop the oldest ones (never this one) while over a bound. Caller holds no lock."""
        nbytes = sum(len(t.data) for t in tensors)
        with self.lock:
            if self.closing or self.closed:
                raise RuntimeError("this Producer is closed")
            self.items.append(Item(self.next_index, header, tuple(tensors), nbytes))
            self.next_index += 1
            self.bytes += nbytes
            while len(self.items) > 1 and (len(self.items) > self.max_frames or self.bytes > self.max_bytes):
                old = self.items.popleft()
                self.bytes -= old.nbytes
                self.dropped += 1
            self.wake.notify_all()

    def take(self) -> Optional[Item]:
        """The oldest frame, marked busy until `done()`; None when empty. Caller holds the lock."""
        if not self.items:
            return None
        item = self.items.popleft()
        self.bytes -= item.nbytes
        self.busy = True
        return item

    def settled(self) -> bool:
        """Nothing queued, in flight, or owed (hello on the current connection). Caller holds the lock."""
        return not self.items and not self.busy and not self.hello_due

    def wait_settled(self, timeout: Optional[float]) -> bool:
        """Wait until settled (or closed, or `timeout` s passed); True when settled."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self.lock:
            while not self.settled():
                if self.closed:
                    return not self.items
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                # 50 ms slices: a bounded wait even if a notify is missed.
                self.wake.wait(0.05 if remaining is None else min(0.05, remaining))
            return True

    def drop_all(self) -> bool:
        """At close: count every frame still queued as dropped. True when nothing was left (hello
        included). Caller holds the lock."""
        drained = not self.items and not self.hello_due
        self.dropped += len(self.items)
        self.items.clear()
        self.bytes = 0
        return drained
