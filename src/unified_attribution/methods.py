"""Attribution methods of paper A behind one call, :func:`attribute`, and one registry.

``attribute(method, model, x, baseline=..., target=..., **options)`` returns an
:class:`Attribution`: scores shaped like ``x`` (a batch) and the completeness gap
sum(scores) - (f(x) - f(b)) of every input, the diagnostic users rely on.

All fourteen methods of :data:`PAPER_A_METHODS` are registered, in three families: gradient,
perturbation and propagation (LRP, Deep Taylor, DeepLIFT, DeepShap, Grad-CAM).

Where captum has a method, captum runs it (Kokhlikyan et al. 2020); Shapley values are exact,
from the Harsanyi dividends of :mod:`unified_attribution.games` (compared with shapiq's exact
Shapley values and captum's ShapleyValueSampling in the tests); Prediction Difference is ours
(compared with a brute-force loop in the tests); LRP-alpha-beta, Deep Taylor and DeepLIFT
RevealCancel are ours, in :mod:`unified_attribution.propagation` (compared with captum's LRP
and DeepLift where they overlap).
"""

from __future__ import annotations

import copy
import inspect
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch
from torch import nn

from . import games, propagation

#: The fourteen methods of paper A, in the order of its Table 1.
PAPER_A_METHODS = (
    "gradient_x_input", "integrated_gradients", "expected_gradients", "lrp_epsilon",
    "lrp_alpha_beta", "deep_taylor", "deeplift_rescale", "deeplift_revealcancel", "deep_shap",
    "grad_cam", "occlusion_1", "occlusion_patch", "prediction_difference", "shapley_value",
)


@dataclass(frozen=True)
class Method:
    """One attribution method: what it is, where it comes from, how it allocates effects."""

    name: str
    title: str
    family: str  # "gradient", "perturbation" or "propagation"
    reference: str  # key in book/references.bib
    formula: str
    allocation: str  # the allocation rule of paper A's reformulation (see the chapters)
    assumptions: str
    options: dict = field(default_factory=dict)
    baseline: str = "tensor"  # "tensor" (one per input), "distribution" (samples) or "none"
    players: bool = False  # takes players= (groups of input elements)
    budget: str | None = None  # the option setting its numerical budget (steps, samples)
    run: Callable = field(default=None, repr=False, compare=False)


@dataclass
class Attribution:
    """What :func:`attribute` returns.

    ``scores``: shaped like ``x``. ``output_change[k]`` = f(x_k) - f(b) (for a distribution
    of baselines, f(x_k) minus the mean of f over it; for methods without a baseline,
    f(x_k) - f(0)). ``gap[k]`` = the sum of input k's scores (one per player for grouped
    methods) minus ``output_change[k]``: captum's *convergence delta* (its
    ``return_convergence_delta=True``), zero for a complete method. ``target``: the output
    explained for each input; ``baseline`` as the method received it; ``options``: every
    option of the method with the value used (defaults included)."""

    method: str
    scores: torch.Tensor
    gap: torch.Tensor
    output_change: torch.Tensor
    target: torch.Tensor | None = None
    baseline: torch.Tensor | None = None
    options: dict = field(default_factory=dict)


#: Every registered method by name (:func:`get` looks one up, with a clear error).
REGISTRY: dict[str, Method] = {}


def _register(**fields):
    """Register a runner ``fn(model, x, baseline, target, players, **options)``; its options
    and their defaults are read from its keyword parameters."""
    def wrap(fn):
        parameters = list(inspect.signature(fn).parameters.values())[5:]
        options = {p.name: p.default for p in parameters}
        REGISTRY[fields["name"]] = Method(run=fn, options=options, **fields)
        return fn
    return wrap


def _captum(name: str):
    import captum.attr

    return getattr(captum.attr, name)


def _selected(model, target):
    """f restricted to each row's target; only for batches of exactly len(target) rows."""
    def forward(z):
        return model(z).reshape(len(z), -1).gather(1, target[:, None]).squeeze(1)
    return forward


@_register(name="gradient_x_input", title="Gradient x Input", family="gradient",
           reference="shrikumar2017learning", formula="a_i = (x_i - b_i) df/dx_i (x)",
           allocation="w_i(kappa) = kappa_i (Taylor terms at b)",
           assumptions="differentiable model; paper A's form with a baseline (captum's "
                       "InputXGradient is the case b = 0)")
