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
# (taylor-interactions)=
# # Taylor interactions
#
# :::{admonition} Key results
# :class: tip
# - Paper A's decomposition $f(x) - f(b) = \sum_i \psi(i) + \sum_{|S| \ge 2} J(S)$: **{glue:text}`claim_A_abstract_decomposition`** ({glue:text}`claim_A_abstract_decomposition_numbers`).
# - The worked example: {glue:text}`example_n_terms` Taylor terms, whose effects sum to {glue:text}`example_sum` $= f(x) - f(b)$.
#
# Symbols: {ref}`notation`. Every verdict: {ref}`claims-ledger`.
# :::
#
# ```{index} Taylor term, independent effect, interaction effect, Taylor expansion, multi-index
# ```
#
# Paper A {cite}`deng2024unifying` explains fourteen attribution methods with one vocabulary:
# the terms of the Taylor expansion of the model at a baseline, grouped by the set of
# variables they involve. This chapter sets up that vocabulary, works one example through
# with sympy, and proves the decomposition on which everything else rests.
#
# :::{admonition} Whose statement is this?
# :class: note
# The full text of paper A was not available to us. Statements marked **Paper A** are what
# its abstract says (methods are weighted allocations of independent and interaction
# effects). Statements marked **Derived here** are this book's own, with a proof and a
# computation that checks them; the notation is ours.
# :::
#
# ## Definitions
#
# Let $f:\mathbb{R}^n\to\mathbb{R}$ be the model output (one logit, say), $x$ the input to
# explain, $b$ a baseline and $\Delta = x - b$. A multi-index $\kappa\in\mathbb{N}^n$ has
# order $|\kappa| = \sum_i \kappa_i$, factorial $\kappa! = \prod_i \kappa_i!$ and support
# $S_\kappa = \{i : \kappa_i > 0\}$.
#
# ```{prf:definition} Taylor terms
# :label: def-taylor-term
# The Taylor term of $f$ at $b$ for the multi-index $\kappa \neq 0$ is
# $t(\kappa) = \frac{1}{\kappa!}\, \partial^{\kappa} f(b)\, \Delta^{\kappa}$, where
# $\Delta^{\kappa} = \prod_i \Delta_i^{\kappa_i}$.
# ```
#
# ```{prf:definition} Independent and interaction effects
# :label: def-effects
# A term with $|S_\kappa| = 1$ is an *independent effect* of its one variable; a term with
# $|S_\kappa| \geq 2$ is an *interaction effect* among the variables of $S_\kappa$. The
# *generic independent effect* of $i$ and the *generic interaction effect* of $S$,
# $|S| \geq 2$, collect all orders:
#
# $$
# \psi(i) = \sum_{\kappa:\, S_\kappa = \{i\}} t(\kappa), \qquad
# J(S) = \sum_{\kappa:\, S_\kappa = S} t(\kappa).
# $$
# ```
#
# **Paper A** states every method's attribution to $x_i$ as an allocation of the effects,
# $a_i = \sum_j w_{i,j}\, \psi(j) + \sum_{|S|>1} w_{i,S}\, J(S)$; the book works with the finer,
# per-term form $a_i = \sum_\kappa w_i(\kappa)\, t(\kappa)$ (its reading: the same terms,
# different weights). The next
# chapters derive the weights $w_i$ of each method.

# %% tags=["parameters"]
profile = "full"  # "full" or "quick"
seed = 0  # seed of the random polynomials checked below

# %% tags=["hide-input"]
import matplotlib.pyplot as plt
import sympy as sp
from IPython.display import Math, display
from myst_nb import glue

from attribution_book import claims, plots
from unified_attribution.taylor import symbolic

# %% [markdown]
# ## A worked example
#
# Take three variables, a polynomial with independent effects of orders 1 and 2 and
# interactions of orders 2 and 3, and the baseline $b = (1, 0, 2)$:

# %% tags=["show-input"]
x1, x2, x3 = X = sp.symbols("x1:4")
f = 3 * x1 + x1**2 * x2 - 2 * x2 * x3 + x1 * x2 * x3
b = (1, 0, 2)
display(
    Math(
        r"f(x) = " + sp.latex(f) + r",\qquad b = " + sp.latex(sp.Matrix(b).T)
    )
)

