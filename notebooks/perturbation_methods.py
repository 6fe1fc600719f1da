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
# (perturbation-methods)=
# # The perturbation family: Occlusion, Prediction Difference, Shapley value
#
# :::{admonition} Key results
# :class: tip
# - Occlusion-1, Occlusion-patch, Prediction Difference and the Shapley value rebuilt from the Harsanyi dividends with their allocation weights, to {glue:text}`perturbation_worst_difference` of the largest score.
# - Paper A's Table 1 rows: Occlusion-1 **{glue:text}`principles.ipynb::claim_A_T1_occlusion_1:s`**, Occlusion-patch **{glue:text}`principles.ipynb::claim_A_T1_occlusion_patch:s`**, Prediction Difference **{glue:text}`principles.ipynb::claim_A_T1_prediction_difference:s`**, Shapley value **{glue:text}`principles.ipynb::claim_A_T1_shapley_value:s`** ({ref}`claims-ledger`).
#
# Symbols: {ref}`notation`. Every verdict: {ref}`claims-ledger`.
# :::
#
# ```{index} Occlusion-1, Occlusion-patch, Prediction Difference, Shapley value, masking game
# ```
#
# Four methods only query the model on modified inputs: Occlusion-1 and Occlusion-patch
# {cite}`zeiler2014visualizing`, Prediction Difference {cite}`zintgraf2017visualizing` and
# the Shapley value {cite}`shapley1953value`. None needs a derivative, so their natural
# effects are the Harsanyi dividends $H(S)$ of the masking game
# ({ref}`effects-are-dividends`), and each method is a rule $w_i(S)$ that hands the dividend
# of every coalition to its variables.
#
# :::{admonition} Whose statement is this?
# :class: note
# **Paper A** {cite}`deng2024unifying` states (abstract) that these methods allocate
# independent and interaction effects with method-specific weights. The weights, proofs and
# measurements here are **derived here**. The Shapley value's form is Harsanyi's
# {cite}`harsanyi1963simplified`.
# :::

# %% tags=["parameters"]
profile = "full"  # "full" for the book, "quick" for the tests
seed = 0  # seed of the models and of Prediction Difference's sampling

# %% tags=["hide-input"]
import numpy as np
import pandas as pd
import sympy as sp
import torch
from IPython.display import Math, display
from myst_nb import glue

from attribution_book import plots, showcase, zoo
from unified_attribution import games, methods
from unified_attribution.taylor import symbolic
from unified_attribution.theory import allocation

PERTURBATION = [
    "occlusion_1",
    "occlusion_patch",
    "prediction_difference",
    "shapley_value",
]
TITLES = {m: methods.get(m).title for m in PERTURBATION}
showcase.method_table(PERTURBATION)

# %% [markdown]
# ## Paper A's Table 1 for this family
#
# The paper's rows, re-expressed in the book's notation (its symbols: $\phi(\kappa)$ a Taylor term of one variable,
# $I(\kappa)$ a term of several, $\psi$ and $J$ their sums by support), each with the book's
# verdict on it; every row is checked in sympy in {ref}`principles`.

# %%
showcase.table_1(PERTURBATION)

# %% [markdown]
# ## The weights, derived
#
# ```{prf:theorem} Perturbation-family weights
# :label: thm-perturbation-weights
# For the masking game $v$ at $x$ with baseline $b$ and its dividends $H$, with $P(i)$ the
# patch of variable $i$ (a partition of the variables):
#
# $$
# \begin{aligned}
# \text{Occlusion-1: } a_i &= \sum_{S \ni i} H(S), \\
# \text{Occlusion-patch: } a_i &= \sum_{S \cap P(i) \neq \emptyset} H(S), \\
# \text{Shapley value: } a_i &= \sum_{S \ni i} \frac{H(S)}{|S|}, \\
# \text{Prediction Difference: } a_i &= \mathbb{E}_{b \sim p} \sum_{S \ni i} H_b(S).
# \end{aligned}
# $$
# ```
#
# ```{prf:proof}
# Occlusion-1 is $v(N) - v(N \setminus \{i\})$; with $v(T) = \sum_{S \subseteq T} H(S)$
# the difference keeps exactly the coalitions that contain $i$. Occlusion-patch removes the
# whole patch, $v(N) - v(N \setminus P(i))$, which keeps every coalition meeting $P(i)$: a
# variable receives the effects of its patch mates too. The Shapley value is Harsanyi's
# equal split of each dividend. Prediction Difference replaces $x_i$ by values drawn from its
# marginal distribution, which is Occlusion-1 with baseline $b$ drawn from that distribution,
# averaged: linearity gives the weights, per baseline.
# ```
#
# sympy checks the first three exactly for every polynomial of degree 3 in 3 variables (here
# with patches $\{1, 2\}$ and $\{3\}$); Prediction Difference inherits Occlusion-1's proof by
# linearity.

