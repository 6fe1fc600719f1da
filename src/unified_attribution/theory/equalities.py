"""Equalities between propagation methods, measured against their conditions.

Each function returns max ``|a - b|`` / max ``|b|`` per input (rows of ``x``;
:func:`~unified_attribution.theory.departures.relative_difference`), for a float64 model
at best, and names which side is ``b``:

- :func:`lrp_epsilon_curve`: LRP-epsilon against Gradient x Input (b) at each epsilon; equal
  on ReLU networks in the limit epsilon -> 0 (Ancona et al. 2018).
- :func:`rescale_curve`: DeepLIFT Rescale against Integrated Gradients (b) at each number
  of steps; equal for one layer of nonlinearities, up to the quadrature's error.
- :func:`zplus_against_captum`: our LRP-alpha1-beta0 against captum's ``Alpha1_Beta0_Rule``
  (biases zeroed), Deep Taylor's z+ and z^B rules against our alpha1-beta0.
- :func:`grad_cam_against_feature_gxi`: Grad-CAM before its ReLU against Gradient x Input on
  the feature map summed over channels (captum's ``LayerGradientXActivation``); equal when
  the gradient on the map is spatially constant (a global-average-pooling head).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import torch
from torch import nn

from ..aliases import Target
from ..methods import attribute, captum_lrp
from ..methods.propagation import layers
from .departures import relative_difference


def lrp_epsilon_curve(
    model: nn.Module, x: torch.Tensor, target: Target, epsilons: Sequence[float]
) -> np.ndarray:
    """(inputs, epsilons): LRP-epsilon at each epsilon against Gradient x Input from b = 0."""
    gxi = attribute("gradient_x_input", model, x, 0.0, target=target).scores
    return np.array(
        [
            relative_difference(
                attribute("lrp_epsilon", model, x, target=target, epsilon=e).scores, gxi
            )
            for e in epsilons
        ]
    ).T


def rescale_curve(
    model: nn.Module,
    x: torch.Tensor,
    target: Target,
    steps: Sequence[int],
    quadrature: str = "riemann_trapezoid",
) -> np.ndarray:
    """(inputs, steps): DeepLIFT Rescale against Integrated Gradients with each number of
    steps of ``quadrature``, both from b = 0."""
    rescale = attribute("deeplift_rescale", model, x, 0.0, target=target).scores
    return np.array(
        [
            relative_difference(
                rescale,
                attribute(
                    "integrated_gradients",
                    model,
                    x,
                    0.0,
                    target=target,
                    n_steps=n,
                    quadrature=quadrature,
                ).scores,
            )
            for n in steps
        ]
    ).T


def zplus_against_captum(model: nn.Module, x: torch.Tensor, target: Target) -> dict[str, float]:
    """The largest difference over the inputs of: our LRP-alpha1-beta0 against captum's
    ``Alpha1_Beta0_Rule(set_bias_to_zero=True)`` (our rules ignore biases); Deep Taylor with
    the domain [0, inf) (the z+ rule everywhere) and with [0, 1] (z^B at the first layer)
    against our alpha1-beta0. ``x`` must lie in [0, 1]."""
    from captum.attr._utils.lrp_rules import Alpha1_Beta0_Rule

    ours = attribute("lrp_alpha_beta", model, x, target=target, alpha=1.0, beta=0.0).scores
    zplus = attribute("deep_taylor", model, x, target=target, upper=float("inf")).scores
    zb = attribute("deep_taylor", model, x, target=target).scores
    theirs = (
        captum_lrp(model, lambda: Alpha1_Beta0_Rule(set_bias_to_zero=True))
        .attribute(x.clone().requires_grad_(), target=target)
        .detach()
    )
    return {
        "ours vs captum (α1β0)": relative_difference(ours, theirs).max(),
        "Deep Taylor z+ vs α1β0": relative_difference(zplus, ours).max(),
        "Deep Taylor zB [0, 1] vs α1β0": relative_difference(zb, ours).max(),
    }


def grad_cam_against_feature_gxi(
    model: nn.Module, x: torch.Tensor, target: Target, layer: int
) -> np.ndarray:
    """Per input: captum's ``LayerGradCam`` (no ReLU) against ``LayerGradientXActivation``
    summed over channels (b), both on the output of layer number ``layer`` of the chain."""
    from captum.attr import LayerGradCam, LayerGradientXActivation

    module = layers(model)[layer]
    cam = LayerGradCam(model, module).attribute(x, target=target, relu_attributions=False).detach()
    gxa = (
        LayerGradientXActivation(model, module)
        .attribute(x, target=target)
        .detach()
        .sum(1, keepdim=True)
    )
    return relative_difference(cam, gxa)
