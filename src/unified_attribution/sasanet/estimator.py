"""SASANet with a scikit-learn-like interface: fit, predict, attribute, its value function
on any subset and the game it defines (:meth:`SASANet.value_game`), save and load."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..aliases import ArrayLike
from ..amortized import ShapleyEstimate
from ..checks import whole_number

if TYPE_CHECKING:
    from ..games import TabularGame

import copy
import time
import warnings
from dataclasses import asdict, fields
from pathlib import Path

import numpy as np
import torch
from sklearn.base import BaseEstimator
from sklearn.exceptions import NotFittedError
from sklearn.utils.metaestimators import available_if
from torch import nn

from . import inputs, persistence
from .config import LOSSES, TASKS, Config
from .module import SASANetModule, random_orders


def _by_feature(contributions: torch.Tensor, order: torch.Tensor) -> torch.Tensor:
    """(B, n, m) contributions by position of ``order`` -> by feature index."""
    index = order[..., None].expand(-1, -1, contributions.shape[-1])
    return torch.zeros_like(contributions).scatter(1, index, contributions)


def _classifies(model: "SASANet") -> bool:
    """Whether ``model`` has class probabilities; the AttributeError says what to use instead."""
    if model.config.task == "regression":
        raise AttributeError("predict_proba is for classification; use predict for regression")
    return True


class NotFitted(NotFittedError, RuntimeError):
    """scikit-learn's NotFittedError, and a RuntimeError as this error was before."""


