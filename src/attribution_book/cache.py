"""The one model cache of the book: zoo models and SASANets, trained once, read thereafter.

An entry lives at ``<root>/<kind>/<name>-s<seed>-<hash>.pt``; the root is
``$UNIFIED_ATTRIBUTION_CACHE`` (the Makefile sets ``.cache/`` in the checkout) or
``~/.cache/unified_attribution``. The hash covers the whole configuration, torch's version
and the bytes of the training and validation data (:func:`data_digest`), so a changed
hyperparameter, torch or data set trains a new model instead of reusing a stale one.
Entries are written to a temporary file and renamed (a reader never sees half a file), under
a lock, so that two notebooks asking for the same model train it once.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from pathlib import Path
from typing import Callable, TypeVar

import numpy as np
import torch

ENV = "UNIFIED_ATTRIBUTION_CACHE"
T = TypeVar("T")


def root() -> Path:
    """``$UNIFIED_ATTRIBUTION_CACHE``, or ~/.cache/unified_attribution."""
    return Path(os.environ.get(ENV) or Path.home() / ".cache" / "unified_attribution")


def data_digest(*arrays) -> str:
    """SHA-256 of the bytes of ``arrays`` (training and validation features and targets)."""
    return hashlib.sha256(b"".join(np.ascontiguousarray(a).tobytes() for a in arrays)).hexdigest()


def entry(kind: str, name: str, seed: int, payload: dict) -> Path:
    """The file of one model: ``payload`` (configuration, data digest, format) and torch's
    version hashed into the name."""
    payload = {**payload, "torch": torch.__version__.split("+")[0]}
    digest = hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()
    return root() / kind / f"{name}-s{seed}-{digest[:12]}.pt"


@contextlib.contextmanager
def training_lock(path: Path):
    """An exclusive lock on ``path``'s ``.lock`` file while a model is trained, so that a
    second process asking for the same model waits, then reads the cache."""
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def load_or_train(path: Path, train: Callable[[Path], T], read: Callable[[Path], T],
                  retrain: bool = False) -> T:
    """``read(path)`` if the entry exists (and not ``retrain``); otherwise, under the lock,
    ``train(tmp)``, which fits the model, writes it to ``tmp`` and returns it, and ``tmp``
    is renamed to ``path``."""
    if path.exists() and not retrain:
        return read(path)
    with training_lock(path):
        if path.exists() and not retrain:  # trained by another process meanwhile
            return read(path)
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        model = train(tmp)
        tmp.replace(path)  # atomic: a reader never sees half a file
    return model
