"""Figures shared by the chapters. Each function returns the matplotlib Figure it drew."""

from __future__ import annotations

import io
import math
from typing import Iterable

import matplotlib.cm
import matplotlib.colors
import matplotlib.pyplot as plt
import matplotlib.text
import matplotlib.ticker
import numpy as np
import pandas as pd

#: Pixels per inch of the book's figures.
DPI = 100
#: The smallest font of a figure (points): tick labels, legends, annotations. At DPI it is
#: 12.5 image pixels, at least 9 on screen while a figure is shown at 72 % of its width or
#: more (the page check's bar).
SMALL = 9
#: The widest grid of panels (inches) whose SMALL text stays legible: the book's column
#: shows about 676 pixels, so a figure W inches wide is shown at 676 / (W x DPI) and its
#: SMALL text at SMALL x 676 / (72 W) pixels, at least 9 while W <= 9.4; the axis labels
#: outside the panels take the rest.
WIDTH = 8.6
#: Okabe and Ito's colour-blind-safe palette: the colour cycle of every figure, and the named
#: colours the figures pick (SASANet is always vermilion).
COLORS = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermilion": "#D55E00",
    "purple": "#CC79A7",
    "sky": "#56B4E9",
    "yellow": "#F0E442",
    "black": "#000000",
}
#: One marker per line, so that lines differ by shape as well as by colour.
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "h")
plt.rcParams["axes.prop_cycle"] = plt.cycler(color=list(COLORS.values()))
#: The PNG text field in which :func:`glue_figure` records a figure's smallest font, in pixels
#: of the image; the page check (``bookbuild.check_pages``) scales it by the shown width.
FONT_KEY = "smallest-font-px"


def smallest_font_px(fig, dpi: float = DPI) -> float:
    """The smallest font size among the texts ``fig`` draws, in pixels of an image at ``dpi``
    (points x dpi / 72). Texts that are empty, hidden, or on hidden axes do not count."""
    fig.canvas.draw()
    sizes = [
        text.get_fontsize()
        for text in fig.findobj(matplotlib.text.Text)
        if text.get_text().strip()
        and text.get_visible()
        and (text.axes is None or text.axes.get_visible())
    ]
    if not sizes:
        raise ValueError("the figure draws no text: nothing to read, nothing to measure")
    return min(sizes) * dpi / 72


def glue_figure(name: str, fig) -> None:
    """Glue ``fig`` under ``name`` for a numbered, captioned ``{glue:figure}`` in the text, as
    a PNG at :data:`DPI` that records its smallest font (:data:`FONT_KEY`), and close it: left
    open, the inline backend would also show it at the end of the cell, uncaptioned."""
    from IPython.display import Image
    from myst_nb import glue

    smallest = smallest_font_px(fig)
    png = io.BytesIO()
    fig.savefig(
        png, format="png", dpi=DPI, bbox_inches="tight", metadata={FONT_KEY: f"{smallest:.1f}"}
    )
    plt.close(fig)
    glue(name, Image(data=png.getvalue()), display=False)


MAX_COLUMNS = 3  # panels per row: wider strips shrink below legible size at page width


def panel_grid(count: int, width: float, height: float, ncols: int = MAX_COLUMNS, **options):
    """(figure, axes (rows, columns)) for ``count`` panels of ``width`` x ``height`` inches,
    at most ``ncols`` per row; panels past ``count`` are hidden."""
    ncols = max(1, min(ncols, count))
    nrows = math.ceil(count / ncols)
    width = min(width, WIDTH / ncols)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(width * ncols, height * nrows), squeeze=False, **options
    )
    for ax in axes.flat[count:]:
        ax.set_visible(False)
    return fig, axes


