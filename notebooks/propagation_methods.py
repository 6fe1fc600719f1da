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
# (propagation-methods)=
# # The propagation family: LRP, Deep Taylor, DeepLIFT, DeepShap, Grad-CAM
#
# :::{admonition} Key results
# :class: tip
# - On one neuron each rule is an allocation of the neuron's Taylor terms, derived and proved in sympy; layers compose, so only Rescale on one layer of nonlinearities is an allocation of the network's terms. On two networks with the same game, the methods that agree are {glue:text}`same_game_agree`.
# - Measured on trained networks ({ref}`propagation-measured`): LRP-$\epsilon$ tends to Gradient x Input ({glue:text}`propagation_measured.ipynb::lrp_gxi_smallest:s` at $\epsilon = 10^{-9}$); Rescale equals Integrated Gradients for one hidden layer ({glue:text}`propagation_measured.ipynb::rescale_ig_shallow:s`), not deeper ({glue:text}`propagation_measured.ipynb::rescale_ig_deep:s`).
# - Paper A's Table 1 rows: LRP-$\alpha\beta$ **{glue:text}`principles.ipynb::claim_A_T1_lrp_alpha_beta:s`**, Deep Taylor **{glue:text}`principles.ipynb::claim_A_T1_deep_taylor:s`**, Rescale **{glue:text}`principles.ipynb::claim_A_T1_deeplift_rescale:s`**, RevealCancel **{glue:text}`principles.ipynb::claim_A_T1_deeplift_revealcancel:s`**, DeepShap **{glue:text}`principles.ipynb::claim_A_T1_deep_shap:s`** ({ref}`claims-ledger`).
#
# Symbols: {ref}`notation`. Every verdict: {ref}`claims-ledger`.
# :::
#
# ```{index} LRP-epsilon, LRP-alpha-beta, Deep Taylor, DeepLIFT Rescale, DeepLIFT RevealCancel, DeepShap, Grad-CAM
# ```
#
# Seven methods pass a quantity backwards through the network, layer by layer, with a rule
# per layer: LRP-$\epsilon$ and LRP-$\alpha\beta$ {cite}`bach2015pixel`, Deep Taylor
# {cite}`montavon2017deep`, DeepLIFT with its Rescale and RevealCancel rules
# {cite}`shrikumar2017learning`, DeepShap {cite}`lundberg2017unified` and Grad-CAM
# {cite}`selvaraju2017gradcam`. (Paper A lists Grad-CAM among the gradient methods: it
# weights a layer's feature map by the gradient there. The book takes it up here because it
# is computed on the same traced graph of the network's layers; its registry family is
# "gradient", as in the paper.) Their "allocation of effects" is therefore a statement about
# one layer at a time and about how layers compose. This chapter derives both in sympy;
# {ref}`propagation-measured` measures the known equalities on trained digits models, how far
# each method departs from its reformulation outside their conditions, and runs all seven on
# the same six digits as the other method chapters.
#
# :::{admonition} Whose statement is this?
# :class: note
# **Paper A** {cite}`deng2024unifying` states (abstract) that all fourteen methods, these
# seven included, are weighted allocations of independent and interaction effects. The
# one-neuron weights, the composition results, the counter-examples and every measurement
# below are **derived here**; of the paper's own statements about propagation methods only
# Table 1's rows were available (shown below), not its derivations, its assumptions or its
# definitions of $N^\pm$, $c_i$ and $d_i$ ({ref}`sources`). Where our findings differ from paper A's Table 1 or from
# common summaries of these methods, the chapter says so in {ref}`propagation-disagreements`.
# :::

# %% tags=["parameters"]
profile = "full"  # "full" for the book, "quick" for the tests
seed = 0  # seed of the models

# %% tags=["hide-input"]
import pandas as pd
import sympy as sp
import torch
from IPython.display import Math, display
from myst_nb import glue

from attribution_book import plots, showcase
from unified_attribution import methods
from unified_attribution.methods import attribute
from unified_attribution.theory import (
    layerwise,
    networks,
    principles,
)

# the propagation rules and Grad-CAM: the methods computed on the model's traced graph
PROPAGATION = [m for m, spec in methods.REGISTRY.items() if spec.traced]
TITLES = {m: methods.get(m).title for m in methods.REGISTRY}
showcase.method_table(PROPAGATION)

