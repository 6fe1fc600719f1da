"""Masking games of a model at one input, and their exact Harsanyi dividends.

The masking game of model ``f`` at input ``x`` with baseline ``b`` and players
``1..n`` (single input elements, or groups of them such as image patches) is

    v(S) = f(x_S, b_{N \\ S}),

the output with the elements of the players in ``S`` taken from ``x`` and those of the
other players from ``b`` (elements that belong to no player keep their value in ``x``).
Its Harsanyi dividends (the Moebius transform; Harsanyi 1963) are

    H(S) = sum_{T subset S} (-1)^{``|S|``-``|T|``} v(T),      v(S) = sum_{T subset S} H(T).

The book derives (chapter "Generic interaction effects are Harsanyi dividends") that
H({i}) is the generic independent effect psi(i) of paper A and H(S), ``|S|`` >= 2, its generic
interaction effect J(S). Every value here is computed from the dividends:
Shapley phi_i = sum_{S ∋ i} H(S) / ``|S|``, Occlusion-1 = sum_{S ∋ i} H(S).

Coalitions are encoded as bit masks: coalition ``S`` is the integer ``sum_{i in S} 2**i``,
so ``values[mask]`` is v(S). The fast transform takes ``n`` vectorised passes over the
2**n values; it was checked against shapiq's ``ExactComputer(...)("Moebius")`` (the tests
repeat that check).

Modules: ``coalitions`` (bit masks), ``game`` (the interface),
``masking`` (games of a model), ``dividends`` (the transform and :class:`Effects`),
``known`` (games whose dividends are known by construction, and shapiq's view of a game).
"""

from .._renamed import renamed_names
from .coalitions import MAX_EXACT_PLAYERS, coalition_sizes, mask_of, players_of
from .dividends import Effects, harsanyi, moebius, zeta
from .game import Game, TabularGame
from .known import as_shapiq_game, unanimity_game
from .masking import MarginalGame, MaskingGame, checked_forward, eval_mode, exact_cost
from .players import patches, player_labels

__all__ = [
    "MAX_EXACT_PLAYERS",
    "Effects",
    "Game",
    "MarginalGame",
    "MaskingGame",
    "TabularGame",
    "checked_forward",
    "as_shapiq_game",
    "coalition_sizes",
    "exact_cost",
    "eval_mode",
    "harsanyi",
    "mask_of",
    "moebius",
    "patches",
    "player_labels",
    "players_of",
    "unanimity_game",
    "zeta",
]

#: Each renamed public name and its new name (the old names warn for one release).
RENAMED = {"evaluate": "checked_forward"}
__getattr__ = renamed_names(__name__, RENAMED, globals())