class SASANet(BaseEstimator):
    """Scikit-learn-like SASANet for tabular data (binary, multiclass or regression).

    Of scikit-learn's estimator contract, these parts hold (tested, with scikit-learn's own
    ``check_estimator``: 38 of 40 checks pass for regression, 34 of 40 for multiclass):
    ``get_params`` / ``set_params`` over the constructor's arguments, so
    ``sklearn.base.clone``, grid search and pipelines work; ``fit`` returns the estimator;
    ``predict`` / ``predict_proba`` (classification only) / ``decision_function``; ``score``
    (accuracy, or R^2 for regression); ``n_features_in_``; a NotFittedError before ``fit``;
    fitted attributes end in ``_``. Not held: ``__init__`` validates its options at once (a
    clear error early) and keeps them in one :class:`Config`; the task is chosen in the
    constructor, not inferred from y; class labels must be 0..K-1 (relabel with
    ``np.unique(y, return_inverse=True)``)."""

    def __init__(self, task: str = "binary", progress: bool = False, **options: object):
        if task not in TASKS:
            raise ValueError(f"task must be one of {TASKS}, got {task!r}")
        known = {f.name for f in fields(Config)} - {"task"}
        unknown = sorted(set(options) - known)
        if unknown:
            raise TypeError(
                f"SASANet has no option {', '.join(unknown)}; its options: {', '.join(sorted(known))}"
            )
        self.config = Config(task=task, **options)
        self.progress = progress
        self.module_: SASANetModule | None = None
        self.log_: dict[str, list[float]] = {}

    # --- scikit-learn's estimator contract --------------------------------------------------

    def get_params(self, deep: bool = True) -> dict:
        """The constructor's arguments: ``task``, ``progress`` and every :class:`Config`
        option (the objects themselves, as ``sklearn.base.clone`` requires)."""
        options = {f.name: getattr(self.config, f.name) for f in fields(Config) if f.name != "task"}
        return {"task": self.config.task, "progress": self.progress, **options}

    def set_params(self, **params: object) -> "SASANet":
        """Change constructor arguments (validated as in the constructor); a fitted model
        must be fitted again for them to take effect."""
        known = set(self.get_params())
        unknown = sorted(set(params) - known)
        if unknown:
            raise ValueError(
                f"SASANet has no parameter {', '.join(unknown)}; its parameters: "
                f"{', '.join(sorted(known))}"
            )
        merged = {**self.get_params(), **params}
        self.__init__(**merged)
        return self

    def score(self, X: ArrayLike, y: ArrayLike) -> float:
        """Accuracy for the classification tasks, R^2 for regression (scikit-learn's
        defaults for classifiers and regressors)."""
        from sklearn.metrics import accuracy_score, r2_score

        predicted = self.predict(X)
        if self.config.task == "regression":
            return float(r2_score(y, predicted))
        return float(accuracy_score(y, predicted))

    # --- input checks (:mod:`~unified_attribution.sasanet.inputs`) ---------------------------

    def _features(self, X) -> torch.Tensor:
        fitted = self.module_ is not None
        return inputs.features(
            X,
            self.config.categorical,
            n_features=self.module_.n_features if fitted else None,
            names=getattr(self, "feature_names_in_", None) if fitted else None,
        )

    def _targets(self, y) -> tuple[torch.Tensor, int]:
        return inputs.targets(y, self.config.task)

    def _validation_targets(self, y, n_outputs: int) -> torch.Tensor:
        return inputs.validation_targets(y, self.config.task, n_outputs)

    def _task_loss(self, output: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Mean loss of raw outputs (..., m) against y (...)."""
        if self.config.task == "binary":
            return nn.functional.binary_cross_entropy_with_logits(output[..., 0], y.float())
        if self.config.task == "multiclass":
            return nn.functional.cross_entropy(output.reshape(-1, output.shape[-1]), y.reshape(-1))
        return nn.functional.mse_loss(output[..., 0], y)

    # --- training --------------------------------------------------------------------------

    def losses(self, x: torch.Tensor, y: torch.Tensor, generator: torch.Generator) -> dict:
        """L_m, L_v, L_p, L_s on one batch (see the module docstring)."""
        module, n = self.module_, self.module_.n_features
        order = random_orders(len(x), n, generator)
        contributions = module.contributions(x, order)
        cumulative = module.bias + contributions.cumsum(dim=1)
        every_prefix = y[:, None].expand(-1, n)
        out = {
            "m": self._task_loss(cumulative[:, -1], y),
            "v": self._task_loss(cumulative, every_prefix),
        }
        # L_p: reorder the first k items (k >= 2) and compare the value of the same set
        k = (
            torch.randint(2, n + 1, (len(x),), generator=generator)
            if n > 1
            else torch.ones(len(x), dtype=torch.long)
        )
        positions = torch.arange(n)[None, :]
        noise = torch.rand(len(x), n, generator=generator) + (positions >= k[:, None]) * 2.0
        reordered = order.gather(1, noise.argsort(dim=1))
        rows = torch.arange(len(x))
        with torch.no_grad():
            other = module.cumulative(x, reordered)[rows, k - 1]
        out["p"] = ((cumulative[rows, k - 1] - other) ** 2).mean()
        # L_s: Phi_i against the marginal contribution of feature i in the order, averaged
        # with its contributions in shapley_orders - 1 further random orders
        target = _by_feature(contributions.detach(), order)
        if self.config.shapley_orders > 1:
            with torch.no_grad():
                for _ in range(self.config.shapley_orders - 1):
                    more = random_orders(len(x), n, generator)
                    target = target + _by_feature(module.contributions(x, more), more)
            target = target / self.config.shapley_orders
        out["s"] = ((module.shapley(x) - target) ** 2).mean()
        return out

    def fit(
        self,
        X: ArrayLike,
        y: ArrayLike,
        X_val: ArrayLike | None = None,
        y_val: ArrayLike | None = None,
    ) -> "SASANet":
        """Train with Adam on mini-batches; keep the weights of the epoch with the lowest
        validation loss (the task loss of f and of every prefix of one fixed order); stop early
        after ``patience`` epochs without improvement. Deterministic given ``seed``; torch's
        global random state is seeded inside and the caller's is restored afterwards. If a
        loss becomes NaN or infinite, or training is interrupted (Ctrl-C), it stops, the
        weights of the best epoch so far are kept and a warning says so (``stopped_``)."""
        with torch.random.fork_rng(devices=[]):
            return self._fit(X, y, X_val, y_val)

    def _fit(self, X, y, X_val, y_val) -> "SASANet":
        """The training loop: one epoch at a time (:meth:`_train_epoch`), the validation loss
        after each (:meth:`_validation_loss`), early stopping on it."""
        from tqdm.auto import tqdm

        cfg = self.config
        self.module_ = None
        generator = torch.Generator().manual_seed(cfg.seed)  # the split, then every batch
        x, y_t, x_val, y_val_t, n_outputs = self._training_data(X, y, X_val, y_val, generator)
        torch.manual_seed(cfg.seed)
        self.module_ = SASANetModule(x.shape[1], n_outputs, cfg)
        optimizer = torch.optim.Adam(
            self.module_.parameters(), lr=cfg.learning_rate, weight_decay=cfg.weight_decay
        )
        val_order = random_orders(
            len(x_val), x.shape[1], torch.Generator().manual_seed(cfg.seed + 1)
        )
        self.log_ = {**{f"L_{k}": [] for k in LOSSES}, "val_loss": [], "val_output_loss": []}
        self.stopped_ = None
        self.snapshots_: list[tuple[int, dict]] = []  # (epochs trained, weights)
        best, best_state, waited = float("inf"), copy.deepcopy(self.module_.state_dict()), 0
        start = time.perf_counter()
        bar = tqdm(
            range(cfg.epochs), desc="training SASANet", unit="epoch", disable=not self.progress
        )
        try:
            for epoch in bar:
                sums = self._train_epoch(x, y_t, optimizer, generator, epoch)
                val_loss, output_loss = (
                    self._validation_loss(x_val, y_val_t, val_order)
                    if not self.stopped_
                    else (float("nan"), float("nan"))
                )
                if not self.stopped_ and not np.isfinite(val_loss):
                    self.stopped_ = (
                        f"the validation loss became {val_loss} in epoch {epoch}; training "
                        f"stopped, the weights of the best epoch so far are kept"
                    )
                if self.stopped_:
                    warnings.warn(self.stopped_, RuntimeWarning, stacklevel=2)
                    break
                for k in LOSSES:
                    self.log_[f"L_{k}"].append(sums[k] / len(x))
                self.log_["val_loss"].append(val_loss)
                self.log_["val_output_loss"].append(output_loss)
                bar.set_postfix(val_loss=f"{val_loss:.4f}")
                if cfg.snapshot_every and (epoch + 1) % cfg.snapshot_every == 0:
                    self.snapshots_.append((epoch + 1, copy.deepcopy(self.module_.state_dict())))
                if val_loss < best:
                    best, best_state, waited = val_loss, copy.deepcopy(self.module_.state_dict()), 0
                else:
                    waited += 1
                    if waited >= cfg.patience:
                        break
        except KeyboardInterrupt:  # stopped by hand: keep what was learned, say so
            self.stopped_ = (
                f"interrupted after {len(self.log_['val_loss'])} epochs; the weights "
                f"of the best epoch so far are kept"
            )
            warnings.warn(self.stopped_, RuntimeWarning, stacklevel=2)
        self.module_.load_state_dict(best_state)
        self.module_.eval()
        self.fit_seconds_ = time.perf_counter() - start
        self.epochs_ = len(self.log_["val_loss"])
        return self

    def _training_data(self, X, y, X_val, y_val, generator: torch.Generator) -> tuple:
        """(x, y, x_val, y_val, n_outputs) as tensors, checked: the validation rows given, or
        a share ``config.validation`` of the training rows held out (drawn from ``generator``,
        which training then goes on drawing from); a regression
        target standardized with the training mean and sd (kept as ``y_mean_``, ``y_scale_``)."""
        cfg = self.config
        if (X_val is None) != (y_val is None):
            raise ValueError(
                "X_val and y_val go together: pass both, or neither (then a share of the "
                "training rows, config.validation, is held out)"
            )
        x, (y_t, n_outputs) = self._features(X), self._targets(y)
        self.feature_names_in_ = [str(c) for c in X.columns] if hasattr(X, "columns") else None
        if len(x) != len(y_t):
            raise ValueError(f"X has {len(x)} rows but y has {len(y_t)}")
        if X_val is None:
            held = torch.randperm(len(x), generator=generator)[
                : int(round(cfg.validation * len(x)))
            ]
            keep = torch.ones(len(x), dtype=torch.bool)
            keep[held] = False
            x_val, y_val_t = x[held], y_t[held]
            x, y_t = x[keep], y_t[keep]
        else:
            x_val, y_val_t = self._features(X_val), self._validation_targets(y_val, n_outputs)
            if x_val.shape[1] != x.shape[1] or len(x_val) != len(y_val_t):
                raise ValueError(
                    f"X_val is {tuple(x_val.shape)} and y_val has {len(y_val_t)} labels; "
                    f"they need the training features ({x.shape[1]}) and one label per row"
                )
        if len(x) < 2:
            raise ValueError(
                f"{len(x)} training row(s) after holding out the validation rows (n_samples = "
                f"{len(X)}): SASANet needs at least 2 to learn from"
            )
        if cfg.task == "binary" and len(torch.unique(y_t)) < 2:
            raise ValueError(
                f"the training rows hold only label {int(y_t[0])}: a binary task needs both "
                "0 and 1 to learn from; check the target column or the split"
            )
        if cfg.task == "regression" and float(y_t.std()) == 0:
            raise ValueError(
                "y is constant on the training rows: there is nothing to learn "
                "(and nothing to attribute); check the target column"
            )
        if len(x_val) == 0:
            raise ValueError(
                f"{len(x)} training and {len(x_val)} validation rows: the best epoch is chosen "
                f"on the validation rows, so both must be non-empty; pass X_val, y_val or a "
                f"validation share in (0, 1) (now {cfg.validation}) that leaves rows on each side"
            )
        self.y_mean_, self.y_scale_ = 0.0, 1.0
        if cfg.task == "regression":
            self.y_mean_, self.y_scale_ = float(y_t.mean()), float(y_t.std())
            y_t, y_val_t = (
                (y_t - self.y_mean_) / self.y_scale_,
                (y_val_t - self.y_mean_) / self.y_scale_,
            )
        return x, y_t, x_val, y_val_t, n_outputs

    def _train_epoch(self, x, y, optimizer, generator, epoch: int) -> dict[str, float]:
        """One pass over shuffled mini-batches; the sum over rows of each loss. A NaN or
        infinite loss stops the epoch and sets ``stopped_``."""
        cfg = self.config
        self.module_.train()
        sums = dict.fromkeys(LOSSES, 0.0)
        for idx in torch.randperm(len(x), generator=generator).split(cfg.batch_size):
            parts = self.losses(x[idx], y[idx], generator)
            total = sum(w * parts[k] for w, k in zip(cfg.weights, LOSSES) if w)
            if not torch.isfinite(total):
                self.stopped_ = (
                    f"loss became {total.item()} in epoch {epoch}; training stopped, the "
                    f"weights of the best epoch so far are kept; lower learning_rate (now "
                    f"{cfg.learning_rate})"
                )
                break
            optimizer.zero_grad()
            total.backward()
            optimizer.step()
            for k in LOSSES:
                sums[k] += parts[k].item() * len(idx)
        return sums

    def _validation_loss(self, x_val, y_val, order) -> tuple[float, float]:
        """(the validation loss that picks the best epoch, its output part): the task loss of
        the output plus that of every prefix of one fixed ``order``."""
        self.module_.eval()
        with torch.no_grad():
            output_loss = self._task_loss(self.module_(x_val), y_val).item()
            prefix_loss = self._task_loss(
                self.module_.cumulative(x_val, order),
                y_val[:, None].expand(-1, x_val.shape[1]),
            ).item()
        return output_loss + prefix_loss, output_loss

    # --- use -------------------------------------------------------------------------------

    def _fitted(self) -> SASANetModule:
        if self.module_ is None:
            raise NotFitted("this SASANet is not fitted yet: call fit(X, y) first")
        return self.module_

    def __sklearn_is_fitted__(self) -> bool:
        return self.module_ is not None

    @property
    def n_features_in_(self) -> int:
        """Features seen in ``fit`` (scikit-learn's name)."""
        return self._fitted().n_features

    def _unscale(self, raw: torch.Tensor, shift: bool = True) -> np.ndarray:
        raw = raw * self.y_scale_ + (self.y_mean_ if shift else 0.0)
        return (raw[..., 0] if self.module_.n_outputs == 1 else raw).numpy()

    def decision_function(self, X: ArrayLike) -> np.ndarray:
        """f(x) = b + sum_i Phi_i(x): the logit (binary), the logits (multiclass) or the
        prediction (regression, in the units of y)."""
        module = self._fitted()
        with torch.no_grad():
            return self._unscale(module(self._features(X)))

    @available_if(_classifies)
    def predict_proba(self, X: ArrayLike) -> np.ndarray:
        """Class probabilities (N, K); K = 2 for binary tasks. A regression SASANet has no
        ``predict_proba`` (``hasattr`` is False, as for scikit-learn's regressors)."""
        f = torch.as_tensor(self.decision_function(X))
        if self.config.task == "binary":
            p = torch.sigmoid(f)
            return torch.stack([1 - p, p], dim=1).numpy()
        return torch.softmax(f, dim=1).numpy()

    def predict(self, X: ArrayLike) -> np.ndarray:
        """Classes (classification) or values (regression)."""
        if self.config.task == "regression":
            return self.decision_function(X)
        return self.predict_proba(X).argmax(axis=1)

    def attribute(self, X: ArrayLike) -> ShapleyEstimate:
        """Its own Shapley values from ONE forward pass of the Shapley module: ``values`` phi
        (N, n[, K]), ``baseline_value`` phi_0 = b (N[, K]), ``output`` =
        decision_function(X) = phi_0 + sum_i phi_i; ``budget`` 0 (no other model is run)."""
        module = self._fitted()
        x = self._features(X)
        with torch.no_grad():
            phi = module.shapley(x)
        phi_0 = self._unscale(module.bias.detach().expand(len(x), -1))
        phi = self._unscale(phi, shift=False)
        return ShapleyEstimate("SASANet", phi, phi_0, phi_0 + phi.sum(axis=1), budget=0)

    def intermediate_attribution(
        self, X: ArrayLike, orders: int = 256, seed: int = 0
    ) -> np.ndarray:
        """E_O[Delta(x_i | x_{Pre_O(i)})]: each feature's marginal contribution from the
        marginal-contribution module, averaged over ``orders`` uniform random orders per row
        (the target L_s distils into Phi; the book reads it as the "intermediate
        self-attribution value" of the journal abstract, which may as well mean Phi): shape
        (N, n[, K]), in the units of ``attribute``'s phi."""
        module = self._fitted()
        if orders < 1:
            raise ValueError(f"orders must be at least 1, got {orders}")
        x = self._features(X)
        generator = torch.Generator().manual_seed(seed)
        total = torch.zeros(len(x), x.shape[1], module.n_outputs)
        with torch.no_grad():
            for _ in range(orders):
                order = random_orders(len(x), x.shape[1], generator)
                total += _by_feature(module.contributions(x, order), order)
        return self._unscale(total / orders, shift=False)

    def values_over_orders(
        self,
        X: ArrayLike,
        mask: ArrayLike,
        orders: int = 1,
        seed: int = 0,
        fixed_order: bool = False,
    ) -> np.ndarray:
        """f_c(x_S) for the observed set S of each row (``mask``: (N, n) or (n,) booleans),
        once per random order of S: shape (orders, N[, K]), in the units of
        ``decision_function``. Unobserved features are never read: they are placed after
        the observed ones and the causal attention stops at ``|S|``. ``fixed_order``: read S in
        the order of the feature indices instead (one deterministic value per subset, whatever
        the batch; what a sampling estimator needs as its game)."""
        module = self._fitted()
        x = self._features(X)
        mask = np.asarray(mask)
        if mask.dtype != bool:
            raise ValueError(
                f"mask must hold booleans (True: feature observed), shaped (N, n) or "
                f"(n,); got {mask.dtype} (index lists: make a boolean mask first)"
            )
        if (
            mask.shape[-1:] != x.shape[1:]
            or mask.ndim > 2
            or (mask.ndim == 2 and len(mask) not in (1, len(x)))
        ):
            raise ValueError(
                f"mask is shaped {mask.shape}; it needs one boolean per feature: (n,) = "
                f"({x.shape[1]},) for every row, or (N, n) = {tuple(x.shape)}"
            )
        whole_number(orders, "orders (random orders averaged per subset)", 1)
        mask = torch.as_tensor(np.broadcast_to(mask, x.shape).copy())
        size = mask.sum(dim=1)
        generator = torch.Generator().manual_seed(seed)
        out = []
        with torch.no_grad():
            for _ in range(orders):
                noise = (
                    torch.arange(x.shape[1]) / x.shape[1]
                    if fixed_order
                    else torch.rand(x.shape, generator=generator)
                )
                key = noise + (~mask) * 2.0  # observed first
                order = key.argsort(dim=1)
                cumulative = module.cumulative(x, order)
                rows = torch.arange(len(x))
                value = cumulative[rows, (size - 1).clamp(min=0)]
                value[size == 0] = module.bias
                out.append(value)
        return self._unscale(torch.stack(out))

    def value(
        self,
        X: ArrayLike,
        mask: ArrayLike,
        orders: int = 1,
        seed: int = 0,
        fixed_order: bool = False,
    ) -> np.ndarray:
        """v_x(S) = f_c(x_S), averaged over ``orders`` random orders of S (see
        :meth:`values_over_orders`)."""
        return self.values_over_orders(X, mask, orders, seed, fixed_order).mean(axis=0)

    def subset_values(
        self, x: ArrayLike, orders: int = 1, seed: int = 0, fixed_order: bool = False
    ) -> np.ndarray:
        """v_x(S) = f_c(x_S) of ONE input row for all 2^n subsets S (n <= 16), indexed by the
        bit mask of S (bit i set: feature i observed), each averaged over ``orders`` random
        orders, or read in index order (``fixed_order``, see :meth:`values_over_orders`):
        shape (2^n[, K])."""
        n = self._fitted().n_features
        if n > 16:
            raise ValueError(
                f"exact enumeration of 2^{n} subsets is too large; use at most 16 features"
            )
        masks = (np.arange(2**n)[:, None] >> np.arange(n)[None, :]) & 1
        rows = np.repeat(np.asarray(x, dtype=np.float32).reshape(1, -1), 2**n, axis=0)
        return self.value(
            rows, masks.astype(bool), orders=orders, seed=seed, fixed_order=fixed_order
        )

    def exact_shapley(
        self,
        x: ArrayLike,
        orders: int = 1,
        output: int = 0,
        seed: int = 0,
        fixed_order: bool = False,
    ) -> np.ndarray:
        """Exact Shapley values of the model's own value function (:meth:`subset_values`)
        for ONE input row: Moebius transform and phi_i = sum_{S ∋ i} H(S) / ``|S|``
        (:mod:`unified_attribution.games`). ``output``: the class of a multiclass model."""
        from ..games import harsanyi

        return harsanyi(self.value_game(x, orders, output, seed, fixed_order)).shapley()

    def value_game(
        self,
        x: ArrayLike,
        orders: int = 1,
        output: int = 0,
        seed: int = 0,
        fixed_order: bool = False,
    ) -> TabularGame:
        """The model's own value function v_x(S) = f_c(x_S) of ONE input row as a
        :class:`~unified_attribution.games.TabularGame` (all 2^n subsets, see
        :meth:`subset_values`), for :func:`~unified_attribution.games.harsanyi` and the
        values computed from dividends. ``output``: the class of a multiclass model."""
        from ..games import TabularGame

        values = self.subset_values(x, orders, seed, fixed_order)
        outputs = values.shape[1] if values.ndim == 2 else 1
        if not 0 <= output < outputs:
            raise ValueError(f"output must be 0..{outputs - 1} (the model's outputs), got {output}")
        return TabularGame(values[:, output] if values.ndim == 2 else values)

    # --- persistence -----------------------------------------------------------------------

    def save(self, path: str | Path) -> None:
        """Weights, configuration and training log in one file, written atomically
        (:func:`~unified_attribution.sasanet.persistence.write`): a reader never sees half a
        file, and a writer killed mid-way leaves the model saved before intact."""
        module = self._fitted()
        persistence.write(
            {
                "config": asdict(self.config),
                "state_dict": module.state_dict(),
                "n_features": module.n_features,
                "n_outputs": module.n_outputs,
                "y_mean": self.y_mean_,
                "y_scale": self.y_scale_,
                "log": self.log_,
                "fit_seconds": getattr(self, "fit_seconds_", None),
                "epochs": getattr(self, "epochs_", None),
                "stopped": getattr(self, "stopped_", None),
                "snapshots": getattr(self, "snapshots_", []),
                "feature_names": getattr(self, "feature_names_in_", None),
            },
            path,
        )

    @classmethod
    def load(cls, path: str | Path) -> "SASANet":
        """A SASANet saved by :meth:`save`, read in torch's weights-only mode
        (:func:`~unified_attribution.sasanet.persistence.read`): a file from elsewhere cannot
        run code."""
        stored = persistence.read(path)
        config = stored["config"]
        config["weights"] = tuple(config["weights"])
        model = cls(**config)
        model.module_ = SASANetModule(stored["n_features"], stored["n_outputs"], model.config)
        model.module_.load_state_dict(stored["state_dict"])
        model.module_.eval()
        model.y_mean_, model.y_scale_, model.log_ = (
            stored["y_mean"],
            stored["y_scale"],
            stored["log"],
        )
        model.fit_seconds_, model.epochs_, model.stopped_ = (
            stored["fit_seconds"],
            stored["epochs"],
            stored["stopped"],
        )
        model.snapshots_ = stored["snapshots"]
        model.feature_names_in_ = stored.get("feature_names")
        return model

    def at_snapshot(self, k: int) -> "SASANet":
        """A copy of this model with the weights of snapshot ``k`` (see ``snapshot_every``)."""
        kept = len(getattr(self, "snapshots_", []))
        if not kept:
            raise ValueError(
                "this model kept no snapshots: fit it with snapshot_every=k (keep the weights "
                "every k epochs) to read them"
            )
        whole_number(k, f"snapshot index (this model kept {kept})", -kept, kept - 1)
        other = copy.copy(self)
        other.module_ = copy.deepcopy(self._fitted())
        other.module_.load_state_dict(self.snapshots_[k][1])
        other.module_.eval()
        return other
