"""The small model zoo the chapters share, trained deterministically and cached on disk.

``load("digits_mlp", seed=0)`` returns a :class:`TrainedModel`: the torch module (eval mode,
float32) with its configuration, test metrics and training log. The first call trains
(a progress bar shows the epochs), later calls with the same configuration read the
weights from the book's model cache (:mod:`attribution_book.cache`), keyed by the whole
configuration, the torch version and the bytes of the training data, so changing any
hyperparameter or the data trains a new model.

Every non-linearity of the chain models is its own ``nn.Module``, created once and used
once (see :func:`check_activations_used_once`), so that captum's DeepLift and shap's
DeepExplainer, which keep a module's input on the module, can be compared with ours on them.
The ResNet reuses one ReLU per block, as torchvision's does (:data:`REUSES_ACTIVATIONS`):
the library's propagation methods read each use as a node of its own.

=============== ============= ================================================
name            data          architecture
=============== ============= ================================================
digits_mlp      digits        64 -> 64 -> 32 -> 10, ReLU
digits_cnn      digits        conv 3x3 (16) ReLU, conv 3x3 (32) ReLU, max-pool 2,
                              linear 512 -> 10
digits_shallow  digits        64 -> 64 -> 10, ReLU (one nonlinear layer: DeepLIFT = IG)
digits_gap_cnn  digits        conv 3x3 (16) ReLU, conv 3x3 (32) ReLU, global average
                              pool, linear 32 -> 10 (Grad-CAM = Gradient x Input on A)
smooth_mlp      wine          13 -> 32 -> 16 -> 3, tanh (analytic: Taylor terms exist)
tabular_mlp     breast_cancer 30 -> 32 -> 16 -> 2, ReLU
canvas_poly     canvas_digits 144 -> 64 -> square -> 10 (a second-order polynomial)
canvas_mlp      canvas_digits 144 -> 64 -> 32 -> 10, sigmoid
canvas_cnn      canvas_digits conv 3x3 (8) sigmoid, conv 3x3 (16) sigmoid, max-pool 2,
                              linear 576 -> 10
canvas_resnet   canvas_digits torchvision-style ResNet (BatchNorm, BasicBlocks, width 8)
wine_transformer wine         feature tokens, one TransformerEncoderLayer (width 16), mean
=============== ============= ================================================
"""

from __future__ import annotations

import copy
import os
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np
import torch
from torch import nn

from unified_attribution.checks import whole_number
from unified_attribution.taylor import float64_copy

from . import PROFILES, architectures, cache, data

PROGRESS_ENV = "UNIFIED_ATTRIBUTION_PROGRESS"
_FORMAT = 1  # bump when the file layout or the training code changes meaning

ACTIVATIONS = {
    "relu": nn.ReLU,
    "tanh": nn.Tanh,
    "softplus": nn.Softplus,
    "gelu": nn.GELU,
    "sigmoid": nn.Sigmoid,
}


class Square(nn.Module):
    """z -> z^2, element-wise: with linear layers around it, a second-order polynomial."""

    def forward(self, z):
        return z * z


NONLINEAR = (nn.ReLU, nn.Tanh, nn.Softplus, nn.GELU, nn.Sigmoid, nn.MaxPool2d, nn.Softmax, Square)


@dataclass(frozen=True)
class ModelConfig:
    """Everything that determines a trained model; its hash is the cache key."""

    name: str
    dataset: str
    architecture: str  # "mlp", "poly", "cnn", "gap_cnn", "resnet" or "transformer"
    hidden: tuple[int, ...]
    activation: str
    epochs: int
    learning_rate: float = 3e-3
    batch_size: int = 64
    weight_decay: float = 1e-4
    seed: int = 0
    quick_share: float = 0.25  # share of the epochs the quick profile trains

    def path(self) -> Path:
        """The cache entry: the configuration, the code's format, torch's version and the
        bytes of the training data hashed (see :mod:`attribution_book.cache`)."""
        ds = data.load(self.dataset)
        return cache.entry(
            "zoo",
            self.name,
            self.seed,
            {
                **asdict(self),
                "format": _FORMAT,
                "data": cache.data_digest(ds.X_train, ds.y_train, ds.X_val, ds.y_val),
            },
        )

    def key(self) -> str:
        """The name of the cache entry, without its suffix."""
        return self.path().stem


