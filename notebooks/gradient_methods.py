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
# (gradient-methods)=
# # The gradient family: Gradient x Input, Integrated Gradients, Expected Gradients
#
# :::{admonition} Key results
# :class: tip
# - Gradient x Input $= \sum_\kappa \kappa_i\, t(\kappa)$ and Integrated Gradients $= \sum_\kappa (\kappa_i / |\kappa|)\, t(\kappa)$, rebuilt from Taylor terms to {glue:text}`rebuild_gradient_x_input_0.1` and {glue:text}`rebuild_integrated_gradients_0.1` inside the radius of convergence.
# - Paper A's Table 1 rows: Gradient x Input **{glue:text}`principles.ipynb::claim_A_T1_gradient_x_input:s`**, Integrated Gradients **{glue:text}`principles.ipynb::claim_A_T1_integrated_gradients:s`**, Expected Gradients **{glue:text}`principles.ipynb::claim_A_T1_expected_gradients:s`** ({ref}`claims-ledger`).
#
# Symbols: {ref}`notation`. Every verdict: {ref}`claims-ledger`.
# :::
#
# ```{index} Gradient x Input, Integrated Gradients, Expected Gradients, allocation weight, completeness
# ```
#
# Three methods read the model through its gradient: Gradient x Input
# {cite}`shrikumar2017learning`, Integrated Gradients {cite}`sundararajan2017axiomatic` and
# Expected Gradients {cite}`erion2021improving`. This chapter writes each as an allocation of
# the Taylor terms $t(\kappa)$ of {ref}`taylor-interactions`, proves the allocation exactly
# with sympy, checks it numerically on a trained network, and runs the three methods on the
# same digits and wine samples the other method chapters use.
#
# :::{admonition} Whose statement is this?
# :class: note
# **Paper A** {cite}`deng2024unifying` states (abstract) that each of these methods is a
# weighted allocation of independent and interaction effects. The weights below, their
# proofs and every measurement are **derived here**; the paper's own statement of the
# weights was not available to us.
# :::

# %% tags=["parameters"]
profile = "full"  # "full" for the book, "quick" for the tests
seed = 0  # seed of the models and of Expected Gradients' sampling

# %% tags=["hide-input"]
import numpy as np
import sympy as sp
import torch
from IPython.display import Math, display
from myst_nb import glue

from attribution_book import plots, showcase, zoo
from unified_attribution import methods
from unified_attribution.methods import attribute
from unified_attribution.taylor import symbolic
from unified_attribution.theory import allocation, networks

GRADIENT = ["gradient_x_input", "integrated_gradients", "expected_gradients"]
TITLES = {m: methods.get(m).title for m in GRADIENT}
showcase.method_table(GRADIENT)

# %% [markdown]
# ## Paper A's Table 1 for this family
#
# The paper's rows, re-expressed in the book's notation (its symbols: $\phi(\kappa)$ a Taylor term of one variable,
# $I(\kappa)$ a term of several, $\psi$ and $J$ their sums by support), each with the book's
# verdict on it; every row is checked in sympy in {ref}`principles`.
# Where the two differ, the derivation below is the book's and the numbers that separate the
# readings on the trained models are in {ref}`principles`.

# %%
showcase.table_1(GRADIENT)