def image_grid(
    images: np.ndarray,
    titles: Iterable[str] | None = None,
    ncols: int = 10,
    cmap: str = "gray_r",
    size: float = 1.1,
    suptitle: str | None = None,
):
    """Images (N x H x W, or N x H*W for square images) in a grid, one title each."""
    images = np.asarray(images)
    if images.ndim == 2:
        side = math.isqrt(images.shape[1])
        if side * side != images.shape[1]:
            raise ValueError(
                f"cannot reshape rows of {images.shape[1]} values to a square image; pass N x H x W"
            )
        images = images.reshape(-1, side, side)
    titles = list(titles) if titles is not None else [""] * len(images)
    nrows = math.ceil(len(images) / ncols)
    size = min(size, WIDTH / ncols)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(size * ncols, size * nrows + 0.3), squeeze=False
    )
    for ax in axes.flat:
        ax.axis("off")
    for ax, image, title in zip(axes.flat, images, titles):
        ax.imshow(image, cmap=cmap, interpolation="nearest")
        ax.set_title(title, fontsize=SMALL)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def training_curves(histories: dict[str, dict[str, list[float]]], ncols: int = 3):
    """Training and validation loss per epoch, one panel per model, ``ncols`` per row."""
    fig, axes = panel_grid(len(histories), 3.4, 2.6, ncols)
    for ax, (name, history) in zip(axes.flat, histories.items()):
        for key, style in (("train_loss", "-"), ("val_loss", "--")):
            ax.plot(
                np.arange(1, len(history[key]) + 1),
                history[key],
                style,
                label=key.replace("_", " "),
            )
        ax.set_yscale("log")
        ax.set_title(name, fontsize=10)
        ax.set_xlabel("epoch")
    for row in axes:
        row[0].set_ylabel("loss")
    axes.flat[0].legend(fontsize=SMALL)
    fig.tight_layout()
    return fig


def target_distributions(datasets):
    """Class counts (classification) or a histogram of the target (regression), one panel
    per :class:`~attribution_book.data.Dataset`, over all three splits."""
    datasets = list(datasets)
    fig, axes = panel_grid(len(datasets), 3.2, 2.5)
    for ax, d in zip(axes.flat, datasets):
        y = np.concatenate([d.y_train, d.y_val, d.y_test])
        if d.task == "regression":
            ax.hist(y, bins=30, color=COLORS["blue"])
            ax.set_xlabel("target")
        else:
            counts = np.bincount(y, minlength=d.n_classes)
            ax.bar(np.arange(d.n_classes), counts, color=COLORS["blue"])
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
        (line,) = ax.plot(orders, np.median(err, axis=0), marker="o", markersize=3, label=label)
        ax.fill_between(
            orders, err.min(axis=0), err.max(axis=0), color=line.get_color(), alpha=0.15
        )
    ax.set_yscale("log")
    ax.set_xlabel("truncation order K")
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=SMALL)
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


def attribution_maps(
    images: np.ndarray,
    maps: dict[str, np.ndarray],
    titles=None,
    size: float = 1.15,
    boxes: np.ndarray | None = None,
):
    """One row of input images, then one row of maps per method (red positive, blue
    negative, each map scaled to its own largest |score|, one colour bar in those relative
    units); ``boxes`` (row, column, height,
    width per image) are outlined on every panel of their column."""
    images = np.asarray(images)
    n = len(images)
    fig, axes = plt.subplots(
        len(maps) + 1, n, figsize=(size * n + 1.6, size * (len(maps) + 1)), squeeze=False
    )
    for ax in axes.flat:
        ax.set_xticks([])
        ax.set_yticks([])
    for k, image in enumerate(images):
        axes[0, k].imshow(image, cmap="gray_r", interpolation="nearest")
        if titles is not None:
            axes[0, k].set_title(titles[k], fontsize=SMALL)
    axes[0, 0].set_ylabel("input", fontsize=SMALL)
    for row, (label, values) in enumerate(maps.items(), start=1):
        values = np.asarray(values).reshape(images.shape)
        for k, value in enumerate(values):
            scale = np.abs(value).max() or 1.0
            axes[row, k].imshow(value, cmap="bwr", vmin=-scale, vmax=scale, interpolation="nearest")
        axes[row, 0].set_ylabel(label, fontsize=SMALL, rotation=0, ha="right", va="center")
    if boxes is not None:
        for k, box in enumerate(boxes):
            for ax in axes[:, k]:
                _outline(ax, box, "black", 1.0)
    fig.tight_layout(rect=(0, 0, 0.9, 1))
    bar = fig.add_axes((0.92, 0.12, 0.015, 0.6))
    fig.colorbar(
        matplotlib.cm.ScalarMappable(matplotlib.colors.Normalize(-1, 1), cmap="bwr"), cax=bar
    )
    bar.set_ylabel("score / largest |score| of its map", fontsize=SMALL)
    bar.tick_params(labelsize=SMALL)
    return fig