def _gradient_x_input(model, x, baseline, target, players):
    shifted = _captum("InputXGradient")(lambda z: model(z + baseline))
    return shifted.attribute((x - baseline).requires_grad_(), target=target)


@_register(name="integrated_gradients", title="Integrated Gradients", family="gradient",
           reference="sundararajan2017axiomatic",
           formula="a_i = (x_i - b_i) int_0^1 df/dx_i (b + t (x - b)) dt",
           allocation="w_i(kappa) = kappa_i / |kappa|",
           assumptions="differentiable model; the integral by captum's quadrature (quadrature=, "
                       "default Gauss-Legendre (exact for polynomials of degree < 2 n_steps, up to "
                       "captum's float32 quadrature weights: relative error ~1e-8); at a "
                       "ReLU kink the quadrature error falls only like 1/n_steps",
           budget="n_steps")
def _integrated_gradients(model, x, baseline, target, players, n_steps=64,
                          quadrature="gausslegendre"):
    ig = _captum("IntegratedGradients")(model)
    return ig.attribute(x.requires_grad_(), baselines=baseline, target=target, n_steps=n_steps,
                        method=quadrature)


@_register(name="expected_gradients", title="Expected Gradients", family="gradient",
           reference="erion2021improving",
           formula="a_i = E_{b ~ p, t ~ U(0,1)} (x_i - b_i) df/dx_i (b + t (x - b))",
           allocation="Integrated Gradients' weights, averaged over baselines b ~ p",
           assumptions="differentiable model; Monte Carlo over baselines and t "
                       "(captum's GradientShap with stdevs = 0), seeded",
           baseline="distribution", budget="n_samples")
def _expected_gradients(model, x, baseline, target, players, n_samples=200, seed=0):
    shap = _captum("GradientShap")(model)
    # captum draws baselines with numpy's global generator and t with torch's: seed both,
    # and give the caller's generators back untouched
    numpy_state = np.random.get_state()
    try:
        with torch.random.fork_rng(devices=[]):
            np.random.seed(seed)
            torch.manual_seed(seed)
            return shap.attribute(x.requires_grad_(), baselines=baseline, target=target,
                                  n_samples=n_samples, stdevs=0.0)
    finally:
        np.random.set_state(numpy_state)


@_register(name="occlusion_1", title="Occlusion-1", family="perturbation",
           reference="zeiler2014visualizing", formula="a_i = f(x) - f(x with x_i := b_i)",
           allocation="w_i(S) = 1 for every S containing i: each effect in full to each member",
           assumptions="none (any model); captum's FeatureAblation, one element at a time")
def _occlusion_1(model, x, baseline, target, players):
    return _captum("FeatureAblation")(model).attribute(x, baselines=baseline, target=target)


@_register(name="occlusion_patch", title="Occlusion-patch", family="perturbation",
           reference="zeiler2014visualizing",
           formula="a_i = mean over windows W containing i of f(x) - f(x with x_W := b_W)",
           allocation="with non-overlapping windows: w_i(S) = 1 for every S meeting i's patch",
           assumptions="captum's Occlusion: a window slides with the given strides; a "
                       "pixel covered by several windows gets the mean of their differences. "
                       "With players= (non-overlapping patches of any input shape, e.g. "
                       "games.patches for a flat image) captum's FeatureAblation occludes "
                       "each patch instead, and window is not used",
           players=True)
def _occlusion_patch(model, x, baseline, target, players, window=(1, 2, 2), strides=None):
    if players is not None:
        labels = games.player_labels(players, x[0])
        unused = labels < 0  # elements of no patch are never occluded: score 0
        labels = np.where(unused, labels.max() + 1, labels)
        mask = torch.as_tensor(labels).reshape(1, *x.shape[1:])
        scores = _captum("FeatureAblation")(model).attribute(x, baselines=baseline, target=target,
                                                            feature_mask=mask)
        return scores.to(x.dtype) * torch.as_tensor(~unused).reshape(x.shape[1:])
    window = tuple(window)
    if len(window) != x.dim() - 1:
        raise ValueError(f"window {window} must have one size per input dimension "
                         f"{tuple(x.shape[1:])}; for a flat input pass the patches as players=")
    if any(w > d for w, d in zip(window, x.shape[1:])):
        raise ValueError(f"window {window} is larger than the input {tuple(x.shape[1:])} in some "
                         f"dimension")
    occlusion = _captum("Occlusion")(model)
    scores = occlusion.attribute(x, sliding_window_shapes=window, strides=strides or window,
                                 baselines=baseline, target=target)
    return scores.to(x.dtype)  # captum returns float32 here, whatever the model's dtype


