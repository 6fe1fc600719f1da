"""FastSHAP: an explainer network trained to output Shapley values in one forward pass.

Jethani, Sudarshan, Covert, Lee and Ranganath, "FastSHAP: Real-Time Shapley Value
Estimation", ICLR 2022. For a game v(x, S) defined for every input x (a model with the
features outside S removed), an explainer phi(x; theta) in R^n is trained on inputs x from
the data to minimise the Shapley weighted least-squares objective

    E_x E_{S ~ p} [ (v(x, S) - v(x, empty) - 1_S . phi_hat(x))^2 ],
    p(S) proportional to (n - 1) / (C(n, s) s (n - s)), s = size of S, 0 < s < n,

with phi_hat = phi + (v(x, N) - v(x, empty) - 1 . phi) / n (additive efficient
normalisation: the values sum to v(x, N) - v(x, empty)). Its minimiser is the Shapley value
of v(x, .) for each x (Charnes et al. 1988; Lundberg and Lee 2017). Subsets are drawn in
pairs (S and its complement), as in the paper.

One change from the paper, for a fixed and measurable cost: each training row gets one draw
of ``samples`` subsets, evaluated once before training, instead of fresh draws every epoch.

No maintained package implements it (the authors' ``fastshap`` repository is research
code); tests compare it with exact Shapley values of games whose values are known
(``tests/test_fastshap.py``).
"""

from __future__ import annotations

import copy
import time
import warnings
from typing import Callable

import numpy as np
import torch
from torch import nn

from .aliases import ArrayLike
from .amortized import ShapleyEstimate
from .checks import is_whole, whole_number

#: v(X, masks) -> values: X (M, n) inputs, masks (M, n) booleans (True: player present),
#: one value per row (M,)
ValueFunction = Callable[[np.ndarray, np.ndarray], np.ndarray]


def shapley_kernel_sizes(n: int) -> np.ndarray:
    """p(size of S = k) for k = 1..n-1 under the Shapley kernel: proportional to (n - 1) / (k (n - k))
    (the kernel weight of one subset times the C(n, k) subsets of size k)."""
    if n < 2:
        raise ValueError(f"the Shapley kernel needs at least 2 players, got {n}")
    k = np.arange(1, n)
    weights = (n - 1) / (k * (n - k))
    return weights / weights.sum()


def sample_coalitions(n: int, rows: int, samples: int, rng: np.random.Generator) -> np.ndarray:
    """(rows, samples, n) boolean subsets drawn from the Shapley kernel in complementary
    pairs: the second half of each row's samples are the complements of the first half."""
    if samples < 2 or samples % 2:
        raise ValueError(
            f"samples are drawn in complementary pairs: an even number >= 2, got {samples}"
        )
    half = samples // 2
    sizes = rng.choice(np.arange(1, n), size=(rows, half), p=shapley_kernel_sizes(n))
    ranks = rng.random((rows, half, n)).argsort(axis=2).argsort(axis=2)
    first = ranks < sizes[..., None]  # a uniform subset of each drawn size
    return np.concatenate([first, ~first], axis=1)