# %% [markdown]
# ## The weights, derived
#
# ```{prf:theorem} Gradient-family weights
# :label: thm-gradient-weights
# If the Taylor series of $f$ at $b$ converges absolutely on the segment from $b$ to $x$,
# then with $t(\kappa)$ the Taylor terms at $b$
#
# $$
# \begin{gathered}
# \text{Gradient x Input: } a_i = \sum_\kappa \kappa_i\, t(\kappa), \\
# \text{Integrated Gradients: } a_i = \sum_\kappa \frac{\kappa_i}{|\kappa|}\, t(\kappa).
# \end{gathered}
# $$
# ```
#
# ```{prf:proof}
# Write $t(\kappa) = c_\kappa \Delta^\kappa$ with $\Delta = x - b$. Then
# $\Delta_i\, \partial_i (c_\kappa \Delta^\kappa) = \kappa_i\, c_\kappa \Delta^\kappa$, and
# summing over $\kappa$ (term-wise differentiation is allowed inside the radius of
# convergence) gives Gradient x Input. On the straight path $b + s\Delta$, the term is
# $s^{|\kappa|} t(\kappa)$, so
# $\Delta_i \int_0^1 \partial_i f(b + s\Delta)\, ds
# = \sum_\kappa \kappa_i\, t(\kappa) \int_0^1 s^{|\kappa| - 1} ds
# = \sum_\kappa \frac{\kappa_i}{|\kappa|} t(\kappa)$.
# ```
#
# Gradient x Input gives a term of order $|\kappa|$ to its variables $|\kappa|$ times in
# all; Integrated Gradients gives it exactly once, in proportion to the exponents. Expected
# Gradients is Integrated Gradients averaged over baselines $b \sim p$; the weights are the
# same for each baseline, but the terms $t(\kappa)$ are those of the expansion at that
# baseline, so its "effects" are themselves averages over baselines (linearity; no separate
# proof).
#
# sympy checks both weights exactly: for every polynomial of degree 3 in 3 variables
# (symbolic coefficients, symbolic $x$ and $b$), the method's closed form minus the weighted
# sum of terms expands to 0 for every variable.

# %% tags=["show-input"]
x1, x2, x3 = variables = sp.symbols("x1:4")
generic, _ = symbolic.generic_polynomial(variables, 3)
for name in ("gradient_x_input", "integrated_gradients"):
    proof = allocation.prove_reformulation(name, generic, variables)
    assert proof, proof.residuals
    display(
        Math(
            rf"\text{{{TITLES[name]}}}:\quad w_i(\kappa) = {sp.latex(allocation.weight(name))},"
            rf"\quad \text{{residuals: }} {sorted(set(map(str, proof.residuals.values())))}"
        )
    )
glue(
    "generic_terms",
    len(symbolic.taylor_terms(generic, variables)),
    display=False,
)

# %% [markdown]
# The generic cubic has {glue:text}`generic_terms` Taylor terms, each with its own symbolic
# coefficient; every residual is exactly 0. One term by hand: $f = x_1^2 x_2$ at $b = 0$ is a
# single term with $\kappa = (2, 1, 0)$.

# %% tags=["show-input"]
f = x1**2 * x2
for name in ("gradient_x_input", "integrated_gradients"):
    scores = allocation.closed_form(name, f, variables)
    display(
        Math(
            rf"\begin{{gathered}}\text{{{TITLES[name]}}}(x_1^2 x_2):\\ a = "
            + sp.latex(sp.Matrix(scores))
            + r"\end{gathered}"
        )
    )

# %% [markdown]
# Gradient x Input hands out $3\,x_1^2x_2$, three times the effect; Integrated Gradients
# splits the effect $2 : 1$ by the exponents. The figure shows the same for single terms of
# order 1 to 3: the dotted line is the whole effect. See {numref}`fig-gradient-split`.

# %% tags=["show-input"]
keys = [(1, 0, 0), (2, 0, 0), (3, 0, 0), (1, 1, 0), (2, 1, 0), (1, 1, 1)]
split = {
    TITLES[m]: [
        [float(w) for w in allocation.weights_of(m, k, 3)] for k in keys
    ]
    for m in ("gradient_x_input", "integrated_gradients")
}
fig = plots.allocation_split(split, [f"κ = {k}" for k in keys], 3)
plots.glue_figure("fig-gradient-split", fig)

# %% [markdown]
# ```{glue:figure} fig-gradient-split
# :name: fig-gradient-split
# :alt: Bar panels, one per multi-index kappa: the weight each method gives each variable.
#
# How Gradient x Input and Integrated Gradients split single Taylor terms $\kappa$ of order 1
# to 3 among three variables; the dotted line is the whole effect.
# ```

