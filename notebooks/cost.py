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
# (cost)=
# # Cost of exact dividends
#
# :::{admonition} Key results
# :class: tip
# - The fast Moebius transform is {glue:text}`speedup_12` times faster than shapiq's exact computer at $n =$ {glue:text}`players_12`, with the same dividends (difference {glue:text}`difference_12`).
# - With 20 players, every dividend of the digits MLP's game takes {glue:text}`total_20` s; building the masked inputs adds {glue:text}`masking_20` to the time of the model's forward passes, and the transform takes {glue:text}`transform_20` s.
# - The default batch, sized by the model's largest activation, evaluates the digits CNN's game {glue:text}`cnn_batch_speedup` times faster than batches of 2¹⁶ coalitions.
#
# Symbols: {ref}`notation`. Every verdict: {ref}`claims-ledger`.
# :::
#
# ```{index} Moebius transform, Shapley value, exact enumeration
# ```
#
# The exact computations of {ref}`effects-are-dividends` take $2^n$ model evaluations and a
# transform over $2^n$ values. This page summarises what that costs on the machines the book
# is built on (two cores, one torch thread per process). The numbers come from the
# benchmark `benchmarks/bench_dividends.py` (run with `make benchmark`), which writes
# `benchmarks/results/dividends.json`; this page is generated from that file and does not
# rerun it. Timings on shared machines are noisy: the benchmark compares methods side by side
# in one run and reports ratios.

# %% tags=["parameters"]
profile = "full"  # unused: this page only reads the benchmark's results
seed = 0  # unused

# %% tags=["hide-input"]
import json
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import HTML, display
from myst_nb import glue

from attribution_book import plots, showcase

results_file = Path("../benchmarks/results/dividends.json")
if not results_file.exists():
    raise FileNotFoundError(
        f"{results_file.resolve()} is missing: run `make benchmark` first"
    )
results = json.loads(results_file.read_text())
machine = results["machine"]
print(
    f"benchmark of {results['date']}: Python {machine['python']}, torch {machine['torch']}, "
    f"shapiq {machine['shapiq']}, {machine['cpu_count']} cores, {machine['threads']} thread, "
    f"best of {results['repeat']} runs"
)

# %% [markdown]
# ## The transform: ours against shapiq
#
# Both start from the same table of $2^n$ game values and return every dividend: ours with
# the fast Moebius transform (`games.moebius`, $n$ vectorised passes), shapiq
# {cite}`muschalik2024shapiq` with `ExactComputer(...)("Moebius")`, which evaluates the game
# on its own coalition matrix and then transforms. The largest difference between the two
# results is shown too. See {numref}`fig-transform-time`.

# %%
transform = pd.DataFrame(results["transform"]).set_index("players")
assert (transform["max_abs_difference"] < 1e-10).all(), (
    "ours and shapiq disagree"
)
at12 = transform.loc[12] if 12 in transform.index else transform.iloc[-1]
glue("speedup_12", f"{at12['speedup']:,.0f}", display=False)
glue("ours_12_ms", f"{at12['ours_s'] * 1e3:.2f}", display=False)
glue("shapiq_12_s", f"{at12['shapiq_s']:.2f}", display=False)
glue("difference_12", f"{at12['max_abs_difference']:.1e}", display=False)
glue(
    "max_difference",
    f"{transform['max_abs_difference'].max():.1e}",
    display=False,
)
glue("players_12", int(at12.name), display=False)

fig, ax = plt.subplots(figsize=(6, 3.4))
ax.plot(
    transform.index,
    transform["shapiq_s"],
    marker="o",
    label="shapiq ExactComputer",
)
ax.plot(
    transform.index, transform["ours_s"], marker="o", label="games.moebius"
)
ax.set_yscale("log")
ax.set_xlabel("players n")
ax.set_ylabel("seconds (best of runs)")
ax.legend()
fig.tight_layout()
plots.glue_figure("fig-transform-time", fig)
table = (
    pd.DataFrame(
        {
            "ours (ms)": transform["ours_s"] * 1e3,
            "shapiq (ms)": transform["shapiq_s"] * 1e3,
            "shapiq / ours": transform["speedup"],
            "largest difference": transform["max_abs_difference"],
        }
    )
    .style.set_uuid("transform")
    .format(
        {
            "ours (ms)": "{:.3f}",
            "shapiq (ms)": "{:,.1f}",
            "shapiq / ours": "{:,.0f}",
            "largest difference": "{:.1e}",
        }
    )
)
HTML(
    table.to_html()
)  # not the Styler itself: its repr holds a memory address

# %% [markdown]
# ```{glue:figure} fig-transform-time
# :name: fig-transform-time
# :alt: Line chart on a log scale: seconds of the two Moebius transforms against the number of players.
#
# Seconds for the exact Moebius transform of a game of $n$ players: the book's `games.moebius`
# against shapiq's `ExactComputer` (log scale, best of the benchmark's runs).
# ```

