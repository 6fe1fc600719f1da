"""The propagation family: LRP-epsilon, LRP-alpha-beta, Deep Taylor, DeepLIFT (Rescale,
RevealCancel), DeepShap and Grad-CAM, on any model torch.fx can trace.

The engine, each part small enough to read: ``graph`` (the model as torch.fx traces it,
BatchNorm folded, evaluated node by node), ``rewrites`` (traceable forms of the attention
modules), ``steps`` (each node's kind and the one reverse sweep over them), ``table`` (the
rule of each kind of node, as data; ``register_rule`` adds your own module), ``relevance``
(LRP rules and composites, Deep Taylor), ``multipliers`` (DeepLIFT) and ``chain`` (the
layers of a plain chain, for the chapters that index a layer by its position). Its names
are re-exported here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from captum.attr import LRP

import copy
from typing import Callable

import torch
from torch import nn

from ..registry import captum, register
from . import graph, relevance, steps
from .chain import LINEAR, POOLING, UnsupportedModel, layers
from .multipliers import DEEPLIFT_RULES, NEAR_ZERO, contributions, deeplift
from .relevance import (
    STABILIZER,
    Composite,
    Rule,
    alpha_beta,
    deep_taylor,
    deep_taylor_composite,
    epsilon,
    lrp,
    uniform,
    z_bounded,
)
from .table import KINDS, REFUSED, RULES
from .table import register as register_rule

__all__ = [
    "DEEPLIFT_RULES",
    "KINDS",
    "REFUSED",
    "RULES",
    "NEAR_ZERO",
    "STABILIZER",
    "Composite",
    "Rule",
    "UnsupportedModel",
    "alpha_beta",
    "captum_lrp",
    "deep_taylor",
    "deep_taylor_composite",
    "deeplift",
    "epsilon",
    "layers",
    "lrp",
    "register_rule",
    "uniform",
    "z_bounded",
]

_NO_BASELINE = "no baseline: explains f(x) itself (root point 0; the gap is against f(0))"


@register(
    name="lrp_epsilon",
    meanings={
        "epsilon": "the stabilizer added to each denominator (smaller: closer to Gradient x Input)"
    },
    title="LRP-epsilon",
    family="propagation",
    traced=True,
    reference="bach2015pixel",
    formula=r"$R_i = \sum_j \frac{a_i w_{ij}}{z_j + \epsilon\, \mathrm{sign}(z_j)} R_j$, $R = f(x)$ at the output",
    allocation=r"$\epsilon \to 0$ on ReLU nets: Gradient x Input at $b = 0$ "
    r"($w_i(\kappa) = \kappa_i$); one neuron $y = g(c + \sum_i u_i)$: share "
    r"$u_i / (c + s + \epsilon)$ of $y$, the bias keeps the rest",
    assumptions="ours (propagation.lrp): epsilon at Linear and convolutions (BatchNorm folded "
    "in), the z-rule with epsilon 1e-9 at sums, means and pooling; equals captum's LRP "
    "(EpsilonRule) on chains and zennit's on residual networks; " + _NO_BASELINE,
    baseline="none",
    budget="epsilon",
)
def _lrp_epsilon(model, x, baseline, target, players, epsilon=0.01):
    return lrp(model, x, target, relevance.epsilon(epsilon))


def captum_lrp(model: nn.Module, make_rule: Callable) -> LRP:
    """captum's LRP, the reference of the tests and of the equalities chapter on chains (on
    residual networks it counts relevance twice at a functional ``+``), on a copy of
    ``model`` (captum attaches its rules to the layers) with a fresh ``make_rule()`` on every
    Linear and Conv2d layer and captum's default EpsilonRule
    (epsilon 1e-9) on pooling and Flatten (which has no default; this passes R on), and
    captum's IdentityRule on a Sigmoid (captum passes R through ReLU and Tanh by itself).
    ``nn.Identity`` layers, which captum's rules cannot pass, are dropped from the copy."""
    from captum.attr._utils.lrp_rules import EpsilonRule, IdentityRule

    lrp = captum("LRP")(_without_identities(copy.deepcopy(model)))
    for layer in layers(lrp.model):
        if isinstance(layer, LINEAR):
            layer.rule = make_rule()
        elif isinstance(layer, POOLING + (nn.Flatten,)):
            layer.rule = EpsilonRule()
        elif isinstance(layer, nn.Sigmoid):
            layer.rule = IdentityRule()
    return lrp


def _without_identities(model: nn.Module) -> nn.Module:
    """``model`` with its ``nn.Identity`` layers removed from every ``nn.Sequential``; an
    Identity elsewhere is refused by name (captum's LRP has no rule that passes it)."""
    for module in list(model.modules()):
        if isinstance(module, nn.Sequential):
            for key in [
                k for k, child in module._modules.items() if isinstance(child, nn.Identity)
            ]:
                del module._modules[key]
    if isinstance(model, nn.Identity) or any(isinstance(m, nn.Identity) for m in model.modules()):
        raise UnsupportedModel(
            "captum's LRP cannot pass relevance through an nn.Identity outside an "
            "nn.Sequential; remove it from the model (it computes nothing)"
        )
    return model


