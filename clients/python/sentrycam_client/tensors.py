"""Array-likes (numpy, torch, array.array, buffers, lists) to wire tensors: C-order little-endian bytes.

Standard library only: numpy and torch are touched only when the caller hands over their arrays
(so they are already imported).
"""

from __future__ import annotations

import array
import dataclasses
import struct
import sys
from typing import Any, Optional, Sequence

from .wire import FLOAT_DTYPES, ID_DTYPES, INT_DTYPES

__all__ = ["Tensor", "to_tensor"]


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
        import torch  # already imported: we were handed one of its tensors

        t = t.to(dtype=torch.int32)
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
