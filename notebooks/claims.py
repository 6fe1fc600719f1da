# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# (claims-ledger)=
# # The claims ledger
#
# ```{index} claims ledger, verdict
# ```
#
# Every claim of the two papers the book checks, in one table: where the paper states it,
# the book's verdict, the numbers that decide it, the rule that turns those numbers into the
# verdict, and the section with the evidence. What is known of each paper, and what the book
# had to reconstruct, is on the {ref}`sources` page.
#
# Nothing on this page is typed by hand. The claims are a data file kept next to the book
# (`book/claims.yml`); each chapter decides its claims with a stated rule
# (`attribution_book.claims`) and records the verdict in its own run; this page reads the
# verdicts back from the executed chapters. Vocabulary: **holds**; **holds in the limit**;
# **partly** (on some of the cases tried, or under a condition); **does not hold here** (on
# these models and data, for the reason given); **untested** (with why).

# %% tags=["parameters", "remove-cell"]
profile = "full"  # unused: this page reads the executed chapters
seed = 0  # unused
executed_dir = "../book/executed"  # where the chapters were executed

# %% tags=["remove-input"]
from pathlib import Path

import pandas as pd
from IPython.display import Markdown
from myst_nb import glue

from attribution_book import claims

rows = claims.ledger(claims.load(), Path(executed_dir))
table = pd.DataFrame(rows)
counts = pd.crosstab(table["paper"], table["verdict"]).reindex(
    columns=[v for v in claims.VERDICTS if v in set(table["verdict"])]
)
counts.index = [f"Paper {p} ({claims.PAPERS[p]})" for p in counts.index]
counts.columns.name = None
glue("n_claims", len(table), display=False)
counts

# %% [markdown]
# The table counts the {glue:text}`n_claims` claims by paper and verdict. Paper A's rows are
# its abstract, each row of its Table 1 (the reformulation of one method) and each row of
# its Table 2 (which of the three principles the method follows); paper B's are its
# abstract, its masking experiment and the reviewers' questions.


# %% tags=["remove-input"]
Markdown("Each verdict's colour: " + claims.legend())

# %% [markdown]
# ## Paper A: fourteen methods as allocations of Taylor interactions

# %% tags=["remove-input"]
Markdown(claims.markdown(rows, "A"))

# %% [markdown]
# ## Paper B: SASANet

# %% tags=["remove-input"]
Markdown(claims.markdown(rows, "B"))
