"""The registry of attribution methods: what each one is, and what their runners share."""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Callable

import torch

from ..aliases import Model

#: The fourteen methods of paper A in the order of the book's chapters (gradient, propagation,
#: perturbation; Grad-CAM, computed on the traced graph, is discussed with the propagation
#: rules). Paper A's Table 1 and Table 2 share another order, :data:`PAPER_A_TABLE_ORDER`.
PAPER_A_METHODS = (
    "gradient_x_input",
    "integrated_gradients",
    "expected_gradients",
    "lrp_epsilon",
    "lrp_alpha_beta",
    "deep_taylor",
    "deeplift_rescale",
    "deeplift_revealcancel",
    "deep_shap",
    "grad_cam",
    "occlusion_1",
    "occlusion_patch",
    "prediction_difference",
    "shapley_value",
)

#: The order of paper A's Table 1 and Table 2 (the book's tables of the paper use it).
PAPER_A_TABLE_ORDER = (
    "gradient_x_input",
    "occlusion_1",
    "occlusion_patch",
    "prediction_difference",
    "grad_cam",
    "integrated_gradients",
    "expected_gradients",
    "shapley_value",
    "lrp_epsilon",
    "lrp_alpha_beta",
    "deep_taylor",
    "deeplift_rescale",
    "deep_shap",
    "deeplift_revealcancel",
)


@dataclass(frozen=True)
class Method:
    """One attribution method: what it is, where it comes from, how it allocates effects."""

    name: str
    title: str
    family: str  # "gradient", "perturbation" or "propagation"
    reference: str  # key in book/references.bib
    formula: str  # MyST Markdown, formulas as inline LaTeX math ($...$)
    allocation: str  # the allocation rule of paper A's reformulation, MyST as formula
    assumptions: str
    options: dict = field(default_factory=dict)  # name -> default, read from the runner
    meanings: dict = field(default_factory=dict)  # name -> what the option sets, one line
    baseline: str = "tensor"  # "tensor" (one per input), "distribution" (samples) or "none"
    players: bool = False  # takes players= (groups of input elements)
    budget: str | None = (
        None  # the option setting its numerical budget (steps, samples, a stabilizer)
    )
    copies_input: bool = False  # the runner gives the model copies only (the masking game)
    traced: bool = False  # runs on the model's traced graph (reads its layers; refuses in-place
    # writes to the input itself): the propagation family and Grad-CAM
    run: Callable = field(default=None, repr=False, compare=False)


#: Every registered method by name (:func:`get` looks one up, with a clear error).
#:
#: :meta hide-value:
REGISTRY: dict[str, Method] = {}


def register(
    meanings: dict[str, str] | None = None, **fields: object
) -> Callable[[Callable], Callable]:
    """Register a runner ``fn(model, x, baseline, target, players, **options)``; its options
    and their defaults are read from its keyword parameters, and ``meanings`` says in one
    line what each sets (every option needs one)."""
    meanings = meanings or {}

    def wrap(fn):
        parameters = list(inspect.signature(fn).parameters.values())[5:]
        options = {p.name: p.default for p in parameters}
        if set(meanings) != set(options):
            raise TypeError(
                f"{fields['name']}: options {sorted(options)} need one meaning each; "
                f"meanings given for {sorted(meanings)}"
            )
        REGISTRY[fields["name"]] = Method(run=fn, options=options, meanings=meanings, **fields)
        return fn

    return wrap


def captum(name: str) -> type:
    import captum.attr

    return getattr(captum.attr, name)


def selected(model: Model, target: torch.Tensor) -> Callable[[torch.Tensor], torch.Tensor]:
    """f restricted to each row's target; only for batches of exactly len(target) rows."""

    def forward(z):
        return model(z).reshape(len(z), -1).gather(1, target[:, None]).squeeze(1)

    return forward


def get(name: str) -> Method:
    """The registered method ``name``."""
    if name not in REGISTRY:
        raise ValueError(f"unknown method {name!r}; registered: {', '.join(REGISTRY)}")
    return REGISTRY[name]
