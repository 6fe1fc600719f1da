"""Harsanyi dividends: the fast Moebius transform and its inverse, every dividend of a game
(:func:`harsanyi`) and the values read from them (:class:`Effects`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    from shapiq import InteractionValues

from dataclasses import dataclass, field
from typing import Callable, Iterable

import numpy as np

from .coalitions import coalition_sizes, mask_of, players_from_length, players_of
from .game import Game
from .masking import MarginalGame, MaskingGame


def _moebius_matrix(k: int) -> np.ndarray:
    """The Moebius transform of k players as a matrix: M[S, T] = (-1)^(|S| - |T|) if T is a
    subset of S, else 0."""
    masks = np.arange(2**k)
    subset = (masks[None, :] & ~masks[:, None]) == 0
    sizes = coalition_sizes(k)
    return np.where(subset, (-1.0) ** (sizes[:, None] - sizes[None, :]), 0.0)


#: The lowest players transformed at once, by one matrix product per block of rows: the
#: passes over the smallest strides are the slowest ones (1.5x faster at n = 12 to 20).
_LOW = 3
_LOW_MATRIX_T = _moebius_matrix(_LOW).T.copy()
_ROWS = 2**16  # rows per matrix product: the temporary stays at 4 MiB at any n


def moebius(values: np.ndarray, in_place: bool = False) -> np.ndarray:
    """Harsanyi dividends from game values (fast Moebius transform: the lowest three players
    by a matrix product, then one pass per player). ``in_place``: transform a float64 array
    that the caller owns instead of a copy (half the memory)."""
    n = players_from_length(len(values))
    if in_place and not (isinstance(values, np.ndarray) and values.dtype == np.float64):
        raise TypeError("an in-place transform needs a float64 numpy array")
    out = values if in_place else np.array(values, dtype=np.float64, copy=True)
    low = _LOW if n >= _LOW else 0
    if low:
        blocks = out.reshape(-1, 2**low)
        for start in range(0, len(blocks), _ROWS):
            block = blocks[start : start + _ROWS]
            block[:] = block @ _LOW_MATRIX_T
    for i in range(low, n):
        view = out.reshape(-1, 2, 2**i)
        view[:, 1, :] -= view[:, 0, :]
    return out


def zeta(dividends: np.ndarray) -> np.ndarray:
    """Game values from Harsanyi dividends (the inverse transform, v(S) = sum_{T ⊆ S} H(T))."""
    n = players_from_length(len(dividends))
    out = np.array(dividends, dtype=np.float64, copy=True)
    for i in range(n):
        view = out.reshape(-1, 2, 2**i)
        view[:, 1, :] += view[:, 0, :]
    return out


@dataclass
class Effects:
    """Every Harsanyi dividend of a game: ``dividends[mask]`` is H(S).

    H(empty) = v(empty) = f(b); H({i}) = psi(i), the independent effect of player i;
    H(S), ``|S|`` >= 2, the interaction effect J(S); they sum to f(x) = v(N).
    """

    dividends: np.ndarray
    names: tuple[str, ...] | None = None
    _sizes: np.ndarray = field(init=False, repr=False)

    def __post_init__(self):
        self.dividends = np.asarray(self.dividends, dtype=np.float64)
        self.n = players_from_length(len(self.dividends))
        self._sizes = coalition_sizes(self.n, np.uint8)  # one byte per coalition

    @classmethod
    def from_values(
        cls, values: np.ndarray, names: Sequence[str] | None = None, in_place: bool = False
    ) -> "Effects":
        """The dividends of a game given as v(S) for every mask S; a NaN or infinite value
        (a model that overflows or divides by zero on some coalition) is refused by mask.
        ``in_place``: the values (float64, owned by the caller) become the dividends."""
        values = np.asarray(values)
        if not np.isfinite(values).all():
            bad = np.flatnonzero(~np.isfinite(values))
            raise ValueError(
                f"the game has {bad.size} non-finite value(s) (first at coalition mask "
                f"{int(bad[0])}, players {players_of(int(bad[0]))}): dividends and Shapley "
                "values of such a game are meaningless; check the model on masked inputs "
                "(its output with those players at the baseline)"
            )
        return cls(moebius(values, in_place=in_place), names)

    def __getitem__(self, coalition: Iterable[int]) -> float:
        return float(self.dividends[mask_of(coalition, self.n)])

    def game_values(self) -> np.ndarray:
        """The game back from its dividends, v(S) for every mask S (the zeta transform).
        Not shapiq's ``InteractionValues.values``, which holds the dividends themselves:
        see :meth:`to_interaction_values`."""
        return zeta(self.dividends)

    def to_interaction_values(self) -> InteractionValues:
        """The dividends as shapiq's ``InteractionValues`` (index "Moebius", every order
        0..n, baseline value f(b)), for shapiq's plots and tools."""
        from itertools import combinations

        from shapiq import InteractionValues

        coalitions = [c for k in range(self.n + 1) for c in combinations(range(self.n), k)]
        return InteractionValues(
            np.array([self[c] for c in coalitions]),
            index="Moebius",
            max_order=self.n,
            n_players=self.n,
            min_order=0,
            interaction_lookup={c: k for k, c in enumerate(coalitions)},
            estimated=False,
            baseline_value=self.empty,
        )

    @property
    def empty(self) -> float:
        """H(empty) = v(empty) = f(b)."""
        return float(self.dividends[0])

    @property
    def total(self) -> float:
        """The sum of all non-empty dividends, which is f(x) - f(b)."""
        return float(self.dividends[1:].sum())

    def independent(self) -> np.ndarray:
        """psi(i) = H({i}) for every player."""
        return self.dividends[1 << np.arange(self.n)]

    def by_order(self) -> np.ndarray:
        """Sum of dividends of each coalition size 0..n (order 0 is f(b))."""
        return np.bincount(self._sizes, weights=self.dividends, minlength=self.n + 1)

    def allocate(self, weight: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
        """a_i = sum_{S ∋ i} weight(``|S|``) H(S): the allocation of every effect to its members
        with a weight that depends on the coalition size only."""
        by_size = np.zeros(self.n + 1)
        by_size[1:] = weight(np.arange(1, self.n + 1))  # one weight per size, not per coalition
        w = by_size[self._sizes]
        w *= self.dividends
        return np.array([w.reshape(-1, 2, 2**i)[:, 1, :].sum() for i in range(self.n)])

    def shapley(self) -> np.ndarray:
        """Shapley values phi_i = sum_{S ∋ i} H(S) / ``|S|`` (they sum to f(x) - f(b))."""
        return self.allocate(lambda s: 1.0 / s)

    def occlusion(self) -> np.ndarray:
        """v(N) - v(N without i) = sum over S containing i of H(S): every effect given in
        full to each member."""
        return self.allocate(np.ones_like)

    def coalitions(self, order: int) -> list[tuple[tuple[int, ...], float]]:
        """All coalitions of size ``order`` with their dividends."""
        masks = np.flatnonzero(self._sizes == order)
        return [(players_of(int(m)), float(self.dividends[m])) for m in masks]


def harsanyi(game: Game, progress: bool = False) -> Effects:
    """Every Harsanyi dividend of ``game``, exactly: 2**n model evaluations and the fast
    Moebius transform (Harsanyi 1963; compared against shapiq's ``ExactComputer`` Moebius).

    Parameters
    ----------
    game : Game
        Any game with ``values()``: a :class:`MaskingGame` (v(S) = f(x_S, b_rest) of one
        input), a :class:`MarginalGame` or a :class:`TabularGame`.
    progress : bool
        Show a progress bar over the coalitions.

    Returns
    -------
    Effects
        H(S) for every coalition S; ``shapley()``, ``independent()``, ``by_order()`` and
        ``to_interaction_values()`` read them.

    Examples
    --------
    f(x) = x_1 x_2 + x_3 at x = (1, 2, 3) from b = 0: one pair effect, one independent effect.

    >>> import torch
    >>> from unified_attribution import MaskingGame, harsanyi
    >>> model = lambda z: (z[:, 0] * z[:, 1] + z[:, 2])[:, None]
    >>> effects = harsanyi(MaskingGame(model, torch.tensor([1.0, 2.0, 3.0]), 0.0))
    >>> effects[(0, 1)], effects[(2,)], effects[(0,)]
    (2.0, 3.0, 0.0)
    >>> effects.shapley().tolist()
    [1.0, 1.0, 3.0]
    """
    if not isinstance(game, Game):
        raise TypeError(
            f"harsanyi takes a game (MaskingGame, MarginalGame, TabularGame, or any "
            f"object with n and values()); got {type(game).__name__}"
        )
    values = np.asarray(game.values(progress=progress))
    if values.shape != (2**game.n,):
        raise ValueError(
            f"{type(game).__name__} declares n = {game.n} players but its values() returned "
            f"shape {values.shape}, not ({2**game.n},): one value per coalition, indexed by mask"
        )
    # the values of these games are fresh arrays: they become the dividends (half the memory);
    # any other game's values may be its own table, which must not change
    fresh = isinstance(game, (MaskingGame, MarginalGame)) and values.dtype == np.float64
    return Effects.from_values(values, in_place=fresh)
