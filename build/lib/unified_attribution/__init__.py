"""unified_attribution: attribution methods, games and paper A's theory, as a library.

It never imports the book's own package, ``attribution_book`` (data sets, trained
models, figures, the build); a test checks. Subpackages, one concept each:

- :mod:`unified_attribution.games`: the game interface, masking and marginal games of a
  model, exact Harsanyi dividends (coalitions, game, masking, dividends)
- :mod:`unified_attribution.methods`: the fourteen attribution methods behind one call,
  :func:`~unified_attribution.methods.attribute` (registry, interface, gradient,
  perturbation, propagation/{chain, relevance, multipliers})
- :mod:`unified_attribution.taylor`: Taylor terms and generic effects, symbolic (sympy),
  numeric (nested autodiff) and by Taylor-mode AD (jets)
- :mod:`unified_attribution.theory`: paper A's theory, checked (allocation, layerwise,
  reformulations, principles, probes, networks)
- :mod:`unified_attribution.faithfulness`: infidelity, localization, and their correlation
  with the principles
- :mod:`unified_attribution.sasanet`: SASANet (paper B), reconstructed (config, module,
  estimator)
- ``unified_attribution.aliases``: the type aliases of the public API
"""

from .games import Effects, Game, MarginalGame, MaskingGame, TabularGame, harsanyi
from .methods import attribute

__all__ = ["Effects", "Game", "MarginalGame", "MaskingGame", "TabularGame", "attribute", "harsanyi"]
__version__ = "0.1.0"
