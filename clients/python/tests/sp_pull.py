"""A minimal SP PULL server for the client's tests: a real socket peer, written from the SP spec.

It accepts PUSH connections on TCP or a unix socket, answers the 8-byte SP greeting, reads
messages (TCP: u64 BE length + payload; IPC: 1 type byte 0x01 + u64 BE length + payload) and
decodes each SentryCam frame independently of the client's encoder.
"""

from __future__ import annotations

import json
import os
import socket
import struct
import threading
import time
from typing import Any, Optional

PULL = 0x0051
PUSH = 0x0050


def free_tcp_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def decode_frame(buf: bytes) -> dict:
    """Decode one frame per PROTOCOL.md: returns the header with each tensor's bytes attached."""
    assert buf[:4] == b"SCAM", buf[:4]
    assert buf[4] == 1 and buf[5:8] == b"\x00\x00\x00"
    (h,) = struct.unpack("<I", buf[8:12])
    header = json.loads(buf[12:12 + h].decode("utf-8"))
    body = buf[12 + h:]
    header["_body_len"] = len(body)
    header["_data"] = {t["name"]: body[t["offset"]:t["offset"] + t["nbytes"]] for t in header["tensors"]}
    return header


class PullServer:
    """Accepts producers and collects their decoded frames.

    Args:
        kind: "tcp" or "ipc".
        path_or_port: unix socket path, or TCP port (0: pick a free one).
        stall: complete the handshake but never read (a stuck monitor).
        greeting_protocol: the SP protocol id we announce (PULL unless testing a wrong peer).
    """

    def __init__(self, kind: str = "tcp", path_or_port: Any = 0, stall: bool = False, greeting_protocol: int = PULL):
        self.kind = kind
        self.stall = stall
        self.greeting_protocol = greeting_protocol
        self.frames: list = []
        self.raw_prefixes: list = []
        self.connections = 0
        self.errors: list = []
        self._cond = threading.Condition()
        self._stop = False
        self._conns: list = []
        if kind == "tcp":
            self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self.listener.bind(("127.0.0.1", path_or_port or 0))
            self.port = self.listener.getsockname()[1]
            self.address = f"tcp://127.0.0.1:{self.port}"
        else:
            if os.path.exists(path_or_port):
                os.unlink(path_or_port)
            self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.listener.bind(path_or_port)
            self.path = path_or_port
            self.address = f"ipc://{path_or_port}"
        self.listener.listen(8)
        self.listener.settimeout(0.1)
        self._thread = threading.Thread(target=self._accept_loop, daemon=True)
        self._thread.start()

    def _accept_loop(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.listener.accept()
            except (socket.timeout, OSError):
                continue
            with self._cond:
                self.connections += 1
                self._conns.append(conn)
                self._cond.notify_all()
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _read_exact(self, conn: socket.socket, n: int) -> Optional[bytes]:
        out = bytearray()
        while len(out) < n:
            try:
                chunk = conn.recv(min(n - len(out), 1 << 20))
            except OSError:
                return None
            if not chunk:
                return None
            out += chunk
        return bytes(out)

    def _serve(self, conn: socket.socket) -> None:
        try:
            conn.sendall(b"\x00SP\x00" + struct.pack(">H", self.greeting_protocol) + b"\x00\x00")
            greeting = self._read_exact(conn, 8)
            if greeting is None:
                return
            if greeting != b"\x00SP\x00" + struct.pack(">H", PUSH) + b"\x00\x00":
                self.errors.append(f"bad greeting {greeting.hex()}")
                return
            if self.stall:
                while not self._stop:
                    time.sleep(0.05)
                return
            while not self._stop:
                if self.kind == "ipc":
                    kind = self._read_exact(conn, 1)
                    if kind is None:
                        return
                    if kind != b"\x01":
                        self.errors.append(f"ipc message type {kind.hex()} is not 01")
                        return
                prefix = self._read_exact(conn, 8)
                if prefix is None:
                    return
                (length,) = struct.unpack(">Q", prefix)
                payload = self._read_exact(conn, length)
                if payload is None:
                    return
                with self._cond:
                    self.raw_prefixes.append(prefix)
                    self.frames.append(decode_frame(payload))
                    self._cond.notify_all()
        finally:
            conn.close()

    def wait_frames(self, count: int, timeout: float = 20.0) -> list:
        """Wait until at least `count` frames arrived (or the timeout passed); returns them."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self.frames) < count and time.monotonic() < deadline:
                self._cond.wait(0.05)
            return list(self.frames)

    def wait_connections(self, count: int, timeout: float = 20.0) -> int:
        deadline = time.monotonic() + timeout
        with self._cond:
            while self.connections < count and time.monotonic() < deadline:
                self._cond.wait(0.05)
            return self.connections

    def close(self) -> None:
        """Stop: close the listener and every accepted connection (the producer sees a hang-up)."""
        self._stop = True
        self._thread.join()
        self.listener.close()
        with self._cond:
            for c in self._conns:
                try:
                    c.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                c.close()
        if self.kind == "ipc" and os.path.exists(self.path):
            os.unlink(self.path)

    def __enter__(self) -> "PullServer":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