def allocation_split(weights: dict[str, list[list[float]]], keys: list[str], n: int):
    """How methods split single effects among variables: one panel per effect (``keys``,
    e.g. multi-indices or coalitions), one group of bars per variable, one bar per method;
    ``weights[method][k][i]`` is variable i's weight on effect k."""
    fig, axes = panel_grid(len(keys), 2.8, 2.6, sharey=True)
    width = 0.8 / len(weights)
    for k, (ax, key) in enumerate(zip(axes.flat, keys)):
        for m, (label, w) in enumerate(weights.items()):
            ax.bar(
                np.arange(n) + (m - (len(weights) - 1) / 2) * width,
                w[k],
                width,
                label=label if k == 0 else None,
            )
        ax.axhline(1, color="black", linewidth=0.6, linestyle=":")
        ax.set_xticks(np.arange(n), [f"x{i + 1}" for i in range(n)])
        ax.set_title(key, fontsize=9)
    for row in axes:
        row[0].set_ylabel("weight")
    fig.tight_layout()
    fig.legend(loc="lower center", ncol=len(weights), fontsize=SMALL, bbox_to_anchor=(0.5, 1.0))
    return fig


def feature_scores(scores: dict[str, np.ndarray], names, top: int = 10, ax=None):
    """Horizontal bars of each method's scores for one input, the ``top`` features by the
    largest |score| over methods."""
    names = np.asarray(names)
    stacked = np.stack([np.asarray(s, dtype=float) for s in scores.values()])
    order = np.argsort(-np.abs(stacked).max(axis=0))[:top][::-1]
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 0.32 * top + 1.2))
    height = 0.8 / len(scores)
    for m, (label, s) in enumerate(scores.items()):
        ax.barh(
            np.arange(len(order)) + (m - (len(scores) - 1) / 2) * height,
            np.asarray(s)[order],
            height,
            label=label,
        )
    ax.set_yticks(np.arange(len(order)), names[order], fontsize=SMALL)
    ax.axvline(0, color="black", linewidth=0.6)
    ax.set_xlabel("score")
    ax.legend(fontsize=SMALL)
    ax.figure.tight_layout()
    return ax.figure


def budget_curve(
    budgets, errors: dict[str, np.ndarray], xlabel: str, ylabel: str, ax=None, logx: bool = True
):
    """Median (line) and range (band, if several rows) of an error against a numerical
    budget (steps, samples) on log-log axes (``logx=False``: linear x); ``errors[label]``
    has one row per input."""
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.4))
    for label, err in errors.items():
        err = np.atleast_2d(np.asarray(err, dtype=float))
        (line,) = ax.plot(budgets, np.median(err, axis=0), marker="o", markersize=3, label=label)
        if len(err) > 1:
            ax.fill_between(
                budgets, err.min(axis=0), err.max(axis=0), color=line.get_color(), alpha=0.15
            )
    if logx:
        ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=SMALL)
    ax.figure.tight_layout()
    return ax.figure