@register(
    name="lrp_alpha_beta",
    meanings={
        "alpha": "weight of the positive contributions",
        "beta": "weight of the negative ones (alpha - beta = 1, beta >= 0)",
    },
    title="LRP-alpha-beta",
    family="propagation",
    traced=True,
    reference="bach2015pixel",
    formula=r"$R_i = \sum_j \left(\alpha \frac{z_{ij}^+}{z_j^+} - \beta "
    r"\frac{z_{ij}^-}{z_j^-}\right) R_j$, $z_{ij} = a_i w_{ij}$",
    allocation=r"one neuron: every effect, and the root value, split in the same "
    r"proportions $\alpha u_i^+ / s^+ - \beta u_i^- / s^-$ of the signed contributions",
    assumptions="ours (propagation.alpha_beta): alpha - beta = 1, biases ignored, "
    "pooling by the epsilon rule; " + _NO_BASELINE,
    baseline="none",
)
def _lrp_alpha_beta(model, x, baseline, target, players, alpha=2.0, beta=1.0):
    return lrp(model, x, target, alpha_beta(alpha, beta))


@register(
    name="deep_taylor",
    meanings={
        "lower": "the inputs' lower bound for the first layer's z^B rule",
        "upper": "their upper bound (inf with lower = 0: the z+ rule there too)",
    },
    title="Deep Taylor",
    family="propagation",
    traced=True,
    reference="montavon2017deep",
    formula=r"$z^{\mathcal{B}}$ rule at the first layer ($x \in [l, h]$), $z^+$ rule above",
    allocation=r"$z^+$ = LRP with $\alpha = 1, \beta = 0$: $y$ split by the positive contributions only",
    assumptions="ours (propagation.deep_taylor); lower = 0, upper = inf gives the z+ "
    "rule at the first layer too; " + _NO_BASELINE,
    baseline="none",
)
def _deep_taylor(model, x, baseline, target, players, lower=0.0, upper=1.0):
    return deep_taylor(model, x, target, lower, upper)


@register(
    name="deeplift_rescale",
    title="DeepLIFT Rescale",
    family="propagation",
    traced=True,
    reference="shrikumar2017learning",
    formula=r"$C_i = \Delta x_i\, m_i$, multipliers $m = \Delta y / \Delta z$ at every ReLU, chained",
    allocation=r"one nonlinearity of a linear map (or a sum of them): Integrated "
    r"Gradients' weights $\kappa_i / \lvert \kappa \rvert$; deeper nets: not exactly",
    assumptions="ours (propagation.deeplift): equals captum's DeepLift except where "
    "a ReLU feeds a max-pool, where captum 0.9 loses part of the "
    "difference (captum issue 1104); max-pooling by captum's rule",
)
def _deeplift_rescale(model, x, baseline, target, players):
    return deeplift(model, x, baseline, target, rule="rescale")


@register(
    name="deeplift_revealcancel",
    title="DeepLIFT RevealCancel",
    family="propagation",
    traced=True,
    reference="shrikumar2017learning",
    formula=r"$\Delta y^{\pm}$ = two-player Shapley values of the positive and negative "
    r"parts of $\Delta z$; $m^{\pm} = \Delta y^{\pm} / \Delta z^{\pm}$",
    allocation=r"one neuron: $w_i(\kappa) = \kappa_i / \lvert \kappa_{P(i)} \rvert$, halved "
    r"when $\kappa$ mixes positive and negative contributors (derived here)",
    assumptions="ours (propagation.deeplift, rule='revealcancel' at every ReLU; the "
    "authors' genomics default kept Rescale after convolutions)",
)
def _deeplift_revealcancel(model, x, baseline, target, players):
    return deeplift(model, x, baseline, target, rule="revealcancel")


@register(
    name="deep_shap",
    title="DeepShap",
    family="propagation",
    traced=True,
    reference="lundberg2017unified",
    formula=r"$a_i$ = mean over baselines $b \sim p$ of DeepLIFT Rescale at $(x, b)$",
    allocation=r"DeepLIFT Rescale's allocation, averaged over baselines $b \sim p$",
    assumptions="ours: the mean of propagation.deeplift over every baseline given "
    "(captum's DeepLiftShap on models without a ReLU feeding a max-pool)",
    baseline="distribution",
)
def _deep_shap(model, x, baseline, target, players):
    traced, values, planned = steps.prepare(model, x)  # once, for every baseline row
    total = torch.zeros_like(x)
    for b in baseline:
        total += contributions(traced, planned, values, b.expand_as(x), target, "rescale")
    return total / len(baseline)