# %% [markdown]
# All seven are implemented here (`unified_attribution.methods.propagation`), on the model's
# graph as torch.fx reads it: residual sums, BatchNorm, concatenation, gates and attention
# included (see {ref}`architectures`). captum has LRP-$\epsilon$, DeepLIFT Rescale, DeepShap
# and Grad-CAM, and gets DeepLIFT wrong on the digits CNN (see
# {ref}`captum-deeplift-maxpool`). Every one of ours is tested against an independent
# implementation (captum on chains, zennit on residual and BatchNorm networks, shap's
# DeepExplainer, lxt for attention), against values worked out by hand on a two-neuron
# network, and against a slow matrix form written directly from the papers' formulas
# (`tests/test_propagation.py`, `tests/test_graphs.py`, `tests/test_oracles.py`). An
# operation no rule covers (a recurrent cell, a division by the input, a softmax for
# DeepLIFT) is refused with an error naming it and the line of `forward` that applies it.
#
# ## Paper A's Table 1 for this family
#
# The paper's rows, re-expressed in the book's notation (its symbols: $\phi(\kappa)$ a Taylor term of one variable,
# $I(\kappa)$ a term of several, $\psi$ and $J$ their sums by support), each with the book's
# verdict on it; every row is checked in sympy in {ref}`principles`.

# %%
showcase.table_1(PROPAGATION)

# %% [markdown]
# ## One neuron
#
# Take one neuron $y = g(z)$, $z = c + \sum_i w_i x_i$, explained from a reference $b$.
# Write $u_i = w_i (x_i - b_i)$ for input $i$'s linear contribution, $s = \sum_i u_i$,
# $r = c + w \cdot b$ for the reference pre-activation, and $p$, $n$ for the sums of the
# positive and the negative $u_i$. LRP explains $y$ itself from the root $x = 0$, where
# $r = c$. For a generic $g$ and two positive and one negative contribution
# ($u_1, u_2 > 0$, $u_3 = -v_1 < 0$), the score of $x_1$ under each rule is:

# %% tags=["show-input"]
cell = layerwise.neuron(2, 1)
for rule in layerwise.RULES:
    display(
        Math(
            rf"\begin{{gathered}}\text{{{TITLES[rule]}:}}\\ a_1 = "
            + sp.latex(layerwise.scores(rule, cell)[0])
            + r"\end{gathered}"
        )
    )

# %% [markdown]
# With $g$ a generic cubic (every Taylor coefficient at $r$ a free symbol), the Taylor terms
# of $y$ in the contributions are $t(\kappa) = g^{(|\kappa|)}(r)\, u^\kappa / \kappa!$, and
# each rule with weights rebuilds its closed form exactly:
#
# ```{prf:theorem} One-neuron weights (derived here)
# :label: thm-one-neuron
# For one neuron $y = g(r + \sum_i u_i)$ with $g$ analytic,
#
# - DeepLIFT Rescale $= $ Integrated Gradients: $w_i(\kappa) = \kappa_i / |\kappa|$;
# - DeepLIFT RevealCancel: $w_i(\kappa) = \kappa_i / |\kappa_{P(i)}|$, times $1/2$ when
#   $\kappa$ involves both positive and negative contributors, where $P(i)$ is the set of
#   inputs whose contribution has the sign of $u_i$;
# - LRP-$\epsilon$ (root 0): $a_i = \frac{s}{c + s + \epsilon}\left(\text{Rescale}_i +
#   \frac{u_i}{s} g(c)\right)$: with $c = 0$, $\epsilon = 0$ and $g(0) = 0$ it is Rescale;
# - LRP-$\alpha\beta$: every term, and the root value $g(c)$, is split in the same proportions
#   $\alpha u_i / p$ (positive $u_i$) and $-\beta u_i / n$ (negative $u_i$): there are no
#   weights by $\kappa$.
# ```
#
# ```{prf:proof}
# Rescale: $y - g(r) = \sum_{k \ge 1} g^{(k)}(r) s^k / k!$, and
# $\frac{u_i}{s} s^k = u_i s^{k-1} = \sum_{|\kappa| = k} \frac{\kappa_i}{k} \frac{k!}{\kappa!} u^\kappa$
# (differentiate $s^k$ by $u_i$). Integrated Gradients is
# $u_i \int_0^1 g'(r + ts) dt = \frac{u_i}{s}(g(r + s) - g(r))$, the same. RevealCancel:
# expand $\Delta y^+ = \frac12[g(r+p) - g(r)] + \frac12[g(r+n+p) - g(r+n)]$ in powers
# $p^{k_p} n^{k_n}$; a power with $k_n = 0$ appears with weight $\frac12 + \frac12 = 1$, one
# with $k_n > 0$ with weight $\frac12$; then $\frac{u_i}{p} p^{k_p}$ splits like Rescale
# within the positive side. LRP-$\epsilon$ is algebra. $\square$ sympy checks each below.
# ```