@_register(name="prediction_difference", title="Prediction Difference", family="perturbation",
           reference="zintgraf2017visualizing",
           formula="a_P = f(x) - mean_j f(x with x_P := d_{j,P}) over background rows d_j",
           allocation="Occlusion-1's weights, averaged over replacement values x_P ~ p(x_P)",
           assumptions="replacement values drawn from the empirical distribution of each "
                       "player (marginal, not conditional on the rest of x); ours",
           baseline="distribution", players=True)
def _prediction_difference(model, x, background, target, players, n_samples=64, seed=0):
    generator = torch.Generator().manual_seed(seed)
    rows = background[torch.randperm(len(background), generator=generator)[:n_samples]]
    labels = games.player_labels(players, x[0])
    scores = torch.zeros_like(x)
    with torch.no_grad():
        fx = _selected(model, target)(x)
        for player in range(int(labels.max()) + 1):
            in_player = torch.as_tensor(labels == player).reshape(x.shape[1:])
            replaced = x[:, None].repeat(1, len(rows), *[1] * (x.dim() - 1))  # (N, M, ...)
            replaced[:, :, in_player] = rows[None][:, :, in_player].expand(len(x), -1, -1)
            flat = replaced.reshape(-1, *x.shape[1:])
            outputs = _selected(model, target.repeat_interleave(len(rows)))(flat)
            difference = fx - outputs.reshape(len(x), len(rows)).mean(dim=1)
            scores[:, in_player] = difference[:, None].expand(-1, int(in_player.sum()))
    return scores


@_register(name="shapley_value", title="Shapley value", family="perturbation",
           reference="shapley1953value", formula="a_i = sum_{S containing i} H(S) / |S|",
           allocation="w_i(S) = 1/|S|: every effect split equally among its members",
           assumptions="exact: 2**n evaluations of the masking game (n players <= 22); "
                       "players are the elements of x or the groups given by players=",
           players=True)
def _shapley_value(model, x, baseline, target, players):
    scores = torch.zeros_like(x)
    for k in range(len(x)):
        game = games.MaskingGame(model, x[k], baseline[k], players=players, target=int(target[k]))
        phi = torch.as_tensor(games.harsanyi(game).shapley(), dtype=x.dtype)
        on = torch.as_tensor(game.labels >= 0)
        flat = scores[k].reshape(-1)
        flat[on] = phi[torch.as_tensor(game.labels[game.labels >= 0])]
    return scores


_NO_BASELINE = "no baseline: explains f(x) itself (root point 0; the gap is against f(0))"


@_register(name="lrp_epsilon", title="LRP-epsilon", family="propagation", reference="bach2015pixel",
           formula="R_i = sum_j a_i w_ij / (z_j + eps sign z_j) R_j, R = f(x) at the output",
           allocation="eps -> 0 on ReLU nets: Gradient x Input at b = 0 (w_i(kappa) = kappa_i); "
                      "one neuron y = g(c + sum_i u_i): share u_i / (c + s + eps) of y, the "
                      "bias keeps the rest",
           assumptions="captum's LRP, EpsilonRule(epsilon) on Linear and Conv2d layers, "
                       "epsilon 1e-9 on pooling; " + _NO_BASELINE,
           baseline="none")
def _lrp_epsilon(model, x, baseline, target, players, epsilon=0.01):
    from captum.attr._utils.lrp_rules import EpsilonRule

    return captum_lrp(model, lambda: EpsilonRule(epsilon)).attribute(x.requires_grad_(), target=target)


