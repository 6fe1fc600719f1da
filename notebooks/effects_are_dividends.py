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
# (effects-are-dividends)=
# # Generic interaction effects are Harsanyi dividends
#
# :::{admonition} Key results
# :class: tip
# - The generic effects are the Harsanyi dividends of the masking game, $J(S) = H(S)$: proved in sympy for a generic polynomial ({glue:text}`proof_n_residuals` residuals, each 0), so they can be computed for any model from $2^n$ forward passes.
# - For a tanh network the truncated Taylor effects converge to the dividends inside the radius of convergence (error {glue:text}`smooth_final_error_0.1` at $x_\alpha = b + \alpha(x - b)$, $\alpha = 0.1$) and diverge outside ({glue:text}`smooth_final_error_1.0` at $\alpha = 1$, the input itself).
# - On the digits CNN, interactions of order 2 and more carry {glue:text}`cnn_order2plus_mass` of the effect mass.
#
# Symbols: {ref}`notation`. Every verdict: {ref}`claims-ledger`.
# :::
#
# ```{index} Harsanyi dividend, Moebius transform, masking game, baseline, interaction effect
# ```
#
# The generic effects of {ref}`taylor-interactions` are sums over infinitely many Taylor
# terms in general, and need derivatives of every order. This chapter shows that they are
# nevertheless exactly computable, for any model, from $2^n$ forward passes: they are the
# Harsanyi dividends {cite}`harsanyi1963simplified` of the masking game. Then it looks at
# what that means on trained networks, where the Taylor series and the game part ways.
#
# :::{admonition} Whose statement is this?
# :class: note
# The theorem below and its proof are **derived here**; we could not check whether paper A
# {cite}`deng2024unifying` states it in this form. The measurements on trained networks are
# this book's own.
# :::
#
# ## The masking game
#
# ```{prf:definition} Masking game and Harsanyi dividends
# :label: def-masking-game
# For players $N = \{1, \dots, n\}$ (input variables, or groups of them such as image
# patches), the masking game at $x$ with baseline $b$ is
# $v(T) = f(x_T, b_{N \setminus T})$: the players in $T$ take their values in $x$, the others
# in $b$. Its Harsanyi dividends are the Moebius transform
#
# $$
# \begin{gathered}
# H(S) = \sum_{T \subseteq S} (-1)^{|S| - |T|}\, v(T), \\
# \text{equivalently} \quad v(T) = \sum_{S \subseteq T} H(S).
# \end{gathered}
# $$
# ```
#
# The two formulas are inverse to each other (Moebius inversion on the lattice of subsets),
# so the dividends are the *only* numbers whose subset sums give the game. The library
# computes all $2^n$ of them with the fast transform, $n$ vectorised passes over the $2^n$
# values (`unified_attribution.games.harsanyi`).
#
# ## The theorem
#
# ```{prf:theorem} Generic effects are dividends
# :label: thm-effects-dividends
# If the Taylor series of $f$ at $b$ converges absolutely at $x$, then for every player $i$
# and every coalition $S$ with $|S| \geq 2$
#
# $$
# \psi(i) = H(\{i\}), \qquad J(S) = H(S), \qquad\text{and}\qquad H(\emptyset) = f(b).
# $$
# ```
#
# ```{prf:proof}
# Let $E(S)$ denote $\psi(i)$ for $S = \{i\}$, $J(S)$ for $|S| \geq 2$, and
# $E(\emptyset) = f(b)$. The masked input $x_T$ has $\Delta_j = 0$ for $j \notin T$, so
# every term $t(\kappa)$ with $\kappa_j > 0$ for some $j \notin T$ vanishes there, and the
# others are unchanged. Absolute convergence at $x$ gives absolute convergence at $x_T$
# (each term is no larger in modulus), so the terms may be grouped by support:
# $v(T) = f(b) + \sum_{\kappa \neq 0,\, S_\kappa \subseteq T} t(\kappa)
# = \sum_{S \subseteq T} E(S)$. Thus $E$ has the subset sums of $v$, and by the uniqueness
# of Moebius inversion $E(S) = H(S)$ for all $S$.
# ```
#
# Two consequences shape the rest of the book. First, generic effects can be computed for
# *any* model, ReLU networks included, without a single derivative. Second, for a ReLU
# network the dividends exist while the Taylor series at $b$ describes only the linear piece
# around $b$: there, "generic effects" means the dividends, and the Taylor reading is lost.
# Both are measured below.
#
# sympy checks the theorem exactly for every cubic polynomial in three variables (symbolic
# coefficients, $x$ and $b$): one residual $E(S) - H(S)$ per coalition, each expanding to 0.