# %% tags=["show-input"]
variables = sp.symbols("x1:4")
generic, _ = symbolic.generic_polynomial(variables, 3)
patches = [[0, 1], [2]]
for name in ("occlusion_1", "occlusion_patch", "shapley_value"):
    proof = allocation.prove_reformulation(
        name, generic, variables, patches=patches
    )
    assert proof, proof.residuals
    display(
        Math(
            rf"\text{{{TITLES[name]}}}:\quad w_i(S) = {sp.latex(allocation.weight(name))},"
            rf"\quad \text{{residuals: }} {sorted(set(map(str, proof.residuals.values())))}"
        )
    )

# %% [markdown]
# How each rule splits single effects of order 1 to 3 among three variables (patches
# $\{1, 2\}$ and $\{3\}$ for Occlusion-patch); the dotted line is the whole effect. See {numref}`fig-perturbation-split`.

# %% tags=["show-input"]
coalitions = [(0,), (2,), (0, 1), (1, 2), (0, 1, 2)]
split = {
    TITLES[m]: [
        [float(w) for w in allocation.weights_of(m, c, 3, patches)]
        for c in coalitions
    ]
    for m in ("occlusion_1", "occlusion_patch", "shapley_value")
}
fig = plots.allocation_split(
    split,
    ["S = {" + ", ".join(str(i + 1) for i in c) + "}" for c in coalitions],
    3,
)
plots.glue_figure("fig-perturbation-split", fig)

# %% [markdown]
# ```{glue:figure} fig-perturbation-split
# :name: fig-perturbation-split
# :alt: Bar panels, one per coalition S: the weight each method gives each variable.
#
# How the perturbation methods split single effects of order 1 to 3 among three variables
# (patches $\{1, 2\}$ and $\{3\}$ for Occlusion-patch); the dotted line is the whole effect.
# ```

# %% [markdown]
# Occlusion-1 gives every member the whole interaction, so a pair's effect is counted
# twice; Occlusion-patch also pays variable 2 for the independent effect of variable 1, its
# patch mate; the Shapley value splits each effect equally.
#
# ## Checked on the trained digits networks
#
# For each of the six digits, the library computes all $2^{16}$ dividends of the game whose
# players are the sixteen $2 \times 2$ patches, rebuilds each method from them with its
# weights (`allocation.rebuild_from_effects`, the same sympy expressions as above), and
# compares with the method run on the model: Occlusion-patch (captum's `Occlusion` sliding
# a $2 \times 2$ window for the CNN; `FeatureAblation` over the patches for the MLP, whose
# input is flat), the exact Shapley value over patches, and Prediction Difference over
# patches on the MLP (one game per replacement digit, 8 training digits). Occlusion-1 is
# checked on a game whose players are the 16 central pixels. The CNN's games are slow in
# float64 (about 10 s each), so the CNN is checked on the first two digits only. Each check
# is one call of `allocation.run_and_rebuilt`, tested in `tests/test_allocation.py`.

# %%
digits_mlp = zoo.load("digits_mlp", seed=seed, profile=profile)
digits_cnn = zoo.load("digits_cnn", seed=seed, profile=profile)
x_digits, digit_target = showcase.digit_examples(digits_mlp)
centre = [r * 8 + c for r in range(2, 6) for c in range(2, 6)]
replacements = digits_mlp.inputs(digits_mlp.dataset.X_train[:8]).double()
checks = (  # model, input shape, patches, Occlusion-patch options, digits checked
    (
        "MLP",
        digits_mlp,
        (64,),
        games.patches((8, 8), 2).reshape(-1),
        "players",
        6 if profile == "full" else 1,
    ),
    (
        "CNN",
        digits_cnn,
        (1, 8, 8),
        games.patches((1, 8, 8), 2),
        "window",
        2 if profile == "full" else 1,
    ),  # 2**16 CNN passes in float64 per game: two digits
)
differences = []
for label, trained, shape, patch_players, occlusion_by, n_checked in checks:
    f = trained.float64()
    occlusion_options = (
        {} if occlusion_by == "players" else {"window": (1, 2, 2)}
    )
    for x, target in zip(
        x_digits.reshape(-1, *shape)[:n_checked], digit_target.tolist()
    ):
        effects = games.harsanyi(
            games.MaskingGame(f, x, 0.0, players=patch_players, target=target)
        )
        runs = {
            name: allocation.run_and_rebuilt(
                name, f, x, patch_players, target, effects=effects, **options
            )
            for name, options in (
                ("occlusion_patch", occlusion_options),
                ("shapley_value", {}),
            )
        }
        runs["occlusion_1"] = allocation.run_and_rebuilt(
            "occlusion_1", f, x, [[p] for p in centre], target
        )
        if label == "MLP":  # one game per replacement row
            runs["prediction_difference"] = allocation.run_and_rebuilt(
                "prediction_difference",
                f,
                x,
                patch_players,
                target,
                replacements,
                seed=seed,
            )
        differences += [
            (label, TITLES[name], np.abs(run - rebuilt).max())
            for name, (run, rebuilt) in runs.items()
        ]