def captum_lrp(model: nn.Module, make_rule: Callable):
    """captum's LRP on a copy of ``model`` (captum attaches its rules to the layers) with a
    fresh ``make_rule()`` on every Linear and Conv2d layer and captum's default EpsilonRule
    (epsilon 1e-9) on pooling and Flatten (which has no default; this passes R on), and
    captum's IdentityRule on a Sigmoid (captum passes R through ReLU and Tanh by itself)."""
    from captum.attr._utils.lrp_rules import EpsilonRule, IdentityRule

    lrp = _captum("LRP")(copy.deepcopy(model))
    for layer in propagation.layers(lrp.model):
        if isinstance(layer, propagation.LINEAR):
            layer.rule = make_rule()
        elif isinstance(layer, propagation.POOLING + (nn.Flatten,)):
            layer.rule = EpsilonRule()
        elif isinstance(layer, nn.Sigmoid):
            layer.rule = IdentityRule()
    return lrp


@_register(name="lrp_alpha_beta", title="LRP-alpha-beta", family="propagation",
           reference="bach2015pixel",
           formula="R_i = sum_j (alpha z_ij+ / z_j+ - beta z_ij- / z_j-) R_j, z_ij = a_i w_ij",
           allocation="one neuron: every effect, and the root value, split in the same "
                      "proportions alpha u_i+ / s+ - beta u_i- / s- of the signed contributions",
           assumptions="ours (propagation.alpha_beta): alpha - beta = 1, biases ignored, "
                       "pooling by the epsilon rule; " + _NO_BASELINE,
           baseline="none")
def _lrp_alpha_beta(model, x, baseline, target, players, alpha=2.0, beta=1.0):
    return propagation.lrp(model, x, target, propagation.alpha_beta(alpha, beta))


@_register(name="deep_taylor", title="Deep Taylor", family="propagation",
           reference="montavon2017deep",
           formula="z^B rule at the first layer (x in [lower, upper]), z+ rule above",
           allocation="z+ = LRP alpha 1 beta 0: y split by the positive contributions only",
           assumptions="ours (propagation.deep_taylor); lower = 0, upper = inf gives the z+ "
                       "rule at the first layer too; " + _NO_BASELINE,
           baseline="none")
def _deep_taylor(model, x, baseline, target, players, lower=0.0, upper=1.0):
    return propagation.deep_taylor(model, x, target, lower, upper)


@_register(name="deeplift_rescale", title="DeepLIFT Rescale", family="propagation",
           reference="shrikumar2017learning",
           formula="C_i = Delta x_i m_i, multipliers m = Delta y / Delta z at every ReLU, chained",
           allocation="one nonlinearity of a linear map (or a sum of them): Integrated "
                      "Gradients' weights kappa_i / |kappa|; deeper nets: not exactly",
           assumptions="ours (propagation.deeplift): equals captum's DeepLift except where "
                       "a ReLU feeds a max-pool, where captum 0.9 loses part of the "
                       "difference (captum issue 1104); max-pooling by captum's rule")
def _deeplift_rescale(model, x, baseline, target, players):
    return propagation.deeplift(model, x, baseline, target, rule="rescale")


@_register(name="deeplift_revealcancel", title="DeepLIFT RevealCancel", family="propagation",
           reference="shrikumar2017learning",
           formula="Delta y+- = two-player Shapley values of the positive and negative parts "
                   "of Delta z; m+- = Delta y+- / Delta z+-",
           allocation="one neuron: w_i(kappa) = kappa_i / |kappa_P(i)|, halved when kappa "
                      "mixes positive and negative contributors (derived here)",
           assumptions="ours (propagation.deeplift, rule='revealcancel' at every ReLU; the "
                       "authors' genomics default kept Rescale after convolutions)")
def _deeplift_revealcancel(model, x, baseline, target, players):
    return propagation.deeplift(model, x, baseline, target, rule="revealcancel")


@_register(name="deep_shap", title="DeepShap", family="propagation",
           reference="lundberg2017unified",
           formula="a_i = mean over baselines b ~ p of DeepLIFT Rescale (x, b)",
           allocation="DeepLIFT Rescale's allocation, averaged over baselines b ~ p",
           assumptions="ours: the mean of propagation.deeplift over every baseline given "
                       "(captum's DeepLiftShap on models without a ReLU feeding a max-pool)",
           baseline="distribution")