# %% [markdown]
# Its Taylor terms at $b$, computed from the derivatives (for a polynomial the expansion is
# finite and exact):

# %% tags=["show-input"]
terms = symbolic.taylor_terms(f, X, b)
display(Math(symbolic.latex_table(terms)))
glue("example_n_terms", len(terms), display=False)

# %% [markdown]
# Grouping the {glue:text}`example_n_terms` terms by their support gives the generic
# effects. Note how $x_1^2 x_2$ contributes to $J(\{1, 2\})$ with two terms, one of order 2
# and one of order 3: an interaction effect is not one term but a sum over all orders.

# %% tags=["show-input"]
psi, J = symbolic.generic_effects(terms)
for i, effect in sorted(psi.items()):
    display(Math(rf"\psi({i + 1}) = {sp.latex(sp.factor(effect))}"))
for S, effect in sorted(
    J.items(), key=lambda kv: (len(kv[0]), sorted(kv[0]))
):
    members = ", ".join(str(i + 1) for i in sorted(S))
    display(Math(rf"J(\{{{members}\}}) = {sp.latex(sp.factor(effect))}"))

# %% [markdown]
# At the input $x = (2, 1, -1)$ the effects are numbers, and they add up to
# $f(x) - f(b)$ ({numref}`fig-example-effects`):

# %% tags=["show-input"]
x_value = dict(zip(X, (2, 1, -1)))
names = [f"ψ({i + 1})" for i in sorted(psi)] + [
    "J({" + ",".join(str(i + 1) for i in sorted(S)) + "})"
    for S in sorted(J, key=lambda S: (len(S), sorted(S)))
]
values = [float(psi[i].subs(x_value)) for i in sorted(psi)] + [
    float(J[S].subs(x_value))
    for S in sorted(J, key=lambda S: (len(S), sorted(S)))
]
gap = float(f.subs(x_value) - f.subs(dict(zip(X, b))))
glue("example_gap", f"{gap:g}", display=False)
glue("example_sum", f"{sum(values):g}", display=False)

fig, ax = plt.subplots(figsize=(6, 2.8))
ax.bar(
    names,
    values,
    color=[plots.COLORS["blue"]] * len(psi)
    + [plots.COLORS["orange"]] * len(J),
)
ax.axhline(0, color="black", linewidth=0.8)
ax.set_ylabel("effect at x")
ax.set_title(
    f"independent (blue) and interaction (orange) effects; sum = {sum(values):g}"
)
fig.tight_layout()
plots.glue_figure("fig-example-effects", fig)

# %% [markdown]
# ```{glue:figure} fig-example-effects
# :name: fig-example-effects
# :alt: Bar chart of the independent and interaction effects of the example, positive and negative.
#
# The independent effects $\psi(i)$ (blue) and interaction effects $J(S)$ (orange) of the
# example polynomial at $x$; they add up to $f(x) - f(b)$.
# ```

# %% [markdown]
# The effects sum to {glue:text}`example_sum`, and $f(x) - f(b)$ is
# {glue:text}`example_gap`. That is no accident:
#
# (taylor-interactions-theorem)=
# ## The decomposition theorem
#
# ```{prf:theorem} Decomposition into generic effects
# :label: thm-decomposition
# If the Taylor series of $f$ at $b$ converges at $x$ (always, for a polynomial), then
#
# $$
# f(x) - f(b) = \sum_{i=1}^{n} \psi(i) + \sum_{S \subseteq N,\ |S| \geq 2} J(S).
# $$
# ```
#
# ```{prf:proof}
# The Taylor series is $f(x) = f(b) + \sum_{\kappa \neq 0} t(\kappa)$. Every
# $\kappa \neq 0$ has exactly one non-empty support $S_\kappa$, so the map
# $\kappa \mapsto S_\kappa$ partitions the non-zero multi-indices into the classes
# $\{\kappa : S_\kappa = S\}$, one per non-empty $S \subseteq N$. Summing the series class
# by class (allowed for an absolutely convergent series, and trivially for a finite one)
# gives $\sum_{|S| = 1}$ of the independent effects plus $\sum_{|S| \geq 2}$ of the
# interaction effects.
# ```
#
# **Derived here.** The statement is implicit in paper A's framework; the proof and the
# convergence condition are ours. The condition matters: for a network with $\tanh$
# activations the series at $b$ has a finite radius of convergence, and the next chapter
# shows an input of a trained network where it diverges.
#
# sympy checks the theorem by exact expansion, first on the example, then for *every*
# polynomial of degree 3 in 3 variables at once: the coefficients are symbols, and so are
# $x$ and $b$.

