"""unified_attribution: the library behind the companion book.

Modules, one idea each:

- :mod:`unified_attribution.data`: the offline datasets with their fixed splits
- :mod:`unified_attribution.zoo`: the small models the chapters share, trained and cached
- :mod:`unified_attribution.games`: masking games and their exact Harsanyi dividends
- :mod:`unified_attribution.taylor`: Taylor terms and generic effects, symbolic (sympy),
  numeric (nested autodiff) and by Taylor-mode AD (jets)
- :mod:`unified_attribution.methods`: attribution methods behind one call, :func:`attribute`
- :mod:`unified_attribution.allocation`: the book's derived allocation weights, and proofs
- :mod:`unified_attribution.reformulations`: paper A's Table 1 as data, checked
- :mod:`unified_attribution.principles`: paper A's three principles and verdict tables
- :mod:`unified_attribution.plots`: the book's figures
- :mod:`unified_attribution.bookbuild`: the pipeline that executes notebooks and checks pages
"""

from .games import Effects, MaskingGame, harsanyi
from .methods import attribute

__all__ = ["Effects", "MaskingGame", "attribute", "harsanyi"]
__version__ = "0.1.0"
