"""Every method of the library on one model, beside captum's counterpart and, for the LRP
family, zennit with its canonizers: what each library does with the model (the outcome),
each result's completeness gap, and how far the libraries agree.

Outcomes (:data:`OUTCOMES`). A run that returns scores "works" unless a check it can fail
says otherwise: DeepLIFT and DeepShap must add up to f(x) - f(b) (relative gap at most
:data:`COMPLETE`); LRP at epsilon 1e-9 must equal Gradient x Input on a piecewise-linear
network (LRP-0 is Gradient x Input there, whatever the convention for BatchNorm; relative
difference at most :data:`AGREE`). The same checks apply to both libraries. A run
that fails a check is "silently wrong". A refusal by our library
(``UnsupportedModel`` or a refusal that names the fix) is "refused"; any other error,
"fails". captum has no LRP-alpha-beta, Deep Taylor, RevealCancel or Prediction Difference:
"none". "n/a": Grad-CAM on a model without a feature map, and captum's exact ShapleyValues
beyond :data:`EXACT_SHAPLEY_PLAYERS` players (it enumerates n! orderings).
"""

from __future__ import annotations

import copy
import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
from torch import nn

from unified_attribution import attribute, methods
from unified_attribution.methods.propagation import UnsupportedModel

from . import oracles

OUTCOMES = ("works", "refused", "fails", "silently wrong", "none", "n/a")
COMPLETE = 1e-6  # largest relative completeness gap of a method that promises completeness
AGREE = 1e-3  # largest relative difference of LRP-0 from Gradient x Input
EXACT_SHAPLEY_PLAYERS = 8  # captum's exact ShapleyValues enumerates n! orderings
ZENNIT = ("lrp_epsilon", "lrp_alpha_beta", "deep_taylor")
_COMPLETE_METHODS = ("deeplift_rescale", "deeplift_revealcancel", "deep_shap")


@dataclass
class Run:
    """One library's run of one method: its outcome, scores, relative completeness gap
    |sum - (f(x) - f(b))| / |f(x) - f(b)| (worst input), and what it said."""

    outcome: str
    scores: torch.Tensor | None = None
    gap: float = math.nan
    note: str = ""


@dataclass
class Case:
    """A model with the inputs every method gets: ``x``, the ``target`` of each row, a
    ``background`` distribution, patch ``players`` for the methods that group elements,
    Occlusion-patch's ``window``, Grad-CAM's ``layer`` (a module path, None: none), whether
    the network is ``piecewise_linear`` and the inputs' ``bounds``."""

    model: nn.Module
    x: torch.Tensor
    target: torch.Tensor
    background: torch.Tensor
    players: torch.Tensor
    window: tuple[int, ...]
    layer: str | None
    piecewise_linear: bool = False  # every nonlinearity ReLU or max-pooling
    bounds: tuple[float, float] = (0.0, 1.0)  # the inputs' range (Deep Taylor's z^B box)

    def output_change(self, baseline: torch.Tensor) -> torch.Tensor:
        """f(x) - f(b) for each row (b: one row, or the mean of f over a distribution)."""
        rows = torch.arange(len(self.x))
        with torch.no_grad():
            fx = self.model(self.x)[rows, self.target]
            fb = (
                self.model(baseline)[:, self.target].mean(0)
                if len(baseline) > 1
                else self.model(baseline)[0, self.target]
            )
        return fx - fb


def _gap(scores: torch.Tensor, change: torch.Tensor) -> float:
    total = scores.reshape(len(scores), -1).sum(1)
    return float(((total - change).abs() / change.abs().clamp(min=1e-12)).max())


def ours(case: Case) -> dict[str, Run]:
    """Every registered method of paper A on the case, as a user would call it."""
    runs = {}
    for name in methods.PAPER_A_METHODS:
        spec = methods.get(name)
        baseline = {"tensor": 0.0, "distribution": case.background, "none": 0.0}[spec.baseline]
        options = {"players": case.players} if spec.players else {}
        if name == "occlusion_patch":
            options = {"window": case.window}
        if name == "deep_taylor":
            options = dict(zip(("lower", "upper"), case.bounds))
        if name == "grad_cam":
            if case.layer is None:
                runs[name] = Run("n/a", note="no feature map")
                continue
            options = {"layer": case.layer}
        try:
            found = attribute(name, case.model, case.x, baseline, target=case.target, **options)
        except UnsupportedModel as err:
            runs[name] = Run("refused", note=str(err))
            continue
        gap = _gap(found.scores, found.output_change) if spec.baseline != "none" else math.nan
        wrong = name in _COMPLETE_METHODS and gap > COMPLETE
        if name == "lrp_epsilon" and case.piecewise_linear:
            zero = attribute(name, case.model, case.x, target=case.target, epsilon=1e-9).scores
            gxi = attribute("gradient_x_input", case.model, case.x, target=case.target).scores
            wrong = relative(zero, gxi) > AGREE
        runs[name] = Run("silently wrong" if wrong else "works", found.scores, gap)
    return runs


