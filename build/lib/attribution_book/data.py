"""Offline datasets used by the book, each with one fixed train/validation/test split.

Nothing is downloaded: every loader reads data that ships inside an installed package
(scikit-learn's bundled sets, statsmodels' bundled sets) or regenerates it offline
(``mnist1d``). ``load(name)`` returns a :class:`Dataset`; ``summary()`` lists them all.

The split is fixed (60 % train, 20 % validation, 20 % test, stratified for classification,
``SPLIT_SEED``) so that every chapter and every model sees the same test set, whatever
seed it trains with. Tabular features are standardised with the training split's mean and
standard deviation; digit images are scaled from 0..16 to 0..1.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable

import numpy as np

from unified_attribution.sasanet import TASKS  # noqa: F401 - the learning tasks, defined once

SPLIT_SEED = 0


@dataclass(frozen=True)
class Dataset:
    """One dataset with its fixed split. Arrays are float32 (features) and int64 or
    float32 (targets); ``image_shape`` is set for image data such as the 8x8 digits."""

    name: str
    description: str
    task: str
    feature_names: tuple[str, ...]
    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    n_classes: int | None = None
    image_shape: tuple[int, ...] | None = None
    source: str = ""
    extra: dict = field(default_factory=dict, repr=False)

    @property
    def n_features(self) -> int:
        return self.X_train.shape[1]

    @property
    def n_samples(self) -> int:
        return len(self.X_train) + len(self.X_val) + len(self.X_test)

    def split(self, part: str) -> tuple[np.ndarray, np.ndarray]:
        """``(X, y)`` of ``part``, one of "train", "val", "test"."""
        if part not in ("train", "val", "test"):
            raise ValueError(f"part must be 'train', 'val' or 'test', got {part!r}")
        return getattr(self, f"X_{part}"), getattr(self, f"y_{part}")


@dataclass(frozen=True)
class _Spec:
    description: str
    task: str
    source: str
    loader: Callable[[], tuple[np.ndarray, np.ndarray, list[str]]]
    image_shape: tuple[int, ...] | None = None
    standardize: bool = True
    rows: Callable[[int], dict[str, np.ndarray]] | None = None  # per-row extras, split like X


def _sklearn(name: str):
    def load():
        import sklearn.datasets as skd

        bunch = getattr(skd, f"load_{name}")()
        names = [str(n) for n in getattr(bunch, "feature_names", [])]
        if not names:
            names = [f"x{i}" for i in range(bunch.data.shape[1])]
        return np.asarray(bunch.data, dtype=np.float64), np.asarray(bunch.target), names

    return load


def _digits():
    X, y, _ = _sklearn("digits")()
    names = [f"pixel_{r}_{c}" for r in range(8) for c in range(8)]
    return X / 16.0, y, names


CANVAS = 12  # side of the canvas digits
CANVAS_SEED = 0
CANVAS_NOISE = 0.25  # background: uniform noise in [0, CANVAS_NOISE]


def _canvas_digits():
    """Each 8x8 digit pasted at a random position of a canvas of uniform noise (a blank
    background with b = 0 would make every method that multiplies by x - b localize
    perfectly by construction); inside the box a pixel is the larger of digit and noise."""
    X, y, _ = _digits()
    offsets = _canvas_offsets(len(X))
    rng = np.random.default_rng(CANVAS_SEED + 1)
    canvas = rng.uniform(0, CANVAS_NOISE, size=(len(X), CANVAS, CANVAS))
    for k, (r, c) in enumerate(offsets):
        canvas[k, r : r + 8, c : c + 8] = np.maximum(
            canvas[k, r : r + 8, c : c + 8], X[k].reshape(8, 8)
        )
    names = [f"pixel_{r}_{c}" for r in range(CANVAS) for c in range(CANVAS)]
    return canvas.reshape(len(X), -1), y, names


def _canvas_offsets(n: int) -> np.ndarray:
    return np.random.default_rng(CANVAS_SEED).integers(0, CANVAS - 8 + 1, size=(n, 2))


def _canvas_boxes(n: int) -> dict[str, np.ndarray]:
    """The digit's box on the canvas, (row, column, height, width) per row."""
    offsets = _canvas_offsets(n)
    return {"box": np.concatenate([offsets, np.full((n, 2), 8)], axis=1)}


def _fair():
    from statsmodels.datasets import fair

    frame = fair.load_pandas().data
    y = (frame.pop("affairs") > 0).astype(np.int64).to_numpy()
    return frame.to_numpy(dtype=np.float64), y, list(frame.columns)


def _randhie():
    from statsmodels.datasets import randhie

    data = randhie.load_pandas()
    return (
        data.exog.to_numpy(dtype=np.float64),
        data.endog.to_numpy(dtype=np.float64),
        list(data.exog.columns),
    )


def _mnist1d():
    from mnist1d.data import get_dataset_args, make_dataset

    data = make_dataset(get_dataset_args())
    X = np.concatenate([data["x"], data["x_test"]]).astype(np.float64)
    y = np.concatenate([data["y"], data["y_test"]])
    return X, y, [f"t{i}" for i in range(X.shape[1])]