# %% [markdown]
# At $n =$ {glue:text}`players_12` the fast transform takes {glue:text}`ours_12_ms` ms and
# shapiq {glue:text}`shapiq_12_s` s, a ratio of {glue:text}`speedup_12`; the results agree to
# {glue:text}`difference_12` there, and to {glue:text}`max_difference` at every $n$. shapiq's exact computer is general (it computes many
# interaction indices from the same game), which costs it here.
#
# ## Evaluating the model on every coalition
#
# For the trained digits MLP, with 16 players (2x2-pixel patches) and 20 to 26 players (the
# 64 pixels in contiguous groups; above the default limit of 22 with
# `MaskingGame(..., max_players=n)`), the benchmark times `harsanyi(MaskingGame(...))` in
# its two parts: evaluating the game on every coalition, with the model's forward passes
# timed inside it, and the transform. Building the masked inputs (the masking column, as a
# share of the forward passes' time) and the transform are the overhead of the method; the
# peak memory is what the first run (all dividends, then the Shapley values) adds to the
# process. At the most players measured: {glue:text}`largest_cost`.

# %%
masking = pd.DataFrame(results["masking"]).set_index("players")
for n, row in masking.iterrows():
    glue(f"masking_{n}", f"{row['masking_share']:.0%}", display=False)
    glue(f"transform_{n}", f"{row['transform_s']:.3f}", display=False)
    glue(f"total_{n}", f"{row['total_s']:.2f}", display=False)
    glue(f"peak_{n}", f"{row['peak_extra_mib']:.0f}", display=False)
largest = masking.iloc[-1]
glue(
    "largest_cost",
    f"{masking.index[-1]} players, {largest['total_s']:.0f} s for all "
    f"{int(largest['coalitions']):,} dividends, {largest['peak_extra_mib']:,.0f} MiB added "
    f"at the peak ({largest['peak_extra_mib'] / 1024:.2f} GiB)",
    display=False,
)
table = (
    pd.DataFrame(
        {
            "coalitions": masking["coalitions"],
            "per batch": masking["batch_size"],
            "all dividends (s)": masking["total_s"],
            "forward passes (s)": masking["forward_s"],
            "masking (of forward)": masking["masking_share"],
            "transform (s)": masking["transform_s"],
            "peak memory added (MiB)": masking["peak_extra_mib"],
        }
    )
    .style.set_uuid("masking")
    .format(
        {
            "coalitions": "{:,}",
            "per batch": "{:,}",
            "all dividends (s)": "{:.3f}",
            "forward passes (s)": "{:.3f}",
            "masking (of forward)": "{:.1%}",
            "transform (s)": "{:.3f}",
            "peak memory added (MiB)": "{:.0f}",
        }
    )
)
HTML(table.to_html())

# %% [markdown]
# With 20 players (about a million coalitions) all dividends take {glue:text}`total_20` s;
# the masking adds {glue:text}`masking_20` to the forward passes' time, the transform takes
# {glue:text}`transform_20` s, and the computation adds {glue:text}`peak_20` MiB at its peak;
# with 16 players, {glue:text}`total_16` s. The cost doubles with each player: exact
# dividends stop being practical somewhere in the mid-twenties of players (the library
# refuses more than 22 unless asked), which is why image chapters use patches as players.
#
# **How many coalitions per forward pass.** A batch whose activations outgrow the
# processor's cache is slower per coalition than a smaller one. On the CPU, `MaskingGame`
# sizes its default batch so that the largest activation of the batch (measured on the
# input once) takes `games.masking.BATCH_BYTES` (1 MiB); on an accelerator it counts the
# masked inputs. The benchmark times the same games at that default and at batches of
# 2¹⁶ coalitions, side by side: {glue:text}`batch_rule`.

# %%
batch_rule = pd.DataFrame(results["batch_rule"])
cnn_rule = batch_rule.set_index("model").loc["digits_cnn"]
glue("cnn_batch_speedup", f"{cnn_rule['speedup']:.1f}", display=False)
glue(
    "batch_rule",
    "; ".join(
        f"the {r.model.replace('_mlp', ' MLP').replace('_cnn', ' CNN')} ({r.players} "
        f"players) {r.default:.2f} s at "
        f"{r.default_batch:,} per batch against {r.earlier:.2f} s at {r.earlier_batch:,} "
        f"({r.speedup:.1f} times faster)"
        for r in batch_rule.itertuples()
    ),
    display=False,
)