# %% [markdown]
# ## Checked on a trained network
#
# On the tanh network for the wine data (`smooth_mlp`, 13 inputs, analytic), the library
# computes $G_k(i) = \sum_{|\kappa| = k} \kappa_i\, t(\kappa)$ for every order $k$ by
# Taylor-mode differentiation and Euler's identity
# (`unified_attribution.taylor.numeric.gradient_parts`), and rebuilds the methods with
# their weights, truncated at order $K$: Gradient x Input as $\sum_{k \le K} G_k$ and
# Integrated Gradients as $\sum_{k \le K} G_k / k$. The figure compares them with captum's
# runs at $x_\alpha = b + \alpha (x - b)$, $b = 0$ (the training mean), for test inputs of
# the wine data (`allocation.rebuild_errors`, tested in `tests/test_allocation.py`). See {numref}`fig-gradient-rebuild`.

# %%
smooth = zoo.load("smooth_mlp", seed=seed, profile=profile)
smooth64 = smooth.float64()
wine = smooth.dataset
x_wine = smooth.inputs(wine.X_test[:8]).double()
wine_target = torch.as_tensor(smooth.predict(wine.X_test[:8]))
max_order = 20 if profile == "full" else 10
alphas = (0.1, 0.25, 1.0)
rebuild_error = {
    m: {a: [] for a in alphas}
    for m in ("gradient_x_input", "integrated_gradients")
}
for alpha in alphas:
    for x, target in zip(alpha * x_wine, wine_target.tolist()):
        for m, errors in allocation.rebuild_errors(
            smooth64, x, 0.0, target, max_order
        ).items():
            rebuild_error[m][alpha].append(errors)

fig, axes = plots.plt.subplots(1, 2, figsize=(plots.WIDTH, 3.4), sharey=True)
for ax, m in zip(axes, rebuild_error):
    plots.convergence(
        {f"α = {a}": np.array(e) for a, e in rebuild_error[m].items()},
        ylabel="largest |rebuilt - method| / largest |score|",
        ax=ax,
    )
    ax.set_title(TITLES[m], fontsize=10)
plots.glue_figure("fig-gradient-rebuild", fig)
final = {
    (m, a): np.median(np.array(e)[:, -1])
    for m in rebuild_error
    for a, e in rebuild_error[m].items()
}
for (m, a), value in final.items():
    glue(f"rebuild_{m}_{a}", f"{value:.0e}", display=False)
glue("rebuild_max_order", max_order, display=False)

# %% [markdown]
# ```{glue:figure} fig-gradient-rebuild
# :name: fig-gradient-rebuild
# :alt: Two panels of convergence curves, Gradient x Input and Integrated Gradients: rebuild error against the truncation order.
#
# Scores rebuilt from Taylor terms up to order $K$ with each method's weights, against the
# method's own scores on the smooth wine network, for inputs scaled by $\alpha$ (median and
# range over inputs).
# ```

# %% [markdown]
# At $K =$ {glue:text}`rebuild_max_order` the median relative difference is
# {glue:text}`rebuild_gradient_x_input_0.1` (Gradient x Input) and
# {glue:text}`rebuild_integrated_gradients_0.1` (Integrated Gradients) at $\alpha = 0.1$,
# {glue:text}`rebuild_gradient_x_input_0.25` and {glue:text}`rebuild_integrated_gradients_0.25`
# at $\alpha = 0.25$, both computed in float64 (the library evaluates Integrated Gradients'
# quadrature itself, in the model's precision; captum casts its quadrature weights to float32).
# At the real inputs ($\alpha = 1$) the
# truncated sums grow without bound ({glue:text}`rebuild_gradient_x_input_1.0` and
# {glue:text}`rebuild_integrated_gradients_1.0`): the inputs lie outside the radius of
# convergence of the expansion at $b$ (measured in {ref}`effects-are-dividends`). The
# theorem's assumption is not a formality; there the weights describe the methods only
# through the Harsanyi dividends, not through a convergent Taylor series.
#
# ## Integrated Gradients is an integral, computed with a budget
#
# The library evaluates the integral with a quadrature of `n_steps` gradients
# (`methods.gradient.integration_rule`). The exact integral
# is complete, $\sum_i a_i = f(x) - f(b)$, so the completeness gap measures the integration
# error. On the smooth network, Gauss-Legendre quadrature converges fast; on the ReLU digits
# network the integrand jumps where the path crosses a kink, and the error falls only about
# like $1/n$. See {numref}`fig-ig-steps`.

