"""The book's trained SASANets: one experiment per dataset, trained once and cached.

``trained("wine")`` returns the :class:`~unified_attribution.sasanet.SASANet` of
:data:`EXPERIMENTS` for that dataset, from the book's model cache
(:mod:`attribution_book.cache`) when it has been trained before.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from unified_attribution.sasanet import SASANet

from . import PROFILES, cache, data, synthetic

# dataset -> (task, options of the full profile); the quick profile trains a fifth of the epochs
EXPERIMENTS = {
    "wine": ("multiclass", {"epochs": 200, "patience": 30}),
    "diabetes": ("regression", {"epochs": 150, "patience": 30}),
    "breast_cancer": ("binary", {"epochs": 80, "patience": 20}),
    "synthetic": ("regression", {"epochs": 100, "batch_size": 128, "patience": 100,
                                 "snapshot_every": 10}),
    "fair": ("binary", {"epochs": 40, "batch_size": 256, "patience": 10}),
    "randhie": ("regression", {"epochs": 40, "batch_size": 256, "patience": 10}),
}
SYNTHETIC_SAMPLES = (1600, 200)  # training (with validation) and test rows
MAX_TRAINING_ROWS = 4000  # randhie's 12,114 training rows are cut to these (2-core budget)
_FORMAT = 1  # bump when the training code changes meaning


def dataset(name: str):
    """(X_train, y_train, X_val, y_val, X_test, y_test) of a book dataset, or of the synthetic
    ground-truth data (:mod:`attribution_book.synthetic`, validation = 20 % of training).
    At most :data:`MAX_TRAINING_ROWS` training rows (the first of the fixed random split)."""
    if name == "synthetic":
        X, y = synthetic.sample(SYNTHETIC_SAMPLES[0], seed=0)
        X_test, y_test = synthetic.sample(SYNTHETIC_SAMPLES[1], seed=1)
        cut = int(0.8 * len(X))
        return X[:cut], y[:cut], X[cut:], y[cut:], X_test, y_test
    ds = data.load(name)
    cut = MAX_TRAINING_ROWS
    return ds.X_train[:cut], ds.y_train[:cut], ds.X_val, ds.y_val, ds.X_test, ds.y_test


def trained(name: str, profile: str = "full", seed: int = 0, progress: bool = False,
            **overrides) -> SASANet:
    """The SASANet of :data:`EXPERIMENTS` for dataset ``name`` (``overrides`` change options,
    e.g. ``weights=(1, 0, 1, 1)`` for an ablation), trained once and cached next to the zoo
    models (``$UNIFIED_ATTRIBUTION_CACHE``), keyed by its configuration, the code's format,
    torch's version and the bytes of its training and validation data; the training time of
    the first fit is kept."""
    if name not in EXPERIMENTS:
        raise ValueError(f"no SASANet experiment for {name!r}; known: {', '.join(EXPERIMENTS)}")
    if profile not in PROFILES:
        raise ValueError(f"profile must be one of {PROFILES}, got {profile!r}")
    task, options = EXPERIMENTS[name]
    options = {**options, **overrides, "seed": seed}
    if profile == "quick":
        options["epochs"] = max(2, options["epochs"] // 5)
        options["snapshot_every"] = min(options.get("snapshot_every", 0), 2)
    model = SASANet(task, progress=progress, **options)
    X, y, X_val, y_val, _, _ = dataset(name)
    path = cache.entry("sasanet", name, seed, {
        "name": name, "config": asdict(model.config), "format": _FORMAT,
        "data": cache.data_digest(X, y, X_val, y_val)})  # a changed split must not reuse weights

    def fit(tmp: Path) -> SASANet:
        model.fit(X, y, X_val, y_val)
        model.save(tmp)
        return SASANet.load(tmp)  # as a later run will read it

    cached = cache.load_or_train(path, fit, SASANet.load)
    cached.progress = progress
    return cached
