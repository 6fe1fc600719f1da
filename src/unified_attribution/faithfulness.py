"""Faithfulness of attributions, and whether paper A's principles predict it.

The predecessor of paper A (Deng et al., AAAI 2021) scored attribution methods by infidelity
and by object localization and reported that a method's score rises with the number of
principles it follows. The pieces of that test:

- :func:`infidelity`: E_I[(I . a - (f(x) - f(x - I)))^2] with I ~ N(0, sigma^2 Id)
  (Yeh et al. 2019), by captum.metrics.infidelity with seeded perturbations; with
  ``normalize=True`` the attribution is first rescaled by its best factor beta.
- :func:`relative_infidelity`: that normalized infidelity divided by E_I[(f(x) - f(x - I))^2]
  on the same perturbations, i.e. 1 - cos^2(I . a, f(x) - f(x - I)) in [0, 1]: the share of
  the output's change under noise that no multiple of the attribution's linear prediction
  explains. It compares across models and across units (Grad-CAM's scores are not in units
  of f). Lower is better.
- :func:`localization`: the share of the positive attribution inside the object's box,
  Quantus' AttributionLocalisation (Kohlbrenner et al. 2020) with positive attributions,
  no absolute value and no normalization. Higher is better; a map that ignores the object
  scores about the box's share of the image.
- :func:`evaluate`: every method of a list on the same inputs, both scores per input.
- :func:`correlation`: Spearman's rho between each method's mean score and the number of
  paper A's principles it follows (its Table 2 as printed), with a percentile bootstrap
  interval over the inputs.
"""

from __future__ import annotations

import contextlib
import io
import warnings
from dataclasses import dataclass, field
from typing import Iterable, Sequence

import numpy as np
import pandas as pd
import torch

from . import methods
from .aliases import Model, Players, Target
from .checks import real_number, whole_number
from .methods.propagation import UnsupportedModel

#: The two faithfulness scores, by the names the result tables use.
SCORES = ("relative infidelity", "localization")
BETTER = {"relative infidelity": -1, "localization": +1}  # the sign of a good correlation


def infidelity(
    model: Model,
    x: torch.Tensor,
    scores: torch.Tensor,
    target: Target,
    sigma: float = 0.1,
    n_samples: int = 64,
    seed: int = 0,
    normalize: bool = True,
) -> np.ndarray:
    """captum.metrics.infidelity of ``scores`` (shaped like ``x``) per input, with Gaussian
    perturbations I of standard deviation ``sigma`` drawn from a generator seeded by ``seed``
    (the same draws on every call with the same seed)."""
    from captum.metrics import infidelity as captum_infidelity

    if scores.shape != x.shape:
        raise ValueError(f"scores {tuple(scores.shape)} must be shaped like x {tuple(x.shape)}")
    whole_number(n_samples, "n_samples", 1)
    whole_number(seed, "seed", 0)
    if real_number(sigma, "sigma") <= 0:
        raise ValueError(f"sigma must be > 0, got {sigma}")
    with torch.no_grad():  # the target must name one of the model's outputs
        outputs = model(x[:1]).reshape(1, -1).shape[1]
    chosen = np.asarray(torch.as_tensor(target).cpu()).reshape(-1)
    if (
        not np.issubdtype(chosen.dtype, np.integer)
        or (chosen < 0).any()
        or (chosen >= outputs).any()
    ):
        raise ValueError(
            f"target {target!r} is out of range: the model has {outputs} output(s), "
            f"target must be whole numbers in 0..{outputs - 1}"
        )
    generator = torch.Generator().manual_seed(seed)

    def perturb(inputs):
        noise = sigma * torch.randn(inputs.shape, generator=generator, dtype=inputs.dtype)
        return noise, inputs - noise

    with torch.no_grad():
        value = captum_infidelity(
            model,
            perturb,
            x,
            scores.detach(),
            target=target,
            n_perturb_samples=n_samples,
            normalize=normalize,
        )
    return value.detach().numpy()


def output_change(
    model: Model,
    x: torch.Tensor,
    target: Target,
    sigma: float = 0.1,
    n_samples: int = 64,
    seed: int = 0,
) -> np.ndarray:
    """E_I[(f(x) - f(x - I))^2] per input on the draws of :func:`infidelity` with the same
    ``seed``: the infidelity of the zero map, the denominator of :func:`relative_infidelity`."""
    return infidelity(
        model, x, torch.zeros_like(x), target, sigma, n_samples, seed, normalize=False
    )


