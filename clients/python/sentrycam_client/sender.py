"""The sender thread of a producer: connect (with backoff), say hello on each connection, send frames.

Seq numbers tell the truth: a frame's seq is its call-order index plus the hellos sent before it,
so a frame dropped from the queue or lost with a broken connection leaves a gap the monitor counts.
"""

from __future__ import annotations

from typing import Any, Callable

from .frames import encode_frame
from .send_queue import Item, SendQueue

__all__ = ["Sender"]

#: A connection: connect(), alive(), send(pieces, total, should_abort) -> bytes, close(deadline, should_abort).
Link = Any


class Sender:
    """Runs until the producer closes. One per Producer, on a daemon thread."""

    def __init__(self, queue: SendQueue, make_link: Callable[[], Link], identity: Callable[[], dict],
                 address: str, reconnect_min: float, reconnect_max: float):
        self.q = queue
        self.make_link = make_link
        #: run and producer names for the header, read when each frame is sent
        self.identity = identity
        self.address = address
        self.reconnect_min = reconnect_min
        self.reconnect_max = reconnect_max
        self.hellos_sent = 0

    def should_abort(self) -> bool:
        return self.q.abort

    def wait_for_work(self, link: Link) -> bool:
        """Block until there is something to do. False when the sender should exit."""
        q = self.q
        with q.lock:
            while True:
                if q.abort or (q.closing and not q.items and not q.hello_due):
                    return False
                if q.hello is not None and (link is None or q.items):
                    return True  # connect eagerly once hello is known; or send a frame
                # Half a second: how soon an idle producer notices that the monitor went away.
                q.wake.wait(0.5)
                if link is not None and not link.alive():
                    return True  # reconnect and re-send hello

    def run(self) -> None:
        q = self.q
        link: Link = None
        backoff = self.reconnect_min
        while self.wait_for_work(link):
            need_hello = False
            if link is not None and not link.alive():
                link = self.drop_link(link)
            if link is None:
                candidate = self.make_link()
                try:
                    candidate.connect()
                except Exception as exc:  # refused, timed out, not a PULL socket: back off, retry
                    candidate.close()
                    with q.lock:
                        q.last_error = f"connect {self.address}: {exc}"
                        if not q.abort:
                            q.wake.wait(backoff)
                    backoff = min(backoff * 2, self.reconnect_max)
                    continue
                link = candidate
                backoff = self.reconnect_min
                need_hello = True
                with q.lock:
                    q.connects += 1
                    q.connected = True
            if need_hello:
                # Every new connection starts with hello, numbered just before the next frame.
                # A run tapping several layers says hello for each, the first layer first.
                with q.lock:
                    next_index = q.items[0].index if q.items else q.next_index
                    hellos = [q.hello, *q.extra_hellos]
                    q.busy = True
                ok = True
                for h in hellos:
                    ok = self.send(link, Item(next_index, h, (), 0))
                    if not ok:
                        break
                    self.hellos_sent += 1
                if ok:
                    with q.lock:
                        q.hello_due = False
            else:
                with q.lock:
                    item = q.take()
                if item is None:
                    continue
                ok = self.send(link, item)
                if not ok:
                    with q.lock:
                        q.dropped += 1  # the connection broke under it: the monitor sees a seq gap
            with q.lock:
                q.busy = False
                q.wake.notify_all()
            if not ok:
                link = self.drop_link(link)
        if link is not None:
            # Orderly end: wait (within close()'s timeout) until the monitor has read everything.
            link.close(q.close_deadline, self.should_abort)
        with q.lock:
            q.connected = False
            q.wake.notify_all()

    def drop_link(self, link: Link) -> None:
        link.close()
        with self.q.lock:
            self.q.connected = False
            self.q.hello_due = self.q.hello is not None
        return None

    def send(self, link: Link, item: Item) -> bool:
        header = {"type": item.header["type"], **self.identity(), "seq": item.index + self.hellos_sent}
        header.update((k, v) for k, v in item.header.items() if k != "type")
        try:
            pieces = encode_frame(header, item.tensors)
            written = link.send(pieces, sum(len(p) for p in pieces), self.should_abort)
        except Exception as exc:
            with self.q.lock:
                self.q.last_error = f"send to {self.address}: {exc}"
            return False
        with self.q.lock:
            self.q.sent += 1
            self.q.bytes_sent += written
        return True
