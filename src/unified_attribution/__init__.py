"""unified_attribution: the library behind the companion book.

Modules, one idea each:

- :mod:`unified_attribution.data`: the offline datasets with their fixed splits
- :mod:`unified_attribution.zoo`: the small models the chapters share, trained and cached
- :mod:`unified_attribution.plots`: the book's figures
- :mod:`unified_attribution.bookbuild`: the pipeline that executes notebooks and checks pages
"""

__version__ = "0.1.0"