def relative_infidelity(
    model: Model,
    x: torch.Tensor,
    scores: torch.Tensor,
    target: Target,
    sigma: float = 0.1,
    n_samples: int = 64,
    seed: int = 0,
    change: np.ndarray | None = None,
) -> np.ndarray:
    """Normalized infidelity / E_I[(f(x) - f(x - I))^2] on the same draws: 0 when I . a is
    proportional to the output's change, 1 when it is uncorrelated with it (or a = 0).
    ``change``: :func:`output_change` for the same arguments, if already computed (it does
    not depend on the scores)."""
    if change is None:
        change = output_change(model, x, target, sigma, n_samples, seed)
    if np.any(change <= 0):
        raise ValueError(
            "the model's output does not change under the perturbations "
            f"(sigma={sigma}): raise sigma"
        )
    flat = scores.reshape(len(scores), -1)
    zero = (flat == 0).all(dim=1).numpy()
    fitted = infidelity(model, x, scores, target, sigma, n_samples, seed, normalize=True)
    return np.where(zero, 1.0, fitted / change)  # captum's beta is 0/0 for a zero map


def localization(scores: torch.Tensor, boxes: np.ndarray, image_shape: Sequence[int]) -> np.ndarray:
    """Share of the positive attribution inside each input's box (row, column, height,
    width), by Quantus' AttributionLocalisation; ``scores`` are reshaped to
    ``(N, *image_shape)`` (C x H x W); a map of several channels is summed over them first
    (a pixel's attribution is the total of its channels). An input without positive
    attribution scores 0. A box must lie inside the image."""
    import quantus

    scores = torch.as_tensor(scores).detach().double()
    if scores[0].numel() != int(np.prod(image_shape)):
        raise ValueError(
            f"each input's scores have {scores[0].numel()} values, but image_shape "
            f"{tuple(image_shape)} holds {int(np.prod(image_shape))}: pass the images' own "
            "shape (C, H, W)"
        )
    maps = scores.reshape(len(scores), *image_shape).numpy()
    maps = maps.sum(axis=1, keepdims=True)  # (N, 1, H, W)
    boxes = np.asarray(boxes)
    if boxes.shape != (len(maps), 4):
        raise ValueError(
            f"boxes must be one (row, column, height, width) per input, "
            f"shape ({len(maps)}, 4), got {boxes.shape}"
        )
    height, width = maps.shape[-2:]
    outside = [
        k
        for k, (r, c, h, w) in enumerate(boxes)
        if r < 0 or c < 0 or h < 1 or w < 1 or r + h > height or c + w > width
    ]
    if outside:
        raise ValueError(
            f"the boxes of inputs {outside[:5]} do not lie inside the {height} x {width} image "
            f"(first: {boxes[outside[0]].tolist()} as row, column, height, width)"
        )
    inside = np.zeros_like(maps)
    for k, (r, c, h, w) in enumerate(boxes):
        inside[k, ..., r : r + h, c : c + w] = 1
    flat = maps.reshape(len(maps), -1)
    constant = (flat == flat[:, :1]).all(axis=1)
    # Quantus refuses constant maps: a positive constant puts the box's share inside
    values = np.where(flat[:, 0] > 0, inside.reshape(len(maps), -1).mean(axis=1), 0.0)
    varies = ~constant & (flat > 0).any(axis=1)  # Quantus refuses a map with no positive entry too
    if varies.any():
        with contextlib.redirect_stdout(io.StringIO()):  # Quantus prints advice to take |a| first
            metric = quantus.AttributionLocalisation(
                abs=False, normalise=False, positive_attributions=True, disable_warnings=True
            )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            varying = maps[varies]
            values[varies] = metric(
                model=None,
                x_batch=varying,
                y_batch=np.zeros(len(varying), dtype=int),
                a_batch=varying,
                s_batch=inside[varies],
                channel_first=True,
            )
    return values


@dataclass(frozen=True)
class Faithfulness:
    """Scores of several methods on the same inputs: ``scores`` has one row per method and
    input (columns method, input, and one per :data:`SCORES`); ``refused`` maps a method the
    model is outside of to the reason it gave."""

    scores: pd.DataFrame
    refused: dict[str, str] = field(default_factory=dict)

    @classmethod
    def combine(cls, results: Iterable[Faithfulness]) -> "Faithfulness":
        """Several evaluations of the same methods (e.g. one per training seed) as one, the
        inputs numbered consecutively."""
        tables, refused, start = [], {}, 0
        for result in results:
            tables.append(result.scores.assign(input=result.scores["input"] + start))
            start += int(result.scores["input"].max()) + 1 if len(result.scores) else 0
            refused.update(result.refused)
        return cls(pd.concat(tables, ignore_index=True), refused)

    def per_input(self, score: str) -> pd.DataFrame:
        """One row per input, one column per method (in the order run)."""
        if score not in SCORES:
            raise ValueError(f"score must be one of {SCORES}, got {score!r}")
        table = self.scores.pivot(index="input", columns="method", values=score)
        return table[list(dict.fromkeys(self.scores["method"]))]