# %%
digits_mlp = zoo.load("digits_mlp", seed=seed, profile=profile)
mlp64 = digits_mlp.float64()
x_digits, digit_target = showcase.digit_examples(digits_mlp)
steps = [4, 8, 16, 32, 64, 128, 256]
gap_by_steps = {}
for label, model, x, target in (
    ("smooth wine MLP", smooth64, x_wine, wine_target),
    ("ReLU digits MLP", mlp64, x_digits, digit_target),
):
    for quadrature in ("gausslegendre", "riemann_trapezoid"):
        rows = []
        for n in steps:
            ig = attribute(
                "integrated_gradients",
                model,
                x,
                0.0,
                target=target,
                n_steps=n,
                quadrature=quadrature,
            )
            rows.append((ig.gap.abs() / ig.output_change.abs()).numpy())
        gap_by_steps[f"{label}, {quadrature}"] = np.array(rows).T
fig = plots.budget_curve(
    steps, gap_by_steps, "n_steps", "|completeness gap| / |f(x) - f(b)|"
)
plots.glue_figure("fig-ig-steps", fig)


def order(
    label,
):  # the empirical order p of an error falling like 1 / n^p, from 8 to 128 steps
    median = np.median(gap_by_steps[label], axis=0)
    return -np.log(
        median[steps.index(128)] / median[steps.index(8)]
    ) / np.log(16)


glue(
    "trapezoid_order_smooth",
    f"{order('smooth wine MLP, riemann_trapezoid'):.1f}",
    display=False,
)
glue(
    "trapezoid_order_relu",
    f"{order('ReLU digits MLP, riemann_trapezoid'):.1f}",
    display=False,
)
glue(
    "gl_smooth_16",
    f"{np.median(gap_by_steps['smooth wine MLP, gausslegendre'][:, steps.index(16)]):.0e}",
    display=False,
)

# %% [markdown]
# ```{glue:figure} fig-ig-steps
# :name: fig-ig-steps
# :alt: Lines of the completeness gap of Integrated Gradients against the number of steps, log-log.
#
# Integrated Gradients' completeness gap against the number of quadrature steps, on the smooth
# network and on ReLU networks.
# ```

# %% [markdown]
# On the smooth network Gauss-Legendre is at {glue:text}`gl_smooth_16` with 16 steps; on the
# ReLU network it gains only about a factor 100 from 4 to 256 steps. The trapezoid rule's
# error falls like $1/n^p$ with $p$ = {glue:text}`trapezoid_order_smooth` on the smooth network
# (the rule's order, 2) and {glue:text}`trapezoid_order_relu` on the ReLU network (the
# integrand jumps at the kinks). captum 0.9's own trapezoid weights sum to $(n-1)/n$ instead
# of 1, which scales every score by $(n-1)/n$ and would make its error fall only like $1/n$;
# the library computes the rule itself (tested against the closed form on linear and cubic
# models in `tests/test_methods.py`). The library's default, 64 Gauss-Legendre steps, is used
# in the rest of the book.
#
# ## Maps on the digits
#
# The same six test digits in every method chapter (the first test image of each class 0-5),
# explained for the class the model predicts, with the blank image as baseline; Expected
# Gradients draws its baselines from 64 training digits. See {numref}`fig-gradient-maps`.

