"""Paper A's theory, checked: allocation weights, one-neuron rules, Table 1 and the principles.

- :mod:`.allocation`: the book's derived allocation weights; scores rebuilt from Taylor parts
  or dividends, and the checks the chapters run (method against rebuild)
- :mod:`.layerwise`: each propagation rule on one neuron, in sympy
- :mod:`.table_1`: paper A's Table 1 as data, a weight per Taylor term for each row
- :mod:`.reformulations`: each Table 1 row rebuilt and proved or refuted in sympy
- :mod:`.departures`: how far the methods as run part from the rows on real networks
- :mod:`.equalities`: equalities between propagation methods measured against their conditions
- :mod:`.principles`: paper A's three principles and the verdict tables (``table(source)``)
- :mod:`.probes`: models whose game is one known effect; the principles measured on them
- :mod:`.networks`: hand-set networks (weights written out) for probes, chapters and tests
"""