# %% tags=["parameters"]
profile = "full"  # "full" or "quick"
seed = 0  # which test inputs are drawn

# %% tags=["hide-input"]
import numpy as np
import sympy as sp
import torch
from myst_nb import glue

from attribution_book import data, plots, zoo
from unified_attribution import games
from unified_attribution.taylor import jets, numeric, symbolic

torch.set_num_threads(1)
full = profile == "full"
rng = np.random.default_rng(seed)

# %% tags=["show-input"]
X = sp.symbols("x1:4")
generic, coefficients = symbolic.generic_polynomial(X, 3)
proof = symbolic.prove_effects_are_dividends(generic, X)
assert proof, proof.residuals
glue("proof_n_residuals", len(proof.residuals), display=False)
proof

# %% [markdown]
# All {glue:text}`proof_n_residuals` residuals are exactly 0.
#
# ## On a smooth trained network: the truncated sums converge, or they do not
#
# For an analytic network the generic effects are infinite sums, and the library computes
# their truncations $J_K(S) = \sum_{S_\kappa = S,\ |\kappa| \leq K} t(\kappa)$ by Taylor-mode
# automatic differentiation. By the theorem they converge to $H(S)$ as $K$ grows *if the
# series converges at $x$*. The `smooth_mlp` of {ref}`models-and-data` ($\tanh$, trained on
# the 13 wine features) has a finite radius of convergence: $\tanh$ has poles at
# $\pm i\pi/2$. To see both regimes, take test inputs $x$, the baseline $b = 0$ (the
# training mean, as the features are standardised), all 13 features as players, and move
# along the segment $x_\alpha = b + \alpha (x - b)$. The Taylor terms at $x_\alpha$ are
# those at $x$ times $\alpha^{|\kappa|}$, so one expansion serves every $\alpha$.
#
# The error shown is $\max_S |J_K(S) - H(S)|$ relative to $\max_S |H(S)|$, over all
# $2^{13} - 1$ non-empty coalitions; the line is the median over inputs, the band their
# range. See {numref}`fig-dividend-convergence`.

# %%
smooth = zoo.load("smooth_mlp", seed=seed, profile=profile)
smooth64 = smooth.float64()
wine = data.load("wine")
n_inputs, max_order = (8, 24) if full else (2, 10)
alphas = (0.1, 0.25, 0.5, 1.0)
picked = rng.choice(len(wine.X_test), size=n_inputs, replace=False)
errors = {alpha: [] for alpha in alphas}
radii = []
for index in picked:
    x = torch.as_tensor(wine.X_test[index], dtype=torch.float64)
    target = int(smooth.predict(wine.X_test[index : index + 1])[0])
    parts = numeric.effect_parts(
        games.MaskingGame(smooth64, x, 0.0, target=target), max_order
    )
    radii.append(numeric.radius_of_convergence(parts))
    for alpha in alphas:
        dividends = games.harsanyi(
            games.MaskingGame(smooth64, alpha * x, 0.0, target=target)
        ).dividends
        truncated = np.cumsum(
            parts * alpha ** np.arange(max_order + 1)[:, None], axis=0
        )[1:]
        error = (
            np.abs(truncated - dividends)[:, 1:].max(axis=1)
            / np.abs(dividends[1:]).max()
        )
        errors[alpha].append(error)

fig = plots.convergence(
    {f"α = {a}": np.array(e) for a, e in errors.items()},
    ylabel="max |J_K(S) − H(S)| / max |H(S)|",
)
plots.glue_figure("fig-dividend-convergence", fig)