# epochs of the full profile; the quick profile (tests) trains quick_share of them (a quarter)
ZOO: dict[str, ModelConfig] = {
    "digits_mlp": ModelConfig("digits_mlp", "digits", "mlp", (64, 32), "relu", epochs=60),
    "digits_cnn": ModelConfig("digits_cnn", "digits", "cnn", (16, 32), "relu", epochs=30),
    "smooth_mlp": ModelConfig(
        "smooth_mlp", "wine", "mlp", (32, 16), "tanh", epochs=150, batch_size=32
    ),
    "tabular_mlp": ModelConfig(
        "tabular_mlp", "breast_cancer", "mlp", (32, 16), "relu", epochs=100, batch_size=32
    ),
    "digits_shallow": ModelConfig("digits_shallow", "digits", "mlp", (64,), "relu", epochs=60),
    "digits_gap_cnn": ModelConfig(
        "digits_gap_cnn", "digits", "gap_cnn", (16, 32), "relu", epochs=40, learning_rate=1e-2
    ),
    # the predecessor paper's three models (AAAI 2021), on the canvas digits
    "canvas_poly": ModelConfig(
        "canvas_poly", "canvas_digits", "poly", (64,), "square", epochs=100, learning_rate=1e-3
    ),
    # sigmoid layers learn slowly (the CNN sits on a plateau for about 50 epochs): the quick
    # profile trains them in full, a few seconds each
    "canvas_mlp": ModelConfig(
        "canvas_mlp",
        "canvas_digits",
        "mlp",
        (64, 32),
        "sigmoid",
        epochs=80,
        learning_rate=1e-2,
        batch_size=16,
        quick_share=1.0,
    ),
    "canvas_cnn": ModelConfig(
        "canvas_cnn",
        "canvas_digits",
        "cnn",
        (8, 16),
        "sigmoid",
        epochs=120,
        learning_rate=1e-2,
        batch_size=32,
        quick_share=1.0,
    ),
    # the networks people use (the chapter of that name): a torchvision-style ResNet with
    # BatchNorm and residual blocks on the canvas, a transformer over feature tokens on wine
    "canvas_resnet": ModelConfig(
        "canvas_resnet", "canvas_digits", "resnet", (8,), "relu", epochs=30, learning_rate=1e-2
    ),
    "wine_transformer": ModelConfig(
        "wine_transformer", "wine", "transformer", (16,), "relu", epochs=60, batch_size=32
    ),
}
NAMES: tuple[str, ...] = tuple(ZOO)
#: architectures that apply one activation module at several places on purpose
REUSES_ACTIVATIONS = ("resnet",)


def config(name: str, seed: int = 0, profile: str = "full") -> ModelConfig:
    """The configuration of zoo model ``name`` for ``seed`` and ``profile``."""
    if name not in ZOO:
        raise ValueError(f"unknown zoo model {name!r}; choose one of {', '.join(NAMES)}")
    if profile not in PROFILES:
        raise ValueError(f"profile must be one of {PROFILES}, got {profile!r}")
    whole_number(seed, "seed", 0, 2**32 - 1)
    base = ZOO[name]
    epochs = base.epochs if profile == "full" else max(1, int(base.epochs * base.quick_share))
    return replace(base, seed=int(seed), epochs=epochs)


def mlp(n_in: int, hidden: tuple[int, ...], n_out: int, activation: str = "relu") -> nn.Sequential:
    """Linear layers with one fresh activation module after each hidden layer."""
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
    layers: list[nn.Module] = []
    width = n_in
    for h in hidden:
        layers += [nn.Linear(width, h), ACTIVATIONS[activation]()]
        width = h
    layers.append(nn.Linear(width, n_out))
    return nn.Sequential(*layers)