def evaluate(
    model: Model,
    x: torch.Tensor,
    target: Target,
    boxes: np.ndarray,
    image_shape: Sequence[int],
    players: Players,
    background: torch.Tensor,
    names: Sequence[str] | None = methods.PAPER_A_METHODS,
    sigma: float = 0.1,
    n_samples: int = 64,
    seed: int = 0,
    progress: bool = False,
) -> Faithfulness:
    """Run each method of ``names`` on ``x`` for ``target`` and score it. Baselines: 0, or
    the rows of ``background`` for methods that take a distribution; ``players`` (element
    groups) for the methods that take them. A method that refuses the model
    (:class:`~unified_attribution.methods.propagation.UnsupportedModel`) is recorded, not raised."""
    from tqdm.auto import tqdm

    rows, refused = [], {}
    change = output_change(model, x, target, sigma, n_samples, seed)  # the same for every method
    for name in tqdm(names, desc="methods", disable=not progress):
        spec = methods.get(name)
        baseline = background if spec.baseline == "distribution" else 0.0
        options = {"players": players} if spec.players else {}
        try:
            found = methods.attribute(name, model, x, baseline, target=target, **options)
        except UnsupportedModel as err:
            refused[name] = str(err)
            continue
        infid = relative_infidelity(model, x, found.scores, target, sigma, n_samples, seed, change)
        loc = localization(found.scores, boxes, image_shape)
        rows += [
            {"method": name, "input": k, SCORES[0]: infid[k], SCORES[1]: loc[k]}
            for k in range(len(x))
        ]
    return Faithfulness(pd.DataFrame(rows), refused)


def principles_followed() -> pd.Series:
    """How many of the three principles each method follows in paper A's Table 2."""
    from .theory import principles

    return (principles.table("paper") == "holds").sum(axis=1).rename("principles followed")


@dataclass(frozen=True)
class Correlation:
    """Spearman's rho between the methods' mean scores and the principles they follow, with
    the percentile bootstrap interval (``level``) over inputs, and how many methods."""

    rho: float
    low: float
    high: float
    n_methods: int
    level: float = 0.95

    def verdict(self, sign: int) -> str:
        """ "holds" when the interval lies wholly on the side ``sign`` of 0 (the claimed
        direction), "reversed" when wholly on the other side, "not decided" otherwise."""
        if sign * self.low > 0 and sign * self.high > 0:
            return "holds"
        if sign * self.low < 0 and sign * self.high < 0:
            return "reversed"
        return "not decided"


def correlation(
    per_input: pd.DataFrame,
    followed: pd.Series,
    n_boot: int = 1000,
    seed: int = 0,
    level: float = 0.95,
) -> Correlation:
    """Spearman's rho between ``per_input.mean()`` (rows: inputs, columns: methods) and
    ``followed`` for the same methods, and its bootstrap interval resampling the inputs
    (a resample whose means tie completely gives no rho and is skipped)."""
    from scipy.stats import spearmanr

    per_input = per_input.dropna(axis=1, how="all")
    if per_input.shape[1] < 3:
        raise ValueError(f"a rank correlation needs at least 3 methods, got {per_input.shape[1]}")
    if n_boot < 1 or not 0 < level < 1:
        raise ValueError(f"n_boot must be >= 1 and level in (0, 1), got {n_boot}, {level}")
    missing = [m for m in per_input.columns if m not in followed.index]
    if missing:
        raise ValueError(
            f"followed gives no count of principles for {missing}: pass one per method of "
            f"per_input (the methods with a count: {list(followed.index)})"
        )
    counts = followed.loc[per_input.columns].to_numpy(dtype=float)
    values = per_input.to_numpy(dtype=float)
    rho = float(spearmanr(values.mean(axis=0), counts).statistic)
    rng = np.random.default_rng(seed)
    draws = np.array(
        [
            spearmanr(
                values[rng.integers(0, len(values), len(values))].mean(axis=0), counts
            ).statistic
            for _ in range(n_boot)
        ]
    )
    low, high = np.nanquantile(draws, [(1 - level) / 2, (1 + level) / 2])
    return Correlation(rho, float(low), float(high), per_input.shape[1], level)