def departures(values: dict[str, np.ndarray], xlabel: str, floor: float = 1e-17):
    """One horizontal box (with the points) per comparison, on a log axis: how far a method
    departs from its reformulation over many inputs. Values below ``floor`` are drawn at it."""
    labels = list(values)
    fig, ax = plt.subplots(figsize=(7, 0.42 * len(labels) + 1.2))
    data = [np.maximum(np.asarray(values[k], dtype=float), floor) for k in labels]
    ax.boxplot(data, vert=False, widths=0.5, showfliers=False)
    for k, d in enumerate(data, start=1):
        jitter = np.random.default_rng(k).uniform(
            -0.15, 0.15, len(d)
        )  # fixed: same figure every run
        ax.scatter(d, k + jitter, s=5, alpha=0.4, color=COLORS["blue"])
    ax.set_yticks(np.arange(1, len(labels) + 1), labels, fontsize=SMALL)
    ax.set_xscale("log")
    ax.set_xlabel(xlabel)
    fig.tight_layout()
    return fig


def loss_curves(logs: dict[str, dict[str, list[float]]], keys):
    """One panel per model, one line per logged loss in ``keys`` (log scale)."""
    fig, axes = panel_grid(len(logs), 3.2, 2.8)
    for ax, (label, log) in zip(axes.flat, logs.items()):
        for key in keys:
            ax.plot(np.arange(1, len(log[key]) + 1), log[key], label=key)
        ax.set_yscale("log")
        ax.set_title(label, fontsize=9)
        ax.set_xlabel("epoch")
    axes[0, 0].legend(fontsize=SMALL)
    fig.tight_layout()
    return fig


def agreement(pairs: dict[str, tuple[np.ndarray, np.ndarray]], xlabel: str, ylabel: str):
    """One scatter panel per label of (x, y) values with the diagonal y = x."""
    fig, axes = panel_grid(len(pairs), 3.1, 3.0)
    for ax, (label, (x, y)) in zip(axes.flat, pairs.items()):
        x, y = np.ravel(x), np.ravel(y)
        ax.scatter(x, y, s=4, alpha=0.4)
        low, high = min(x.min(), y.min()), max(x.max(), y.max())
        ax.plot([low, high], [low, high], color="black", linewidth=0.6, linestyle=":")
        ax.set_title(label, fontsize=9)
        ax.set_xlabel(xlabel)
    for row in axes:
        row[0].set_ylabel(ylabel)
    fig.tight_layout()
    return fig


def median_curves(
    curves: dict[str, tuple[np.ndarray, np.ndarray]], xlabel: str, ylabel: str, logy: bool = True
):
    """One line per label: the median over rows of ``curves[label] = (x, rows)``, rows of
    shape (N, len(x)); each label may have its own x."""
    fig, ax = plt.subplots(figsize=(6, 3.4))
    for label, (x, rows) in curves.items():
        ax.plot(x, np.median(np.atleast_2d(rows), axis=0), marker="o", markersize=3, label=label)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=SMALL)
    fig.tight_layout()
    return fig


def score_dots(
    summary: dict[str, dict[str, tuple[float, float]]],
    metric: dict[str, str],
    labels: dict[str, str] | None = None,
):
    """One panel per dataset: each model's mean score (dot) and seed spread (bar, +-1 sd);
    ``summary[dataset][model] = (mean, sd)``, ``metric[dataset]`` names the score."""
    labels = labels or {}
    datasets = list(summary)
    fig, axes = panel_grid(len(datasets), 3.6, 2.4)
    for ax, dataset in zip(axes.flat, datasets):
        models = list(summary[dataset])
        means = [summary[dataset][m][0] for m in models]
        sds = [summary[dataset][m][1] for m in models]
        colors = [COLORS["vermilion"] if m == "sasanet" else COLORS["blue"] for m in models]
        ax.errorbar(means, range(len(models)), xerr=sds, fmt="none", ecolor="grey", capsize=2)
        ax.scatter(means, range(len(models)), c=colors, s=16, zorder=3)
        ax.set_yticks(range(len(models)), [labels.get(m, m) for m in models], fontsize=SMALL)
        ax.invert_yaxis()
        ax.set_title(dataset, fontsize=9)
        ax.set_xlabel(metric[dataset], fontsize=SMALL)
        ax.tick_params(axis="x", labelsize=SMALL)
    fig.tight_layout()
    return fig


