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
# Every claim of the two papers the book checks: where the paper states it, the book's
# verdict, the numbers that decide it, the rule that turns them into the verdict, and the
# evidence. What is known of each paper is on the {ref}`sources` page. Nothing here is typed
# by hand: each chapter decides its claims with a stated rule and records the verdict in its
# run (`book/claims.yml` lists the claims); this page reads them back. Terms the rules use
# are defined on the {ref}`Notation page <notation-rules>`.
#
# :::{dropdown} How to read the verdicts and the groups below
# Vocabulary: **holds**; **holds in the limit**; **partly** (on some of the cases tried, or
# under a condition); **does not hold here** (on these models and data, for the reason
# given); **untested** (with why, or because no case exercised the property). Below the
# count, the claims come in groups decided the same way. Each group opens with a folded box
# stating its rule once: whose bar decided it (a number the paper states, the paper's words
# read plainly, or the book's own choice), the bar, and how the verdicts fare when the
# chapters that draw random numbers are rerun at other seeds (the seed sweep, `make sweep`,
# stored with the machine and torch build that ran it). Each claim then shows its verdict,
# the numbers that decide it, its margin (how far the deciding number would have to move to
# flip the verdict), the stored benchmark runs that decided it where they did, and a link to
# the evidence.
# :::

# %% [markdown]
# ## At a glance
#
# Paper A's fourteen methods, by the verdicts on their rows of Table 1 (the method is the
# allocation the row states) and Table 2 (the method follows the principles the row marks),
# then every other claim; the full rows, with the numbers, rules and margins, follow below.

# %% tags=["parameters", "remove-cell"]
profile = "full"  # unused: this page reads the executed chapters
seed = 0  # unused
executed_dir = "../book/executed"  # where the chapters were executed

# %% tags=["remove-input"]
from pathlib import Path

import pandas as pd
from IPython.display import Markdown
from myst_nb import glue

from attribution_book import claims, sweep
from unified_attribution import methods

rows = claims.ledger(claims.load(), Path(executed_dir))
stored_sweep = sweep.load()
stability = sweep.stability(stored_sweep, rows)
table = pd.DataFrame(rows)
table["stated by"] = [
    f"Paper {p} ({claims.PAPERS[p]})"
    if who == "paper"
    else f"Reviewers' points on paper {p}"
    for p, who in zip(table["paper"], table["stated_by"])
]
counts = pd.crosstab(table["stated by"], table["verdict"]).reindex(
    index=list(dict.fromkeys(table["stated by"])),
    columns=[v for v in claims.VERDICTS if v in set(table["verdict"])],
)
counts.index.name, counts.columns.name = None, None
glue("n_claims", len(table), display=False)
# the introduction's "What we found" pastes these
for name, line in claims.findings(rows).items():
    glue(name, line, display=False)
Markdown(
    claims.summary(
        rows, {m: methods.get(m).title for m in methods.PAPER_A_METHODS}
    )
    + "\n\nEach verdict's colour: "
    + claims.legend()
)

# %% [markdown]
# ## The count

# %% tags=["remove-input"]
counts

# %% [markdown]
# The {glue:text}`n_claims` claims by who states them and verdict: paper A's abstract and
# the rows of its Tables 1 and 2; paper B's abstract, order-consistency loss and masking
# experiment (judged on the real datasets); the points of paper B's public reviews, counted
# apart (each names its reviewer; the book's synthetic set decides only Reviewer 3's).


# %% tags=["remove-input"]
swept = {
    i: t
    for i, t in stability.items()
    if not t.startswith(("exact", "not swept"))
}
stable = [i for i, t in swept.items() if t.startswith("same in")]
one_seed = [
    i for i, t in swept.items() if t.startswith("depends on the seed")
]
unstable = [i for i, t in swept.items() if t.startswith("unstable")]
stale = [i for i, t in swept.items() if t.startswith("stale")]
glue("n_swept", len(swept), display=False)
glue("n_stable", len(stable), display=False)
glue("n_one_seed", len(one_seed), display=False)
glue("unstable_claims", ", ".join(unstable) or "none", display=False)
glue(
    "n_exact",
    sum(t.startswith("exact") for t in stability.values()),
    display=False,
)
glue(
    "sweep_provenance",
    (
        f"{len(stored_sweep['seeds'])} seeds of {', '.join(stored_sweep['chapters'])}, run on "
        f"{stored_sweep['date']} at commit {stored_sweep['commit']} on {stored_sweep['cpu']} "
        f"with torch {stored_sweep['torch']}"
        + (f"; stale for {', '.join(stale)}" if stale else "")
    )
    if stored_sweep
    else "no sweep stored yet",
    display=False,
)

# %% [markdown]
# **Over seeds.** {glue:text}`n_swept` verdicts depend on random draws; {glue:text}`n_stable`
# of them are the same at every seed of the sweep ({glue:text}`sweep_provenance`), and
# {glue:text}`n_one_seed` are decided at one seed only (models or inputs drawn with it, or
# stored benchmark runs of one seed) and not swept: their verdicts may move with the seed.
# Unstable: {glue:text}`unstable_claims`. {glue:text}`n_exact` verdicts rest on exact checks
# in sympy and are not swept; the others are decided on fixed probes.

# %% [markdown]
# ## Paper A: fourteen methods as allocations of Taylor interactions

# %% tags=["remove-input", "full-width"]
Markdown(claims.markdown(rows, "A", stability))

# %% [markdown]
# ## Paper B: SASANet

# %% tags=["remove-input", "full-width"]
Markdown(claims.markdown(rows, "B", stability))
