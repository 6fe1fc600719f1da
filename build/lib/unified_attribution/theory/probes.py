"""Probes: small torch models whose masking game at (x, b) is ONE known effect.

Each probe is built from ordinary layers (Linear, ReLU, Tanh, Bilinear) on n = 4 input
variables, with x = (1, 1, 1, 1) and b = 0, and its game v(T) = f(x_T, b_rest) has a single
non-zero Harsanyi dividend H(S) = effect, S known (checked by :func:`check`). Variable 4
never matters. A method run on a probe then shows directly how it allocates that effect,
measured against paper A's three principles (:mod:`unified_attribution.theory.principles`):

- low approximation error (probes with ``|S|`` = 1, where nothing can be misallocated to
  another member): ``|a_i - effect|`` / ``|effect|``, the share of the effect its variable's score
  misses or exceeds. A measurement sees only the miss: it cannot tell terms left out (the
  paper's reading of Gradient x Input) from terms counted with a weight other than 1;
- no unrelated allocation: the largest ``|score|`` of a variable outside S, per ``|effect|``;
- complete allocation (probes with ``|S|`` >= 2): ``|sum_i a_i - effect|`` / ``|effect|``, the sum over
  every variable, as in the paper's principle.

This is the model-based counterpart of :func:`unified_attribution.theory.principles.from_weights`,
which judges the weights; any registered method can run on a probe. The propagation family
refuses the smooth pair (an nn.Bilinear, outside the layers it supports): that probe then
tests nothing for them. Grad-CAM needs a convolution: it runs on the probe with the input
read as a 2 x 2 image through a 1 x 1 identity convolution, whose output is its feature map.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from .. import games
from ..methods import attribute, get
from ..methods.propagation import UnsupportedModel
from . import networks
from .principles import COLUMNS

N_VARIABLES = 4
TOLERANCE = 1e-6  # relative; the probes run in float64


@dataclass
class Probe:
    name: str
    description: str
    coalition: tuple[int, ...]  # S, 0-based
    model: nn.Module = field(repr=False)
    x: torch.Tensor = field(default_factory=lambda: torch.ones(1, N_VARIABLES, dtype=torch.float64))
    baseline: torch.Tensor = field(
        default_factory=lambda: torch.zeros(1, N_VARIABLES, dtype=torch.float64)
    )

    @property
    def effect(self) -> float:
        with torch.no_grad():
            return float(self.model(self.x) - self.model(self.baseline))

    @property
    def kind(self) -> str:
        return "independent" if len(self.coalition) == 1 else "interaction"


def _unit(weights, bias=0.0, activation=nn.ReLU, scale=1.0) -> nn.Sequential:
    """scale * activation(w . x + bias): one hidden unit."""
    return networks.one_hidden([weights], bias, [scale], activation)


class _Product(nn.Module):
    """x_1 x_2 through nn.Bilinear (a smooth pure pairwise interaction)."""

    def __init__(self):
        super().__init__()
        self.bilinear = nn.Bilinear(N_VARIABLES, N_VARIABLES, 1).double()
        with torch.no_grad():
            self.bilinear.weight.zero_()
            self.bilinear.weight[0, 0, 1] = 1.0
            self.bilinear.bias.zero_()

    def forward(self, x):
        return self.bilinear(x, x)


def all_probes() -> list[Probe]:
    """The six probes; every one has a single non-zero dividend."""
    return [
        Probe(
            "smooth independent",
            "f = 2 tanh(x_1): an independent effect with Taylor terms of every odd order",
            (0,),
            _unit([1, 0, 0, 0], activation=nn.Tanh, scale=2.0),
        ),
        Probe(
            "kinked independent",
            "f = ReLU(2 x_1 - 1): an independent effect with a kink between b and x",
            (0,),
            _unit([2, 0, 0, 0], -1.0),
        ),
        Probe(
            "smooth pair",
            "f = x_1 x_2 (nn.Bilinear): one Taylor term, kappa = (1, 1, 0, 0)",
            (0, 1),
            _Product(),
        ),
        Probe(
            "pair AND",
            "f = ReLU(x_1 + x_2 - 1): a unanimity game on {1, 2}",
            (0, 1),
            _unit([1, 1, 0, 0], -1.0),
        ),
        Probe(
            "triple AND",
            "f = ReLU(x_1 + x_2 + x_3 - 2): a unanimity game on {1, 2, 3}",
            (0, 1, 2),
            _unit([1, 1, 1, 0], -2.0),
        ),
        Probe(
            "pair min",
            "f = ReLU(x_1) - ReLU(x_1 - x_2) = min(x_1, x_2): a unanimity game "
            "on {1, 2} through a negative weight",
            (0, 1),
            networks.one_hidden([[1, 0, 0, 0], [1, -1, 0, 0]], 0.0, [1, -1]),
        ),
    ]


def check(probe: Probe) -> float:
    """Largest ``|H(T)|`` over coalitions T other than S and the empty set: 0 for a valid probe."""
    game = games.MaskingGame(probe.model, probe.x[0], probe.baseline[0])
    dividends = games.harsanyi(game).dividends.copy()
    dividends[[0, games.mask_of(probe.coalition, N_VARIABLES)]] = 0.0
    return float(np.abs(dividends).max())


def as_image(probe: Probe) -> Probe:
    """The same probe on a 1 x 2 x 2 image: a 1 x 1 convolution (weight 1, no bias) and a
    Flatten in front of the probe's layers, so that Grad-CAM has a feature map."""
    identity = nn.Conv2d(1, 1, 1).double()
    with torch.no_grad():
        identity.weight.fill_(1.0)
        identity.bias.zero_()
    model = nn.Sequential(identity, nn.Flatten(), probe.model)
    return Probe(
        probe.name,
        probe.description,
        probe.coalition,
        model,
        probe.x.reshape(1, 1, 2, 2),
        probe.baseline.reshape(1, 1, 2, 2),
    )