class FastSHAP:
    """Amortized Shapley values: ``fit(value, X)`` trains an MLP on the rows of ``X``;
    ``attribute(value, X)`` returns (N, n) Shapley value estimates in one forward pass."""

    def __init__(
        self,
        hidden: tuple[int, ...] = (128, 128),
        samples: int = 32,
        epochs: int = 200,
        batch_size: int = 64,
        learning_rate: float = 1e-3,
        patience: int = 20,
        validation: float = 0.2,
        seed: int = 0,
        progress: bool = False,
    ):
        if not 0 < validation < 1:
            raise ValueError(
                f"validation is the share of rows held out, in (0, 1); got {validation}"
            )
        counts = {
            "epochs": epochs,
            "batch_size": batch_size,
            "patience": patience,
            "samples": samples,
        }
        for name, value in counts.items():
            whole_number(value, name, 1)
        hidden = tuple(hidden)
        if not hidden or not all(is_whole(h) and h >= 1 for h in hidden):
            raise ValueError(
                f"hidden gives the width of each hidden layer, each a whole number >= 1 "
                f"(e.g. (128, 128)); got {hidden!r}"
            )
        if not (isinstance(learning_rate, (int, float)) and learning_rate > 0):
            raise ValueError(f"learning_rate must be a number > 0, got {learning_rate!r}")
        self.hidden, self.samples, self.epochs = hidden, samples, epochs
        self.batch_size, self.learning_rate, self.patience = batch_size, learning_rate, patience
        self.validation, self.seed, self.progress = validation, seed, progress
        self.network_: nn.Sequential | None = None

    def _evaluate(
        self, value: ValueFunction, X: np.ndarray, masks: np.ndarray, chunk: int = 8192
    ) -> np.ndarray:
        """v(X, masks), ``chunk`` rows per call (bounded memory), checked."""
        parts = []
        for i in range(0, len(X), chunk):
            part = np.asarray(value(X[i : i + chunk], masks[i : i + chunk]), dtype=np.float64)
            if part.shape != (len(X[i : i + chunk]),):
                raise ValueError(
                    f"the value function must return one value per row, shape "
                    f"({len(X[i : i + chunk])},); got {part.shape} (for a model with several "
                    f"outputs, return the one to explain)"
                )
            parts.append(part)
        out = np.concatenate(parts)
        if not np.isfinite(out).all():
            raise ValueError("the value function returned NaN or infinite values")
        return out

    def fit(self, value: ValueFunction, X: ArrayLike) -> "FastSHAP":
        """Evaluate ``value`` on v(x, N), v(x, empty) and ``samples`` kernel-drawn subsets of
        every row of ``X``, then train the explainer with Adam, keeping the epoch with the
        lowest loss on the held-out ``validation`` share of rows (early stopping after
        ``patience`` epochs without improvement). Records ``fit_seconds_`` (value
        evaluations included) and ``evaluations_``."""
        from tqdm.auto import tqdm

        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] < 2 or len(X) < 4:
            raise ValueError(
                f"X must be (rows >= 4, players >= 2), got shape {X.shape}: FastSHAP learns "
                f"from many rows of one game family"
            )
        if not np.isfinite(X).all():
            raise ValueError("X contains NaN or infinite values: impute or drop them first")
        start = time.perf_counter()
        rows, n = X.shape
        rng = np.random.default_rng(self.seed)
        masks = sample_coalitions(n, rows, self.samples, rng)  # (rows, samples, n)
        full = self._evaluate(value, X, np.ones(X.shape, dtype=bool))
        empty = self._evaluate(value, X, np.zeros(X.shape, dtype=bool))
        sampled = self._evaluate(
            value, np.repeat(X, self.samples, axis=0), masks.reshape(-1, n)
        ).reshape(rows, self.samples)
        self.evaluations_ = rows * (self.samples + 2)

        self.mean_, self.scale_ = X.mean(axis=0), np.where(X.std(axis=0) > 0, X.std(axis=0), 1.0)
        tensors = [
            torch.as_tensor(a, dtype=torch.float32)
            for a in ((X - self.mean_) / self.scale_, masks, sampled - empty[:, None], full - empty)
        ]
        held = rng.permutation(rows)[: max(1, int(round(self.validation * rows)))]
        keep = np.setdiff1d(np.arange(rows), held)
        train = [t[keep] for t in tensors]
        val = [t[held] for t in tensors]
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(self.seed)
            layers, width = [], n
            for h in self.hidden:
                layers += [nn.Linear(width, h), nn.ReLU()]
                width = h
            self.network_ = nn.Sequential(*layers, nn.Linear(width, n))
            optimizer = torch.optim.Adam(self.network_.parameters(), lr=self.learning_rate)
            generator = torch.Generator().manual_seed(self.seed)
            best, best_state, waited = float("inf"), None, 0
            self.log_: list[float] = []
            for _ in tqdm(range(self.epochs), desc="training FastSHAP", disable=not self.progress):
                self.network_.train()
                for idx in torch.randperm(len(keep), generator=generator).split(self.batch_size):
                    loss = self._loss(*(t[idx] for t in train))
                    optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()
                self.network_.eval()
                with torch.no_grad():
                    val_loss = self._loss(*val).item()
                if not np.isfinite(val_loss):
                    message = (
                        f"FastSHAP's loss became {val_loss} after {len(self.log_)} epochs; "
                        f"lower learning_rate (now {self.learning_rate}) or scale the game's "
                        f"values"
                    )
                    if best_state is None:
                        raise ValueError(message)
                    warnings.warn(
                        message + "; the best epoch so far is kept", RuntimeWarning, stacklevel=2
                    )
                    break
                self.log_.append(val_loss)
                if val_loss < best:
                    best, best_state, waited = (
                        val_loss,
                        copy.deepcopy(self.network_.state_dict()),
                        0,
                    )
                else:
                    waited += 1
                    if waited >= self.patience:
                        break
            self.network_.load_state_dict(best_state)
        self.network_.eval()
        self.fit_seconds_ = time.perf_counter() - start
        return self

    def _normalised(self, x: torch.Tensor, grand: torch.Tensor) -> torch.Tensor:
        """phi_hat = phi + (v(N) - v(empty) - sum phi) / n."""
        phi = self.network_(x)
        return phi + (grand - phi.sum(dim=1))[:, None] / phi.shape[1]

    def _loss(self, x, masks, sampled, grand) -> torch.Tensor:
        phi = self._normalised(x, grand)
        predicted = (masks * phi[:, None, :]).sum(dim=2)  # 1_S . phi_hat, (B, samples)
        return ((sampled - predicted) ** 2).mean()

    def attribute(self, value: ValueFunction, X: ArrayLike) -> ShapleyEstimate:
        """Shapley value estimates of ``value`` at the rows of ``X`` (``values`` (N, n)): one
        forward pass of the explainer, normalised to add up to v(x, N) - v(x, empty) as in
        training (two evaluations of ``value`` per row, the ``budget``; the raw output is
        defined only up to a shift)."""
        if self.network_ is None:
            raise RuntimeError("this FastSHAP is not fitted yet: call fit(value, X) first")
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != len(self.mean_):
            raise ValueError(f"X must be (rows, {len(self.mean_)}), got shape {X.shape}")
        full = self._evaluate(value, X, np.ones(X.shape, dtype=bool))
        empty = self._evaluate(value, X, np.zeros(X.shape, dtype=bool))
        x = torch.as_tensor((X - self.mean_) / self.scale_, dtype=torch.float32)
        with torch.no_grad():
            phi = self._normalised(x, torch.as_tensor(full - empty, dtype=torch.float32))
        return ShapleyEstimate("FastSHAP", phi.numpy().astype(np.float64), empty, full, budget=2)
