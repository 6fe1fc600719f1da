"""unified_attribution: attribution methods, games and paper A's theory, as a library.

It never imports the book's own package, ``attribution_book`` (data sets, trained
models, figures, the build); a test checks. Modules, one idea each:

- :mod:`unified_attribution.games`: masking games and their exact Harsanyi dividends
- :mod:`unified_attribution.taylor`: Taylor terms and generic effects, symbolic (sympy),
  numeric (nested autodiff) and by Taylor-mode AD (jets)
- :mod:`unified_attribution.methods`: attribution methods behind one call,
  :func:`~unified_attribution.methods.attribute`
- :mod:`unified_attribution.propagation`: LRP rules, Deep Taylor and DeepLIFT on layer chains
- :mod:`unified_attribution.layerwise`: each propagation rule on one neuron, in sympy
- :mod:`unified_attribution.allocation`: the book's derived allocation weights, and proofs
- :mod:`unified_attribution.reformulations`: paper A's Table 1 as data, checked
- :mod:`unified_attribution.principles`: paper A's three principles and verdict tables
- :mod:`unified_attribution.probes`: models whose game is one known effect
- :mod:`unified_attribution.faithfulness`: infidelity, localization, and their correlation
  with the principles
- :mod:`unified_attribution.sasanet`: SASANet (paper B), reconstructed
"""

from .games import Effects, Game, MarginalGame, MaskingGame, TabularGame, harsanyi
from .methods import attribute

__all__ = ["Effects", "Game", "MarginalGame", "MaskingGame", "TabularGame", "attribute", "harsanyi"]
__version__ = "0.1.0"