# %% tags=["show-input"]
for rule in layerwise.NEURON_WEIGHTS:
    proof = layerwise.prove(rule)
    assert proof, proof.residuals
    display(
        Math(
            rf"\text{{{TITLES[rule]}: closed form }} - \sum_\kappa w_i(\kappa)\, t(\kappa) = "
            + sp.latex(sp.Matrix(list(proof.residuals.values())).T)
        )
    )
eps = sp.Symbol("epsilon")
lrp = layerwise.scores("lrp_epsilon", cell, epsilon=eps)
rescale = layerwise.scores("deeplift_rescale", cell)
identity = [
    sp.simplify(
        a
        - cell.s / (cell.r + cell.s + eps) * (b + u / cell.s * cell.g(cell.r))
    )
    for a, b, u in zip(lrp, rescale, cell.u)
]
assert identity == [0, 0, 0]
display(
    Math(
        r"\text{LRP-}\epsilon - \frac{s}{c + s + \epsilon}\left(\text{Rescale} + \frac{u}{s}g(c)\right) = "
        + sp.latex(sp.Matrix(identity).T)
    )
)

# %% [markdown]
# How the four split single terms of a neuron with contributions $u = (1, 2, -1)$
# (LRP-$\alpha\beta$ with $\alpha = 2$, $\beta = 1$, whose split does not depend on the term) ({numref}`fig-neuron-split`):

# %% tags=["show-input"]
contributions = (1, 2, -1)
keys = [(1, 0, 0), (0, 0, 1), (1, 1, 0), (1, 0, 1), (2, 0, 1), (1, 1, 1)]
split = {
    TITLES[r]: [
        [float(w) for w in layerwise.weights(r, k, contributions)]
        for k in keys
    ]
    for r in (
        "gradient_x_input",
        "deeplift_rescale",
        "deeplift_revealcancel",
        "lrp_alpha_beta",
    )
}
fig = plots.allocation_split(split, [f"κ = {k}" for k in keys], 3)
plots.glue_figure("fig-neuron-split", fig)

# %% [markdown]
# ```{glue:figure} fig-neuron-split
# :name: fig-neuron-split
# :alt: Bar panels, one per multi-index kappa: the weight each rule gives each input.
#
# How the four propagation rules split single terms of one neuron with contributions $u = (1,
# 2, -1)$; the dotted line is the whole effect.
# ```

# %% [markdown]
# RevealCancel and Rescale agree on every term within one side; they differ where positive
# and negative contributors interact: on $u_1^2 u_3$ Rescale gives $2/3$ to $x_1$ and $1/3$ to
# $x_3$, RevealCancel half and half, like the Shapley value of the two sides. LRP-$\alpha\beta$
# gives $x_2$ a share of $x_1$'s own effect. Paper A's principles ({ref}`principles`), judged
# from these one-neuron weights over every $\kappa$ of order at most 4
# (`principles.on_neuron`, the same judge as for the other families):

# %%
rows = []
for rule in (
    "gradient_x_input",
    "deeplift_rescale",
    "deeplift_revealcancel",
    "lrp_alpha_beta",
):
    verdicts = principles.on_neuron(rule, contributions)
    rows.append(
        {
            "rule (one neuron)": TITLES[rule],
            **{
                p: v.verdict if v.verdict == "holds" else f"fails: {v.where}"
                for p, v in verdicts.items()
            },
        }
    )
showcase.html(pd.DataFrame(rows))

