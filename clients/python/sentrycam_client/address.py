"""Monitor addresses a producer connects to: ``tcp://host:port`` and ``ipc:///path``."""

from __future__ import annotations

__all__ = ["parse_address"]


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
