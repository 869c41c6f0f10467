"""One PUSH connection to the monitor, speaking Scalability Protocols over plain TCP or unix sockets.

No nanomsg/nng binding: the SP framing is a greeting and a length prefix per message, written here
from the spec (see the README's "Wire details").
"""

from __future__ import annotations

import select
import socket
import struct
import time
from typing import Any, Optional

from .address import parse_address
from .wire import IPC_MSG_NORMAL, SP_PULL, SP_PUSH, sp_greeting

__all__ = ["SpLink"]


class SpLink:
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
            sock.sendall(sp_greeting(SP_PUSH))
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