# %% [markdown]
# ## Layers compose
#
# A network is neurons in sequence, and the one-neuron statements compose in three
# different ways.
#
# **LRP-$\epsilon$ with $\epsilon \to 0$ is Gradient x Input on any ReLU network**, biases
# included: if $R_j = a_j\, \partial f / \partial a_j$ at a layer, the rule gives
# $R_i = x_i \sum_j w_{ij} \frac{a_j}{z_j} \frac{\partial f}{\partial a_j}$, and
# $a_j / z_j = \mathrm{ReLU}(z_j) / z_j = \mathrm{ReLU}'(z_j)$, so $R_i = x_i\,\partial f/\partial x_i$
# by induction from the output ($R = f = 1 \cdot f$). The bias keeps its share of each
# layer's relevance, so the scores sum to $f(x) - f(0)$ only when the biases are zero
# (homogeneity), but the equality with Gradient x Input needs no condition on them.
#
# **DeepLIFT Rescale is Integrated Gradients for one layer of nonlinearities followed by a
# linear map**: each method is linear in the output layer, and each hidden neuron is the
# one-neuron case. **With two nonlinear layers it is not**: the second layer's multiplier
# $\Delta y / \Delta z$ is applied to the first layer's Rescale contributions, while
# Integrated Gradients integrates the product of the two slopes along the path. sympy, with
# $g(z) = z^2$ (smooth, so the integral is exact), reference 0 and the inputs symbolic
# (`layerwise.rescale_minus_ig`):

# %% tags=["show-input"]
xs = sp.symbols("x1:3")
g = sp.Lambda(sp.Symbol("z"), sp.Symbol("z") ** 2)
W1, c1 = sp.Matrix([[1, -1], [2, 1]]), sp.Matrix([sp.Rational(1, 2), -1])
one_layer = [(W1, c1), (sp.Matrix([[1, 1]]), sp.Matrix([0]))]
two_layers = [
    (W1, c1),
    (sp.Matrix([[1, -1]]), sp.Matrix([sp.Rational(1, 4)])),
    (sp.Matrix([[1]]), sp.Matrix([0])),
]
for label, net in (
    ("one nonlinear layer", one_layer),
    ("two nonlinear layers", two_layers),
):
    residual = layerwise.rescale_minus_ig(net, xs, g)
    display(
        Math(
            rf"\text{{{label}: Rescale - IG}} = "
            + sp.latex(sp.Matrix(residual).T)
        )
    )

# %% [markdown]
# The second residual is not zero, yet both methods are complete, so the residuals of the
# two inputs cancel: the two methods move effect between $x_1$ and $x_2$, not in or out.
# RevealCancel composes the same way as Rescale (its two-player split is per neuron); Deep
# Taylor and LRP-$\alpha\beta$ compose their uniform splits, so they are no allocation of
# the network's terms at any depth.
#
# ### Neither is a function of the effects on ReLU networks
#
# On a ReLU network, even the masking game's $2^n$ values do not determine these methods.
# Two networks of the probes' kind with the *same* game at $x = (1, 1)$, $b = 0$
# ($v(\emptyset) = 0$, $v(\{1\}) = 1$, $v(\{2\}) = 0$, $v(\{1, 2\}) = 1/2$):
# $f_1 = \mathrm{ReLU}(x_1 - x_2/2)$ and $f_2 = \mathrm{ReLU}(x_1) - \frac12\mathrm{ReLU}(x_1 + x_2 - 1)$.