# %%
background = digits_mlp.inputs(digits_mlp.dataset.X_train[:64]).double()
runs = showcase.run(
    GRADIENT,
    mlp64,
    x_digits,
    0.0,
    digit_target,
    background,
    options={"expected_gradients": {"seed": seed}},
)
images = x_digits.reshape(-1, 8, 8).numpy()
fig = plots.attribution_maps(
    images,
    {TITLES[m]: a.scores.numpy() for m, a in runs.items()},
    titles=[f"predicted {int(t)}" for t in digit_target],
)
plots.glue_figure("fig-gradient-maps", fig)

# %% [markdown]
# ```{glue:figure} fig-gradient-maps
# :name: fig-gradient-maps
# :alt: A grid of attribution maps: one row per gradient method, one column per digit.
#
# Gradient-family attribution maps of six test digits explained for the predicted class (red
# positive, blue negative, each map scaled to its own largest $|a_i|$, as the colour bar shows).
# ```

# %% [markdown]
# Gradient x Input and Integrated Gradients differ in detail only: on a ReLU network both
# see the same linear piece near $x$, and Integrated Gradients averages the pieces along the
# path. Expected Gradients, with real digits as baselines, also scores the blank pixels
# where other digits have ink.
#
# ## Completeness
#
# The gap $\sum_i a_i - (f(x) - f(b))$ relative to $|f(x) - f(b)|$, over the six digits
# (MLP) and the eight wine inputs.

# %%
wine_runs = showcase.run(
    GRADIENT,
    smooth64,
    x_wine,
    0.0,
    wine_target,
    smooth.inputs(wine.X_train).double(),
    options={"expected_gradients": {"seed": seed}},
)
gaps = (
    showcase.gap_table(runs)
    .assign(data="digits")
    .merge(showcase.gap_table(wine_runs).assign(data="wine"), how="outer")
)
showcase.html(gaps.sort_values(["data", "method"]))

# %% [markdown]
# Integrated Gradients is complete up to its quadrature; Gradient x Input is not complete
# (it over-counts higher orders; on a ReLU network with biases the linear piece at $x$ does
# not reach $b$); Expected Gradients is complete in expectation over the baselines, up to its
# Monte Carlo error.
#
# ## Scores on a tabular model
#
# The first wine test sample, all three methods, baseline the training mean (0 after
# standardisation; a distribution of training rows for Expected Gradients). See {numref}`fig-gradient-wine`.

# %%
fig = plots.feature_scores(
    {TITLES[m]: a.scores[0].numpy() for m, a in wine_runs.items()},
    wine.feature_names,
    top=10,
)
plots.glue_figure("fig-gradient-wine", fig)

# %% [markdown]
# ```{glue:figure} fig-gradient-wine
# :name: fig-gradient-wine
# :alt: Horizontal bars of the three methods' scores for ten wine features.
#
# The three gradient methods on the first wine test sample: the ten features with the largest
# scores.
# ```