def _deep_shap(model, x, baseline, target, players):
    total = torch.zeros_like(x)
    for b in baseline:
        total += propagation.deeplift(model, x, b.expand_as(x), target, rule="rescale")
    return total / len(baseline)


@_register(name="grad_cam", title="Grad-CAM", family="propagation",
           reference="selvaraju2017gradcam",
           formula="L = ReLU(sum_k alpha_k A^k), alpha_k = mean_(u,v) dy/dA^k_uv, upsampled",
           allocation="Gradient x Input on the feature map A (summed over channels) when dy/dA "
                      "is spatially constant (global-average-pooling head), then ReLU",
           assumptions="captum's LayerGradCam; layer = index in the chain (default: the "
                       "output of the last convolution's ReLU); bilinear upsampling to the "
                       "input, the same map for every input channel; " + _NO_BASELINE,
           baseline="none")
def _grad_cam(model, x, baseline, target, players, layer=None, relu=True):
    chain = propagation.layers(model)
    convolutions = [k for k, m in enumerate(chain) if isinstance(m, nn.Conv2d)]
    if not convolutions:
        raise propagation.UnsupportedModel("Grad-CAM needs a convolutional layer; this model "
                                           "has none: use Gradient x Input on a layer instead")
    if layer is None:
        last = convolutions[-1]
        layer = last + 1 if last + 1 < len(chain) and isinstance(chain[last + 1], propagation.ELEMENTWISE) else last
    cam = _captum("LayerGradCam")(model, chain[layer]).attribute(x, target=target,
                                                                  relu_attributions=relu)
    if cam.dim() != 4:
        raise propagation.UnsupportedModel(f"Grad-CAM needs a spatial feature map; layer "
                                           f"{layer} ({chain[layer]}) gives shape {tuple(cam.shape)}")
    cam = _captum("LayerAttribution").interpolate(cam, tuple(x.shape[2:]), "bilinear")
    return cam.expand_as(x).clone()


def get(name: str) -> Method:
    """The registered method ``name``."""
    if name not in REGISTRY:
        raise ValueError(f"unknown method {name!r}; registered: {', '.join(REGISTRY)}")
    return REGISTRY[name]


def _as_batch(x) -> torch.Tensor:
    x = torch.as_tensor(x)
    if not torch.is_floating_point(x):
        x = x.to(torch.get_default_dtype())
    if x.dim() < 2:
        raise ValueError(f"x must be a batch of inputs (N x ...), got shape {tuple(x.shape)}; "
                         f"add a batch dimension with x[None]")
    if len(x) == 0:
        raise ValueError(f"x holds no inputs (shape {tuple(x.shape)}): pass at least one")
    if not torch.isfinite(x).all():
        raise ValueError("x contains NaN or infinite values: clean or impute it first")
    return x.detach()


QUADRATURES = ("gausslegendre", "riemann_left", "riemann_right", "riemann_middle", "riemann_trapezoid")


def _check_options(spec: Method, options: dict) -> None:
    """Option values in range, by option name, before any computation."""
    for name, value in options.items():
        if name in ("n_steps", "n_samples", "seed"):
            smallest = 0 if name == "seed" else 1
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < smallest:
                raise ValueError(f"{spec.name}: {name} must be an integer >= {smallest}, got {value!r}")
        elif name == "epsilon" and not (isinstance(value, (int, float)) and value >= 0):
            raise ValueError(f"{spec.name}: epsilon must be a number >= 0, got {value!r}")
        elif name == "quadrature" and value not in QUADRATURES:
            raise ValueError(f"{spec.name}: quadrature must be one of {', '.join(QUADRATURES)}; got {value!r}")
        elif name in ("window", "strides") and value is not None:
            sizes = tuple(value) if isinstance(value, (tuple, list)) else (value,)
            if not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v >= 1 for v in sizes):
                raise ValueError(f"{spec.name}: {name} must be positive integers, one per input "
                                 f"dimension; got {value!r}")


