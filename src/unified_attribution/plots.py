"""Figures shared by the chapters. Each function returns the matplotlib Figure it drew."""

from __future__ import annotations

import math
from typing import Iterable

import matplotlib.pyplot as plt
import numpy as np


def image_grid(images: np.ndarray, titles: Iterable[str] | None = None, ncols: int = 10,
               cmap: str = "gray_r", size: float = 1.1, suptitle: str | None = None):
    """Images (N x H x W, or N x H*W for square images) in a grid, one title each."""
    images = np.asarray(images)
    if images.ndim == 2:
        side = math.isqrt(images.shape[1])
        if side * side != images.shape[1]:
            raise ValueError(f"cannot reshape rows of {images.shape[1]} values to a square "
                             f"image; pass N x H x W")
        images = images.reshape(-1, side, side)
    titles = list(titles) if titles is not None else [""] * len(images)
    nrows = math.ceil(len(images) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows + 0.3),
                             squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, image, title in zip(axes.flat, images, titles):
        ax.imshow(image, cmap=cmap, interpolation="nearest")
        ax.set_title(title, fontsize=8)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def training_curves(histories: dict[str, dict[str, list[float]]]):
    """Training and validation loss per epoch, one panel per model."""
    fig, axes = plt.subplots(1, len(histories), figsize=(3.2 * len(histories), 2.8),
                             squeeze=False)
    for ax, (name, history) in zip(axes.flat, histories.items()):
        for key, style in (("train_loss", "-"), ("val_loss", "--")):
            ax.plot(np.arange(1, len(history[key]) + 1), history[key], style,
                    label=key.replace("_", " "))
        ax.set_yscale("log")
        ax.set_title(name, fontsize=10)
        ax.set_xlabel("epoch")
    axes.flat[0].set_ylabel("loss")
    axes.flat[0].legend(fontsize=8)
    fig.tight_layout()
    return fig


def target_distributions(datasets):
    """Class counts (classification) or a histogram of the target (regression), one panel
    per :class:`~unified_attribution.data.Dataset`, over all three splits."""
    datasets = list(datasets)
    ncols = min(4, len(datasets))
    nrows = math.ceil(len(datasets) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.2 * ncols, 2.5 * nrows), squeeze=False)
    for ax in axes.flat[len(datasets):]:
        ax.axis("off")
    for ax, d in zip(axes.flat, datasets):
        y = np.concatenate([d.y_train, d.y_val, d.y_test])
        if d.task == "regression":
            ax.hist(y, bins=30, color="tab:blue")
            ax.set_xlabel("target")
        else:
            counts = np.bincount(y, minlength=d.n_classes)
            ax.bar(np.arange(d.n_classes), counts, color="tab:blue")
            ax.set_xlabel("class")
            ax.set_xticks(np.arange(d.n_classes))
        ax.set_title(f"{d.name} ({d.task})", fontsize=10)
    fig.tight_layout()
    return fig


def convergence(errors: dict[str, np.ndarray], ylabel: str = "error", ax=None):
    """Median (line) and range (band) over inputs of an error against the truncation order
    K = 1, 2, ...; ``errors[label]`` has one row per input, one column per K."""
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.6))
    for label, err in errors.items():
        err = np.asarray(err)
        orders = np.arange(1, err.shape[1] + 1)
        line, = ax.plot(orders, np.median(err, axis=0), marker="o", markersize=3, label=label)
        ax.fill_between(orders, err.min(axis=0), err.max(axis=0), color=line.get_color(), alpha=0.15)
    ax.set_yscale("log")
    ax.set_xlabel("truncation order K")
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8)
    ax.figure.tight_layout()
    return ax.figure


def order_profile(shares: np.ndarray, ylabel: str, ax=None):
    """Box plot over inputs of a quantity per interaction order 1..n (columns of ``shares``)."""
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.2))
    shares = np.asarray(shares)
    ax.boxplot(shares, positions=np.arange(1, shares.shape[1] + 1), widths=0.6, showfliers=False)
    ax.axhline(0, color="black", linewidth=0.6)
    ax.set_xlabel("interaction order |S|")
    ax.set_ylabel(ylabel)
    ax.figure.tight_layout()
    return ax.figure
