"""Players as labels of input elements: patches of an image, groups of indices, or the
player of every element (-1 for none), as :class:`~unified_attribution.games.MaskingGame`
and ``attribute(players=...)`` take them."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import torch

from ..aliases import Players
from ..checks import is_whole


def patches(shape: Sequence[int], size: int | Sequence[int]) -> np.ndarray:
    """Player labels of an image (C x H x W or H x W) cut into ``size`` x ``size`` patches,
    numbered row by row; all channels of a pixel belong to the same patch."""
    shape = tuple(shape)
    if len(shape) < 2:
        raise ValueError(
            f"patches cut an image of shape (H, W) or (C, H, W); got shape {shape}: for a "
            "flat input, pass players= as index groups instead"
        )
    *channels, height, width = shape
    sizes = (
        (size, size)
        if is_whole(size)
        else tuple(size)
        if isinstance(size, (tuple, list))
        else (size,)
    )
    if len(sizes) != 2 or not all(is_whole(s) and s >= 1 for s in sizes):
        raise ValueError(
            f"size is a patch's side, a whole number >= 1, or (height, width); got {size!r}"
        )
    ph, pw = sizes
    if height % ph or width % pw:
        raise ValueError(f"{height}x{width} image does not split into {ph}x{pw} patches")
    rows = np.arange(height)[:, None] // ph
    cols = np.arange(width)[None, :] // pw
    labels = rows * (width // pw) + cols
    return np.broadcast_to(labels, tuple(shape)).copy()


def player_labels(players: Players, x: torch.Tensor) -> np.ndarray:
    """The player of every element of ``x`` (flattened; -1 for none), from ``players`` as
    :class:`MaskingGame` takes it. Refuses labels of the wrong size, overlapping groups and
    gaps in the numbering."""
    numel = x.numel()
    if players is None:
        return np.arange(numel)
    if isinstance(players, (np.ndarray, torch.Tensor)):
        labels = np.asarray(players)
        if labels.dtype == bool or (
            np.issubdtype(labels.dtype, np.floating) and (labels != np.round(labels)).any()
        ):
            raise ValueError(
                f"players labels must be integers (the player of each element, "
                f"-1 for none), got {labels.dtype} values"
            )
        labels = labels.astype(np.int64)
        if (labels < -1).any():
            raise ValueError(
                f"players labels must be -1 (no player) or a player 0..n-1; got "
                f"{sorted(set(labels[labels < -1].tolist()))[:5]}"
            )
        if labels.size != numel:
            raise ValueError(
                f"players labels have {labels.size} entries ({labels.shape}) "
                f"but x has {numel} elements ({tuple(x.shape)})"
            )
        labels = labels.reshape(-1)
    else:
        players = list(players)
        if players and all(isinstance(p, (int, np.integer)) for p in players):
            raise ValueError(
                f"players={players[:6]}... is a flat list of numbers: give the groups as a list "
                "of index lists (players=[[0, 1], [2, 3]]) or the player of every element as an "
                "array (players=np.array([0, 0, 1, 1]))"
            )
        labels = np.full(numel, -1, dtype=np.int64)
        for player, group in enumerate(players):
            group = np.asarray(list(group), dtype=np.int64)
            if group.size == 0 or group.min() < 0 or group.max() >= numel:
                raise ValueError(
                    f"player {player}'s indices must lie in 0..{numel - 1} "
                    f"(x flattened); got {group.tolist()}"
                )
            if (labels[group] >= 0).any():
                raise ValueError(
                    f"player {player} shares input elements with another "
                    f"player; groups must be disjoint"
                )
            labels[group] = player
    present = np.unique(labels[labels >= 0])
    if len(present) and not np.array_equal(present, np.arange(present[-1] + 1)):
        raise ValueError(f"player labels must be 0..n-1 with none missing; got {present.tolist()}")
    return labels
