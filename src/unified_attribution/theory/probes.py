"""Probes: small torch models whose masking game at (x, b) is ONE known effect.

Each probe is built from ordinary layers (Linear, ReLU, Tanh, Bilinear) on n = 4 input
variables, with x = (1, 1, 1, 1) and b = 0, and its game v(T) = f(x_T, b_rest) has a single
non-zero Harsanyi dividend H(S) = effect, S known (checked by :func:`check`). Variable 4
never matters. A method run on a probe then shows directly how it allocates that effect,
measured against paper A's three principles (:mod:`unified_attribution.theory.principles`),
each cause charged as :func:`unified_attribution.theory.principles.charge` says: a share
outside S to no unrelated allocation, scores adding up to less than the effect to low
approximation error, to more (or to the opposite sign) to complete allocation (the total over
every variable by default, so a share outside S also moves it; see
:data:`unified_attribution.theory.principles.TOTALS`).

A probe *exercises* a principle when a failure could show on it: every probe a method runs
on exercises the first and third; the second only where a variable outside S enters the
model's computation (:attr:`Probe.unrelated`: a non-zero weight on it, though its dividends
are all zero). A principle no probe exercises is "untested", never "holds".

This is the model-based counterpart of :func:`unified_attribution.theory.principles.from_weights`,
which judges the weights; any registered method can run on a probe. The propagation family
refuses the smooth pair (an nn.Bilinear, outside the layers it supports): that probe then
tests nothing for them. Grad-CAM needs a convolution: it runs on the probe with the input
read as a 2 x 2 image through a 1 x 1 identity convolution, whose output is its feature map.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import torch
from torch import nn

from .. import games
from .._renamed import renamed_names
from ..methods import attribute, get
from ..methods.propagation import UnsupportedModel
from . import networks
from .principles import COLUMNS, CellVerdict, charge, frame

if TYPE_CHECKING:  # annotations only
    import pandas as pd

N_VARIABLES = 4
TOLERANCE = 1e-6  # relative; the probes run in float64


@dataclass
class Probe:
    name: str
    description: str
    coalition: tuple[int, ...]  # S, 0-based
    model: nn.Module = field(repr=False)
    reads: tuple[int, ...] | None = None  # the variables the first layer takes in (None: S)
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

    @property
    def unrelated(self) -> tuple[int, ...]:
        """The variables outside S that the model reads, where unrelated allocation can show."""
        reads = self.coalition if self.reads is None else self.reads
        return tuple(j for j in reads if j not in self.coalition)


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
    """The seven probes; every one has a single non-zero dividend."""
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
        Probe(
            "negative-side effect",
            "f = ReLU(2 - x_1 + 2 x_2) - 2 ReLU(x_2) - 2: the game is x_1's effect alone; at x, "
            "x_1 is on the negative side of the first unit and x_2, unrelated, on its positive "
            "side (f(b) = 0: the root value of the propagation rules is b's)",
            (0,),
            networks.one_hidden([[-1, 2, 0, 0], [0, 1, 0, 0]], [2.0, 0.0], [1, -2], head_bias=-2.0),
            reads=(0, 1),
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
        tuple(range(N_VARIABLES)),  # the convolution reads every position
        probe.x.reshape(1, 1, 2, 2),
        probe.baseline.reshape(1, 1, 2, 2),
    )


def _run(method: str, probe: Probe, options: dict) -> np.ndarray:
    spec = get(method)
    if method == "occlusion_patch":
        options = {"window": (2,), **options}
    baseline = probe.baseline
    if spec.baseline == "distribution":  # one baseline: the distribution is b itself
        baseline = probe.baseline.expand(2, *probe.baseline.shape[1:])
    scores = attribute(method, probe.model, probe.x, baseline=baseline, **options).scores
    return scores[0].reshape(-1).numpy()


def measure(method: str, probe: Probe, total: str = "all", **options: object) -> dict:
    """The scores of ``method`` on ``probe``, the violation charged to each principle of
    :data:`unified_attribution.theory.principles.COLUMNS` (relative to the effect;
    :func:`unified_attribution.theory.principles.charge`) and whether the probe exercises it
    (``exercised``: {principle: bool}); ``total``: see
    :data:`unified_attribution.theory.principles.TOTALS`. Where the method refuses the probe's layers,
    ``refused`` says why, the scores are NaN and the violations None."""
    effect = probe.effect
    if method == "grad_cam":  # Grad-CAM needs a feature map
        probe = as_image(probe)
    try:
        scores = _run(method, probe, options)
    except UnsupportedModel as err:
        return {
            "probe": probe.name,
            "effect": effect,
            "scores": np.full(N_VARIABLES, np.nan),
            **dict.fromkeys(COLUMNS),
            "exercised": dict.fromkeys(COLUMNS, False),
            "refused": str(err),
        }
    _, unrelated, _ = COLUMNS
    charged = charge(scores, probe.coalition, effect, total)
    return {
        "probe": probe.name,
        "effect": effect,
        "scores": scores,
        **charged,
        # the second principle: where the model reads a variable outside S, or where a
        # share outside S shows (a failure is its own evidence)
        "exercised": {
            c: c != unrelated or bool(probe.unrelated) or charged[unrelated] > TOLERANCE
            for c in COLUMNS
        },
        "refused": None,
    }


def worst(method: str, **options: object) -> dict:
    """The worst violation of each principle over the probes that exercise it:
    ``{principle: (violation, probe name, number of probes exercising it)}``; (0.0, "", 0)
    where none does."""
    results = [measure(method, probe, **options) for probe in all_probes()]
    out = {}
    for principle in COLUMNS:
        tested = [r for r in results if r["exercised"][principle]]
        if not tested:
            out[principle] = (0.0, "", 0)
            continue
        top = max(tested, key=lambda r: r[principle])
        out[principle] = (top[principle], top["probe"], len(tested))
    return out


#: How much a budgeted method's option grows to test "holds in the limit" (see :func:`measured_verdicts`).
REFINE = {"n_steps": 16, "n_samples": 64, "epsilon": 1 / 16}  # quadrature error at a kink
# falls like 1/n, sampling error like 1/sqrt(n), a stabilizer's share like epsilon: each
# should shrink about 16-fold, 8-fold or 16-fold


def measured_verdicts(
    method: str, tolerance: float = TOLERANCE, total: str = "all"
) -> dict[str, CellVerdict]:
    """Model-based verdicts, ``{principle: CellVerdict}``, from the violations at the method's
    default options on the probes that exercise the principle:

    - "holds": the worst violation is at most ``tolerance``;
    - "holds in the limit": a method with a numerical budget (Integrated Gradients' steps,
      Expected Gradients' samples, LRP-epsilon's stabilizer) where, on every probe above the
      tolerance, the miss at least halves when the budget changes :data:`REFINE`-fold:
      integration, sampling or stabilizer error, not the allocation (a heuristic from two
      budgets; the principles chapter plots the violation against the budget). The miss of
      the first and third principles is ``|r - 1|``, whichever way the refined run errs;
    - "fails": otherwise;
    - "untested": no probe exercises it.
    """
    spec = get(method)
    default = [measure(method, probe, total) for probe in all_probes()]
    refined = None
    if spec.budget:
        option = {spec.budget: spec.options[spec.budget] * REFINE[spec.budget]}
        refined = [measure(method, probe, total, **option) for probe in all_probes()]
    approximation, unrelated, complete = COLUMNS

    def miss(result, principle):
        return (
            result[principle]
            if principle == unrelated
            else result[approximation] + result[complete]
        )

    out = {}
    for principle in COLUMNS:
        tested = [i for i, r in enumerate(default) if r["exercised"][principle]]
        if not tested:
            out[principle] = CellVerdict("untested", None, "no probe exercises it", 0)
            continue
        top = max(tested, key=lambda i: default[i][principle])
        violation = default[top][principle]
        above = [i for i in tested if default[i][principle] > tolerance]
        if not above:
            verdict = "holds"
        elif refined and all(
            miss(refined[i], principle) <= default[i][principle] / 2 for i in above
        ):
            verdict = "holds in the limit"
        else:
            verdict = "fails"
        out[principle] = CellVerdict(verdict, violation, default[top]["probe"], len(tested))
    return out


def table(
    methods: list[str] | None = None, detail: bool = False, total: str = "all"
) -> "pd.DataFrame":
    """The measured verdict table (the fourth source beside
    :func:`unified_attribution.theory.principles.table`): :func:`measured_verdicts` of every method of
    paper A in the order of its tables (or ``methods``), words or (``detail``)
    :class:`unified_attribution.theory.principles.CellVerdict` objects; ``total``: see
    :data:`unified_attribution.theory.principles.TOTALS`."""
    from ..methods import PAPER_A_TABLE_ORDER

    names = methods or PAPER_A_TABLE_ORDER
    return frame({m: measured_verdicts(m, total=total) for m in names}, detail)


#: Each renamed public name and its new name (the old names warn for one release).
RENAMED = {"verdicts": "measured_verdicts"}
__getattr__ = renamed_names(__name__, RENAMED, globals())