differences = pd.DataFrame(
    differences, columns=["model", "method", "largest |run - rebuilt|"]
)
worst = differences.groupby(["model", "method"], as_index=False).max()
glue(
    "perturbation_worst_difference",
    f"{worst['largest |run - rebuilt|'].max():.0e}",
    display=False,
)
showcase.html(worst)

# %% [markdown]
# Every method equals its allocation of the dividends, within
# {glue:text}`perturbation_worst_difference` over all digits and both networks (the book's
# criterion is $10^{-6}$). The one difference above float64 rounding, captum's sliding-window
# Occlusion on the CNN, is captum's: it casts the summed differences to float32 before
# dividing by the number of windows (`single_attrib.float() / weight` in captum's
# `feature_ablation.py`), even for a float64 model.
#
# ## Maps on the digits
#
# The six digits of every method chapter, the blank image as baseline. Occlusion-1 and
# Prediction Difference per pixel; Occlusion-patch with $2 \times 2$ windows; the exact
# Shapley value of the sixteen $2 \times 2$ patches (exact Shapley values of all 64 pixels
# would need $2^{64}$ evaluations). Prediction Difference draws 64 replacement digits from
# the training set. See {numref}`fig-perturbation-maps`.

# %%
mlp64 = digits_mlp.float64()
background = digits_mlp.inputs(digits_mlp.dataset.X_train[:64]).double()
flat_patches = games.patches((8, 8), 2).reshape(-1)
runs = showcase.run(
    PERTURBATION,
    mlp64,
    x_digits,
    0.0,
    digit_target,
    background,
    options={
        "occlusion_patch": {"players": flat_patches},
        "shapley_value": {"players": flat_patches},
        "prediction_difference": {"seed": seed},
    },
)
images = x_digits.reshape(-1, 8, 8).numpy()
fig = plots.attribution_maps(
    images,
    {TITLES[m]: a.scores.numpy() for m, a in runs.items()},
    titles=[f"predicted {int(t)}" for t in digit_target],
)
plots.glue_figure("fig-perturbation-maps", fig)

# %% [markdown]
# ```{glue:figure} fig-perturbation-maps
# :name: fig-perturbation-maps
# :alt: A grid of attribution maps: one row per perturbation method, one column per digit.
#
# Perturbation-family attribution maps of the six test digits (red positive, blue negative,
# each map scaled to its own largest $|a_i|$, as the colour bar shows).
# ```

# %% [markdown]
# ## Completeness
#
# The gap relative to $|f(x) - f(b)|$ over the six digits (for grouped methods each patch is
# counted once) and eight wine samples (13 single-feature players: exact Shapley values need
# $2^{13}$ evaluations).

# %%
smooth = zoo.load("smooth_mlp", seed=seed, profile=profile)
wine = smooth.dataset
x_wine = smooth.inputs(wine.X_test[:8]).double()
wine_target = torch.as_tensor(smooth.predict(wine.X_test[:8]))
wine_runs = showcase.run(
    PERTURBATION,
    smooth.float64(),
    x_wine,
    0.0,
    wine_target,
    smooth.inputs(wine.X_train).double(),
    options={
        "occlusion_patch": {"window": (1,)},
        "prediction_difference": {"seed": seed},
    },
)
gaps = (
    showcase.gap_table(runs)
    .assign(data="digits")
    .merge(showcase.gap_table(wine_runs).assign(data="wine"), how="outer")
)
showcase.html(gaps.sort_values(["data", "method"]))

# %% [markdown]
# The Shapley value is complete by construction. Occlusion-1 and Prediction Difference
# count every interaction once per member, so their sums miss $f(x) - f(b)$ by
# $\sum_{|S| \geq 2} (|S| - 1) H(S)$ (for Prediction Difference, averaged over baselines);
# Occlusion-patch over patches is Occlusion-1 of the patch game. On wine, Occlusion-patch with
# windows of one feature is Occlusion-1.
#
# ## Scores on a tabular model
#
# The first wine test sample (the tanh network of {ref}`gradient-methods`), baseline the
# training mean, Prediction Difference over the training rows. See {numref}`fig-perturbation-wine`.