def _captum_call(name: str, case: Case) -> torch.Tensor | None:
    from captum import attr

    model, x, target = copy.deepcopy(case.model), case.x.clone(), case.target  # captum marks x
    zero = torch.zeros_like(x)
    if name == "gradient_x_input":
        return attr.InputXGradient(model).attribute(x, target=target)
    if name == "integrated_gradients":
        return attr.IntegratedGradients(model).attribute(
            x, zero, target=target, n_steps=64, method="gausslegendre"
        )
    if name == "expected_gradients":  # the same draws as ours: numpy and torch seeded with 0
        np.random.seed(0)
        torch.manual_seed(0)
        return attr.GradientShap(model).attribute(
            x, case.background, n_samples=200, stdevs=0.0, target=target
        )
    if name == "lrp_epsilon":
        return captum_lrp_as_is(model, x, target, 0.01)
    if name == "deeplift_rescale":
        return attr.DeepLift(model).attribute(x, zero, target=target)
    if name == "deep_shap":
        return attr.DeepLiftShap(model).attribute(x, case.background, target=target)
    if name == "grad_cam":
        cam = attr.LayerGradCam(model, model.get_submodule(case.layer)).attribute(
            x, target=target, relu_attributions=True
        )
        return attr.LayerAttribution.interpolate(cam, tuple(x.shape[2:]), "bilinear").expand_as(x)
    if name == "occlusion_1":
        return attr.FeatureAblation(model).attribute(x, 0.0, target=target)
    if name == "occlusion_patch":
        return attr.Occlusion(model).attribute(x, case.window, case.window, 0.0, target=target)
    if name == "shapley_value":
        mask = case.players.expand_as(x[:1]).long()
        return attr.ShapleyValues(model).attribute(x, 0.0, target=target, feature_mask=mask)
    return None


def captum_lrp_as_is(
    model: nn.Module, x: torch.Tensor, target: torch.Tensor, eps: float
) -> torch.Tensor:
    """captum's LRP as a user would call it on any model: EpsilonRule(eps) on every Linear and
    convolution of a copy, captum's own defaults elsewhere (unlike ``methods.captum_lrp``,
    which helps captum through Flatten and Sigmoid on chains)."""
    from captum.attr import LRP
    from captum.attr._utils.lrp_rules import EpsilonRule

    model = copy.deepcopy(model)
    for module in model.modules():
        if isinstance(module, (nn.Linear, nn.Conv1d, nn.Conv2d)):
            module.rule = EpsilonRule(eps)
    return LRP(model).attribute(x, target=target).detach()


def _lrp_zero_is_gradient_x_input(case: Case) -> bool:
    """captum's LRP at epsilon 1e-9 against its Gradient x Input (LRP-0 is Gradient x Input
    on a piecewise-linear network, whatever the convention for BatchNorm)."""
    from captum.attr import InputXGradient

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lrp = captum_lrp_as_is(case.model, case.x, case.target, 1e-9)
        gxi = (
            InputXGradient(copy.deepcopy(case.model)).attribute(case.x, target=case.target).detach()
        )
    return relative(lrp, gxi) <= AGREE


def captum(case: Case) -> dict[str, Run]:
    """captum 0.9's counterpart of each method."""
    runs = {}
    for name in methods.PAPER_A_METHODS:
        if name == "grad_cam" and case.layer is None:
            runs[name] = Run("n/a")
            continue
        if name == "shapley_value" and int(case.players.max()) + 1 > EXACT_SHAPLEY_PLAYERS:
            runs[name] = Run(
                "none", note=f"exact ShapleyValues over more than {EXACT_SHAPLEY_PLAYERS} players"
            )
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                scores = _captum_call(name, case)
        except Exception as err:  # noqa: BLE001 - what captum does with the model is the result
            runs[name] = Run("fails", note=f"{type(err).__name__}: {err}".split("\n")[0][:300])
            continue
        if scores is None:
            runs[name] = Run("none")
            continue
        scores = scores.detach()
        distribution = methods.get(name).baseline == "distribution"
        baseline = case.background if distribution else torch.zeros_like(case.x[:1])
        gap = _gap(scores, case.output_change(baseline)) if name != "grad_cam" else math.nan
        wrong = name in _COMPLETE_METHODS and gap > COMPLETE
        if name == "lrp_epsilon" and case.piecewise_linear:
            wrong = not _lrp_zero_is_gradient_x_input(case)
        runs[name] = Run("silently wrong" if wrong else "works", scores, gap)
    return runs


