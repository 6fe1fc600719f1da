"""The gradient family: Gradient x Input, Integrated Gradients, Expected Gradients
(captum runs each)."""

from __future__ import annotations

import numpy as np
import torch

from .registry import captum, register, selected


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


#: The quadrature rules of :func:`integration_rule` (captum's names).
QUADRATURES = (
    "gausslegendre",
    "riemann_left",
    "riemann_right",
    "riemann_middle",
    "riemann_trapezoid",
)


def integration_rule(name: str, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Nodes t_k in [0, 1] and weights w_k (float64, summing to 1) of an ``n``-point rule for
    integral_0^1 g(t) dt ~ sum_k w_k g(t_k):

    - "gausslegendre": exact for polynomials of degree < 2n;
    - "riemann_left" / "riemann_right" / "riemann_middle": t_k = k/n, (k+1)/n, (k+1/2)/n,
      w_k = 1/n;
    - "riemann_trapezoid": t_k = k/(n-1), w_k = 1/(n-1) with the ends halved (n >= 2); its
      error falls like 1/n^2 on a smooth integrand.

    captum 0.9's own trapezoid builder puts the nodes at k/(n-1) but the weights at 1/n with
    the ends halved: they sum to (n-1)/n, so every score it returns is scaled by (n-1)/n; it
    also casts its weights to float32. The library computes the rule itself, in float64.
    """
    if name not in QUADRATURES:
        raise ValueError(f"quadrature must be one of {', '.join(QUADRATURES)}; got {name!r}")
    if name == "riemann_trapezoid" and n < 2:
        raise ValueError(f"the trapezoid rule needs n_steps >= 2, got {n}")
    if name == "gausslegendre":
        nodes, weights = np.polynomial.legendre.leggauss(n)
        return (nodes + 1) / 2, weights / 2
    k = np.arange(n, dtype=np.float64)
    if name == "riemann_trapezoid":
        weights = np.full(n, 1 / (n - 1))
        weights[[0, -1]] /= 2
        return k / (n - 1), weights
    shift = {"riemann_left": 0.0, "riemann_right": 1.0, "riemann_middle": 0.5}[name]
    return (k + shift) / n, np.full(n, 1 / n)


#: Rows of x times quadrature nodes evaluated in one forward pass of Integrated Gradients.
IG_ROWS_PER_PASS = 4096


@register(
    name="integrated_gradients",
    meanings={
        "n_steps": "quadrature nodes on the path from b to x",
        "quadrature": "the rule, one of " + ", ".join(QUADRATURES),
    },
    title="Integrated Gradients",
    family="gradient",
    reference="sundararajan2017axiomatic",
    formula=r"$a_i = (x_i - b_i) \int_0^1 \partial f / \partial x_i\, (b + t (x - b))\, dt$",
    allocation=r"$w_i(\kappa) = \kappa_i / \lvert \kappa \rvert$",
    assumptions="differentiable model; the integral by the library's quadrature in the "
    "model's precision (quadrature=, default Gauss-Legendre, exact for polynomials of degree "
    "< 2 n_steps; compared with captum's IntegratedGradients, whose trapezoid weights sum to "
    "(n-1)/n and whose weights are float32); at a ReLU kink the quadrature error falls only "
    "like 1/n_steps",
    budget="n_steps",
)
def _integrated_gradients(
    model, x, baseline, target, players, n_steps=64, quadrature="gausslegendre"
):
    nodes, weights = integration_rule(quadrature, n_steps)
    delta = x - baseline
    total = torch.zeros_like(x)
    per_pass = max(1, IG_ROWS_PER_PASS // len(x))
    for start in range(0, n_steps, per_pass):
        t = torch.as_tensor(nodes[start : start + per_pass], dtype=x.dtype, device=x.device)
        w = torch.as_tensor(weights[start : start + per_pass], dtype=x.dtype, device=x.device)
        shape = (len(t),) + (1,) * x.dim()
        points = (baseline.unsqueeze(0) + t.reshape(shape) * delta.unsqueeze(0)).reshape(
            -1, *x.shape[1:]
        )
        points = points.detach().requires_grad_()
        forward = selected(model, target.repeat(len(t)))
        (grad,) = torch.autograd.grad(forward(points).sum(), points)
        total += (w.reshape(shape) * grad.reshape(len(t), *x.shape)).sum(dim=0)
    return delta * total


@register(
    name="expected_gradients",
    meanings={
        "n_samples": "Monte Carlo draws of a baseline row and a path position",
        "seed": "seeds those draws",
    },
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
    if x.dtype in (torch.float16, torch.bfloat16):
        # captum draws the path positions in float32: run the path in float32, the model in
        # its own precision, and give the scores back in it
        half = x.dtype

        def in_own_precision(z):
            return model(z.to(half)).float()

        return _expected_gradients(
            in_own_precision, x.float(), baseline.float(), target, players, n_samples, seed
        ).to(half)
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
