"""A SASANet on disk: one file, written atomically, read without running code.

The bytes go to a temporary file beside the target, which then replaces it (``os.replace``):
a reader sees the old file or the new one, never half of one, and a writer killed mid-way
leaves the file saved before intact. Reading uses torch's weights-only mode: tensors and
plain Python values only, so a file from elsewhere cannot run code."""

from __future__ import annotations

import os
from pathlib import Path

import torch

#: The entries a saved SASANet must hold.
REQUIRED = ("config", "state_dict")


def write(stored: dict, path: str | Path) -> None:
    """Save ``stored`` (tensors and plain values) to ``path`` atomically; a missing or
    read-only folder is named."""
    path = Path(path)
    if not path.parent.is_dir():
        raise FileNotFoundError(
            f"cannot save the SASANet to {path}: the folder {path.parent} does not exist"
        )
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        torch.save(stored, temporary)
        os.replace(temporary, path)
    except OSError as err:
        temporary.unlink(missing_ok=True)
        raise OSError(
            f"cannot save the SASANet to {path}: {err.strerror or err} (is the folder "
            "there and writable?)"
        ) from err


def read(path: str | Path) -> dict:
    """What :func:`write` saved at ``path``; a truncated, empty or foreign file is refused
    with its name."""
    try:
        stored = torch.load(Path(path), map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise
    except Exception as err:  # noqa: BLE001 - truncated, empty or foreign files
        raise ValueError(
            f"{path} is not a SASANet saved by SASANet.save (unreadable: "
            f"{type(err).__name__}: {err}); train and save the model again"
        ) from err
    if not isinstance(stored, dict) or not set(REQUIRED) <= set(stored):
        raise ValueError(f"{path} is not a SASANet saved by SASANet.save (no config and weights)")
    return stored
