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
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Callable, Iterable, Protocol, Sequence, runtime_checkable

import numpy as np
import torch

MAX_EXACT_PLAYERS = 22  # masks are int32 inside MaskingGame: never above 30


def _bit_count(masks: np.ndarray) -> np.ndarray:
    return np.bitwise_count(masks.astype(np.uint64)).astype(np.int64)


def coalition_sizes(n: int) -> np.ndarray:
    """``|S|`` for every coalition mask 0 .. 2**n - 1."""
    return _bit_count(np.arange(2**n, dtype=np.uint64))


def mask_of(coalition: Iterable[int], n: int) -> int:
    """The bit mask of a coalition given as player indices."""
    mask = 0
    for i in coalition:
        if not 0 <= int(i) < n:
            raise IndexError(f"player {i} does not exist; players are 0..{n - 1}")
        mask |= 1 << int(i)
    return mask


def players_of(mask: int) -> tuple[int, ...]:
    """The player indices of a bit mask."""
    return tuple(i for i in range(int(mask).bit_length()) if mask >> i & 1)


def moebius(values: np.ndarray) -> np.ndarray:
    """Harsanyi dividends from game values (fast Moebius transform, n passes)."""
    n = _players_from_length(len(values))
    out = np.array(values, dtype=np.float64, copy=True)
    for i in range(n):
        view = out.reshape(-1, 2, 2**i)
        view[:, 1, :] -= view[:, 0, :]
    return out


def zeta(dividends: np.ndarray) -> np.ndarray:
    """Game values from Harsanyi dividends (the inverse transform, v(S) = sum_{T ⊆ S} H(T))."""
    n = _players_from_length(len(dividends))
    out = np.array(dividends, dtype=np.float64, copy=True)
    for i in range(n):
        view = out.reshape(-1, 2, 2**i)
        view[:, 1, :] += view[:, 0, :]
    return out


def _players_from_length(length: int) -> int:
    n = int(length).bit_length() - 1
    if length < 1 or 2**n != length:
        raise ValueError(f"a game on n players has 2**n values; got {length}")
    return n