def masking_curves(curves: dict[str, dict[str, list[dict]]], metric: dict[str, str]):
    """Per dataset (at most :data:`MAX_COLUMNS` per row) two stacked panels: the score (top)
    and the change of the prediction (bottom) after dropping the top-k features of each
    ranking; ``curves[dataset][ranking]`` is a list of {"k", <metric>, "prediction change"}."""
    datasets = list(curves)
    ncols = min(MAX_COLUMNS, len(datasets))
    blocks = math.ceil(len(datasets) / ncols)
    fig, axes = plt.subplots(
        2 * blocks, ncols, figsize=(min(3.1, WIDTH / ncols) * ncols, 4.4 * blocks), squeeze=False
    )
    for ax in axes.flat:
        ax.set_visible(False)
    styles = {
        "SASANet": dict(color=COLORS["vermilion"], marker="o"),
        "KernelSHAP": dict(color=COLORS["blue"], marker="s"),
        "permutation sampling": dict(color=COLORS["green"], marker="^"),
        "FastSHAP": dict(color=COLORS["purple"], marker="D"),
        "random": dict(color="grey", marker=".", linestyle=":"),
    }
    for index, dataset in enumerate(datasets):
        row, column = 2 * (index // ncols), index % ncols
        top, bottom = axes[row, column], axes[row + 1, column]
        for ax in (top, bottom):
            ax.set_visible(True)
            ax.tick_params(labelsize=SMALL)
        for ranking, points in curves[dataset].items():
            k = [p["k"] for p in points]
            style = styles.get(ranking, {})
            top.plot(k, [p[metric[dataset]] for p in points], markersize=3, label=ranking, **style)
            bottom.plot(k, [p["prediction change"] for p in points], markersize=3, **style)
        top.set_title(dataset, fontsize=10)
        top.set_ylabel(metric[dataset], fontsize=9)
        bottom.set_ylabel("prediction change", fontsize=9)
        bottom.set_xlabel("features dropped (k)", fontsize=9)
    fig.tight_layout()
    _legend_above(fig, axes[0, 0], ncol=None)
    return fig


def error_against_time(
    panels: dict[str, tuple[dict, dict]],
    xlabel: str = "seconds per row",
    ylabel: str = "error",
    ncols: int = MAX_COLUMNS,
):
    """Error against time on log-log axes, one panel per title (``ncols`` per row):
    ``panels[title] = (curves, points)`` with a line per estimator (``curves[label] =
    (seconds, errors)``) and a star per single-shot method (``points[label] = (seconds,
    error)``), one colour per star label."""
    fig, axes = panel_grid(len(panels), 3.2, 2.9, ncols)
    stars = [
        (COLORS[c], m)
        for c, m in (("vermilion", "*"), ("purple", "P"), ("black", "X"), ("sky", "D"))
    ]
    for ax, (title, (curves, points)) in zip(axes.flat, panels.items()):
        for marker, (label, (seconds, errors)) in zip(MARKERS, curves.items()):
            ax.plot(seconds, np.maximum(errors, 1e-6), marker=marker, markersize=4, label=label)
        for (color, marker), (label, (seconds, error)) in zip(stars, points.items()):
            ax.scatter([seconds], [error], marker=marker, s=140, color=color, zorder=3, label=label)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())  # no crowded labels
        ax.set_title(title, fontsize=10)
        ax.set_xlabel(xlabel, fontsize=9)
        ax.tick_params(labelsize=SMALL)
    for ax in axes[:, 0]:
        ax.set_ylabel(ylabel, fontsize=9)
    fig.tight_layout()
    _legend_above(fig, axes[0, 0], ncol=3)
    return fig


def _legend_above(fig, ax, ncol: int | None) -> None:
    """The legend of ``ax`` once, above the whole figure (after tight_layout), in at most
    ``ncol`` columns (None: one row)."""
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(
        handles,
        labels,
        loc="lower center",
        ncol=len(labels) if ncol is None else min(len(labels), ncol),
        fontsize=SMALL,
        bbox_to_anchor=(0.5, 1.0),
        frameon=False,
    )


