"""Games of a model at one input: v(S) = f(x_S, b_rest) (:class:`MaskingGame`) and its mean
over background rows (:class:`MarginalGame`); the players are labels of input elements
(:mod:`.players`)."""

from __future__ import annotations

import contextlib
from typing import Callable, Iterator

import numpy as np
import torch

from .._renamed import renamed_names
from ..aliases import ArrayLike, Model, Players
from ..checks import is_whole, whole_number
from .coalitions import MAX_EXACT_PLAYERS
from .players import patches, player_labels  # noqa: F401  (patches: importable from here too)


def _runs(indices: np.ndarray) -> list[tuple[int, int]]:
    """Sorted indices as half-open runs of consecutive values: [3, 4, 5, 9] -> [(3, 6), (9, 10)]."""
    if len(indices) == 0:
        return []
    breaks = np.flatnonzero(np.diff(indices) != 1) + 1
    return [(int(run[0]), int(run[-1]) + 1) for run in np.split(indices, breaks)]


#: The most players an exact game can have here: coalition masks are int32.
HARD_LIMIT = 30


#: Bytes per forward pass when the batch size is not given. On the CPU: of the largest
#: activation (the input or any module's output) of one input times the batch, sized to stay
#: in a core's cache: 4,096 coalitions of the digits MLP (64 units), 128 of the digits CNN
#: (32 x 8 x 8 units). benchmarks/bench_dividends.py times both against batches of 2**16.
BATCH_BYTES = 2**20
#: Bytes of masked inputs per forward pass on an accelerator (large batches pay there): 2**16
#: digits of 64 float32 pixels fit in 16 MiB, a 224 x 224 x 3 float32 image gets 27 per batch.
DEVICE_BATCH_BYTES = 2**24
#: Bytes per coalition at the peak of an exact game: its value (float64, transformed in place
#: into its dividend), its size (one byte), and the weights of one allocation (float64).
BYTES_PER_COALITION = 17


def exact_cost(n: int, seconds_per_coalition: float | None = None) -> str:
    """What exact enumeration of ``n`` players costs: 2**n evaluations, the peak memory
    (``BYTES_PER_COALITION`` per coalition) and, given the model's measured seconds per
    coalition, the time."""
    memory = 2**n * BYTES_PER_COALITION / 2**30
    text = f"2**{n} = {2**n:,} model evaluations and about {memory:.1f} GiB at the peak"
    if seconds_per_coalition:
        seconds = 2**n * seconds_per_coalition
        text += (
            f", about {seconds / 60:.0f} minutes of forward passes at this model's measured "
            f"{seconds_per_coalition * 1e6:.2g} us per coalition"
            if seconds >= 120
            else f", about {seconds:.0f} s of forward passes at this model's measured "
            f"{seconds_per_coalition * 1e6:.2g} us per coalition"
        )
    return text


def _check_exact_limit(
    n: int, numel: int, limit: int, timing: Callable[[], float] | None = None
) -> None:
    """Refuse more than ``limit`` players, saying what they would cost (``timing``: measures
    the model's seconds per coalition, on this machine, only when refusing)."""
    if n <= limit:
        return
    lift = (
        f"to lift the limit knowingly, build the game yourself: MaskingGame(..., max_players={n})."
        if n <= HARD_LIMIT
        else f"no exact game goes beyond {HARD_LIMIT} players here (int32 coalition masks)."
    )
    try:
        measured = timing() if timing is not None and n <= HARD_LIMIT else None
    except Exception:  # noqa: BLE001 - an estimate only: the refusal must still be raised
        measured = None
    raise ValueError(
        f"{n} players need {exact_cost(n, measured)}; the exact limit is {limit} players. "
        f"Group the {numel} input elements into fewer players (e.g. "
        f"players=games.patches(shape, 4)), or estimate Shapley values by sampling (captum's "
        f"ShapleyValueSampling, shapiq's PermutationSamplingSV); {lift}"
    )


@contextlib.contextmanager
def eval_mode(model: Model) -> Iterator[None]:
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


def checked_forward(model: Model, batch: torch.Tensor, described: str, hint: str) -> torch.Tensor:
    """``model(batch)`` without gradients. A RuntimeError (other than running out of memory,
    which passes through) becomes a ValueError naming the input (``described``) and what to
    do (``hint``)."""
    try:
        with torch.no_grad():
            return model(batch)
    except RuntimeError as err:
        if "out of memory" in str(err).lower():
            raise
        raise ValueError(f"the model could not evaluate {described}: {err}. {hint}") from err