def patches(shape: Sequence[int], size: int | Sequence[int]) -> np.ndarray:
    """Player labels of an image (C x H x W or H x W) cut into ``size`` x ``size`` patches,
    numbered row by row; all channels of a pixel belong to the same patch."""
    *channels, height, width = shape
    ph, pw = (size, size) if isinstance(size, int) else size
    if height % ph or width % pw:
        raise ValueError(f"{height}x{width} image does not split into {ph}x{pw} patches")
    rows = np.arange(height)[:, None] // ph
    cols = np.arange(width)[None, :] // pw
    labels = rows * (width // pw) + cols
    return np.broadcast_to(labels, tuple(shape)).copy()


def _runs(indices: np.ndarray) -> list[tuple[int, int]]:
    """Sorted indices as half-open runs of consecutive values: [3, 4, 5, 9] -> [(3, 6), (9, 10)]."""
    if len(indices) == 0:
        return []
    breaks = np.flatnonzero(np.diff(indices) != 1) + 1
    return [(int(run[0]), int(run[-1]) + 1) for run in np.split(indices, breaks)]


def _check_exact_limit(n: int, numel: int, limit: int) -> None:
    if n > limit:
        evaluations = 2**n
        memory = evaluations * 8 / 2**30
        raise ValueError(
            f"{n} players need 2**{n} = {evaluations:,} model evaluations and {memory:.1f} GiB "
            f"for the game values alone; the exact limit is {limit} players. Group the "
            f"{numel} input elements into fewer players (e.g. players=games.patches(shape, 4)), "
            f"or estimate Shapley values by sampling (captum's ShapleyValueSampling); "
            f"to lift the limit knowingly, build the game yourself: "
            f"MaskingGame(..., max_players={n}).")


@contextlib.contextmanager
def eval_mode(model):
    """The model in eval mode while the block runs (dropout off, batch-norm statistics
    fixed: deterministic values), each submodule's own mode restored afterwards. Every
    method and game evaluates through it, so a model left in training mode is explained as
    it predicts."""
    modules = list(model.modules()) if isinstance(model, torch.nn.Module) else []
    modes = [m.training for m in modules]
    for m in modules:
        m.training = False
    try:
        yield
    finally:
        for m, mode in zip(modules, modes):
            m.training = mode


def player_labels(players, x: torch.Tensor) -> np.ndarray:
    """The player of every element of ``x`` (flattened; -1 for none), from ``players`` as
    :class:`MaskingGame` takes it. Refuses labels of the wrong size, overlapping groups and
    gaps in the numbering."""
    numel = x.numel()
    if players is None:
        return np.arange(numel)
    if isinstance(players, (np.ndarray, torch.Tensor)):
        labels = np.asarray(players)
        if labels.dtype == bool or (np.issubdtype(labels.dtype, np.floating)
                                    and (labels != np.round(labels)).any()):
            raise ValueError(f"players labels must be integers (the player of each element, "
                             f"-1 for none), got {labels.dtype} values")
        labels = labels.astype(np.int64)
        if labels.size != numel:
            raise ValueError(f"players labels have {labels.size} entries ({labels.shape}) "
                             f"but x has {numel} elements ({tuple(x.shape)})")
        labels = labels.reshape(-1)
    else:
        labels = np.full(numel, -1, dtype=np.int64)
        for player, group in enumerate(players):
            group = np.asarray(list(group), dtype=np.int64)
            if group.size == 0 or group.min() < 0 or group.max() >= numel:
                raise ValueError(f"player {player}'s indices must lie in 0..{numel - 1} "
                                 f"(x flattened); got {group.tolist()}")
            if (labels[group] >= 0).any():
                raise ValueError(f"player {player} shares input elements with another "
                                 f"player; groups must be disjoint")
            labels[group] = player
    present = np.unique(labels[labels >= 0])
    if len(present) and not np.array_equal(present, np.arange(present[-1] + 1)):
        raise ValueError(f"player labels must be 0..n-1 with none missing; got {present.tolist()}")
    return labels


@runtime_checkable
class Game(Protocol):
    """What :func:`harsanyi` and the values computed from dividends take: ``n`` players and
    ``values()``, v(S) for all 2**n coalitions indexed by bit mask. Implemented by
    :class:`MaskingGame` (one baseline), :class:`MarginalGame` (an average over baselines,
    Prediction Difference's imputation) and :class:`TabularGame` (values given, such as
    SASANet's own value function)."""

    n: int

    def values(self, progress: bool = False) -> np.ndarray: ...


class TabularGame:
    """A game given by its 2**n values, ``values[mask]`` = v(S)."""

    def __init__(self, values):
        self._values = np.asarray(values, dtype=np.float64)
        self.n = _players_from_length(len(self._values))

    def values(self, progress: bool = False) -> np.ndarray:
        return self._values


class MaskingGame:
    """v(S) = f(x_S, b_rest) for ``model`` at one input ``x``.

    ``x``: one input, shaped as the model expects it without the batch dimension (a
    1 x 8 x 8 image stays 1 x 8 x 8: no dimension is guessed away). ``baseline``: a
    tensor or number broadcastable to ``x``. ``players``: ``None`` (every element of ``x``
    is a player), an integer array of ``x``'s shape labelling each element with its player
    0..n-1 (``-1``: no player, keeps
    its value in ``x``), or a list of index groups into the flattened ``x``. ``target``:
    the output index for models with several outputs (``None`` for one output).
    Evaluation runs in batches of ``batch_size`` coalitions, so memory stays bounded.
    """

    def __init__(self, model: Callable[[torch.Tensor], torch.Tensor], x, baseline=0.0,
                 players=None, target: int | None = None, batch_size: int = 8192,
                 max_players: int = MAX_EXACT_PLAYERS):
        self.model = model
        x = torch.as_tensor(x)
        if not torch.is_floating_point(x):
            x = x.to(torch.get_default_dtype())
        if not torch.isfinite(x).all():
            raise ValueError("x contains NaN or infinite values; attributions of such an "
                             "input are meaningless. Clean or impute the input first.")
        try:
            b = torch.as_tensor(baseline, dtype=x.dtype).expand_as(x).clone()
        except RuntimeError as err:
            raise ValueError(f"baseline of shape {tuple(torch.as_tensor(baseline).shape)} does "
                             f"not broadcast to x of shape {tuple(x.shape)}: pass a number or "
                             f"a tensor shaped like x") from err
        if not torch.isfinite(b).all():
            raise ValueError("baseline contains NaN or infinite values")
        self.x, self.baseline, self.target = x, b, target
        self.labels = player_labels(players, x)
        self.n = int(self.labels.max()) + 1 if (self.labels >= 0).any() else 0
        _check_exact_limit(self.n, x.numel(), min(max_players, 30))
        # element e is on when bit labels[e] of the mask is set; elements of no player read
        # bit n, which every mask gets set in inputs() (n <= 30, so int32 suffices)
        self._bit_of_element = torch.as_tensor(np.where(self.labels >= 0, self.labels, self.n),
                                               dtype=torch.int32)
        self.batch_size = int(batch_size)
        self._check_target()

    def _check_target(self) -> None:
        try:
            with torch.no_grad(), eval_mode(self.model):
                out = self.model(self.x[None])
        except RuntimeError as err:
            if "out of memory" in str(err).lower():
                raise
            raise ValueError(f"the model could not evaluate x of shape {tuple(self.x.shape)} "
                             f"with a batch dimension added: {err}. If the shape is the cause, "
                             f"pass x shaped as one input of the model, without the batch "
                             f"dimension; if the dtype is, x.to(the model's dtype)") from err
        if out.dim() != 2 or out.shape[0] != 1:
            raise ValueError(f"the model maps one input (x of shape {tuple(self.x.shape)}, batch "
                             f"dimension added) to outputs of shape {tuple(out.shape)}, not (1, K): "
                             f"pass x as ONE input, without a batch dimension, and a model that "
                             f"returns (N, K)")
        if self.target is None:
            if out.shape[1] != 1:
                raise ValueError(f"the model has {out.shape[1]} outputs: choose one with "
                                 f"target=0..{out.shape[1] - 1}")
        elif not 0 <= self.target < out.shape[1]:
            raise ValueError(f"target {self.target} is out of range: the model has "
                             f"{out.shape[1]} output(s), target must be 0..{out.shape[1] - 1}")

    def inputs(self, masks: np.ndarray) -> torch.Tensor:
        """The masked inputs of the coalitions ``masks`` (bit masks), one row each."""
        masks = torch.as_tensor(np.asarray(masks, dtype=np.int32)) | (1 << self.n)
        on = ((masks[:, None] >> self._bit_of_element) & 1).bool()
        flat = torch.where(on, self.x.reshape(-1), self.baseline.reshape(-1))
        return flat.reshape(len(masks), *self.x.shape)

    def _outputs(self, batch: torch.Tensor) -> torch.Tensor:
        out = self.model(batch).reshape(len(batch), -1)
        return out[:, 0 if self.target is None else self.target]

    def __call__(self, masks) -> np.ndarray:
        """v(S) for the coalitions ``masks`` (integers, or one integer)."""
        masks = np.atleast_1d(np.asarray(masks, dtype=np.int64))
        out = np.empty(len(masks), dtype=np.float64)
        with torch.no_grad(), eval_mode(self.model):
            for start in range(0, len(masks), self.batch_size):
                chunk = masks[start:start + self.batch_size]
                out[start:start + len(chunk)] = self._outputs(self.inputs(chunk)).double().numpy()
        return out

    def values(self, progress: bool = False) -> np.ndarray:
        """v(S) for all 2**n coalitions, indexed by bit mask.

        Coalitions are evaluated in aligned chunks of 2**k masks (2**k <= batch_size): the
        low k bits run through the same patterns in every chunk and the high bits are
        constant within one. So one input buffer holds the low-bit patterns, and each chunk
        only overwrites the columns of the high-bit players; the model gets a copy of it."""
        from tqdm.auto import tqdm

        total = 2**self.n
        k = min(self.n, max(0, self.batch_size.bit_length() - 1))
        chunk = 2**k
        batch = self.inputs(np.arange(chunk)).reshape(chunk, -1)  # high players at b
        runs = _runs(np.flatnonzero(self._bit_of_element.numpy() >= k))  # column slices
        out = np.empty(total, dtype=np.float64)
        with torch.no_grad(), eval_mode(self.model):
            for start in tqdm(range(0, total, chunk), desc=f"{total:,} coalitions",
                              disable=not progress):
                if start:
                    row = self.inputs(np.array([start])).reshape(-1)
                    for lo, hi in runs:  # slice copies: far faster than index assignment
                        batch[:, lo:hi] = row[lo:hi]
                # a copy: a model that writes into its input must not change the shared buffer
                values = self._outputs(batch.reshape(chunk, *self.x.shape).clone())
                out[start:start + chunk] = values.double().numpy()
        return out


class MarginalGame:
    """v(S) = mean_j f(x_S, d_j,rest) over background rows d_j: the absent players take
    their values from the data (Prediction Difference's marginal imputation; the
    interventional game of KernelSHAP and DeepShap). The mean of one
    :class:`MaskingGame` per row, so its dividends are the mean of theirs. Takes the
    arguments of :class:`MaskingGame`, with ``background`` (M, x's shape) for the baseline."""

    def __init__(self, model, x, background, players=None, target: int | None = None,
                 batch_size: int = 8192, max_players: int = MAX_EXACT_PLAYERS):
        background = torch.as_tensor(background)
        if background.dim() == 0 or len(background) == 0:
            raise ValueError("background must hold at least one row shaped like x")
        self.games = [MaskingGame(model, x, row, players, target, batch_size, max_players)
                      for row in background]
        self.n = self.games[0].n

    def values(self, progress: bool = False) -> np.ndarray:
        return np.mean([game.values(progress) for game in self.games], axis=0)


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
        self.n = _players_from_length(len(self.dividends))
        self._sizes = coalition_sizes(self.n)

    @classmethod
    def from_values(cls, values: np.ndarray, names=None) -> "Effects":
        return cls(moebius(values), names)

    def __getitem__(self, coalition: Iterable[int]) -> float:
        return float(self.dividends[mask_of(coalition, self.n)])

    def game_values(self) -> np.ndarray:
        """The game back from its dividends, v(S) for every mask S (the zeta transform).
        Not shapiq's ``InteractionValues.values``, which holds the dividends themselves:
        see :meth:`to_interaction_values`."""
        return zeta(self.dividends)

    def to_interaction_values(self):
        """The dividends as shapiq's ``InteractionValues`` (index "Moebius", every order
        0..n, baseline value f(b)), for shapiq's plots and tools."""
        from itertools import combinations

        from shapiq import InteractionValues

        coalitions = [c for k in range(self.n + 1) for c in combinations(range(self.n), k)]
        return InteractionValues(
            np.array([self[c] for c in coalitions]), index="Moebius", max_order=self.n,
            n_players=self.n, min_order=0, interaction_lookup={c: k for k, c in enumerate(coalitions)},
            estimated=False, baseline_value=self.empty)

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
        sizes = self._sizes
        w = np.zeros_like(self.dividends)
        nonempty = sizes > 0
        w[nonempty] = weight(sizes[nonempty]) * self.dividends[nonempty]
        return np.array([w.reshape(-1, 2, 2**i)[:, 1, :].sum() for i in range(self.n)])

    def shapley(self) -> np.ndarray:
        """Shapley values phi_i = sum_{S ∋ i} H(S) / ``|S|`` (they sum to f(x) - f(b))."""
        return self.allocate(lambda s: 1.0 / s)

    def occlusion(self) -> np.ndarray:
        """v(N) - v(N \\ {i}) = sum_{S ∋ i} H(S): every effect given in full to each member."""
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
        raise TypeError(f"harsanyi takes a game (MaskingGame, MarginalGame, TabularGame, or any "
                        f"object with n and values()); got {type(game).__name__}")
    return Effects.from_values(game.values(progress=progress))