def _check_dtype(model, x: torch.Tensor) -> None:
    """x in the dtype of the model's parameters (numpy's default float64 against a float32
    model fails deep inside torch otherwise)."""
    parameters = model.parameters() if isinstance(model, nn.Module) else ()
    dtype = next((p.dtype for p in parameters if p.is_floating_point()), None)
    if dtype is not None and x.dtype != dtype:
        raise TypeError(f"x is {x.dtype} but the model's parameters are {dtype}: convert one to "
                        f"the other, x.to({dtype}) or model.to({x.dtype})")


def _targets(model, x, target) -> torch.Tensor:
    try:
        with torch.no_grad():
            out = model(x[:1].clone())
    except RuntimeError as err:
        if "out of memory" in str(err).lower():
            raise
        raise ValueError(f"the model could not evaluate x of shape {tuple(x.shape)}: {err}. x "
                         f"must be a batch of inputs shaped as the model takes them") from err
    if not isinstance(out, torch.Tensor):
        raise TypeError(f"the model returns {type(out).__name__}, not a tensor: wrap it so that "
                        f"it returns the outputs to explain, shape (N, K)")
    if out.dim() != 2 or len(out) != 1:
        raise ValueError(f"the model maps a batch of 1 input to shape {tuple(out.shape)}; the "
                         f"methods need (N, K) outputs: for one output per input, return "
                         f"out.unsqueeze(1)")
    n_outputs = out.shape[1]
    if target is None:
        if n_outputs != 1:
            raise ValueError(f"the model has {n_outputs} outputs: choose one with target=")
        target = 0
    try:
        requested = torch.as_tensor(target)
    except (TypeError, ValueError, RuntimeError) as err:
        raise TypeError(f"target must be an output index, or one per input; got {target!r}") from err
    if requested.dtype == torch.bool or requested.is_complex():
        raise TypeError(f"target must be an output index, or one per input; got {target!r}")
    if requested.is_floating_point() and (requested != requested.round()).any():
        raise ValueError(f"target must hold output indices (integers), got {target!r}")
    if requested.dim() > 1 or (requested.dim() == 1 and len(requested) not in (1, len(x))):
        raise ValueError(f"target must be one index or one per input ({len(x)}), got shape "
                         f"{tuple(requested.shape)}")
    target = requested.to(torch.int64).expand(len(x)).clone()
    bad = (target < 0) | (target >= n_outputs)
    if bad.any():
        raise ValueError(f"target {target[bad][0].item()} is out of range: the model has "
                         f"{n_outputs} output(s), targets must be 0..{n_outputs - 1}")
    return target


def _baselines(spec: Method, x: torch.Tensor, baseline) -> torch.Tensor:
    b = torch.as_tensor(baseline, dtype=x.dtype)
    if not torch.isfinite(b).all():
        raise ValueError("the baseline contains NaN or infinite values (in a distribution of "
                         "baselines, in some row): clean or impute it first")
    if spec.baseline == "distribution" and b.dim() == x.dim() and len(b) == 0:
        raise ValueError(f"{spec.name} takes a distribution of baselines and got none (0 rows): "
                         f"pass samples shaped (M, {', '.join(map(str, x.shape[1:]))}), M >= 1")
    if spec.baseline == "none":
        if (b != 0).any():
            raise ValueError(f"{spec.title} has no baseline: it explains f(x) itself, from the "
                             f"root point 0; leave baseline=0 (the gap is reported against f(0))")
        return torch.zeros_like(x)
    if spec.baseline == "distribution":
        if b.dim() != x.dim() or b.shape[1:] != x.shape[1:]:
            raise ValueError(f"{spec.name} takes a distribution of baselines: samples shaped "
                             f"(M, {', '.join(map(str, x.shape[1:]))}), e.g. training rows; "
                             f"got {tuple(b.shape)}")
        return b
    try:
        return b.expand(*x.shape).clone() if b.dim() < x.dim() else b.expand_as(x).clone()
    except RuntimeError as err:
        raise ValueError(f"baseline of shape {tuple(b.shape)} does not broadcast to x of shape "
                         f"{tuple(x.shape)}: pass a number, one input, or one per input") from err


