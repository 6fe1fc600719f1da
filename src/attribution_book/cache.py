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
import logging
import os
import tempfile
import warnings
from pathlib import Path
from typing import Callable, TypeVar

import numpy as np
import torch

ENV = "UNIFIED_ATTRIBUTION_CACHE"
T = TypeVar("T")

_LOG = logging.getLogger(__name__)


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


class Busy(Exception):
    """Another process is training this entry (raised by ``training_lock(..., wait=False)``)."""


@contextlib.contextmanager
def training_lock(path: Path, wait: bool = True):
    """An exclusive lock on ``path``'s ``.lock`` file while a model is trained, so that a
    second process asking for the same model waits, then reads the cache (``wait=False``:
    raises :class:`Busy` instead of waiting)."""
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                raise Busy(path.name) from None
            # to the log, not the page: which chapter waits depends on the build's schedule
            _LOG.info("waiting for another process to finish training %s ...", path.name)
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _read_or_none(path: Path, read: Callable[[Path], T], locked: bool) -> T | None:
    """``read(path)``; ``None`` if there is no entry or it cannot be read. Only the holder of
    the lock (``locked``) moves an unreadable entry (a truncated or foreign file) aside to
    ``<name>.corrupt``, with a warning, to train it again: a reader without the lock could
    otherwise move aside the fresh entry another process has just written."""
    if not path.exists():
        return None
    try:
        return read(path)
    except Exception as err:  # noqa: BLE001 - any unreadable entry is retrained, never lost silently
        if not locked:
            return None
        aside = path.with_suffix(".corrupt")
        path.replace(aside)
        warnings.warn(
            f"the cached model {path} could not be read ({type(err).__name__}: {err}); "
            f"moved to {aside.name} and training it again",
            RuntimeWarning,
            stacklevel=3,
        )
        return None


def load_or_train(
    path: Path,
    train: Callable[[Path], T],
    read: Callable[[Path], T],
    retrain: bool = False,
    wait: bool = True,
) -> T | None:
    """``read(path)`` if the entry exists and reads (and not ``retrain``); otherwise, under
    the lock, ``train(tmp)``, which fits the model, writes it to ``tmp`` and returns it;
    ``tmp`` is flushed to disk and renamed to ``path``. Temporary files that a killed run
    left for this entry are removed. A cache folder that cannot be written trains the model
    in memory, with a warning; a cache path that is a file is refused by name. ``wait=False``:
    ``None`` at once if another process is training the entry."""
    if not retrain and (model := _read_or_none(path, read, locked=False)) is not None:
        return model
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError) as err:
        raise NotADirectoryError(
            f"the model cache needs a folder at {path.parent}, but a file is in the way "
            f"({err.filename}); remove it or set {ENV} to a folder"
        ) from err
    except PermissionError:
        pass  # handled as a read-only cache below
    if not os.access(path.parent, os.W_OK):
        warnings.warn(
            f"the model cache {path.parent} is not writable: training {path.name} in memory, "
            f"and it will not be kept; set {ENV} to a writable folder",
            RuntimeWarning,
            stacklevel=2,
        )
        with tempfile.TemporaryDirectory() as scratch:
            return train(Path(scratch) / path.name)
    with contextlib.ExitStack() as held:
        try:
            held.enter_context(training_lock(path, wait))
        except Busy:
            return None
        if not retrain and (model := _read_or_none(path, read, locked=True)) is not None:
            return model  # trained by another process meanwhile
        for orphan in path.parent.glob(f"{path.stem}.tmp*"):  # we hold the lock: nobody writes them
            orphan.unlink()
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        model = train(tmp)
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        tmp.replace(path)  # atomic: a reader never sees half a file
    return model
