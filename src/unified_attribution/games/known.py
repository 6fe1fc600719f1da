"""Games whose dividends are known by construction, one home for the tests, the doctests and
the chapters (as shapiq's synthetic games are for shapiq): a sum of unanimity games, and any
game of this package seen as a shapiq game."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .coalitions import mask_of
from .dividends import zeta
from .game import Game, TabularGame

if TYPE_CHECKING:
    import shapiq


def unanimity_game(carriers: dict[tuple[int, ...], float], n: int) -> TabularGame:
    """sum_R c_R u_R over the ``carriers`` {R: c_R} of ``n`` players, with the unanimity game
    u_R(T) = 1 if R is a subset of T, else 0. Its Harsanyi dividends are exactly the c_R (0 for
    every other coalition) and its Shapley values phi_i = sum over R containing i of
    c_R / ``|R|``.

    >>> from unified_attribution.games import harsanyi, unanimity_game
    >>> effects = harsanyi(unanimity_game({(0, 1): 2.0, (2,): 1.0}, n=3))
    >>> effects[(0, 1)], effects.shapley().tolist()
    (2.0, [1.0, 1.0, 1.0])
    """
    dividends = np.zeros(2**n)
    for carrier, coefficient in carriers.items():
        dividends[mask_of(carrier, n)] += coefficient
    return TabularGame(zeta(dividends))


def as_shapiq_game(game: Game) -> "shapiq.Game":
    """``game`` as a shapiq ``Game`` (boolean coalition rows -> values, read from
    ``game.values()``), for shapiq's exact computer and approximators (shapiq must be
    installed: the test extra)."""
    import shapiq

    table = np.asarray(game.values())

    class FromTable(shapiq.Game):
        def __init__(self) -> None:
            super().__init__(n_players=game.n, normalize=False, verbose=False)

        def value_function(self, coalitions: np.ndarray) -> np.ndarray:
            masks = (coalitions.astype(np.int64) * (1 << np.arange(self.n_players))).sum(axis=1)
            return table[masks]

    return FromTable()
