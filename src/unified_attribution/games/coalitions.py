"""Coalitions as bit masks: coalition S is the integer sum_{i in S} 2**i, so a game's
``values[mask]`` is v(S)."""

from __future__ import annotations

from typing import Iterable

import numpy as np

MAX_EXACT_PLAYERS = 22  # masks are int32 inside MaskingGame: never above 30


def coalition_sizes(n: int, dtype: type = np.int64) -> np.ndarray:
    """``|S|`` for every coalition mask 0 .. 2**n - 1, built by doubling (the masks with bit i
    set are those without it, plus one): no array of masks, so ``dtype=np.uint8`` keeps it at
    one byte per coalition (64 MiB at n = 26)."""
    sizes = np.zeros(2**n, dtype=dtype)
    for i in range(n):
        np.add(sizes[: 2**i], 1, out=sizes[2**i : 2 ** (i + 1)])
    return sizes


def mask_of(coalition: Iterable[int], n: int) -> int:
    """The bit mask of a coalition given as player indices (a tuple, list, set or array of
    whole numbers: ``(0, 2)``; a string or a single number is refused)."""
    if isinstance(coalition, (str, bytes)) or not isinstance(coalition, Iterable):
        raise TypeError(
            f"a coalition is a collection of player indices, e.g. (0, 2) or () for the empty "
            f"one; got {coalition!r}"
        )
    mask = 0
    for i in coalition:
        if isinstance(i, (bool, np.bool_)) or not isinstance(i, (int, np.integer)):
            raise TypeError(f"player indices must be whole numbers; got {i!r} in {coalition!r}")
        if not 0 <= int(i) < n:
            raise IndexError(f"player {i} does not exist; players are 0..{n - 1}")
        mask |= 1 << int(i)
    return mask


def players_of(mask: int) -> tuple[int, ...]:
    """The player indices of a bit mask."""
    return tuple(i for i in range(int(mask).bit_length()) if mask >> i & 1)


def players_from_length(length: int) -> int:
    n = int(length).bit_length() - 1
    if length < 1 or 2**n != length:
        raise ValueError(f"a game on n players has 2**n values; got {length}")
    return n