# %% [markdown]
# ## Exercises
#
# ```{exercise}
# :label: ex-cost-passes
# The fast transform makes $n$ vectorised passes over $2^n$ values. How many subtractions is
# that, and by what factor should its time grow from $n = 11$ to $n = 12$?
# ```
#
# ```{solution-start} ex-cost-passes
# :class: dropdown
# ```
# Each pass subtracts half of the values from the other half: $n\, 2^{n-1}$ subtractions in all,
# so from $n$ to $n + 1$ the work grows by $2 (n + 1) / n$. Predicted and measured, for each
# step of the stored benchmark:

# %%
steps = transform.index[1:]
passes = pd.DataFrame(
    {
        "predicted": [2 * n / (n - 1) for n in steps],
        "measured": transform["ours_s"].to_numpy()[1:]
        / transform["ours_s"].to_numpy()[:-1],
    },
    index=pd.Index([f"{n - 1} -> {n}" for n in steps], name="players"),
)
display(showcase.html(passes.reset_index(), digits=2))
below = int((passes["measured"] < passes["predicted"]).sum())
glue("passes_kib", 8 * 2 ** int(steps[-1]) // 1024, display=False)
glue("passes_low", f"{passes['measured'].min():.2f}", display=False)
glue("passes_high", f"{passes['measured'].max():.2f}", display=False)
glue("passes_below", f"{below} of {len(passes)}", display=False)
glue(
    "passes_calls",
    f"{steps[-1] / (steps[-1] - 1):.2f} to {steps[0] / (steps[0] - 1):.2f}",
    display=False,
)
glue(
    "passes_times",
    f"{transform['ours_s'].min() * 1e6:.0f} to {transform['ours_s'].max() * 1e6:.0f}",
    display=False,
)

# %% [markdown]
# Measured, the time grows by {glue:text}`passes_low` to {glue:text}`passes_high` per added
# player, below the prediction at {glue:text}`passes_below` steps. The prediction counts
# subtractions only. At these sizes (at most {glue:text}`passes_kib` KiB of float64 values,
# inside the processor's cache) each pass is one NumPy call whose fixed cost, a few microseconds, is as
# large as its arithmetic, and that cost grows only with the number of calls, by
# $(n + 1)/n$ ({glue:text}`passes_calls` here). The measured growth lies near or above that
# and below the prediction; it should approach the prediction only where the arithmetic
# dominates, at larger $n$ than the table holds. With transforms of {glue:text}`passes_times` microseconds, a single step is also noisy.
# ```{solution-end}
# ```
#
# ```{exercise}
# :label: ex-cost-thirty
# Extrapolate the measured time of all dividends of the digits MLP's game from 20 players to
# 30. What limits exact enumeration first, time or memory?
# ```
#
# ```{solution-start} ex-cost-thirty
# :class: dropdown
# ```
# The model is evaluated on every coalition, so the time grows like $2^n$: $2^{10} = 1024$
# times the time at 20 players. The memory grows the same way: at its peak an exact game
# holds `games.masking.BYTES_PER_COALITION` bytes per coalition (its value, transformed in
# place into its dividend, its size, and the weights of one allocation):

# %%
from unified_attribution.games import MAX_EXACT_PLAYERS
from unified_attribution.games.masking import BYTES_PER_COALITION

at_20 = float(masking.loc[20, "total_s"])
{
    "seconds at 20": at_20,
    "minutes at 30 (x 1024)": at_20 * 1024 / 60,
    "GiB at the peak at 30": BYTES_PER_COALITION * 2**30 / 2**30,
    "default limit (players)": MAX_EXACT_PLAYERS,
    "MiB at the peak at the limit": BYTES_PER_COALITION
    * 2**MAX_EXACT_PLAYERS
    / 2**20,
}

# %% [markdown]
# Both grow like $2^n$ (the table gives the figures for this model): the memory is what a
# small machine runs out of first, which is why the library stops at its default limit
# unless asked (`MaskingGame(..., max_players=n)`); its refusal states both costs, the time
# from the model's speed measured on the spot.
# ```{solution-end}
# ```
#
# ```{exercise}
# :label: ex-cost-shapiq
# shapiq's exact computer is slower on the transform but computes many interaction indices
# from the same game. Which of them could the book's fast transform also give, and how?
# ```
#
# ```{solution} ex-cost-shapiq
# :class: dropdown
# Every index that is a linear function of the dividends: the Shapley value
# ($\sum_{S \ni i} H(S)/|S|$), the Banzhaf value ($\sum_{S \ni i} H(S) / 2^{|S|-1}$), the Shapley
# interaction index and the Banzhaf interaction index of any order (sums of dividends of
# supersets with weights that depend only on the sizes). `Effects.allocate` already takes a
# weight per coalition size; interaction indices need the same sum over supersets of each
# pair or set.
# ```

# %% [markdown]
# ## Rerun this chapter

# %% tags=["remove-input"]
from IPython.display import Markdown

from attribution_book import rerun

Markdown(rerun.section("cost"))