def error_parts(parts: dict[str, dict[str, float]], ylabel: str = "Shapley error"):
    """Grouped bars: for each dataset (``parts[dataset]``), one bar per part of an error and
    one for the total, in the order of the dict."""
    datasets = list(parts)
    names = list(parts[datasets[0]])
    width = 0.8 / len(names)
    fig, ax = plt.subplots(figsize=(7.0, 3.2))
    x = np.arange(len(datasets))
    for k, name in enumerate(names):
        ax.bar(
            x + (k - (len(names) - 1) / 2) * width,
            [parts[d][name] for d in datasets],
            width,
            label=name,
            color="0.3" if name == "total" else None,
        )
    ax.set_xticks(x, datasets, fontsize=9)
    ax.set_ylabel(ylabel, fontsize=9)
    ax.tick_params(labelsize=SMALL)
    ax.legend(fontsize=SMALL, ncol=2)
    fig.tight_layout()
    return fig


def boxed_images(
    images: np.ndarray, boxes: np.ndarray, titles: Iterable[str] | None = None, size: float = 1.4
):
    """Images (N x H x W) in one row, each with its object box (row, column, height, width)
    drawn in red."""
    fig = image_grid(images, titles, ncols=len(images), size=size)
    for ax, box in zip(fig.axes, boxes):
        _outline(ax, box, COLORS["vermilion"], 1.5)
    return fig


def _outline(ax, box, color: str, width: float) -> None:
    """The box (row, column, height, width) drawn around its pixels."""
    r, c, h, w = box
    ax.add_patch(plt.Rectangle((c - 0.5, r - 0.5), w, h, fill=False, edgecolor=color, lw=width))


def score_against_principles(
    means: dict[str, dict[str, pd.Series]],
    followed: pd.Series,
    labels: dict[str, str] | None = None,
    chance: dict[str, float] | None = None,
):
    """One panel per score (rows) and model (columns): each method's mean score (dot), the
    methods on the vertical axis grouped by the number of principles they follow (colour and
    marker), so that a rise of the score with the principles reads as a slant;
    ``means[score][model]`` is a Series indexed by method; ``chance[score]`` a dashed line."""
    labels = labels or {}
    scores = list(means)
    models = list(means[scores[0]])
    order = followed.sort_values(kind="stable").index  # fewest principles at the top
    counts = sorted(set(followed))
    style = {c: (list(COLORS.values())[k], MARKERS[k]) for k, c in enumerate(counts)}
    fig, axes = plt.subplots(
        len(scores),
        len(models),
        figsize=(2.3 * len(models) + 1.3, 0.22 * len(order) * len(scores) + 1.0),
        squeeze=False,
        sharey=True,
    )
    rows = np.arange(len(order))
    for r, score in enumerate(scores):
        for c, model in enumerate(models):
            ax = axes[r, c]
            values = means[score][model].reindex(order)
            for count in counts:
                at = (followed.loc[order] == count).to_numpy() & values.notna().to_numpy()
                color, marker = style[count]
                ax.scatter(
                    values[at],
                    rows[at],
                    color=color,
                    marker=marker,
                    s=24,
                    zorder=3,
                    label=f"{count} followed",
                )
            if chance and score in chance:
                ax.axvline(chance[score], ls="--", color="grey", lw=0.8)
            ax.set_yticks(rows, [labels.get(m, m) for m in order], fontsize=SMALL)
            ax.grid(axis="y", color="0.9", lw=0.6)
            ax.set_title(model if r == 0 else "", fontsize=10)
            ax.set_xlabel(score, fontsize=SMALL)
            ax.tick_params(labelsize=SMALL)
    axes[0, 0].invert_yaxis()
    fig.tight_layout()
    _legend_above(fig, axes[0, 0], ncol=None)
    return fig
