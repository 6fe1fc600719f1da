"""Paper A's theory, checked: allocation weights, one-neuron rules, Table 1 and the principles.

- :mod:`.allocation`: the book's derived allocation weights; scores rebuilt from Taylor parts
  or dividends, and the checks the chapters run (method against rebuild)
- :mod:`.layerwise`: each propagation rule on one neuron, in sympy
- :mod:`.reformulations`: paper A's Table 1 as data, each row proved or refuted; departures
- :mod:`.equalities`: equalities between propagation methods measured against their conditions
- :mod:`.principles`: paper A's three principles and the verdict tables (``table(source)``)
- :mod:`.probes`: models whose game is one known effect; the principles measured on them
- :mod:`.networks`: hand-set networks (weights written out) for probes, chapters and tests
"""