_SPECS: dict[str, _Spec] = {
    "digits": _Spec(
        "8x8 grey-scale handwritten digits 0-9 (the book's MNIST stand-in)",
        "multiclass",
        "scikit-learn load_digits (UCI optdigits test set)",
        _digits,
        image_shape=(1, 8, 8),
        standardize=False,
    ),
    "canvas_digits": _Spec(
        f"the 8x8 digits, each pasted at a random position of a {CANVAS}x{CANVAS} "
        f"canvas of uniform noise in [0, {CANVAS_NOISE}]; extra['box_<part>'] "
        f"holds where (row, column, height, width)",
        "multiclass",
        "scikit-learn load_digits, placed by data.CANVAS_SEED",
        _canvas_digits,
        image_shape=(1, CANVAS, CANVAS),
        standardize=False,
        rows=_canvas_boxes,
    ),
    "breast_cancer": _Spec(
        "Wisconsin diagnostic breast cancer: malignant (0) or benign (1) "
        "from 30 cell-nucleus measurements",
        "binary",
        "scikit-learn load_breast_cancer",
        _sklearn("breast_cancer"),
    ),
    "diabetes": _Spec(
        "disease progression one year after baseline from 10 clinical measurements",
        "regression",
        "scikit-learn load_diabetes",
        _sklearn("diabetes"),
    ),
    "wine": _Spec(
        "three Italian wine cultivars from 13 chemical measurements",
        "multiclass",
        "scikit-learn load_wine",
        _sklearn("wine"),
    ),
    "iris": _Spec(
        "three iris species from 4 flower measurements",
        "multiclass",
        "scikit-learn load_iris",
        _sklearn("iris"),
    ),
    "fair": _Spec(
        "extramarital affairs survey (1974): any affair (1) or none (0) from 8 answers",
        "binary",
        "statsmodels datasets.fair",
        _fair,
    ),
    "randhie": _Spec(
        "RAND health insurance experiment: number of outpatient visits from "
        "9 insurance and health variables",
        "regression",
        "statsmodels datasets.randhie",
        _randhie,
    ),
    "mnist1d": _Spec(
        "MNIST-1D: 40-sample one-dimensional signals of the digits 0-9, "
        "regenerated offline with its standard arguments",
        "multiclass",
        "mnist1d make_dataset(get_dataset_args())",
        _mnist1d,
    ),
}

NAMES: tuple[str, ...] = tuple(_SPECS)


def _three_way_split(n: int, y: np.ndarray, stratify: bool):
    from sklearn.model_selection import train_test_split

    index = np.arange(n)
    strat = y if stratify else None
    train, rest = train_test_split(index, test_size=0.4, random_state=SPLIT_SEED, stratify=strat)
    strat_rest = y[rest] if stratify else None
    val, test = train_test_split(rest, test_size=0.5, random_state=SPLIT_SEED, stratify=strat_rest)
    return train, val, test


@lru_cache(maxsize=None)
def load(name: str) -> Dataset:
    """Load dataset ``name`` (one of :data:`NAMES`) with its fixed split."""
    if name not in _SPECS:
        raise ValueError(f"unknown dataset {name!r}; choose one of {', '.join(NAMES)}")
    spec = _SPECS[name]
    X, y, names = spec.loader()
    classification = spec.task != "regression"
    y = y.astype(np.int64) if classification else y.astype(np.float32)
    train, val, test = _three_way_split(len(X), y, stratify=classification)
    extra = {}
    if spec.standardize:
        mean, std = X[train].mean(axis=0), X[train].std(axis=0)
        std[std == 0] = 1.0
        X = (X - mean) / std
        extra = {"mean": mean, "std": std}
    X = X.astype(np.float32)
    if spec.rows is not None:
        for key, values in spec.rows(len(X)).items():
            extra.update(
                {
                    f"{key}_{part}": values[rows]
                    for part, rows in (("train", train), ("val", val), ("test", test))
                }
            )
    return Dataset(
        name=name,
        description=spec.description,
        task=spec.task,
        feature_names=tuple(names),
        X_train=X[train],
        y_train=y[train],
        X_val=X[val],
        y_val=y[val],
        X_test=X[test],
        y_test=y[test],
        n_classes=int(y.max()) + 1 if classification else None,
        image_shape=spec.image_shape,
        source=spec.source,
        extra=extra,
    )


def summary(names: tuple[str, ...] = NAMES):
    """A table (pandas DataFrame) of the datasets: task, sizes of the splits, features."""
    import pandas as pd

    rows = []
    for name in names:
        d = load(name)
        rows.append(
            {
                "dataset": name,
                "task": d.task,
                "features": d.n_features,
                "classes": d.n_classes or "",
                "train": len(d.X_train),
                "validation": len(d.X_val),
                "test": len(d.X_test),
                "description": d.description,
                "source": d.source,
            }
        )
    return pd.DataFrame(rows).set_index("dataset")
