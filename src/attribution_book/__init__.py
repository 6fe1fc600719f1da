"""attribution_book: what only the companion book needs, on top of :mod:`unified_attribution`.

- :mod:`attribution_book.data`: the offline datasets with their fixed splits
- :mod:`attribution_book.cache`: the one model cache (zoo models and SASANets)
- :mod:`attribution_book.zoo`: the small models the chapters share, trained and cached
- :mod:`attribution_book.synthetic`: data with known Shapley values
- :mod:`attribution_book.sasanet_runs`: the book's trained SASANets, one per dataset
- :mod:`attribution_book.comparison`: SASANet against baselines: models, scores, verdicts
- :mod:`attribution_book.showcase`: inputs and tables the chapters share
- :mod:`attribution_book.plots`: the book's figures
- :mod:`attribution_book.bookbuild`: the pipeline that executes notebooks and checks pages
"""

PROFILES = (
    "full",
    "quick",
)  # "full" builds the book; "quick" (fewer epochs, inputs) is a fast rerun