class MaskingGame:
    """v(S) = f(x_S, b_rest) for ``model`` at one input ``x``.

    ``x``: one input, shaped as the model expects it without the batch dimension (a
    1 x 8 x 8 image stays 1 x 8 x 8: no dimension is guessed away). ``baseline``: a
    tensor or number broadcastable to ``x``. ``players``: ``None`` (every element of ``x``
    is a player), an integer array of ``x``'s shape labelling each element with its player
    0..n-1 (``-1``: no player, keeps
    its value in ``x``), or a list of index groups into the flattened ``x``. ``target``:
    the output index for models with several outputs (``None`` for one output).
    Evaluation runs in batches of ``batch_size`` coalitions, so memory stays bounded; by
    default (at most 2**16) as many as keep the largest activation of the batch within
    ``BATCH_BYTES`` on the CPU (measured on ``x`` once), and the masked inputs within
    ``DEVICE_BATCH_BYTES`` on an accelerator.
    """

    def __init__(
        self,
        model: Callable[[torch.Tensor], torch.Tensor],
        x: ArrayLike,
        baseline: ArrayLike = 0.0,
        players: Players = None,
        target: int | None = None,
        batch_size: int | None = None,
        max_players: int = MAX_EXACT_PLAYERS,
    ):
        self.model = model
        x = torch.as_tensor(x)
        if not torch.is_floating_point(x):
            x = x.to(torch.get_default_dtype())
        if not torch.isfinite(x).all():
            raise ValueError(
                "x contains NaN or infinite values; attributions of such an "
                "input are meaningless. Clean or impute the input first."
            )
        try:
            b = torch.as_tensor(baseline, dtype=x.dtype).expand_as(x).clone()
        except RuntimeError as err:
            raise ValueError(
                f"baseline of shape {tuple(torch.as_tensor(baseline).shape)} does "
                f"not broadcast to x of shape {tuple(x.shape)}: pass a number or "
                f"a tensor shaped like x"
            ) from err
        if not torch.isfinite(b).all():
            raise ValueError("baseline contains NaN or infinite values")
        self.x, self.baseline, self.target = x, b, target
        self.labels = player_labels(players, x)
        self.n = int(self.labels.max()) + 1 if (self.labels >= 0).any() else 0
        # element e is on when bit labels[e] of the mask is set; elements of no player read
        # bit n, which every mask gets set in inputs() (n <= 30, so int32 suffices)
        self._bit_of_element = torch.as_tensor(
            np.where(self.labels >= 0, self.labels, self.n), dtype=torch.int32
        )
        _check_exact_limit(
            self.n, x.numel(), min(max_players, HARD_LIMIT), self._seconds_per_coalition
        )
        largest = self._check_target()  # bytes of the largest activation of one input
        if batch_size is None:
            budget, per_input = (
                (BATCH_BYTES, largest)
                if x.device.type == "cpu"
                else (DEVICE_BATCH_BYTES, x.numel() * x.element_size())
            )
            batch_size = max(1, min(2**16, budget // per_input))
        self.batch_size = whole_number(
            batch_size,
            "batch_size (coalitions per forward pass)",
            1,
            hint="; lower it (e.g. 1024) if memory is short",
        )

    def _seconds_per_coalition(self, coalitions: int = 1024) -> float:
        """The model's time per masked input on this machine (best of two batches of
        ``coalitions`` random masks): what the exact-limit message extrapolates from."""
        import time

        masks = np.random.default_rng(0).integers(0, 2**self.n, coalitions, dtype=np.int64)
        batch = self.inputs(masks)
        best = float("inf")
        with torch.no_grad(), eval_mode(self.model):
            for _ in range(2):
                start = time.perf_counter()
                self.model(batch.clone())
                best = min(best, time.perf_counter() - start)
        return best / coalitions

    def _check_target(self) -> int:
        """Check that the model maps x to (1, K) outputs and ``target`` is one of them;
        return the bytes of the largest activation of that forward pass (x included)."""
        largest = [self.x.numel() * self.x.element_size()]

        def record(module, inputs, output):
            if isinstance(output, torch.Tensor):
                largest.append(output.numel() * output.element_size())

        modules = list(self.model.modules()) if isinstance(self.model, torch.nn.Module) else []
        hooks = [m.register_forward_hook(record) for m in modules]
        try:
            with eval_mode(self.model):
                out = checked_forward(
                    self.model,
                    self.x[None].clone(),  # a model that writes into its input must not change x
                    f"x of shape {tuple(self.x.shape)} with a batch dimension added",
                    "If the shape is the cause, pass x shaped as one input of the model, "
                    "without the batch dimension; if the dtype is, x.to(the model's dtype)",
                )
        finally:
            for hook in hooks:
                hook.remove()
        if out.dim() != 2 or out.shape[0] != 1:
            raise ValueError(
                f"the model maps one input (x of shape {tuple(self.x.shape)}, batch "
                f"dimension added) to outputs of shape {tuple(out.shape)}, not (1, K): "
                f"pass x as ONE input, without a batch dimension, and a model that "
                f"returns (N, K)"
            )
        if self.target is None:
            if out.shape[1] != 1:
                raise ValueError(
                    f"the model has {out.shape[1]} outputs: choose one with "
                    f"target=0..{out.shape[1] - 1}"
                )
        elif not is_whole(self.target) or not 0 <= self.target < out.shape[1]:
            raise ValueError(
                f"target {self.target!r} is out of range: the model has {out.shape[1]} "
                f"output(s), target must be a whole number in 0..{out.shape[1] - 1}"
            )
        return max(largest)

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
        """v(S) for the coalitions ``masks`` (integers 0 .. 2**n - 1, or one integer)."""
        given = np.atleast_1d(np.asarray(masks))
        if given.dtype == bool or not (
            np.issubdtype(given.dtype, np.integer)
            or (np.issubdtype(given.dtype, np.floating) and (given == np.round(given)).all())
        ):
            raise TypeError(
                f"masks must be whole numbers (coalition S as sum of 2**i over its players); "
                f"got {given.dtype} values"
            )
        masks = given.astype(np.int64)
        if len(masks) and (masks.min() < 0 or masks.max() >= 2**self.n):
            raise ValueError(
                f"masks must lie in 0 .. 2**{self.n} - 1 = {2**self.n - 1} (the game has "
                f"{self.n} players); got values from {masks.min()} to {masks.max()}"
            )
        out = np.empty(len(masks), dtype=np.float64)
        with torch.no_grad(), eval_mode(self.model):
            for start in range(0, len(masks), self.batch_size):
                chunk = masks[start : start + self.batch_size]
                out[start : start + len(chunk)] = self._outputs(self.inputs(chunk)).double().numpy()
        return out

    def values(self, progress: bool = False) -> np.ndarray:
        """v(S) for all 2**n coalitions, indexed by bit mask.

        Coalitions are evaluated in aligned chunks of 2**k masks (2**k <= batch_size): the
        low k bits run through the same patterns in every chunk and the high bits are
        constant within one. So one input buffer holds the low-bit patterns, and from one
        chunk to the next only the columns of the high-bit players whose bit flipped are
        overwritten (two players per chunk on average). The model reads the buffer itself;
        if it writes into its input (torch's version counter of the buffer moves), the chunk
        is evaluated again from a rebuilt buffer and every later chunk gets a copy. (A write
        that bypasses torch, through ``.numpy()``, is not seen.)"""
        from tqdm.auto import tqdm

        total = 2**self.n
        k = min(self.n, max(0, self.batch_size.bit_length() - 1))
        chunk = 2**k
        bits = self._bit_of_element.numpy()
        columns = {p: _runs(np.flatnonzero(bits == p)) for p in range(k, self.n)}
        x, b = self.x.reshape(-1), self.baseline.reshape(-1)

        def buffer_for(start: int) -> torch.Tensor:
            return self.inputs(np.arange(chunk) + start).reshape(chunk, -1)

        def flip(buffer: torch.Tensor, before: int, start: int) -> None:
            flipped = (before ^ start) >> k
            while flipped:
                player = k + (flipped & -flipped).bit_length() - 1
                source = x if start >> player & 1 else b
                for lo, hi in columns[player]:  # slice copies: far faster than index assignment
                    buffer[:, lo:hi] = source[lo:hi]
                flipped &= flipped - 1

        batch, before, copies = buffer_for(0), 0, False
        out = np.empty(total, dtype=np.float64)
        with torch.no_grad(), eval_mode(self.model):
            for start in tqdm(
                range(0, total, chunk), desc=f"{total:,} coalitions", disable=not progress
            ):
                flip(batch, before, start)
                before = start
                shaped = batch.reshape(chunk, *self.x.shape)
                if copies:
                    values = self._outputs(shaped.clone())
                else:
                    version = batch._version  # torch counts the in-place writes to a tensor
                    values = self._outputs(shaped)
                    if batch._version != version:  # the model wrote into its input
                        batch, copies = buffer_for(start), True
                        values = self._outputs(batch.reshape(chunk, *self.x.shape).clone())
                torch.from_numpy(out[start : start + chunk]).copy_(values)
        return out


class MarginalGame:
    """v(S) = mean_j f(x_S, d_j,rest) over background rows d_j: the absent players take
    their values from the data (Prediction Difference's marginal imputation; the
    interventional game of KernelSHAP and DeepShap). The mean of one
    :class:`MaskingGame` per row, so its dividends are the mean of theirs. Takes the
    arguments of :class:`MaskingGame`, with ``background`` (M, x's shape) for the baseline."""

    def __init__(
        self,
        model: Model,
        x: ArrayLike,
        background: ArrayLike,
        players: Players = None,
        target: int | None = None,
        batch_size: int | None = None,
        max_players: int = MAX_EXACT_PLAYERS,
    ):
        background = torch.as_tensor(background)
        shape = tuple(torch.as_tensor(x).shape)
        if background.dim() == 0 or len(background) == 0:
            raise ValueError("background must hold at least one row shaped like x")
        if tuple(background.shape[1:]) != shape:
            raise ValueError(
                f"background must stack rows shaped like x, (M, *{shape}); got shape "
                f"{tuple(background.shape)} (for a single row pass background[None])"
            )
        self.games = [
            MaskingGame(model, x, row, players, target, batch_size, max_players)
            for row in background
        ]
        self.n = self.games[0].n

    def values(self, progress: bool = False) -> np.ndarray:
        return np.mean([game.values(progress) for game in self.games], axis=0)


#: Each renamed public name and its new name (the old names warn for one release).
RENAMED = {"evaluate": "checked_forward"}
__getattr__ = renamed_names(__name__, RENAMED, globals())