def attribute(method: str, model: nn.Module, x, baseline=0.0, target=None, players=None,
              **options) -> Attribution:
    """Scores of ``method`` for every input of the batch ``x``, with their completeness gaps.

    Parameters
    ----------
    method : str
        A registered method (:data:`~unified_attribution.methods.REGISTRY`; paper A's fourteen:
        :data:`~unified_attribution.methods.PAPER_A_METHODS`).
    model : torch.nn.Module
        Maps a batch (N, ...) to outputs (N, K). Evaluated in eval mode (dropout off); the
        modes of its modules are restored afterwards.
    x : tensor, shape (N, ...)
        The inputs, with the batch dimension, in the model's dtype.
    baseline : number or tensor
        A number, one input (x[0]'s shape) or one per input (N, ...). For the methods that
        take a distribution (Expected Gradients, Prediction Difference, DeepShap), samples
        (M, ...). The methods without a baseline (LRP, Deep Taylor, Grad-CAM) take 0.
    target : int, sequence of N ints, or None
        The output explained, per input; None only for a model with one output.
    players : labels or groups, optional
        Element groups for the methods that take them (Occlusion-patch, Prediction
        Difference, Shapley value): as :class:`~unified_attribution.games.MaskingGame`.
    **options
        The method's options with their defaults, ``get(method).options`` (e.g. ``n_steps``).

    Returns
    -------
    Attribution
        ``scores`` shaped like ``x``, ``output_change`` = f(x) - f(b), ``gap`` (captum's
        convergence delta), and the ``target``, ``baseline`` and ``options`` used.

    Examples
    --------
    >>> import torch
    >>> from unified_attribution import attribute
    >>> model = torch.nn.Linear(3, 1).double()
    >>> with torch.no_grad():
    ...     _ = model.weight.copy_(torch.tensor([[1.0, -2.0, 0.5]]))
    >>> x = torch.tensor([[1.0, 1.0, 2.0]], dtype=torch.float64)
    >>> result = attribute("integrated_gradients", model, x, baseline=0.0)
    >>> [round(a, 6) for a in result.scores[0].tolist()]  # w_i x_i for a linear model
    [1.0, -2.0, 1.0]
    >>> abs(float(result.gap[0])) < 1e-6  # complete, up to captum's float32 quadrature weights
    True
    """
    spec = get(method)
    unknown = set(options) - set(spec.options)
    if unknown:
        raise TypeError(f"{method} has no option {', '.join(sorted(unknown))}; its options: "
                        f"{spec.options or 'none'}")
    if players is not None and not spec.players:
        grouped = ", ".join(m.name for m in REGISTRY.values() if m.players)
        raise TypeError(f"{method} takes no players= (it would be ignored); methods with "
                        f"players: {grouped}")
    _check_options(spec, options)
    x = _as_batch(x)
    _check_dtype(model, x)
    with games.eval_mode(model):  # a model left in training mode is explained as evaluated
        return _attribute(spec, model, x, baseline, target, players, options)


def _attribute(spec: Method, model, x, baseline, target, players, options) -> Attribution:
    method = spec.name
    target = _targets(model, x, target)
    baseline = _baselines(spec, x, baseline)
    try:
        scores = spec.run(model, x.clone(), baseline, target, players, **options).detach()
    except RuntimeError as err:
        if spec.family == "gradient" and "does not require grad" in str(err):
            raise ValueError(f"{spec.title} needs gradients, but the model's output does not "
                             f"depend differentiably on its input (detached, or computed "
                             f"without autograd); use a perturbation method instead") from err
        raise
    forward = _selected(model, target)
    with torch.no_grad():  # copies: a model that writes into its input changes nothing here
        fx = forward(x.clone())
        if spec.baseline == "distribution":
            fb = model(baseline.clone()).reshape(len(baseline), -1)[:, target].mean(dim=0)
        else:
            fb = forward(baseline.clone())
    per_player = scores
    if players is not None:  # grouped scores repeat per element: count each player once
        labels = games.player_labels(players, x[0])
        sizes = np.bincount(labels[labels >= 0])
        weight = np.where(labels >= 0, 1.0 / sizes[np.maximum(labels, 0)], 0.0)
        per_player = scores * torch.as_tensor(weight, dtype=x.dtype).reshape(x.shape[1:])
    gap = per_player.reshape(len(x), -1).sum(dim=1) - (fx - fb)
    return Attribution(method, scores, gap, fx - fb, target=target, baseline=baseline,
                       options={**spec.options, **options})