# %% [markdown]
# ```{glue:figure} fig-dividend-convergence
# :name: fig-dividend-convergence
# :alt: Lines with bands: the error of truncated Taylor effects against the truncation order, one line per input scale alpha.
#
# Truncated Taylor effects $J_K(S)$ against the Harsanyi dividends $H(S)$ of the smooth wine
# network as the truncation order $K$ grows, for inputs scaled by $\alpha$: median (line) and
# range (band) over the inputs of the largest relative difference.
# ```

# %%
radii = np.array(radii)
final = {a: np.median(np.array(e)[:, -1]) for a, e in errors.items()}
glue("smooth_n_inputs", n_inputs, display=False)
glue("smooth_max_order", max_order, display=False)
glue("smooth_radius_median", f"{np.median(radii):.2f}", display=False)
glue("smooth_radius_min", f"{radii.min():.2f}", display=False)
glue("smooth_radius_max", f"{radii.max():.2f}", display=False)
glue("smooth_n_diverging", int((radii < 1).sum()), display=False)
for alpha in alphas:
    glue(f"smooth_final_error_{alpha}", f"{final[alpha]:.1e}", display=False)
print(
    "estimated radius of convergence along x - b, per input:",
    np.round(radii, 2),
)

# %% [markdown]
# Over {glue:text}`smooth_n_inputs` test inputs and truncation orders up to
# {glue:text}`smooth_max_order`, the median relative error at the highest order is
# {glue:text}`smooth_final_error_0.1` at $\alpha = 0.1$,
# {glue:text}`smooth_final_error_0.25` at $\alpha = 0.25$,
# {glue:text}`smooth_final_error_0.5` at $\alpha = 0.5$ and
# {glue:text}`smooth_final_error_1.0` at $\alpha = 1$. A root-test estimate of the radius of
# convergence of $s \mapsto f(b + s(x - b))$ ranges from {glue:text}`smooth_radius_min` to
# {glue:text}`smooth_radius_max` (median {glue:text}`smooth_radius_median`) in units of
# $x - b$: for {glue:text}`smooth_n_diverging` of the inputs it is below 1, and there the
# Taylor sums at the real input run away instead of converging.
#
# **What this means for paper A's reading.** The identity $J(S) = H(S)$ is exact, but the
# *Taylor* interpretation of the effects (sums of derivatives at $b$) holds only inside the
# radius of convergence. The dividends are always defined; the Taylor sums are not. This
# also bears on methods whose weights the next chapters derive term by term: where the series
# diverges, an allocation of Taylor terms must be read as an allocation of dividends.
#
# ## On the digits ReLU CNN: how the output splits over interaction orders
#
# The `digits_cnn` has ReLU activations, so its masking game is the only handle on generic
# effects. Cut each 8x8 digit into a 4x4 grid of 2x2-pixel patches: 16 players and
# $2^{16} = 65\,536$ coalitions per image. The baseline is the blank image ($b = 0$), the
# output is the logit of the predicted class. For each order $k$ the figures show, over test
# images, the share of the absolute effect mass
# $\sum_{|S| = k} |H(S)| \,/\, \sum_{S \neq \emptyset} |H(S)|$ and the signed sum
# $\sum_{|S| = k} H(S)$ relative to $f(x) - f(b)$. See {numref}`fig-order-mass`.

# %%
cnn = zoo.load("digits_cnn", seed=seed, profile=profile)
digits = data.load("digits")
patch_players = games.patches((1, 8, 8), 2)
n_images = 32 if full else 3
chosen = rng.choice(len(digits.X_test), size=n_images, replace=False)
mass_share, signed_share, linear_error, high_order_residue = [], [], [], []
for index in chosen:
    x = cnn.inputs(digits.X_test[index : index + 1])[0]
    target = int(cnn.predict(digits.X_test[index : index + 1])[0])
    game = games.MaskingGame(
        cnn.module, x, 0.0, players=patch_players, target=target
    )
    effects = games.harsanyi(game)
    sizes = games.coalition_sizes(effects.n)
    mass = np.bincount(
        sizes, weights=np.abs(effects.dividends), minlength=17
    )[1:]
    mass_share.append(mass / mass.sum())
    signed_share.append(effects.by_order()[1:] / effects.total)
    high_order_residue.append(np.abs(effects.dividends[sizes > 9]).max())
    # Taylor at b of a ReLU network: its linear piece around b, f(b) + grad f(b) . (x - b)
    first_order = jets.series(
        cnn.module, torch.zeros_like(x)[None], x[None], 1
    )[1, 0, target].item()
    linear_error.append(abs(first_order - effects.total) / abs(effects.total))

