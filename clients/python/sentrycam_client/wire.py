"""Constants of the SentryCam wire protocol v1 (clients/PROTOCOL.md) and of the SP transport under it."""

from __future__ import annotations

import struct

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
#: Where `sentrycam watch` listens unless told otherwise.
DEFAULT_ADDRESS = "tcp://127.0.0.1:5555"

# Scalability Protocols: an 8-byte greeting `00 'S' 'P' 00 <u16 BE protocol> 00 00` each way.
SP_PUSH = 0x0050
SP_PULL = 0x0051
#: nanomsg's ipc transport puts a 1-byte message type (1 = normal) before each u64 length.
IPC_MSG_NORMAL = 1


def sp_greeting(protocol: int) -> bytes:
    """The 8 bytes each side of an SP connection sends first."""
    return b"\x00SP\x00" + struct.pack(">H", protocol) + b"\x00\x00"