# %% tags=["show-input"]
assert symbolic.prove_decomposition(f, X, b)
generic, coefficients = symbolic.generic_polynomial(X, 3)
proof = symbolic.prove_decomposition(
    generic, X
)  # b = (b_1, b_2, b_3) symbolic
glue("generic_n_coefficients", len(coefficients), display=False)
print(proof, "| residual:", proof.residuals)

# %% [markdown]
# The residual $f(x) - f(b) - \sum_i \psi(i) - \sum_S J(S)$ of the generic cubic, with its
# {glue:text}`generic_n_coefficients` symbolic coefficients, expands to exactly 0. The same
# check on random polynomials of higher degree. Paper A's decomposition, in the
# {ref}`claims-ledger`: {glue:text}`claim_A_abstract_decomposition`.

# %%
degrees = [2, 3, 4] if profile == "full" else [2, 3]
rows = []
for degree in degrees:
    for trial in range(3):
        g = symbolic.random_polynomial(
            X, degree, seed=seed * 100 + 10 * degree + trial
        )
        rows.append(
            (degree, trial, bool(symbolic.prove_decomposition(g, X, None)))
        )
print(
    "\n".join(
        f"degree {d}, polynomial {t}: decomposition holds: {ok}"
        for d, t, ok in rows
    )
)
assert all(ok for *_, ok in rows)
claims.record(
    "A-abstract-decomposition",
    claims.proved(
        sum(not ok for *_, ok in rows) + (not proof.holds),
        len(rows) + 1,
        "polynomials (the generic cubic and random ones of degree "
        f"{min(degrees)} to {max(degrees)})",
    ),
)

# %% [markdown]
# ## Exercises
#
# ```{exercise}
# :label: ex-linear-model
# Show that a linear model $f(x) = w^\top x + c$ has no interaction effects, and that
# $\psi(i) = w_i \Delta_i$, for every baseline.
# ```
#
# ```{solution} ex-linear-model
# :class: dropdown
# All derivatives of order two and more vanish, so the only terms are the first-order ones,
# $t(e_i) = \partial_i f(b)\, \Delta_i = w_i \Delta_i$, each with support $\{i\}$.
# ```
#
# ```{exercise}
# :label: ex-product
# Let $f(x) = x_1 x_2$ and $b = (\beta_1, \beta_2)$. Compute $\psi(1)$, $\psi(2)$ and
# $J(\{1, 2\})$, and check the decomposition. Which of them vanish when $b = 0$?
# ```
#
# ```{solution} ex-product
# :class: dropdown
# $\partial_1 f(b) = \beta_2$, $\partial_2 f(b) = \beta_1$, $\partial_1\partial_2 f = 1$, so
# $\psi(1) = \beta_2 \Delta_1$, $\psi(2) = \beta_1 \Delta_2$ and
# $J(\{1, 2\}) = \Delta_1 \Delta_2$. Their sum is
# $\beta_2\Delta_1 + \beta_1\Delta_2 + \Delta_1\Delta_2 = x_1x_2 - \beta_1\beta_2$. At $b = 0$
# both independent effects vanish: the whole output is one interaction. Check with
# `symbolic.generic_effects(symbolic.taylor_terms(x1 * x2, [x1, x2]))`.
# ```
#
# ```{exercise}
# :label: ex-locality
# Show that $J(S)$ depends on $x$ only through $x_S$, and that $J(S) = 0$ whenever
# $\Delta_i = 0$ for some $i \in S$. What does this say about a variable that equals its
# baseline value?
# ```
#
# ```{solution} ex-locality
# :class: dropdown
# Every term of $J(S)$ carries $\Delta^\kappa$ with $S_\kappa = S$, a product of powers of
# the $\Delta_i$, $i \in S$, each with a positive exponent; the coefficient is evaluated at
# $b$. So $J(S)$ is a function of $\Delta_S$ alone, and it vanishes when one of these
# $\Delta_i$ is 0. A variable at its baseline takes part in no effect at all: any method
# that allocates only effects in which a variable takes part gives it nothing.
# ```

