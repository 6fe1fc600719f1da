"""Synthetic data whose conditional expectations, and hence true Shapley values, are known.

Features are independent standard normal; the target is a polynomial plus Gaussian noise:
y = sum_t c_t prod_i x_i^{k_ti} + noise. With independent features,
E[y | x_S] = sum_t c_t prod_{i in S} x_i^{k_ti} prod_{i not in S} E[x^{k_ti}], with the
normal moments E[x] = 0, E[x^2] = 1, E[x^3] = 0, E[x^4] = 3. The value game
v_x(S) = E[y | x_S] is therefore exact, and so are its Shapley values (enumerated over all
2^n subsets and split by the Harsanyi dividends of :mod:`unified_attribution.games`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from unified_attribution.games import Effects

NORMAL_MOMENTS = (1.0, 0.0, 1.0, 0.0, 3.0)  # E[x^k], k = 0..4


@dataclass(frozen=True)
class Polynomial:
    """y = sum of coefficient * prod_i x_i ** exponents[i] over the terms."""

    terms: tuple[tuple[float, tuple[int, ...]], ...]
    noise: float = 0.1

    @property
    def n_features(self) -> int:
        return len(self.terms[0][1])

    def __call__(self, X: np.ndarray) -> np.ndarray:
        return sum(c * np.prod(X ** np.asarray(k), axis=1) for c, k in self.terms)

    def conditional(self, X: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """E[y | x_S] for each row, S = the True entries of ``mask`` ((N, n) or (n,))."""
        mask = np.broadcast_to(np.asarray(mask, dtype=bool), X.shape)
        out = np.zeros(len(X))
        for c, k in self.terms:
            k = np.asarray(k)
            moments = np.asarray(NORMAL_MOMENTS)[k]  # E[x_i^k_i] for the unobserved
            out += c * np.prod(np.where(mask, X**k, moments), axis=1)
        return out

    def shapley(self, X: np.ndarray) -> np.ndarray:
        """(N, n) exact Shapley values of v_x(S) = E[y | x_S] for each row."""
        n = self.n_features
        masks = ((np.arange(2**n)[:, None] >> np.arange(n)[None, :]) & 1).astype(bool)
        out = []
        for x in X:
            values = self.conditional(np.repeat(x[None], 2**n, axis=0), masks)
            out.append(Effects.from_values(values).shapley())
        return np.array(out)


# x1 alone, a pair x2 x3, a square x4^2, a triple x1 x2 x3; x5 never matters
GROUND_TRUTH = Polynomial(
    (
        (2.0, (1, 0, 0, 0, 0)),
        (1.0, (0, 1, 1, 0, 0)),
        (-1.0, (0, 0, 0, 2, 0)),
        (1.0, (1, 1, 1, 0, 0)),
    ),
    noise=0.1,
)
FEATURE_NAMES = ("x1", "x2", "x3", "x4", "x5 (irrelevant)")


def sample(n_samples: int, seed: int = 0, polynomial: Polynomial = GROUND_TRUTH):
    """(X, y): independent standard normal features and the noisy polynomial target."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_samples, polynomial.n_features)).astype(np.float32)
    y = polynomial(X.astype(np.float64)) + polynomial.noise * rng.standard_normal(n_samples)
    return X, y.astype(np.float32)
