"""Argument checks shared by the producer and the tap: names, integers, metric values.

They raise TypeError/ValueError naming the argument, in the caller's thread, before anything is queued.
"""

from __future__ import annotations

import math
from typing import Any

from .wire import MAX_NAME

__all__ = ["check_int", "check_name", "metric_value"]


# Besides C0/C1 controls, what the monitor refuses in a name: characters that reorder or break the
# displayed text (bidi controls, line/paragraph separators). Refused here, at the call, not as rejects.
_NOT_IN_NAME = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029")


def check_name(value: Any, what: str) -> str:
    """A name (run, producer, layer, metric) of 1-128 printable characters; an int producer becomes a string."""
    if isinstance(value, int) and not isinstance(value, bool) and what == "producer":
        value = str(value)
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a string, got {type(value).__name__}")
    if not 1 <= len(value) <= MAX_NAME:
        raise ValueError(f"{what} must have 1-{MAX_NAME} characters, has {len(value)}")
    if any(ord(c) < 32 or 127 <= ord(c) < 160 or c in _NOT_IN_NAME or 0xD800 <= ord(c) <= 0xDFFF for c in value):
        raise ValueError(f"{what} {value!r} has control characters (or bidi controls, line separators, lone surrogates)")
    return value


def check_int(value: Any, what: str, minimum: int = 0) -> int:
    """An integer >= minimum; bools are refused, numpy/torch integer scalars pass through __index__."""
    if isinstance(value, bool):
        raise TypeError(f"{what} must be an integer, got a bool")
    try:
        v = value.__index__()
    except (AttributeError, TypeError):
        raise TypeError(f"{what} must be an integer, got {type(value).__name__}") from None
    if v < minimum:
        raise ValueError(f"{what} must be >= {minimum}, got {v}")
    return int(v)


def metric_value(key: str, value: Any) -> Any:
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