mass_share, signed_share, linear_error = map(
    np.array, (mass_share, signed_share, linear_error)
)
fig = plots.order_profile(mass_share, "share of |effect| mass")
plots.glue_figure("fig-order-mass", fig)

# %% [markdown]
# ```{glue:figure} fig-order-mass
# :name: fig-order-mass
# :alt: Box plots per interaction order of the share of absolute effect mass.
#
# How the CNN's dividends spread over interaction orders: the share of the total absolute
# effect mass at each order $k = |S|$, box plot over the digits. The signed sums of each
# order are in {numref}`fig-order-signed`.
# ```

# %%
fig = plots.order_profile(signed_share, "Σ_{|S|=k} H(S) / (f(x) − f(b))")
plots.glue_figure("fig-order-signed", fig)

# %% [markdown]
# ```{glue:figure} fig-order-signed
# :name: fig-order-signed
# :alt: Box plots per interaction order of the signed sum of dividends relative to the output change.
#
# The signed sum of the CNN's dividends of each order $k$, as a share of $f(x) - f(b)$, box
# plot over the digits.
# ```

# %%
glue("cnn_n_images", n_images, display=False)
glue("cnn_order1_mass", f"{np.median(mass_share[:, 0]):.0%}", display=False)
glue(
    "cnn_order2plus_mass",
    f"{np.median(mass_share[:, 1:].sum(axis=1)):.0%}",
    display=False,
)
glue(
    "cnn_order4plus_mass",
    f"{np.median(mass_share[:, 3:].sum(axis=1)):.0%}",
    display=False,
)
glue("cnn_linear_error", f"{np.median(linear_error):.0%}", display=False)

# %% [markdown]
# Over {glue:text}`cnn_n_images` test digits, independent effects (order 1) carry a median
# {glue:text}`cnn_order1_mass` of the absolute effect mass; interactions of order 2 and more
# carry {glue:text}`cnn_order2plus_mass`, and orders 4 and more still
# {glue:text}`cnn_order4plus_mass`. Patches interact strongly: whatever a method does with
# interaction effects matters for what its map shows.
#
# Dividends of high order are tiny here. **Derived here**: none above order 9 can be non-zero
# at all. The output is a linear function of the pooled units, so its dividends are sums of
# theirs (the transform is linear); each pooled unit sees a 6x6-pixel region, at most 9 of
# the 2x2 patches, and a coalition that no single unit sees has a zero dividend. In float32
# that zero is blurred by rounding (a dividend of order 16 sums 65 536 values with alternating
# signs), so the check runs in float64, on the images whose float32 dividends above order 9
# look largest:

# %%
cnn64 = cnn.float64()
above_nine = games.coalition_sizes(16) > 9
largest_above_nine, float32_noise = [], []
for index in chosen[np.argsort(high_order_residue)[-(3 if full else 1) :]]:
    x = cnn.inputs(digits.X_test[index : index + 1])[0]
    target = int(cnn.predict(digits.X_test[index : index + 1])[0])
    exact = games.harsanyi(
        games.MaskingGame(
            cnn64, x.double(), 0.0, players=patch_players, target=target
        )
    ).dividends
    rounded = games.harsanyi(
        games.MaskingGame(
            cnn.module, x, 0.0, players=patch_players, target=target
        )
    ).dividends
    largest_above_nine.append(
        np.abs(exact[above_nine]).max() / np.abs(exact[1:]).max()
    )
    float32_noise.append(
        np.abs(rounded[above_nine]).max() / np.abs(exact[1:]).max()
    )
