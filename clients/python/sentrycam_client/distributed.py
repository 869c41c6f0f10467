"""Data-parallel awareness: this process's rank and world size, and its share of a fixed sample subset.

The rank comes from an initialised ``torch.distributed`` process group, else from the ``RANK`` and
``WORLD_SIZE`` variables that torchrun (and most launchers) set, else the process is rank 0 of 1.
torch is never imported here: if the caller has not imported it, no process group can exist.
"""

from __future__ import annotations

import os
import sys
from typing import Mapping, Optional, Tuple

__all__ = ["barrier", "rank_and_world", "shard_bounds"]


def _process_group() -> Optional[object]:
    """torch.distributed when torch is loaded and a process group is initialised, else None."""
    torch = sys.modules.get("torch")
    dist = getattr(torch, "distributed", None) if torch is not None else None
    if dist is None or not dist.is_available() or not dist.is_initialized():
        return None
    return dist


def _env_int(env: Mapping[str, str], name: str) -> Optional[int]:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return None
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not an integer") from None


def rank_and_world(environ: Optional[Mapping[str, str]] = None) -> Tuple[int, int]:
    """(rank, world size) of this process: torch.distributed, else RANK/WORLD_SIZE, else (0, 1)."""
    dist = _process_group()
    if dist is not None:
        return int(dist.get_rank()), int(dist.get_world_size())
    env = os.environ if environ is None else environ
    rank, world = _env_int(env, "RANK"), _env_int(env, "WORLD_SIZE")
    if rank is None and world is None:
        return 0, 1
    if rank is None or world is None:
        raise ValueError(f"RANK and WORLD_SIZE must be set together (RANK={rank}, WORLD_SIZE={world})")
    if not 0 <= rank < world:
        raise ValueError(f"need 0 <= RANK < WORLD_SIZE, got RANK={rank}, WORLD_SIZE={world}")
    return rank, world


def shard_bounds(n: int, rank: int, world: int) -> Tuple[int, int]:
    """Rows [start, stop) of an n-row subset that `rank` sends: contiguous, disjoint, sizes within 1."""
    return n * rank // world, n * (rank + 1) // world


def barrier() -> bool:
    """Wait for every rank when a process group exists; False (and no wait) without one."""
    dist = _process_group()
    if dist is None:
        return False
    dist.barrier()
    return True
