"""The perturbation family: Occlusion-1 and Occlusion-patch (captum), Prediction
Difference (ours, compared with a brute-force loop in the tests) and the exact Shapley
value (from the Harsanyi dividends; compared with shapiq and captum's
ShapleyValueSampling in the tests)."""

from __future__ import annotations

import numpy as np
import torch

from .. import games
from .registry import captum, register, selected


@register(
    name="occlusion_1",
    title="Occlusion-1",
    family="perturbation",
    reference="zeiler2014visualizing",
    formula=r"$a_i = f(x) - f(x \text{ with } x_i := b_i)$",
    allocation=r"$w_i(S) = 1$ for every $S \ni i$: each effect in full to each member",
    assumptions="none (any model); captum's FeatureAblation, one element at a time",
)
def _occlusion_1(model, x, baseline, target, players):
    return captum("FeatureAblation")(model).attribute(x, baselines=baseline, target=target)


@register(
    name="occlusion_patch",
    meanings={
        "window": "the occluded patch's size, one per input dimension",
        "strides": "the window's step per dimension (None: the window, so patches tile)",
    },
    title="Occlusion-patch",
    family="perturbation",
    reference="zeiler2014visualizing",
    formula=r"$a_i$ = mean over windows $W \ni i$ of $f(x) - f(x \text{ with } x_W := b_W)$",
    allocation=r"with non-overlapping windows: $w_i(S) = 1$ for every $S$ meeting $i$'s patch",
    assumptions="captum's Occlusion: a window slides with the given strides; a "
    "pixel covered by several windows gets the mean of their differences "
    "(taken in the model's dtype; the last window of a dimension is cut at the edge). "
    "With players= (non-overlapping patches of any input shape, e.g. "
    "games.patches for a flat image) captum's FeatureAblation occludes "
    "each patch instead, and window is not used",
    players=True,
)
def _occlusion_patch(model, x, baseline, target, players, window=(1, 2, 2), strides=None):
    if players is not None:
        labels = games.player_labels(players, x[0])
        unused = labels < 0  # elements of no patch are never occluded: score 0
        labels = np.where(unused, labels.max() + 1, labels)
        mask = torch.as_tensor(labels).reshape(1, *x.shape[1:])
        scores = captum("FeatureAblation")(model).attribute(
            x, baselines=baseline, target=target, feature_mask=mask
        )
        return scores.to(x.dtype) * torch.as_tensor(~unused).reshape(x.shape[1:])
    if isinstance(window, (int, np.integer)):
        raise ValueError(
            f"window={window} must give one size per input dimension {tuple(x.shape[1:])}, "
            f"e.g. window={(1,) * (x.dim() - 3) + (window, window)} for square patches"
        )
    window = tuple(window)
    if len(window) != x.dim() - 1:
        raise ValueError(
            f"window {window} must have one size per input dimension "
            f"{tuple(x.shape[1:])}; for a flat input pass the patches as players="
        )
    if any(w > d for w, d in zip(window, x.shape[1:])):
        raise ValueError(
            f"window {window} is larger than the input {tuple(x.shape[1:])} in some dimension"
        )
    strides = tuple(strides or window)
    occlusion = captum("Occlusion")(model)
    # captum divides its window sums by the window counts through float32
    # (``single_attrib.float() / weight``); take the sums in the model's dtype and divide here
    occlusion.use_weights = False
    sums = occlusion.attribute(
        x, sliding_window_shapes=window, strides=strides, baselines=baseline, target=target
    )
    counts = window_counts(tuple(x.shape[1:]), window, strides)
    return sums.to(x.dtype) / torch.as_tensor(counts, dtype=x.dtype, device=x.device)


def window_counts(shape: tuple, window: tuple, strides: tuple) -> np.ndarray:
    """How many of captum's sliding windows cover each element. Per dimension of size D,
    captum starts ceil((D - w) / s) + 1 windows at 0, s, 2s, ... and cuts the last one at
    the edge (it is not shifted back inside); an element's count is the product over the
    dimensions of the windows covering it."""
    counts = np.ones(shape)
    for axis, (size, w, s) in enumerate(zip(shape, window, strides)):
        starts = s * np.arange(-(-(size - w) // s) + 1)
        index = np.arange(size)
        per_axis = ((index >= starts[:, None]) & (index < starts[:, None] + w)).sum(axis=0)
        counts = counts * per_axis.reshape([-1 if a == axis else 1 for a in range(len(shape))])
    return counts


@register(
    name="prediction_difference",
    meanings={
        "n_samples": "background rows drawn as replacement values",
        "seed": "seeds that draw",
    },
    title="Prediction Difference",
    family="perturbation",
    reference="zintgraf2017visualizing",
    formula=r"$a_P = f(x) - \frac{1}{m} \sum_j f(x \text{ with } x_P := d_{j,P})$ "
    r"over background rows $d_1, \dots, d_m$",
    allocation=r"Occlusion-1's weights, averaged over replacement values $x_P \sim p(x_P)$",
    assumptions="replacement values drawn from the empirical distribution of each "
    "player (marginal, not conditional on the rest of x); ours",
    baseline="distribution",
    players=True,
)
def _prediction_difference(model, x, background, target, players, n_samples=64, seed=0):
    generator = torch.Generator().manual_seed(seed)
    rows = background[torch.randperm(len(background), generator=generator)[:n_samples]]
    labels = games.player_labels(players, x[0])
    scores = torch.zeros_like(x)
    with torch.no_grad():
        fx = selected(model, target)(x)
        for player in range(int(labels.max()) + 1):
            in_player = torch.as_tensor(labels == player).reshape(x.shape[1:])
            replaced = x[:, None].repeat(1, len(rows), *[1] * (x.dim() - 1))  # (N, M, ...)
            replaced[:, :, in_player] = rows[None][:, :, in_player].expand(len(x), -1, -1)
            flat = replaced.reshape(-1, *x.shape[1:])
            outputs = selected(model, target.repeat_interleave(len(rows)))(flat)
            difference = fx - outputs.reshape(len(x), len(rows)).mean(dim=1)
            scores[:, in_player] = difference[:, None].expand(-1, int(in_player.sum()))
    return scores


@register(
    name="shapley_value",
    title="Shapley value",
    family="perturbation",
    reference="shapley1953value",
    formula=r"$a_i = \sum_{S \ni i} H(S) / \lvert S \rvert$",
    allocation=r"$w_i(S) = 1 / \lvert S \rvert$: every effect split equally among its members",
    assumptions=r"exact: $2^n$ evaluations of the masking game ($n \le 22$ players); "
    "players are the elements of x or the groups given by players=",
    players=True,
    copies_input=True,
)
def _shapley_value(model, x, baseline, target, players):
    # contiguous whatever x's memory format: each row is written through a flat view below
    scores = torch.zeros(x.shape, dtype=x.dtype, device=x.device)
    for k in range(len(x)):
        game = games.MaskingGame(model, x[k], baseline[k], players=players, target=int(target[k]))
        phi = torch.as_tensor(games.harsanyi(game).shapley(), dtype=x.dtype)
        on = torch.as_tensor(game.labels >= 0)
        flat = scores[k].reshape(-1)
        flat[on] = phi[torch.as_tensor(game.labels[game.labels >= 0])]
    return scores