def _run(method: str, probe: Probe, options: dict) -> np.ndarray:
    spec = get(method)
    if method == "occlusion_patch":
        options = {"window": (2,), **options}
    if method == "grad_cam":
        probe = as_image(probe)
    baseline = probe.baseline
    if spec.baseline == "distribution":  # one baseline: the distribution is b itself
        baseline = probe.baseline.expand(2, *probe.baseline.shape[1:])
    scores = attribute(method, probe.model, probe.x, baseline=baseline, **options).scores
    return scores[0].reshape(-1).numpy()


def measure(method: str, probe: Probe, **options: object) -> dict:
    """The scores of ``method`` on ``probe`` and its violation of each principle of
    :data:`unified_attribution.theory.principles.COLUMNS` (relative to the effect; None where the
    probe does not test the principle, or where the method refuses the probe's layers: then
    ``refused`` says why and the scores are NaN)."""
    effect = probe.effect
    approximation, unrelated, complete = COLUMNS
    try:
        scores = _run(method, probe, options)
    except UnsupportedModel as err:
        return {
            "probe": probe.name,
            "effect": effect,
            "scores": np.full(N_VARIABLES, np.nan),
            **dict.fromkeys(COLUMNS),
            "refused": str(err),
        }
    inside = list(probe.coalition)
    outside = [j for j in range(N_VARIABLES) if j not in inside]
    single = probe.kind == "independent"
    return {
        "probe": probe.name,
        "effect": effect,
        "scores": scores,
        approximation: float(abs(scores[inside[0]] - effect) / abs(effect)) if single else None,
        unrelated: float(np.abs(scores[outside]).max() / abs(effect)),
        complete: None if single else float(abs(scores.sum() - effect) / abs(effect)),
        "refused": None,
    }


def worst(method: str, **options: object) -> dict:
    """The worst violation of each principle over the probes that test it:
    ``{principle: (violation, probe name), ...}``."""
    results = [measure(method, probe, **options) for probe in all_probes()]
    out = {}
    for principle in COLUMNS:
        tested = [r for r in results if r[principle] is not None]
        top = max(tested, key=lambda r: r[principle])
        out[principle] = (top[principle], top["probe"])
    return out


#: How much a budgeted method's option grows to test "holds in the limit" (see :func:`verdicts`).
REFINE = {"n_steps": 16, "n_samples": 64}  # quadrature error at a kink falls like 1/n,
# sampling error like 1/sqrt(n): either should shrink about 16-fold or 8-fold


def verdicts(method: str, tolerance: float = TOLERANCE) -> dict:
    """Model-based verdicts: ``{principle: (verdict, violation, probe), ...}`` with the
    worst violation at the method's default options and the verdict

    - "holds": violation <= ``tolerance``;
    - "holds in the limit": a method with a numerical budget (Integrated Gradients' steps,
      Expected Gradients' samples) whose violation at least halves when the budget grows
      :data:`REFINE`-fold: integration or sampling error, not the allocation (a heuristic
      from two budgets; the principles chapter plots the violation against the budget);
    - "fails": otherwise.
    """
    spec = get(method)
    default = worst(method)
    refined = None
    if spec.budget:
        refined = worst(method, **{spec.budget: spec.options[spec.budget] * REFINE[spec.budget]})
    out = {}
    for principle, (violation, probe) in default.items():
        if violation <= tolerance:
            verdict = "holds"
        elif refined and refined[principle][0] <= violation / 2:
            verdict = "holds in the limit"
        else:
            verdict = "fails"
        out[principle] = (verdict, violation, probe)
    return out