assert max(largest_above_nine) < 1e-10, (
    "a dividend above order 9 contradicts the receptive-field argument"
)
glue("cnn_rf_images", len(largest_above_nine), display=False)
glue("cnn_rf_float64", f"{max(largest_above_nine):.0e}", display=False)
glue("cnn_rf_float32", f"{max(float32_noise):.0e}", display=False)

# %% [markdown]
# On {glue:text}`cnn_rf_images` images, the largest dividend of order 10 or more is
# {glue:text}`cnn_rf_float64` of the largest dividend in float64 (in float32 rounding leaves
# up to {glue:text}`cnn_rf_float32`): the bound holds. Blank patches, equal to the baseline,
# take part in no effect at all (exercise 3 of {ref}`taylor-interactions`).
#
# The Taylor series of this ReLU network at the blank baseline, on the other hand, is its
# linear piece there: it predicts no interactions at all, and its first-order prediction of
# $f(x) - f(b)$ misses by a median {glue:text}`cnn_linear_error` of the true difference.
# That is the caveat raised against Taylor arguments for ReLU networks, in numbers: for such
# networks, the generic effects of paper A are the dividends of the masking game, and not
# sums of derivatives at $b$.
#
# ## Exercises
#
# ```{exercise}
# :label: ex-unanimity
# The unanimity game of a coalition $R$ is $u_R(T) = 1$ if $R \subseteq T$, else 0. Show
# that its only non-zero dividend is $H(R) = 1$, and that the masking game of
# $f(x) = \prod_{i \in R} x_i$ at $b = 0$ is $\prod_{i \in R} x_i$ times $u_R$.
# ```
#
# ```{solution} ex-unanimity
# :class: dropdown
# $u_R = \sum_{S \subseteq T} [S = R]$ for every $T$, so by uniqueness of Moebius inversion
# $H(S) = [S = R]$. At $b = 0$ the product vanishes unless every factor keeps its value in
# $x$, that is unless $R \subseteq T$. The test `test_masking_game_of_a_product_is_a_unanimity_game`
# checks a version with a non-zero baseline.
# ```
#
# ```{exercise}
# :label: ex-max
# Let $f(x) = \max(x_1, x_2)$, $b = 0$ and $x = (1, 2)$. Compute all four dividends. Is
# there a Taylor series at $b$ to compare them with?
# ```
#
# ```{solution} ex-max
# :class: dropdown
# $v(\emptyset) = 0$, $v(\{1\}) = 1$, $v(\{2\}) = 2$, $v(\{1, 2\}) = 2$, so $H(\{1\}) = 1$,
# $H(\{2\}) = 2$ and $H(\{1, 2\}) = 2 - 1 - 2 + 0 = -1$. The function is not differentiable
# at $b = 0$: there is no Taylor series, yet the interaction effect $-1$ is perfectly
# defined. This is the situation of every ReLU network whose baseline sits on a kink.
# ```
#
# ```{exercise}
# :label: ex-radius
# For $f(x) = \tanh(w^\top x)$ and $b = 0$, find the radius of convergence of
# $s \mapsto f(s x)$, and the inputs $x$ at which the truncated sums $J_K(S)$ converge to the
# dividends.
# ```
#
# ```{solution} ex-radius
# :class: dropdown
# $\tanh(z)$ is analytic in $|z| < \pi/2$ with poles at $z = \pm i\pi/2$, so the series of
# $s \mapsto \tanh(s\, w^\top x)$ converges for $|s| < \pi / (2 |w^\top x|)$. The sums
# converge at $x$ when $|w^\top x| < \pi/2$ (and, as $|w^\top x_T|$ may be larger than
# $|w^\top x|$, convergence at every masked input needs
# $\sum_i |w_i \Delta_i| < \pi/2$). The test `test_radius_of_convergence_of_tanh_is_half_pi`
# checks the estimate used above on this function.
# ```

# %% [markdown]
# ## Rerun this chapter

# %% tags=["remove-input"]
from IPython.display import Markdown

from attribution_book import rerun

Markdown(rerun.section("effects_are_dividends"))