# %% tags=["show-input"]
f1 = networks.one_hidden([[1.0, -0.5]], [0.0], [1.0])
f2 = networks.one_hidden([[1.0, 0.0], [1.0, 1.0]], [0.0, -1.0], [1.0, -0.5])
corners = torch.tensor(
    [[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], dtype=torch.float64
)
with torch.no_grad():
    assert torch.allclose(f1(corners), f2(corners))
one = torch.ones(1, 2, dtype=torch.float64)
same_game = [
    "gradient_x_input",
    "integrated_gradients",
    "lrp_epsilon",
    "lrp_alpha_beta",
    "deeplift_rescale",
    "deeplift_revealcancel",
    "occlusion_1",
    "shapley_value",
]
same_scores = {
    m: [attribute(m, f, one, 0.0).scores[0] for f in (f1, f2)]
    for m in same_game
}
agreeing = [
    TITLES[m]
    for m, (a, b) in same_scores.items()
    if torch.allclose(a, b, atol=1e-12)
]
glue("same_game_agree", ", ".join(agreeing), display=False)
glue("same_game_differ", len(same_game) - len(agreeing), display=False)
table = pd.DataFrame(
    [
        {
            "method": TITLES[m],
            **{
                label: ", ".join(f"{v:.3g}" for v in scores.tolist())
                for label, scores in zip(("f1", "f2"), same_scores[m])
            },
        }
        for m in same_game
    ]
)
showcase.html(table)

# %% [markdown]
# The methods whose scores agree on the two networks: {glue:text}`same_game_agree`. The
# Shapley value and Occlusion-1 read nothing but the game (as every perturbation method,
# {ref}`perturbation-methods`); RevealCancel agrees here because its split of a two-input
# neuron is exactly the two-player Shapley value. The other {glue:text}`same_game_differ`
# change. Paper A's
# reformulation of gradient methods is in terms of Taylor terms, which for an analytic $f$
# determine $f$ everywhere; a ReLU network has no such expansion across its kinks, and the
# same $2^n$ dividends are compatible with different gradients along the path.

# %% [markdown]
# ## Exercises
#
# ```{exercise}
# :label: ex-lrp-gamma
# LRP-$\gamma$ replaces $w_{ij}$ by $w_{ij} + \gamma w_{ij}^+$. Write its one-neuron closed
# form in the style of `layerwise.scores` and show that it tends to LRP-$\alpha 1 \beta 0$ as
# $\gamma \to \infty$ on non-negative inputs.
# ```
#
# ```{solution} ex-lrp-gamma
# :class: dropdown
# One neuron $y = g(c + \sum_j w_j x_j)$, relevance $R = y$ at its output. LRP-$\gamma$ uses the
# contributions $z_i = x_i (w_i + \gamma w_i^+)$: $R_i = \frac{u_i + \gamma u_i^+}{s + \gamma s^+}\, y$
# with $u_i = w_i x_i$, $s = \sum_j u_j$, and, for $x_i \ge 0$, $u_i^+ = x_i w_i^+ = \max(u_i, 0)$,
# $s^+ = \sum_j u_j^+$ (biases left out, as in our rules). Dividing numerator and denominator
# by $\gamma$, $R_i \to \frac{u_i^+}{s^+}\, y$ as $\gamma \to \infty$: the $z^+$ rule,
# LRP-$\alpha 1 \beta 0$. At $\gamma = 0$ it is LRP-0 (the $\epsilon$ rule with $\epsilon = 0$).
# ```
#
# ```{exercise}
# :label: ex-revealcancel-terms
# For the two-input neuron $y = g(u_1 + u_3)$ with $u_1 > 0 > u_3$ and $g(z) = z^3$ at $r = 0$,
# list the Taylor terms and split each by RevealCancel's weights by hand; check with
# `layerwise.rebuild_neuron`.
# ```
#
# ```{solution} ex-revealcancel-terms
# :class: dropdown
# Take the two-input neuron $y = (u_1 + u_3)^3$ ($r = 0$, $u_1 > 0 > u_3$). Its terms are
# $u_1^3$, $3u_1^2 u_3$, $3u_1 u_3^2$, $u_3^3$. RevealCancel's weights give $u_1^3$ to $x_1$,
# $u_3^3$ to $x_3$, and split each mixed term half and half (each side has one member, so
# $\kappa_i / |\kappa_{P(i)}| = 1$, halved). Hence
# $a_1 = u_1^3 + \tfrac32 (u_1^2 u_3 + u_1 u_3^2)$, the same as the definition:
# $\Delta y^+ = \tfrac12[g(u_1) - g(0)] + \tfrac12[g(u_1 + u_3) - g(u_3)]$. Rescale would give
# $x_1$ two thirds of $3u_1^2 u_3$ and one third of $3u_1 u_3^2$.
# `layerwise.rebuild_neuron("deeplift_revealcancel", layerwise.neuron(1, 1))` returns the same split
# (for the generic cubic $g$ of {ref}`principles`). With a second positive input the mixed
# terms would also be split within the positive side, by exponents.
# ```
#
# ```{exercise}
# :label: ex-rescale-depth
# Find a two-layer ReLU network and an input where DeepLIFT Rescale and Integrated
# Gradients (exact) give opposite signs to the same input. (Hint: make the second layer's
# multiplier differ from its slope along most of the path.)
# ```
#
# ```{solution-start} ex-rescale-depth
# :class: dropdown
# ```
# One such network, found by a search over networks with weights in steps of $\tfrac12$: the
# two methods give $x_1$ scores of opposite signs, while both sum to the same $f(x) - f(0)$.
# (The network this solution showed until this edition gave equal scores; the check below
# now runs with the chapter.)

# %% grade={"answer": "sign_flip", "check": "rescale_and_ig_disagree", "points": 1}
from torch import nn

from attribution_book import grading

sign_flip = nn.Sequential(
    networks.linear([[-1.0, 0.5], [-0.5, -1.5]], [1.5, 1.0]),
    nn.ReLU(),
    networks.linear([[-2.0, -1.0], [-0.5, 1.5]], [-2.0, 0.5]),
    nn.ReLU(),
    networks.linear([[1.5, 2.0]], 0.5),
)
assert grading.rescale_and_ig_disagree(sign_flip)
at_ones = torch.ones(1, 2, dtype=torch.float64)
pd.DataFrame(
    {
        "DeepLIFT Rescale": attribute(
            "deeplift_rescale", sign_flip, at_ones, 0.0, target=0
        ).scores[0],
        "Integrated Gradients": attribute(
            "integrated_gradients",
            sign_flip,
            at_ones,
            0.0,
            target=0,
            n_steps=2048,
        ).scores[0],
    },
    index=["x1", "x2"],
).round(3)

# %% [markdown]
# Rescale holds each ReLU's multiplier at $\Delta y / \Delta z$ between $x$ and $0$; Integrated
# Gradients follows the slopes along the path, and here the second layer's units switch on
# and off along it, so the chained multipliers and the path-averaged slopes disagree in sign.
# ```{solution-end}
# ```
#

# %% [markdown]
# Two more, on one neuron $y = \mathrm{ReLU}(x_1 - 2x_2 - \tfrac12)$ at $x = (2, \tfrac12)$,
# baseline 0 (`networks.one_hidden([[1, -2]], [-0.5], [1])`). Store each answer under the
# name given; the three exercises of this section are graded when the chapter is an
# assignment (README, "For instructors").
#
# ```{exercise}
# :label: ex-neuron-rescale
# Compute DeepLIFT Rescale's two scores by hand (the multiplier of the ReLU is
# $\Delta y / \Delta z$), check them with `attribute`, and store them as
# `rescale_one_neuron`. Do they add up to $y(x) - y(0)$?
# ```
#
# ```{solution-start} ex-neuron-rescale
# :class: dropdown
# ```
# $z = \tfrac12$ at $x$ and $-\tfrac12$ at the baseline, so $\Delta y = \tfrac12$,
# $\Delta z = 1$ and the multiplier is $\tfrac12$: the scores are half of
# $(w_1 x_1, w_2 x_2) = (2, -1)$, and they add up to $\Delta y$:

# %% grade={"answer": "rescale_one_neuron", "atol": 1e-12, "points": 1, "rtol": 0}
one_neuron = networks.one_hidden([[1.0, -2.0]], [-0.5], [1.0])
x_neuron = torch.tensor([[2.0, 0.5]], dtype=torch.float64)
found = attribute("deeplift_rescale", one_neuron, x_neuron, 0.0, target=0)
rescale_one_neuron = found.scores[0].tolist()
assert (
    abs(float(found.gap[0])) < 1e-12
)  # complete: the scores sum to y(x) - y(0)
rescale_one_neuron

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{exercise}
# :label: ex-neuron-lrp
# Compute LRP-$\epsilon$'s two scores on the same neuron for $\epsilon = 10^{-9}$ (the
# output's relevance is $y(x)$; the bias counts in the denominator $z$) and store them as
# `lrp_one_neuron`. Where does the rest of $y(x)$ go?
# ```
#
# ```{solution-start} ex-neuron-lrp
# :class: dropdown
# ```
# Each input gets $x_i w_i / z$ of $y = z = \tfrac12$, that is $(2, -1)$: their sum is
# twice $y(x)$, and the bias's share $c / z \cdot y = -\tfrac12$ takes the difference.
# LRP-$\epsilon$ gives Gradient x Input here (one layer, $\epsilon \to 0$), not Rescale's
# half of it:

# %% grade={"answer": "lrp_one_neuron", "atol": 1e-09, "points": 1, "rtol": 1e-06}
lrp_one_neuron = (
    attribute("lrp_epsilon", one_neuron, x_neuron, target=0, epsilon=1e-9)
    .scores[0]
    .tolist()
)
lrp_one_neuron

# %% [markdown]
# ```{solution-end}
# ```

# %% [markdown]
# ## Rerun this chapter

# %% tags=["remove-input"]
from IPython.display import Markdown

from attribution_book import rerun

Markdown(rerun.section("propagation_methods"))