# %% [markdown]
# ## Exercises
#
# ```{exercise}
# :label: ex-gxi-total
# Show that the scores of Gradient x Input sum to $\sum_\kappa |\kappa|\, t(\kappa)$. For
# which functions is Gradient x Input complete at $b = 0$? (Hint: homogeneous functions of
# degree 1, such as bias-free ReLU networks.)
# ```
#
# ```{solution} ex-gxi-total
# :class: dropdown
# Gradient x Input gives $i$ the share $\kappa_i$ of every term, so the scores sum to
# $\sum_i \sum_\kappa \kappa_i\, t(\kappa) = \sum_\kappa |\kappa|\, t(\kappa)$, while
# $f(x) - f(b) = \sum_\kappa t(\kappa)$: every term of order $k$ is counted $k$ times. It is
# complete when that sum equals $f(x) - f(b)$ for every $x$. At $b = 0$ this is Euler's
# identity $x \cdot \nabla f(x) = f(x)$ with $f(0) = 0$, which holds exactly for functions that
# are positively homogeneous of degree 1, $f(\lambda x) = \lambda f(x)$ for $\lambda > 0$: linear
# maps without bias and ReLU networks without biases (piecewise linear through the origin).
# ```
#
# ```{exercise}
# :label: ex-ig-path
# Integrated Gradients along the path $\gamma(s) = b + (s^2 \Delta_1, s \Delta_2)$ in two
# variables: derive its weights $w_i(\kappa)$ over the Taylor terms at $b$, and check your
# answer with `sympy.integrate` on $f = x_1 x_2$. Does the new method satisfy the third principle (complete allocation) of
# {ref}`principles`?
# ```
#
# ```{solution} ex-ig-path
# :class: dropdown
# Along $\gamma(s) = b + (s^2 \Delta_1, s \Delta_2)$ the term $t(\kappa) = c\, \Delta^\kappa$ takes
# the value $c\, \Delta^\kappa s^{2\kappa_1 + \kappa_2}$. The path integral
# $a_i = \int_0^1 \partial_i f(\gamma(s))\, \gamma_i'(s)\, ds$ splits the derivative of each term
# by coordinate: coordinate 1 contributes $2\kappa_1 s^{2\kappa_1 + \kappa_2 - 1}$, coordinate 2
# $\kappa_2 s^{2\kappa_1 + \kappa_2 - 1}$ (times $c\,\Delta^\kappa$). Integrating from 0 to 1,
#
# $$
# w_1(\kappa) = \frac{2\kappa_1}{2\kappa_1 + \kappa_2}, \qquad
# w_2(\kappa) = \frac{\kappa_2}{2\kappa_1 + \kappa_2}.
# $$
#
# For $f = x_1 x_2$ at $b = 0$, $\kappa = (1, 1)$: $a_1 = \tfrac23 x_1 x_2$, $a_2 = \tfrac13 x_1 x_2$
# (`sympy.integrate(sp.diff(f, x1).subs({x1: s**2 * x1, x2: s * x2}) * 2 * s * x1, (s, 0, 1))`
# gives $\tfrac23 x_1 x_2$). The weights of each term sum to 1 and vanish for variables not in
# it: complete allocation holds, and so do the two other principles. The path changes *how*
# an interaction is split, not whether it is split completely.
# ```
#
# ```{exercise}
# :label: ex-eg-terms
# Expected Gradients with a baseline distribution $p$: write its scores as an allocation of
# the Taylor terms at the mean $\bar b$ of $p$ when $f$ is a polynomial of degree 2. Which
# moments of $p$ appear?
# ```
#
# ```{solution} ex-eg-terms
# :class: dropdown
# Write $f(x) = c + g^\top x + \tfrac12 x^\top A x$ and let $b \sim p$ with mean $\bar b$ and
# covariance $\Sigma$. Integrated Gradients from one baseline is
# $a_i(b) = (x_i - b_i)\,[g_i + (A(x + b)/2)_i]$. Taking the expectation over $b$ and comparing
# with Integrated Gradients from the mean,
#
# $$
# \mathbb{E}_b[a_i(b)] = a_i(\bar b) - \tfrac12 \sum_j A_{ij} \Sigma_{ij}.
# $$
#
# So Expected Gradients allocates the Taylor terms at $\bar b$ with Integrated Gradients'
# weights $\kappa_i / |\kappa|$, and shifts each score by $-\tfrac12 (A\Sigma)_{ii}$. Only the
# first two moments of $p$ appear (its mean and covariance). The shifts sum to
# $-\tfrac12 \operatorname{tr}(A\Sigma) = f(\bar b) - \mathbb{E}[f(b)]$, so the scores sum to
# $f(x) - \mathbb{E}[f(b)]$: complete against the mean output over the baselines.
# ```