# %% [markdown]
# The next three exercises are computed, and graded when the chapter is an assignment
# (README, "For instructors"): store each answer under the name the exercise gives.
#
# ```{exercise}
# :label: ex-product-numbers
# For $f(x) = x_1 x_2$ at $b = (1, 2)$ and $x = (3, 5)$, compute $\psi(1)$, $\psi(2)$ and
# $J(\{1, 2\})$ with `symbolic.taylor_terms` and `symbolic.generic_effects`, and store
# them, in that order, as the list `product_effects`.
# ```
#
# ```{solution-start} ex-product-numbers
# :class: dropdown
# ```
# The terms at $b$, grouped by support, evaluated at $x$ (their sum is $f(x) - f(b)$, as
# {prf:ref}`thm-decomposition` says):

# %% grade={"answer": "product_effects", "atol": 1e-12, "points": 1, "rtol": 0}
u1, u2 = sp.symbols("u1 u2")
psi_u, J_u = symbolic.generic_effects(
    symbolic.taylor_terms(u1 * u2, [u1, u2], [1, 2])
)
at_x = {u1: 3, u2: 5}
product_effects = [
    float(psi_u[0].subs(at_x)),
    float(psi_u[1].subs(at_x)),
    float(J_u[frozenset({0, 1})].subs(at_x)),
]
f_u = u1 * u2
assert sum(product_effects) == float(
    f_u.subs(at_x) - f_u.subs({u1: 1, u2: 2})
)
product_effects

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{exercise}
# :label: ex-square-dividends
# Let $f(x) = (x_1 + x_2 + x_3)^2$, $b = 0$ and $x = (1, 2, 3)$. Compute the Harsanyi
# dividends of its masking game for the three pairs, $H(\{1, 2\})$, $H(\{1, 3\})$ and
# $H(\{2, 3\})$ (`symbolic.harsanyi_dividends`), and store them in that order as
# `pair_dividends`. What is the dividend of $\{1, 2, 3\}$?
# ```
#
# ```{solution-start} ex-square-dividends
# :class: dropdown
# ```
# The dividend of a pair $\{i, j\}$ is the cross term $2 x_i x_j$; a quadratic has no
# dividend of order three:

# %% grade={"answer": "pair_dividends", "atol": 1e-12, "points": 1, "rtol": 0}
v = sp.symbols("v1:4")
square_dividends = symbolic.harsanyi_dividends(sum(v) ** 2, v, 0)
at_v = dict(zip(v, (1, 2, 3)))
pair_dividends = [
    float(square_dividends[frozenset(pair)].subs(at_v))
    for pair in ((0, 1), (0, 2), (1, 2))
]
assert square_dividends[frozenset({0, 1, 2})] == 0
pair_dividends

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{exercise}
# :label: ex-square-shapley
# For the same game, compute the Shapley values from the dividends,
# $\phi_i = \sum_{S \ni i} H(S) / |S|$, and store them as `shapley_from_dividends`. Check
# that they add up to $f(x) - f(b)$.
# ```
#
# ```{solution-start} ex-square-shapley
# :class: dropdown
# ```
# Each player keeps its own square and half of every cross term it is in:

# %% grade={"answer": "shapley_from_dividends", "atol": 1e-12, "points": 1, "rtol": 0}
shapley_from_dividends = [
    float(
        sum(
            h.subs(at_v) / len(s)
            for s, h in square_dividends.items()
            if i in s
        )
    )
    for i in range(3)
]
assert sum(shapley_from_dividends) == float((sum(v) ** 2).subs(at_v))
shapley_from_dividends

# %% [markdown]
# ```{solution-end}
# ```

# %% [markdown]
# ## Rerun this chapter

# %% tags=["remove-input"]
from IPython.display import Markdown

from attribution_book import rerun

Markdown(rerun.section("taylor_interactions"))
