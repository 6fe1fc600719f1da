"""Where the methods as run part from paper A's Table 1 rows on real networks: the
first-order row against Gradient x Input, DeepLIFT Rescale against Integrated Gradients, and
each propagation method against the method it equals under a condition (max ``|a - b|`` /
max ``|b|`` per input)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..aliases import ArrayLike, Model, Target

if TYPE_CHECKING:  # annotations only
    import numpy as np
    import torch


IG_STEPS = 512  # Integrated Gradients' nodes against which the propagation rows are measured


def first_order_scores(
    model: Model, x: torch.Tensor, baseline: ArrayLike, target: Target
) -> "torch.Tensor":
    """phi(e_i) = (x_i - b_i) df/dx_i(b): the paper's row for Gradient x Input, LRP-epsilon and
    Grad-CAM, evaluated on a torch model (gradient at the baseline, not at x)."""
    import torch

    b = torch.as_tensor(baseline, dtype=x.dtype).expand_as(x).clone().requires_grad_()
    out = model(b).reshape(len(x), -1).gather(1, torch.as_tensor(target).reshape(-1, 1))
    (grad,) = torch.autograd.grad(out.sum(), b)
    return (x - b.detach()) * grad


def relative_difference(a: torch.Tensor, b: torch.Tensor) -> "np.ndarray":
    """max ``|a - b|`` / max ``|b|`` per input (rows of a batch)."""
    a, b = a.reshape(len(a), -1), b.reshape(len(b), -1)
    return ((a - b).abs().max(dim=1).values / b.abs().max(dim=1).values).numpy()


def gradient_departures(
    model: Model, x: torch.Tensor, baseline: ArrayLike, target: Target, ig_steps: int = IG_STEPS
) -> dict[str, "np.ndarray"]:
    """Per input of ``x`` (float64 model advised), where the paper's rows and the methods as
    run part ways: Gradient x Input against the first-order row phi(e_i); the share of
    f(x) - f(b) that the first-order row leaves unexplained, ``|f(x) - f(b) - sum_i phi(e_i)|`` /
    ``|f(x) - f(b)|``; Gradient x Input's own completeness gap share; DeepLIFT Rescale against
    Integrated Gradients (``ig_steps`` Gauss-Legendre nodes: exact to rounding on smooth
    models, error of order 1 / ig_steps at the kinks of a ReLU network), the paper's
    identical rows (NaN where DeepLIFT refuses the model's layers)."""
    import numpy as np

    from ..methods import attribute
    from ..methods.propagation import UnsupportedModel

    gxi = attribute("gradient_x_input", model, x, baseline, target=target)
    first = first_order_scores(model, x, baseline, target)
    ig = attribute("integrated_gradients", model, x, baseline, target=target, n_steps=ig_steps)
    try:
        rescale = attribute("deeplift_rescale", model, x, baseline, target=target)
        rescale_vs_ig = relative_difference(rescale.scores, ig.scores)
    except UnsupportedModel:
        rescale_vs_ig = np.full(len(x), np.nan)
    delta = gxi.output_change.abs()
    unexplained = (gxi.output_change - first.reshape(len(x), -1).sum(dim=1)).abs() / delta
    return {
        "Gradient x Input vs phi(e_i)": relative_difference(gxi.scores, first),
        "unexplained by phi(e_i)": unexplained.detach().numpy(),
        "Gradient x Input's gap": (gxi.gap.abs() / delta).numpy(),
        "DeepLIFT Rescale vs IG": rescale_vs_ig,
    }


def propagation_departures(
    model: Model,
    x: torch.Tensor,
    target: Target,
    ig_steps: int = IG_STEPS,
    background: torch.Tensor | None = None,
) -> dict[str, "np.ndarray"]:
    """Per input of ``x``, each propagation method against the method it equals under a
    condition (max ``|a - b|`` / max ``|b|``): LRP-epsilon (default epsilon) against Gradient x
    Input (equal on ReLU networks as epsilon -> 0); DeepLIFT Rescale against Integrated
    Gradients (``ig_steps`` trapezoid steps; equal for one nonlinear layer); RevealCancel
    against Rescale; and, given ``background`` rows, DeepShap against the mean of Integrated
    Gradients from each row (equal where Rescale equals IG). All from the baseline 0."""
    from ..methods import attribute

    def ig(baseline):
        return attribute(
            "integrated_gradients",
            model,
            x,
            baseline,
            target=target,
            n_steps=ig_steps,
            quadrature="riemann_trapezoid",
        ).scores

    gxi = attribute("gradient_x_input", model, x, 0.0, target=target).scores
    rescale = attribute("deeplift_rescale", model, x, 0.0, target=target).scores
    found = {
        "LRP-ε vs GxI": relative_difference(
            attribute("lrp_epsilon", model, x, target=target).scores, gxi
        ),
        "Rescale vs IG": relative_difference(rescale, ig(0.0)),
        "RevealCancel vs Rescale": relative_difference(
            attribute("deeplift_revealcancel", model, x, 0.0, target=target).scores, rescale
        ),
    }
    if background is not None:
        mean_ig = sum(ig(b.expand_as(x)) for b in background) / len(background)
        found["DeepShap vs mean IG"] = relative_difference(
            attribute("deep_shap", model, x, background, target=target).scores, mean_ig
        )
    return found


#: The book's reading of "almost consistent" (the predecessor's words for its rows against
#: the methods as run): a median relative departure of at most 5 %.
ALMOST = 0.05

#: A measured departure at or below this is float64 rounding, so the row is exact there.
FLOAT64_EXACT = 1e-12


def grad_cam_departures(model: Model, x: torch.Tensor, target: Target, layer: int) -> "np.ndarray":
    """Per input, Grad-CAM's map before its ReLU (captum's ``LayerGradCam``) against the
    paper's row on the feature map A = output of layer number ``layer`` of the chain: the
    first-order term phi(e_i) = A_i dy/dA_i (0) of the head above it, summed over channels
    (max ``|a - b|`` / max ``|b|``). Exact when dy/dA is the same everywhere (a linear head
    on a global average pool)."""
    import torch
    from captum.attr import LayerGradCam

    from ..methods.propagation.chain import layers

    chain = layers(model)
    if not 0 <= layer < len(chain) - 1:
        raise ValueError(f"layer {layer} must be one of 0..{len(chain) - 2} (a head must remain)")
    body, head = torch.nn.Sequential(*chain[: layer + 1]), torch.nn.Sequential(*chain[layer + 1 :])
    with torch.no_grad():
        feature_map = body(x)
    row = first_order_scores(head, feature_map, 0.0, target).sum(1, keepdim=True)
    cam = LayerGradCam(model, chain[layer]).attribute(x, target=target, relu_attributions=False)
    return relative_difference(cam.detach(), row)


def deep_shap_departures(
    model: Model, x: torch.Tensor, background: torch.Tensor, target: Target
) -> "np.ndarray":
    """Per input, DeepShap from the ``background`` rows against the row the paper gives it,
    the Shapley value averaged over the same rows as baselines (exact, from the dividends of
    each row's masking game): max ``|a - b|`` / max ``|b|``. Each input element is a player,
    so keep the inputs small (the exact limit of :class:`~unified_attribution.games.MaskingGame`)."""
    from ..methods import attribute

    deep_shap = attribute("deep_shap", model, x, background, target=target).scores
    shapley = sum(
        attribute("shapley_value", model, x, row.expand_as(x), target=target).scores
        for row in background
    ) / len(background)
    return relative_difference(deep_shap, shapley)
