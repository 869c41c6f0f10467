"""Settings read from the environment, so that a script can ship with the producer calls left in.

- ``SENTRYCAM_ADDRESS``: the monitor's address when the code gives none (default tcp://127.0.0.1:5555).
- ``SENTRYCAM_DISABLED``: ``1``/``true``/``yes``/``on`` turns every producer and tap call into a
  no-op (as ``WANDB_MODE=disabled`` does); ``0``/``false``/``no``/``off`` or unset leaves them on.

Read when a Producer is created, not at import, so a launcher may set them late.
"""

from __future__ import annotations

import os
from typing import Mapping, Optional

from .address import parse_address
from .wire import DEFAULT_ADDRESS

__all__ = ["ADDRESS_VAR", "DISABLED_VAR", "address_from_env", "disabled_from_env"]

ADDRESS_VAR = "SENTRYCAM_ADDRESS"
DISABLED_VAR = "SENTRYCAM_DISABLED"

_TRUE = ("1", "true", "yes", "on")
_FALSE = ("", "0", "false", "no", "off")


def address_from_env(environ: Optional[Mapping[str, str]] = None) -> str:
    """SENTRYCAM_ADDRESS if set (checked), else the monitor's default address."""
    env = os.environ if environ is None else environ
    value = env.get(ADDRESS_VAR, "").strip()
    if not value:
        return DEFAULT_ADDRESS
    try:
        parse_address(value)
    except ValueError as exc:
        raise ValueError(f"{ADDRESS_VAR}: {exc}") from None
    return value


def disabled_from_env(environ: Optional[Mapping[str, str]] = None) -> bool:
    """Whether SENTRYCAM_DISABLED asks for no-op producers. A value that is neither yes nor no is an error:
    a typo must not silently stream (or silently not stream) a run."""
    env = os.environ if environ is None else environ
    value = env.get(DISABLED_VAR, "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"{DISABLED_VAR}={env.get(DISABLED_VAR)!r}: expected 1/0, true/false, yes/no or on/off")