def zennit(case: Case) -> dict[str, Run]:
    """zennit 0.5.1 with its BatchNorm merge and the residual canonizer, for the LRP family
    (conventions matched: :func:`attribution_book.oracles.zennit_rules`)."""
    runs = {}
    for name in ZENNIT:
        options = {**methods.get(name).options, **dict(zip(("lower", "upper"), case.bounds))}
        try:
            rule, first = oracles.zennit_rules(name, options)
            runs[name] = Run(
                "works", oracles.zennit_lrp(case.model, case.x, case.target, rule, first)
            )
        except Exception as err:  # noqa: BLE001
            runs[name] = Run("fails", note=f"{type(err).__name__}: {err}".split("\n")[0][:300])
    return runs


def lrp_against_zennit(case: Case) -> dict[str, float]:
    """Our LRP-epsilon, alpha-beta and Deep Taylor against zennit's (:func:`zennit`), relative
    difference per method, without running the other methods."""
    references = zennit(case)
    found = {}
    for name in ZENNIT:
        options = dict(zip(("lower", "upper"), case.bounds)) if name == "deep_taylor" else {}
        mine = attribute(name, case.model, case.x, target=case.target, **options).scores
        found[name] = relative(references[name].scores, mine)
    return found


def relative(a: torch.Tensor, b: torch.Tensor) -> float:
    """max |a - b| / max |b|."""
    return float((a - b).abs().max() / b.abs().max().clamp(min=1e-300))


def table(case: Case, with_zennit: bool = True) -> pd.DataFrame:
    """One row per method: our outcome and gap, captum's outcome and gap, the largest
    relative difference between captum's scores and ours, and zennit's from ours (LRP)."""
    mine = ours(case)
    theirs = captum(case)
    references = zennit(case) if with_zennit else {}
    rows = []
    for name in methods.PAPER_A_METHODS:
        a, b = mine[name], theirs[name]
        z = references.get(name)
        both = a.scores is not None and b.scores is not None
        rows.append(
            {
                "method": methods.get(name).title,
                "ours": a.outcome,
                "our gap": a.gap,
                "captum": b.outcome,
                "captum's gap": b.gap,
                "captum vs ours": relative(b.scores, a.scores) if both else math.nan,
                "zennit vs ours": relative(z.scores, a.scores)
                if z is not None and z.scores is not None and a.scores is not None
                else math.nan,
                "our note": a.note.split(":")[0] if a.outcome == "refused" else "",
                "captum's note": b.note,
            }
        )
    return pd.DataFrame(rows).set_index("method")


def counts(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """How many cells of each outcome, per library, over the tables of several models."""
    cells = pd.concat(tables.values())
    found = {lib: cells[lib].value_counts() for lib in ("ours", "captum")}
    return pd.DataFrame(found).reindex(list(OUTCOMES)).fillna(0).astype(int)


def standard_case(name: str, seed: int = 0, n: int = 4) -> Case:
    """One of the eight architectures of :mod:`attribution_book.architectures`, with random
    weights and BatchNorm statistics, inputs in [0, 1], 4 patch players on images (2 on a
    sequence, 6 features otherwise)."""
    from unified_attribution import games

    from . import architectures

    model = architectures.build(name, seed)
    x = architectures.inputs(name, n, seed)
    shape = x.shape[1:]
    if len(shape) == 3:
        players = torch.as_tensor(games.patches(tuple(shape), shape[1] // 2))
        window = (shape[0], shape[1] // 2, shape[2] // 2)
    elif len(shape) == 2:
        players = (torch.arange(shape[0])[:, None] // 2).expand(shape).clone()  # pairs of steps
        window = (1, shape[1])
    else:
        players, window = torch.arange(shape[0]), (1,)
    target = torch.arange(n) % 3
    background = architectures.inputs(name, 8, seed + 1)
    layer = architectures.FEATURE_MAPS.get(name)
    return Case(
        model, x, target, background, players, window, layer, name in architectures.RELU_ONLY
    )


def allocation_of_dividends(effects) -> dict[str, float]:
    """Paper A's allocation principles on one game's exact dividends I(S), for the two
    methods whose scores allocate them: the Shapley value's shares I(S) / |S| against each
    dividend (complete allocation: their total minus the game's, relative to sum |I(S)|),
    and Occlusion-1 (remove one player), which gives each dividend whole to every member:
    sum_S (|S| - 1) |I(S)| / sum_S |I(S)| is what it allocates beyond the game's effects."""
    from unified_attribution.games.coalitions import coalition_sizes

    sizes = coalition_sizes(effects.n)[1:].astype(float)
    dividends = effects.dividends[1:]
    mass = np.abs(dividends).sum()
    return {
        "Shapley: allocated - total": abs(effects.shapley().sum() - effects.total) / mass,
        "occlusion over-allocation": float(((sizes - 1) * np.abs(dividends)).sum() / mass),
    }


def in_scientific_notation(frame: pd.DataFrame) -> pd.DataFrame:
    """The numeric columns in scientific notation, for a table a reader scans."""
    return frame.apply(
        lambda col: col.map(
            lambda v: (
                f"{v:.1e}"
                if isinstance(v, float) and np.isfinite(v)
                else ("" if isinstance(v, float) else v)
            )
        )
    )