@register(
    name="grad_cam",
    meanings={
        "layer": "the feature map: a module, its dotted name ('layer4.1.conv2') or an index in a "
        "plain chain (None: the last output at the last convolution's spatial size)",
        "relu": "clip the map's negative part (Grad-CAM's final ReLU)",
    },
    title="Grad-CAM",
    family="gradient",  # paper A's family; computed on the traced graph like the propagation rules
    traced=True,
    reference="selvaraju2017gradcam",
    formula=r"$L = \mathrm{ReLU}(\sum_k \alpha_k A^k)$, "
    r"$\alpha_k = \mathrm{mean}_{u, v}\, \partial y / \partial A^k_{uv}$, upsampled",
    allocation=r"Gradient x Input on the feature map $A$ (summed over channels) when "
    r"$\partial y / \partial A$ is spatially constant (global-average-pooling head), then ReLU",
    assumptions="captum's LayerGradCam; layer = a module, its dotted name or an index in a "
    "plain chain (default: the last output at the last convolution's spatial size); "
    "bilinear upsampling to the "
    "input, the same map for every input channel; " + _NO_BASELINE,
    baseline="none",
)
def _grad_cam(model, x, baseline, target, players, layer=None, relu=True):
    traced = graph.trace(model, fold=False)
    with torch.no_grad():  # the default layer is chosen by the shapes of one input's outputs
        shapes = graph.forward(traced, x[:1]) if layer is None else {}
    node = feature_map(traced, layer, shapes)
    values = graph.forward(traced, x, leaf=node)
    features, out = values[node], values[traced.output.args[0]]
    if not isinstance(features, torch.Tensor) or features.dim() not in (3, 4):
        raise UnsupportedModel(
            f"Grad-CAM needs a feature map of shape (N, C, H, W) or (N, C, L); {graph.where(traced, node)} "
            f"gives {tuple(getattr(features, 'shape', ()))}: name a convolution's output as layer="
        )
    rows = torch.arange(len(x), device=x.device)
    (gradient,) = torch.autograd.grad(out.reshape(len(x), -1)[rows, target].sum(), features)
    spatial = tuple(range(2, features.dim()))
    cam = (gradient.mean(dim=spatial, keepdim=True) * features).sum(1, keepdim=True).detach()
    cam = torch.relu(cam) if relu else cam
    mode = "bilinear" if features.dim() == 4 else "linear"
    return nn.functional.interpolate(cam, tuple(x.shape[2:]), mode=mode).expand_as(x).clone()


def feature_map(
    traced: graph.Traced, layer: nn.Module | str | int | None, values: dict
) -> "torch.fx.Node":  # values: every node's output on one input (used when layer is None)
    """The node whose output is Grad-CAM's feature map. ``layer``: a module of the model or
    its dotted name (``"layer4.1.conv2"``; a module traced into gives its last operation's
    output, e.g. a residual block's), a node name, an index in a plain chain (the chapters'
    convention), or None: the last output of the last convolution's spatial size (after a
    convolution's activation, BatchNorm or residual sum; before any pooling that shrinks it)."""
    nodes = list(traced.graph.nodes)
    model = traced.model
    if layer is None:
        convolutions = [n for n in nodes if isinstance(traced.module(n), (nn.Conv1d, nn.Conv2d))]
        if not convolutions:
            raise UnsupportedModel(
                "Grad-CAM needs a convolutional layer; this model has none: use "
                "Gradient x Input on a layer instead"
            )
        size = _spatial(values[convolutions[-1]])
        after = nodes[nodes.index(convolutions[-1]) : -1]
        return [n for n in after if _spatial(values[n]) == size][-1]
    if isinstance(layer, (int,)) and not isinstance(layer, bool):
        chain = layers(model)
        if not -len(chain) <= layer < len(chain):
            raise ValueError(f"layer {layer} is outside the chain's {len(chain)} layers")
        layer = chain[layer]
    if isinstance(layer, nn.Module):
        path = next((name for name, m in model.named_modules() if m is layer), None)
        if path is None:
            raise ValueError(f"layer {layer} is not a module of this model")
        layer = path
    if not isinstance(layer, str):
        raise TypeError(f"layer must be a module, its dotted name, or None; got {layer!r}")
    named = [n for n in nodes if n.name == layer]
    if named:
        return named[0]
    inside = [n for n in nodes if _inside(n, layer)]
    if not inside:
        raise ValueError(
            f"no operation of the model is {layer!r}; modules: "
            + ", ".join(name for name, _ in model.named_modules() if name)
        )
    calls = {key for n in inside for key in _calls(n, layer)}
    if len(calls) > 1:
        raise ValueError(
            f"{layer!r} is applied at {len(calls)} places; name one of its nodes instead: "
            + ", ".join(n.name for n in inside if n.op == "call_module")
        )
    return inside[-1]


def _inside(node, path: str) -> bool:
    stack = node.meta.get("nn_module_stack") or {}
    return any(name == path for name, _ in stack.values()) or (
        node.op == "call_module" and node.target == path
    )


def _calls(node, path: str) -> list[str]:
    stack = node.meta.get("nn_module_stack") or {}
    return [key for key, (name, _) in stack.items() if name == path] or [node.name]


def _spatial(value) -> tuple | None:
    """The spatial size of a feature map (N, C, ...), None for anything else."""
    if isinstance(value, torch.Tensor) and value.dim() in (3, 4) and value.is_floating_point():
        return tuple(value.shape[2:])
    return None
