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
RevealCancel are ours, in :mod:`unified_attribution.methods.propagation` (compared with captum's LRP
and DeepLift where they overlap).

Modules: ``registry`` (the registry), ``interface`` (:func:`attribute` and its
result), one per family: ``gradient``, ``perturbation``, ``propagation``.
"""

from . import gradient, perturbation, propagation, registry  # noqa: F401  (registers the methods, in Table 1's families)
from .interface import QUADRATURES, Attribution, attribute
from .propagation import captum_lrp
from .registry import Method, get

#: The fourteen methods of paper A in the order of the book's chapters.
PAPER_A_METHODS = registry.PAPER_A_METHODS
#: The fourteen in the order of paper A's Table 1 and Table 2.
PAPER_A_TABLE_ORDER = registry.PAPER_A_TABLE_ORDER
#: Every registered method by name (:func:`get` looks one up, with a clear error).
#:
#: :meta hide-value:
REGISTRY = registry.REGISTRY

__all__ = [
    "PAPER_A_METHODS",
    "PAPER_A_TABLE_ORDER",
    "QUADRATURES",
    "REGISTRY",
    "Attribution",
    "Method",
    "attribute",
    "captum_lrp",
    "get",
]