# %%
fig = plots.feature_scores(
    {
        TITLES[m]: a.scores[0].numpy()
        for m, a in wine_runs.items()
        if m != "occlusion_patch"
    },
    wine.feature_names,
    top=10,
)
plots.glue_figure("fig-perturbation-wine", fig)

# %% [markdown]
# ```{glue:figure} fig-perturbation-wine
# :name: fig-perturbation-wine
# :alt: Horizontal bars of the perturbation methods' scores for ten wine features.
#
# The perturbation methods on the first wine test sample: the ten features with the largest
# scores.
# ```

# %% [markdown]
# ## Exercises
#
# ```{exercise}
# :label: ex-occlusion-patch-weights
# Derive the weights of Occlusion-patch with non-overlapping patches from
# $v(N) - v(N \setminus P(i))$ and $v(T) = \sum_{S \subseteq T} H(S)$. Then do the same for
# captum's sliding windows of size 2 with stride 1 on a line of 4 variables, where a
# variable is covered by up to two windows and gets the mean of their differences: which
# coalitions does variable 2 receive, and with which weights?
# ```
#
# ```{solution} ex-occlusion-patch-weights
# :class: dropdown
# With non-overlapping patches, $v(N) - v(N \setminus P(i)) = \sum_{S \subseteq N} H(S) -
# \sum_{S \subseteq N \setminus P(i)} H(S) = \sum_{S \cap P(i) \neq \emptyset} H(S)$: weight 1 for
# every coalition that meets $i$'s patch. With windows $\{1,2\}, \{2,3\}, \{3,4\}$ (size 2,
# stride 1), variable 2 lies in the first two and gets the mean of their differences,
# $\tfrac12 \sum_S ([S \cap \{1,2\} \neq \emptyset] + [S \cap \{2,3\} \neq \emptyset]) H(S)$: weight 1
# for every $S$ containing 2, and for every $S$ containing both 1 and 3; weight $\tfrac12$ for
# every $S$ containing exactly one of 1 and 3 but not 2; weight 0 for $\{4\}$. Variable 2
# receives effects it takes no part in, by halves.
# ```
#
# ```{exercise}
# :label: ex-occlusion-gap
# Show that the scores of Occlusion-1 sum to $\sum_S |S|\, H(S)$, and compute the gap of the
# first wine sample from its dividends (`unified_attribution.games.harsanyi`). Compare with
# the table above.
# ```
#
# ```{solution} ex-occlusion-gap
# :class: dropdown
# Occlusion-1 gives every member the whole of each coalition's dividend,
# $a_i = \sum_{S \ni i} H(S)$, so $\sum_i a_i = \sum_S |S|\, H(S)$ and the gap is
# $\sum_S (|S| - 1)\, H(S)$: every interaction counted once more than it has members minus
# one. For a wine sample, `effects = harsanyi(MaskingGame(model, x, b))` gives the dividends,
# and `sum((len(c) - 1) * h for k in range(2, effects.n + 1) for c, h in effects.coalitions(k))`
# is the gap, equal to the one in the table above up to float rounding.
# ```
#
# ```{exercise}
# :label: ex-pd-conditional
# Prediction Difference here replaces a feature by draws from its marginal distribution.
# Zintgraf et al. {cite}`zintgraf2017visualizing` also condition on the neighbouring pixels.
# Which part of the derivation breaks for a conditional distribution?
# ```
#
# ```{solution} ex-pd-conditional
# :class: dropdown
# The derivation writes Prediction Difference's game as a mean of masking games, one per
# background row: $v(T) = \mathbb{E}_d[f(x_T, d_{N \setminus T})]$ with $d$ drawn from a
# distribution that does not depend on $T$. The dividends are linear in the game, so they are
# the mean of each row's dividends, and each row's are Taylor effects at a fixed baseline. With
# a conditional distribution $p(d_{N \setminus T} \mid x_T)$ the distribution of the
# replacement changes with $T$: the game is no longer a mean of fixed-baseline games, and its
# dividends mix what the model does with how the features depend on each other. The
# allocation-of-effects reading breaks at the step "mean of masking games".
# ```

# %% [markdown]
# ## Rerun this chapter

# %% tags=["remove-input"]
from IPython.display import Markdown

from attribution_book import rerun

Markdown(rerun.section("perturbation_methods"))