def cnn(
    image_shape: tuple[int, int, int],
    channels: tuple[int, int],
    n_out: int,
    activation: str = "relu",
) -> nn.Sequential:
    """Two 3x3 convolutions (same padding) with an activation, one 2x2 max-pool, one linear
    head. The last convolution's activation output (index 3) is the feature map Grad-CAM uses."""
    c_in, height, width = image_shape
    c1, c2 = channels
    act = ACTIVATIONS[activation]
    return nn.Sequential(
        nn.Conv2d(c_in, c1, 3, padding=1),
        act(),
        nn.Conv2d(c1, c2, 3, padding=1),
        act(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(c2 * (height // 2) * (width // 2), n_out),
    )


def gap_cnn(
    image_shape: tuple[int, int, int], channels: tuple[int, int], n_out: int
) -> nn.Sequential:
    """Two 3x3 convolutions (same padding) with ReLU, global average pooling, a linear head:
    dy/dA is the same at every position of the last feature map (index 3)."""
    c1, c2 = channels
    return nn.Sequential(
        nn.Conv2d(image_shape[0], c1, 3, padding=1),
        nn.ReLU(),
        nn.Conv2d(c1, c2, 3, padding=1),
        nn.ReLU(),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Linear(c2, n_out),
    )


def build(cfg: ModelConfig, dataset: data.Dataset) -> nn.Module:
    """An untrained model for ``cfg``, initialised from ``cfg.seed`` (torch's global random
    state is seeded for it and the caller's restored afterwards)."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(cfg.seed)
        return _build(cfg, dataset)


def _build(cfg: ModelConfig, dataset: data.Dataset) -> nn.Module:
    n_out = (
        dataset.n_classes
        if dataset.task == "multiclass"
        else (2 if dataset.task == "binary" else 1)
    )
    if cfg.architecture == "mlp":
        return mlp(dataset.n_features, cfg.hidden, n_out, cfg.activation)
    if cfg.architecture == "poly":  # linear, square, linear: a second-order polynomial of x
        return nn.Sequential(
            nn.Linear(dataset.n_features, cfg.hidden[0]), Square(), nn.Linear(cfg.hidden[0], n_out)
        )
    if cfg.architecture in ("cnn", "gap_cnn"):
        if dataset.image_shape is None:
            raise ValueError(f"a CNN needs image data; {dataset.name!r} has no image_shape")
        if cfg.architecture == "cnn":
            return cnn(dataset.image_shape, cfg.hidden, n_out, cfg.activation)
        return gap_cnn(dataset.image_shape, cfg.hidden, n_out)
    if cfg.architecture == "resnet":
        return architectures.ResNet(dataset.image_shape[0], cfg.hidden[0], n_out)
    if cfg.architecture == "transformer":
        return architectures.TabularTransformer(dataset.n_features, cfg.hidden[0], n_out)
    raise ValueError(
        f"unknown architecture {cfg.architecture!r}; use 'mlp', 'poly', 'cnn', 'gap_cnn', "
        f"'resnet' or 'transformer'"
    )


def check_activations_used_once(model: nn.Module, example: torch.Tensor) -> None:
    """Raise ``ValueError`` naming the module if a non-linear module runs more than once in
    one forward pass of ``example``. (An inline ``torch.relu`` cannot be seen by hooks;
    the propagation methods check for that themselves.)"""
    calls: dict[str, int] = {}
    handles = []
    for name, module in model.named_modules():
        if isinstance(module, NONLINEAR):

            def hook(_m, _i, _o, name=name):
                calls[name] = calls.get(name, 0) + 1

            handles.append(module.register_forward_hook(hook))
    try:
        with torch.no_grad():
            model(example[:1])
    finally:
        for h in handles:
            h.remove()
    reused = {name: n for name, n in calls.items() if n > 1}
    if reused:
        listing = ", ".join(f"{name!r} ({n} calls)" for name, n in reused.items())
        raise ValueError(
            f"non-linear module(s) used more than once in one forward pass: "
            f"{listing}. Create one module per use in __init__."
        )


@dataclass
class TrainedModel:
    """A trained zoo model: ``module`` (eval mode) and what is known about it."""

    config: ModelConfig
    module: nn.Module
    metrics: dict[str, float]
    history: dict[str, list[float]] = field(repr=False)
    from_cache: bool = False

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        return self.module(x)

    @property
    def dataset(self) -> data.Dataset:
        return data.load(self.config.dataset)

    def inputs(self, X: np.ndarray) -> torch.Tensor:
        """Features as the model's input tensor (images reshaped to N x C x H x W)."""
        return as_input(X, self.dataset, self.config.architecture)

    def float64(self) -> nn.Module:
        """A float64 copy of the module (for comparisons at 1e-10; the original is untouched)."""
        return float64_copy(self.module)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Predicted class of each row of X."""
        with torch.no_grad():
            return self.module(self.inputs(X)).argmax(dim=1).numpy()


def as_input(X: np.ndarray, dataset: data.Dataset, architecture: str) -> torch.Tensor:
    x = torch.as_tensor(np.asarray(X, dtype=np.float32))
    if architecture in ("cnn", "gap_cnn", "resnet"):
        x = x.reshape(len(x), *dataset.image_shape)
    return x


def _progress_default() -> bool:
    return os.environ.get(PROGRESS_ENV, "1") not in ("0", "false", "no")


def _evaluate(module: nn.Module, x: torch.Tensor, y: torch.Tensor, task: str) -> dict[str, float]:
    with torch.no_grad():
        out = module(x)
    if task == "regression":
        rmse = torch.sqrt(torch.mean((out.squeeze(-1) - y) ** 2)).item()
        return {"rmse": rmse}
    loss = nn.functional.cross_entropy(out, y).item()
    return {"accuracy": (out.argmax(dim=1) == y).float().mean().item(), "loss": loss}


def train(cfg: ModelConfig, progress: bool | None = None) -> TrainedModel:
    """Train ``cfg`` from scratch: Adam, mini-batches shuffled by a seeded generator,
    cross-entropy (classification) or squared error (regression); the weights of the
    epoch with the best validation loss are kept."""
    from tqdm.auto import tqdm

    ds = data.load(cfg.dataset)
    module = build(cfg, ds)
    x_tr, x_val, x_te = (
        as_input(X, ds, cfg.architecture) for X in (ds.X_train, ds.X_val, ds.X_test)
    )
    y_tr, y_val, y_te = (torch.as_tensor(y) for y in (ds.y_train, ds.y_val, ds.y_test))
    regression = ds.task == "regression"
    if regression:
        scale = float(y_tr.std())
        y_tr, y_val, y_te = y_tr / scale, y_val / scale, y_te / scale

    def loss_fn(out, y):
        if regression:
            return nn.functional.mse_loss(out.squeeze(-1), y)
        return nn.functional.cross_entropy(out, y)

    opt = torch.optim.Adam(module.parameters(), lr=cfg.learning_rate, weight_decay=cfg.weight_decay)
    gen = torch.Generator().manual_seed(cfg.seed)
    history: dict[str, list[float]] = {"train_loss": [], "val_loss": []}
    best = (float("inf"), None)
    bar = tqdm(
        range(cfg.epochs),
        desc=f"training {cfg.name}",
        unit="epoch",
        disable=not (_progress_default() if progress is None else progress),
    )
    for _epoch in bar:
        module.train()
        order = torch.randperm(len(x_tr), generator=gen)
        total = 0.0
        for start in range(0, len(order), cfg.batch_size):
            idx = order[start : start + cfg.batch_size]
            opt.zero_grad()
            loss = loss_fn(module(x_tr[idx]), y_tr[idx])
            if not torch.isfinite(loss):
                raise FloatingPointError(
                    f"training {cfg.name} diverged (loss {loss.item()}) in epoch {_epoch}; "
                    f"lower learning_rate (now {cfg.learning_rate})"
                )
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        module.eval()
        with torch.no_grad():
            val_loss = loss_fn(module(x_val), y_val).item()
        history["train_loss"].append(total / len(x_tr))
        history["val_loss"].append(val_loss)
        bar.set_postfix(val_loss=f"{val_loss:.4f}")
        if val_loss < best[0]:
            best = (val_loss, copy.deepcopy(module.state_dict()))
    module.load_state_dict(best[1])
    module.eval()
    metrics = _evaluate(module, x_te, y_te, ds.task)
    if regression:
        metrics["rmse"] *= scale
        metrics["target_scale"] = scale
    return TrainedModel(cfg, module, metrics, history)


def _from_cache(cfg: ModelConfig, path: Path) -> TrainedModel:
    stored = torch.load(
        path, map_location="cpu", weights_only=True
    )  # tensors and plain values only
    module = build(cfg, data.load(cfg.dataset))
    module.load_state_dict(stored["state_dict"])
    module.eval()
    return TrainedModel(cfg, module, stored["metrics"], stored["history"], from_cache=True)


def load(
    name: str,
    seed: int = 0,
    profile: str = "full",
    progress: bool | None = None,
    retrain: bool = False,
) -> TrainedModel:
    """Zoo model ``name`` trained with ``seed``: from the cache if present, else trained
    now and cached. ``retrain=True`` ignores the cache."""
    cfg = config(name, seed, profile)

    def fit(tmp: Path) -> TrainedModel:
        model = train(cfg, progress)
        torch.save(
            {
                "config": asdict(cfg),
                "state_dict": model.module.state_dict(),
                "metrics": model.metrics,
                "history": model.history,
            },
            tmp,
        )
        return model

    return cache.load_or_train(cfg.path(), fit, lambda path: _from_cache(cfg, path), retrain)
