"""The gradient family: Gradient x Input, Integrated Gradients, Expected Gradients
(captum runs each)."""

from __future__ import annotations

import numpy as np
import torch

from .registry import captum, register


@register(
    name="gradient_x_input",
    title="Gradient x Input",
    family="gradient",
    reference="shrikumar2017learning",
    formula=r"$a_i = (x_i - b_i)\, \partial f / \partial x_i\, (x)$",
    allocation=r"$w_i(\kappa) = \kappa_i$ (Taylor terms at $b$)",
    assumptions="differentiable model; paper A's form with a baseline (captum's "
    "InputXGradient is the case b = 0)",
)
def _gradient_x_input(model, x, baseline, target, players):
    shifted = captum("InputXGradient")(lambda z: model(z + baseline))
    return shifted.attribute((x - baseline).requires_grad_(), target=target)


@register(
    name="integrated_gradients",
    title="Integrated Gradients",
    family="gradient",
    reference="sundararajan2017axiomatic",
    formula=r"$a_i = (x_i - b_i) \int_0^1 \partial f / \partial x_i\, (b + t (x - b))\, dt$",
    allocation=r"$w_i(\kappa) = \kappa_i / \lvert \kappa \rvert$",
    assumptions="differentiable model; the integral by captum's quadrature (quadrature=, "
    "default Gauss-Legendre (exact for polynomials of degree < 2 n_steps, up to "
    "captum's float32 quadrature weights: relative error ~1e-8); at a "
    "ReLU kink the quadrature error falls only like 1/n_steps",
    budget="n_steps",
)
def _integrated_gradients(
    model, x, baseline, target, players, n_steps=64, quadrature="gausslegendre"
):
    ig = captum("IntegratedGradients")(model)
    return ig.attribute(
        x.requires_grad_(), baselines=baseline, target=target, n_steps=n_steps, method=quadrature
    )


@register(
    name="expected_gradients",
    title="Expected Gradients",
    family="gradient",
    reference="erion2021improving",
    formula=r"$a_i = \mathrm{E}_{b \sim p,\, t \sim U(0, 1)}\, (x_i - b_i)\, "
    r"\partial f / \partial x_i\, (b + t (x - b))$",
    allocation=r"Integrated Gradients' weights, averaged over baselines $b \sim p$",
    assumptions="differentiable model; Monte Carlo over baselines and t "
    "(captum's GradientShap with stdevs = 0), seeded",
    baseline="distribution",
    budget="n_samples",
)
def _expected_gradients(model, x, baseline, target, players, n_samples=200, seed=0):
    shap = captum("GradientShap")(model)
    # captum draws baselines with numpy's global generator and t with torch's: seed both,
    # and give the caller's generators back untouched
    numpy_state = np.random.get_state()
    try:
        with torch.random.fork_rng(devices=[]):
            np.random.seed(seed)
            torch.manual_seed(seed)
            return shap.attribute(
                x.requires_grad_(),
                baselines=baseline,
                target=target,
                n_samples=n_samples,
                stdevs=0.0,
            )
    finally:
        np.random.set_state(numpy_state)