# %% [markdown]
# The next three exercises are computed, and graded when the chapter is an assignment
# (README, "For instructors"): store each answer under the name the exercise gives.
#
# ```{exercise}
# :label: ex-gxi-degree
# Compute Gradient x Input's scores $x_i \partial_i f(x)$ for $f(x) = x_1^2 x_2$ at
# $x = (1, 2)$, $b = 0$, with sympy, and store their sum divided by $f(x) - f(b)$ as
# `gxi_total_ratio`. Explain the number with {ref}`ex-gxi-total`.
# ```
#
# ```{solution-start} ex-gxi-degree
# :class: dropdown
# ```
# Every term of $x_1^2 x_2$ is of order 3 and is counted 3 times:

# %% grade={"answer": "gxi_total_ratio", "atol": 1e-12, "points": 1, "rtol": 0}
y1, y2 = sp.symbols("y1 y2")
cubic_f = y1**2 * y2
at_y = {y1: 1, y2: 2}
gxi_scores = [(yi * sp.diff(cubic_f, yi)).subs(at_y) for yi in (y1, y2)]
gxi_total_ratio = float(sum(gxi_scores) / cubic_f.subs(at_y))
gxi_total_ratio

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{exercise}
# :label: ex-ig-path-numbers
# For the path of {ref}`ex-ig-path`, $\gamma(s) = b + (s^2 \Delta_1, s \Delta_2)$, compute
# both scores of $f = x_1 x_2$ at $x = (3, 2)$, $b = 0$ with `sympy.integrate`, and store
# them as `path_scores`.
# ```
#
# ```{solution-start} ex-ig-path-numbers
# :class: dropdown
# ```
# The weights $2\kappa_1 / (2\kappa_1 + \kappa_2)$ and $\kappa_2 / (2\kappa_1 + \kappa_2)$ on
# the one term $x_1 x_2$ give two thirds and one third of $f(x)$:

# %% grade={"answer": "path_scores", "atol": 1e-12, "points": 1, "rtol": 0}
s = sp.Symbol("s")
product_f = y1 * y2
point = {y1: 3, y2: 2}
path = {y1: s**2 * point[y1], y2: s * point[y2]}
path_scores = [
    float(
        sp.integrate(
            sp.diff(product_f, yi).subs(path) * sp.diff(path[yi], s),
            (s, 0, 1),
        )
    )
    for yi in (y1, y2)
]
assert sum(path_scores) == float(product_f.subs(point))  # complete
path_scores

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{exercise}
# :label: ex-relu-gap
# Gradient x Input on the ReLU network `networks.one_hidden([[1, -1], [2, 1]], c, [1, 1])`
# at $x = (2, 1)$, baseline 0: compute its gap (the sum of the scores minus
# $f(x) - f(0)$, `Attribution.gap`) without biases ($c = (0, 0)$) and with $c = (0, -1)$,
# and store the two gaps as `relu_gaps`. Which network is positively homogeneous?
# ```
#
# ```{solution-start} ex-relu-gap
# :class: dropdown
# ```
# Without biases the network is positively homogeneous of degree 1 and Gradient x Input is
# complete ({ref}`ex-gxi-total`); with the bias $-1$ the gap is the part of
# $f(x) - f(0)$ that the bias accounts for along the way:

# %% grade={"answer": "relu_gaps", "atol": 1e-12, "points": 1, "rtol": 0}
x_relu = torch.tensor([[2.0, 1.0]], dtype=torch.float64)
relu_gaps = [
    float(
        attribute(
            "gradient_x_input",
            networks.one_hidden([[1.0, -1.0], [2.0, 1.0]], bias, [1.0, 1.0]),
            x_relu,
            0.0,
            target=0,
        ).gap[0]
    )
    for bias in ([0.0, 0.0], [0.0, -1.0])
]
relu_gaps

# %% [markdown]
# ```{solution-end}
# ```

# %% [markdown]
# ## Rerun this chapter

# %% tags=["remove-input"]
from IPython.display import Markdown

from attribution_book import rerun

Markdown(rerun.section("gradient_methods"))
