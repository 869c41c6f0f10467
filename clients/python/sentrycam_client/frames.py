"""One frame as bytes (clients/PROTOCOL.md): preamble, JSON header, 8-byte aligned tensor body."""

from __future__ import annotations

import json
import struct
from typing import Any, Mapping, Sequence

from .tensors import Tensor
from .wire import ALIGN, ITEM_SIZE, MAGIC, PREAMBLE_BYTES, PROTOCOL_VERSION

__all__ = ["encode_frame", "frame_bytes"]

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
