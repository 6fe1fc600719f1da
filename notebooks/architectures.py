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
# (architectures)=
# # The fourteen methods on the networks people use
#
# :::{admonition} Key results
# :class: tip
# - On eight standard architectures the library runs {glue:text}`ours_works` of 112 method-model cells, refuses {glue:text}`ours_refused` naming the module and the reason, and is silently wrong in {glue:text}`ours_wrong`; captum is silently wrong in {glue:text}`captum_wrong` and fails in {glue:text}`captum_fails`.
# - On a trained ResNet (BatchNorm, residual blocks), DeepLIFT and DeepShap add up to $f(x) - f(b)$ within {glue:text}`resnet_deeplift_gap`; our LRP agrees with zennit's within {glue:text}`resnet_zennit`, while captum's LRP, which counts relevance twice at a residual sum, differs from ours by {glue:text}`resnet_captum_lrp` times our largest score.
# - On a trained SASANet, the methods that explain the baseline-masking game and SASANet's own attribution explain different games: exact Shapley values of the two differ by {glue:text}`sasanet_games_apart` (normalized RMSE).
#
# Symbols: {ref}`notation`. The rules node by node: {ref}`api-propagation-rules`. Every verdict: {ref}`claims-ledger`.
# :::
#
# ```{index} ResNet, BatchNorm, transformer, AttnLRP, zennit, captum
# ```
#
# The earlier chapters explain chains of layers: a Linear or a convolution, then an
# activation, then the next layer. The networks people train are graphs: a ResNet adds a
# block's input to its output, a VGG normalizes each convolution's output with BatchNorm, an
# Inception block concatenates branches, a transformer multiplies attention weights with
# values. The propagation methods read such a network as torch.fx traces it and pass
# relevance (LRP) or multipliers (DeepLIFT) back through every operation by the rule of its
# kind; the rules, with their references, are listed on {ref}`api-propagation-rules`.
# Operations no published rule covers are refused, not approximated: a recurrent cell for
# every method, a softmax or a normalization for DeepLIFT.
#
# This chapter runs all fourteen methods on such networks beside captum and zennit, first on
# eight architectures with random weights, then on a ResNet and a transformer trained here
# (zennit: {cite}`anders2021software`),
# then on the book's reconstruction of SASANet, paper B's network, whose two modules paper B
# builds from multi-head attention layers ({ref}`sources`): a transformer too.

# %% tags=["parameters"]
profile = "full"  # "full" for the book, "quick" for the tests
seed = 0  # seed of the models and of the inputs drawn

# %% tags=["hide-input"]
import copy
import dataclasses
import warnings

import numpy as np
import pandas as pd
import torch
from myst_nb import glue

from attribution_book import (
    architectures,
    crosscheck,
    explained,
    plots,
    sasanet_runs,
    showcase,
    zoo,
)
from unified_attribution import MaskingGame, attribute, harsanyi, methods
from unified_attribution.methods.propagation import UnsupportedModel

warnings.filterwarnings("ignore", module="captum")
TITLES = {m: methods.get(m).title for m in methods.PAPER_A_METHODS}


def shown(frame: pd.DataFrame) -> pd.DataFrame:
    """Numbers in scientific notation, empty where a column does not apply."""
    return crosscheck.in_scientific_notation(frame.reset_index())


# %% [markdown]
# ## Eight architectures, two libraries
#
# Each architecture of `attribution_book.architectures` with random weights (BatchNorm
# statistics drawn as training would leave them), four inputs in $[0, 1]$, every method
# called as its registry entry says (a distribution of eight background rows where the
# method takes one; patches as players on images). The outcome of each cell follows the
# checks of `attribution_book.crosscheck`, the same for both libraries: DeepLIFT and
# DeepShap must add up to $f(x) - f(b)$ within {glue:text}`complete_bar` of the change, and
# LRP at $\epsilon = 10^{-9}$ must equal Gradient x Input within {glue:text}`agree_bar` on
# the networks whose every nonlinearity is a ReLU or a max-pool (LRP-0 is Gradient x Input
# there, {cite}`ancona2018towards`). A run that fails a check is "silently wrong".

# %%
matrix = {}
for name in architectures.ARCHITECTURES:
    case = crosscheck.standard_case(name, seed=seed)
    matrix[name] = crosscheck.table(case, with_zennit=False)
outcomes = pd.DataFrame(
    {
        name: [f"{row.ours} / {row.captum}" for row in table.itertuples()]
        for name, table in matrix.items()
    },
    index=[TITLES[m] for m in methods.PAPER_A_METHODS],
)
counts = crosscheck.counts(matrix)
glue("ours_works", int(counts.loc["works", "ours"]), display=False)
glue("ours_refused", int(counts.loc["refused", "ours"]), display=False)
glue("ours_wrong", int(counts.loc["silently wrong", "ours"]), display=False)
glue(
    "captum_wrong", int(counts.loc["silently wrong", "captum"]), display=False
)
glue("captum_fails", int(counts.loc["fails", "captum"]), display=False)
glue("complete_bar", f"{crosscheck.COMPLETE:.0e}", display=False)
glue("agree_bar", f"{crosscheck.AGREE:.0e}", display=False)
counts

# %% [markdown]
# Cell by cell (ours / captum's; "none": captum has no such method, "n/a": Grad-CAM without
# a feature map):

# %%
showcase.html(outcomes.reset_index(names="method"))

# %% [markdown]
# What each refusal of ours says, one per architecture and method family (the message names
# the module, the line of `forward` that applies it, why no rule applies, and what works):

# %%
refusals = []
for name, table in matrix.items():
    for method, row in table.iterrows():
        if row.ours == "refused":
            refusals.append(
                {
                    "model": name,
                    "method": method,
                    "refused at": row["our note"],
                }
            )
refused = pd.DataFrame(refusals).drop_duplicates(["model", "refused at"])
showcase.html(refused)

# %%
lstm = crosscheck.standard_case("LSTM", seed=seed)
try:
    attribute("lrp_epsilon", lstm.model, lstm.x, target=lstm.target)
except UnsupportedModel as error:
    print(error)

# %% [markdown]
# captum's silent misses have three causes, each measured above. Its DeepLift hooks only
# activation modules: where none is hooked (the LSTM's gates are inside `nn.LSTM`, the
# transformer's softmax is a function), it returns Gradient x Input, which is not complete;
# where a ReLU feeds a max-pool (the VGG and the plain CNN) it loses part of the difference
# (see {ref}`captum-deeplift-maxpool`); where a module is used twice (torchvision's ResNet
# reuses one ReLU per block) it refuses. Its LRP passes the relevance of a functional `+` to
# both summands, counting it twice on a residual network. The library reads the graph, where
# each use of a module and each sum is a node of its own.
#
# ## A ResNet trained on the canvas digits
#
# `canvas_resnet`: a torchvision-style ResNet (a max-pooling stem with BatchNorm, two
# stages of BasicBlocks, the second strided with a 1x1 downsample, global average pooling)
# trained on the canvas digits of {ref}`models-and-data`, explained on test images at their
# predicted class, beside captum and zennit (with its BatchNorm merge and a residual
# canonizer). Occlusion-patch, Prediction Difference and the Shapley value play with 3 x 3
# patches (16 players).

# %%
resnet = zoo.load("canvas_resnet", seed=seed, profile=profile)
inputs = showcase.canvas_inputs(
    resnet, 2, seed=seed, patch=3, n_background=16
)
glue("resnet_accuracy", f"{resnet.metrics['accuracy']:.1%}", display=False)
case = crosscheck.Case(
    resnet.float64(),
    inputs["x"],
    inputs["target"],
    inputs["background"],
    torch.as_tensor(inputs["players"]),
    (1, 3, 3),
    "layer2",
    piecewise_linear=True,
)
resnet_table = crosscheck.table(case)
shown(resnet_table.drop(columns=["our note", "captum's note"]))

# %% [markdown]
# Test accuracy {glue:text}`resnet_accuracy`; the maps of six methods are in
# {numref}`fig-resnet-maps`. DeepLIFT's three rows add up to the output
# change within {glue:text}`resnet_deeplift_gap` (relative); captum's DeepLift and DeepShap
# refuse the model (one ReLU used twice per block), and its exact Shapley value would
# enumerate 16! orderings of the patches. Our LRP rules agree with zennit's within
# {glue:text}`resnet_zennit`. zennit's BatchNorm merge leaves each merged BatchNorm computing
# $x / \sqrt{1 + \varepsilon}$, $\varepsilon$ its stabilizer ($10^{-5}$ here); on a copy of
# the network with $\varepsilon = 0$ the two agree within {glue:text}`resnet_zennit_exact`.
# captum's LRP-$\epsilon$ differs from ours by {glue:text}`resnet_captum_lrp` times our
# largest score: it hands each summand of the residual sum the whole relevance of the sum.

# %%
deeplift_rows = ["DeepLIFT Rescale", "DeepLIFT RevealCancel", "DeepShap"]
glue(
    "resnet_deeplift_gap",
    f"{resnet_table.loc[deeplift_rows, 'our gap'].max():.1e}",
    display=False,
)
lrp_rows = ["LRP-epsilon", "LRP-alpha-beta", "Deep Taylor"]
glue(
    "resnet_zennit",
    f"{resnet_table.loc[lrp_rows, 'zennit vs ours'].max():.1e}",
    display=False,
)
exact_bn = copy.deepcopy(case.model)
for layer in exact_bn.modules():
    if isinstance(layer, torch.nn.BatchNorm2d):
        layer.eps = 0.0
zennit_exact = crosscheck.lrp_against_zennit(
    dataclasses.replace(case, model=exact_bn)
)
glue(
    "resnet_zennit_exact", f"{max(zennit_exact.values()):.1e}", display=False
)
glue(
    "resnet_captum_lrp",
    f"{resnet_table.loc['LRP-epsilon', 'captum vs ours']:.2g}",
    display=False,
)
maps = {
    TITLES[m]: attribute(
        m,
        case.model,
        case.x,
        case.background if methods.get(m).baseline == "distribution" else 0.0,
        target=case.target,
        **({"players": case.players} if methods.get(m).players else {}),
        **({"window": case.window} if m == "occlusion_patch" else {}),
    )
    .scores.sum(1)
    .numpy()
    for m in [
        "gradient_x_input",
        "lrp_epsilon",
        "lrp_alpha_beta",
        "deeplift_rescale",
        "grad_cam",
        "shapley_value",
    ]
}
fig = plots.attribution_maps(
    case.x[:, 0].numpy(), maps, boxes=inputs["boxes"]
)
plots.glue_figure("fig-resnet-maps", fig)

# %% [markdown]
# ```{glue:figure} fig-resnet-maps
# :name: fig-resnet-maps
# :alt: Two canvas digits and, below each, the maps of six methods on the trained ResNet.
#
# Six methods on the trained ResNet, on two test images (the digit's box outlined): red
# positive, blue negative, each map scaled to its own largest score.
# ```
#
# ## Paper A's principles on the residual network
#
# The masking game of each image, $v(S) = f(x_S, 0_{\text{rest}})$ over the 16 patches, has
# exact Harsanyi dividends $I(S)$ (2^16 coalitions; {ref}`effects-are-dividends`). Paper A
# judges a method by how it allocates such effects. On this game the book can measure the
# first principle for every method, and the other two for the methods whose scores are an
# allocation of these dividends:
#
# - *low approximation error*: the patch scores add up to $v(N) - v(\emptyset)$ (the relative
#   gap, the "our gap" column above, is this number: the game's total is the output change
#   from $b = 0$);
# - *no unrelated allocation* and *complete allocation*: the Shapley value gives each
#   dividend to its own members in equal shares (both hold exactly), Occlusion-1 removing
#   one patch gives each dividend whole to every member, so it allocates
#   $\sum_S |S| \, I(S)$ where the game has $\sum_S I(S)$. The gradient and propagation
#   methods allocate the Taylor effects of $f$ at the pixel level, not this game's
#   dividends: on this game those two principles are untested for them.

# %%
allocation, first_effects = [], None
for k in range(len(case.x)):
    effects = harsanyi(
        MaskingGame(
            case.model,
            case.x[k],
            0.0,
            target=int(case.target[k]),
            players=case.players,
        )
    )
    allocation.append(crosscheck.allocation_of_dividends(effects))
    first_effects = first_effects if k else effects
allocation = pd.DataFrame(allocation)
glue(
    "occlusion_over",
    f"{allocation['occlusion over-allocation'].max():.2g}",
    display=False,
)
showcase.html(
    allocation.describe()
    .loc[["mean", "max"]]
    .reset_index(names="over the images")
)

# %% [markdown]
# Beyond the game's effects, Occlusion-1 hands out up to {glue:text}`occlusion_over` times
# their total mass $\sum_S |I(S)|$ on these images: by the book's bar (any effect mass handed
# out beyond the game's counts), it fails complete allocation on this network, as paper A's
# Table 2 marks it ({ref}`principles`); the Shapley value's shares add
# up to each dividend to rounding.
#
# ## A transformer over feature tokens
#
# `wine_transformer`: each of wine's 13 features becomes a token $x_i w_i + b_i$, one
# `nn.TransformerEncoderLayer` (two heads), the mean over tokens, a linear head. LRP runs
# through attention with AttnLRP's rules {cite}`achtibat2024attnlrp` (checked against lxt, their
# reference implementation, in the tests); DeepLIFT has no published rule for a softmax or a
# LayerNorm and refuses. The exact Shapley value plays with the 13 features.

# %%
transformer = zoo.load("wine_transformer", seed=seed, profile=profile)
wine = transformer.dataset
rng = np.random.default_rng(seed)
rows = np.sort(rng.choice(len(wine.X_test), 4, replace=False))
x_wine = transformer.inputs(wine.X_test[rows]).double()
tcase = crosscheck.Case(
    transformer.float64(),
    x_wine,
    torch.as_tensor(transformer.predict(wine.X_test[rows])),
    transformer.inputs(
        wine.X_train[rng.choice(len(wine.X_train), 16, replace=False)]
    ).double(),
    torch.arange(wine.n_features),
    (1,),
    None,
    bounds=(
        float(min(wine.X_train.min(), wine.X_test.min())),
        float(max(wine.X_train.max(), wine.X_test.max())),
    ),
)
transformer_table = crosscheck.table(tcase, with_zennit=False)
glue(
    "transformer_accuracy",
    f"{transformer.metrics['accuracy']:.1%}",
    display=False,
)
shown(transformer_table.drop(columns=["captum's note"]))

# %% [markdown]
# Test accuracy {glue:text}`transformer_accuracy`. captum's DeepLift returns Gradient x
# Input here (no module it hooks is on the path) and misses its own completeness by
# {glue:text}`transformer_captum_gap` of the change.

# %%
captum_gap = transformer_table.loc["DeepLIFT Rescale", "captum's gap"]
glue("transformer_captum_gap", f"{captum_gap:.2g}", display=False)

# %% [markdown]
# ## The two papers meet: the methods on SASANet
#
# The book's SASANet ({ref}`sasanet-architecture`, a reconstruction) is a transformer whose
# output is the sum of its own attribution $\phi$. The methods of paper A run on its network like on any other: the
# gradient and perturbation methods, and LRP through its attention; DeepLIFT refuses its
# softmax. Which game does each explain? The perturbation methods and the Shapley value
# explain the *baseline-masking game* $v(S) = f(x_S, b_{\text{rest}})$, here with $b$ the
# mean training row; SASANet's $\phi$ estimates the Shapley values of *its own value
# function* $v_x(S) = f_c(x_S)$ (the cumulative output after the features of $S$); the
# gradient and propagation methods explain the function near $x$ and belong to no game of
# feature subsets. The table sets each method's scores beside the exact Shapley values of
# both games on the same test rows of wine (normalized RMSE, pooled over rows and features,
# as in {ref}`notation`).

# %%
net = sasanet_runs.trained("wine", profile=profile, seed=seed)
X_train, _, _, _, X_test, _ = sasanet_runs.dataset("wine")
picked = np.sort(
    np.random.default_rng(seed).choice(len(X_test), 3, replace=False)
)
X_rows = X_test[picked]
module = net.module_.double().eval()
x_net = net._features(X_rows).double()
mean_row = net._features(X_train.mean(axis=0, keepdims=True)).double()
outputs = torch.as_tensor(explained.explained_output(net, X_rows))
masking = np.stack(
    [
        harsanyi(
            MaskingGame(module, x_net[k], mean_row[0], target=int(outputs[k]))
        ).shapley()
        for k in range(len(x_net))
    ]
)
own = sasanet_runs.exact_values(net, X_rows, fixed_order=True)
phi = explained.own_attribution(net, X_rows)
scores = {"SASANet's own phi": phi}
for m in methods.PAPER_A_METHODS:
    spec = methods.get(m)
    if spec.baseline == "distribution" or m in (
        "grad_cam",
        "occlusion_patch",
    ):
        continue
    box = {"lower": float(x_net.min()), "upper": float(x_net.max())}
    options = box if m == "deep_taylor" else {}
    baseline = 0.0 if spec.baseline == "none" else mean_row
    try:
        found = attribute(
            m, module, x_net, baseline, target=outputs, **options
        )
        scores[TITLES[m]] = found.scores.numpy()
    except UnsupportedModel:
        scores[TITLES[m]] = None
games_table = pd.DataFrame(
    [
        {
            "attribution": label,
            "vs masking-game Shapley": np.nan
            if s is None
            else sasanet_runs.normalized_rmse(s, masking),
            "vs own-value-function Shapley": np.nan
            if s is None
            else sasanet_runs.normalized_rmse(s, own),
        }
        for label, s in scores.items()
    ]
)
glue(
    "sasanet_games_apart",
    f"{sasanet_runs.normalized_rmse(own, masking):.2g}",
    display=False,
)
showcase.html(games_table, missing="n/a (refused)")

# %% [markdown]
# The Shapley value row is the masking game's exact Shapley value (0 against it by
# construction); SASANet's $\phi$ sits near its own value function's Shapley values, not
# near the masking game's. The two games' exact Shapley values are
# {glue:text}`sasanet_games_apart` apart (normalized RMSE): a post-hoc method and SASANet
# can disagree because they answer different questions, not because one is wrong. An
# empty row is a refusal (DeepLIFT's, at the softmax of SASANet's attention).

# %% [markdown]
# ## Exercises
#
# ```{exercise}
# :label: ex-arch-swish
# Write Swish, $z\,\sigma(z)$, as a module of your own and put it between two Linear layers.
# The library traces into it and sees a product of two input-dependent tensors, $z$ and
# $\sigma(z)$. Run DeepLIFT Rescale and check its completeness; then register the module as
# `"elementwise"` (`propagation.register_rule`) and run it again. Are the scores the same?
# Why?
# ```
#
# ```{solution-start} ex-arch-swish
# :class: dropdown
# ```

# %%
from torch import nn

from unified_attribution.methods import propagation


class Swish(nn.Module):
    def forward(self, z):
        return z * torch.sigmoid(z)


torch.manual_seed(seed)
swish = nn.Sequential(nn.Linear(4, 6), Swish(), nn.Linear(6, 2)).double()
x_swish = torch.rand(3, 4, dtype=torch.float64)
as_product = attribute("deeplift_rescale", swish, x_swish, 0.0, target=0)
propagation.register_rule(Swish, "elementwise")
try:
    as_unit = attribute("deeplift_rescale", swish, x_swish, 0.0, target=0)
finally:
    propagation.RULES.pop(Swish)
np.testing.assert_allclose(
    as_product.scores, as_unit.scores, rtol=1e-10, atol=1e-15
)
pd.Series(
    {
        "largest gap, as a product": float(as_product.gap.abs().max()),
        "largest gap, as one unit": float(as_unit.gap.abs().max()),
        "largest score difference": float(
            (as_product.scores - as_unit.scores).abs().max()
        ),
    }
)

# %% [markdown]
# Both are complete, and the scores agree to rounding. The Shapley split of the product gives
# $\Delta(z\sigma) = \Delta z\,(\sigma + \sigma')/2 + (z + z')/2\,\Delta\sigma$ exactly, and
# Rescale through the sigmoid makes $\Delta\sigma = (\Delta\sigma / \Delta z)\,\Delta z$; the two
# factors depend on the same $z$, so the multiplier $z$ receives is
# $\Delta(z\sigma) / \Delta z$: Rescale's multiplier for the whole unit.
# ```{solution-end}
# ```
#
# ```{exercise}
# :label: ex-arch-residual-sum
# Build one residual unit $y = \mathrm{ReLU}(x + \mathrm{ReLU}(W x))$ with a linear head and
# compare captum's LRP at $\epsilon = 10^{-9}$ with Gradient x Input. Where does captum's
# relevance go wrong, and what does ours do at the sum?
# ```
#
# ```{solution-start} ex-arch-residual-sum
# :class: dropdown
# ```

# %%
from captum.attr import LRP, InputXGradient
from captum.attr._utils.lrp_rules import EpsilonRule


class Residual(nn.Module):
    def __init__(self):
        super().__init__()
        self.inner, self.act, self.out_act = (
            nn.Linear(3, 3),
            nn.ReLU(),
            nn.ReLU(),
        )
        self.head = nn.Linear(3, 1)

    def forward(self, x):
        return self.head(self.out_act(x + self.act(self.inner(x))))


torch.manual_seed(seed + 1)
unit = Residual().double()
x_unit = torch.rand(2, 3, dtype=torch.float64)
for layer in (unit.inner, unit.head):
    layer.rule = EpsilonRule(1e-9)
theirs = LRP(unit).attribute(x_unit.clone(), target=0).detach()
gxi = InputXGradient(unit).attribute(x_unit.clone(), target=0).detach()
mine = attribute("lrp_epsilon", unit, x_unit, target=0, epsilon=1e-9).scores
pd.Series(
    {
        "captum's LRP vs Gradient x Input": crosscheck.relative(theirs, gxi),
        "ours vs Gradient x Input": crosscheck.relative(mine, gxi),
    }
)

# %% [markdown]
# captum's rules sit on modules; the sum is a function, so relevance reaches it as a gradient
# and is copied to both summands in full: the skip path and the inner path each receive all
# of it, and the input's relevance counts the sum twice. Ours splits the sum by the z-rule,
# $R_a = a / (a + b)\,R$, $R_b = b / (a + b)\,R$, so the two shares add up to $R$, and LRP-0 is
# Gradient x Input.
# ```{solution-end}
# ```
#
# ```{exercise}
# :label: ex-arch-occlusion-mass
# Show from the dividends that Occlusion-1's scores on the patch game add up to
# $\sum_S |S|\,I(S)$, and check it on the first ResNet image above. How does that total
# compare with the game's total $v(N) - v(\emptyset)$?
# ```
#
# ```{solution-start} ex-arch-occlusion-mass
# :class: dropdown
# ```
# Occlusion-1 of player $i$ is $v(N) - v(N \setminus i) = \sum_{S \ni i} I(S)$, so summing over
# $i$ counts each dividend once per member: $\sum_i a_i = \sum_S |S|\,I(S)$. By order
# ({ref}`effects-are-dividends`):

# %%
by_order = first_effects.by_order()
occlusion_total = first_effects.occlusion().sum()
by_size = (np.arange(len(by_order)) * by_order).sum()
np.testing.assert_allclose(occlusion_total, by_size, rtol=1e-10)
pd.Series(
    {
        "sum of Occlusion-1 scores": occlusion_total,
        "sum_S |S| I(S)": by_size,
        "v(N) - v(empty)": first_effects.total,
    }
)

# %% [markdown]
# The two differ by $\sum_S (|S| - 1)\,I(S)$, the interactions counted more than once; only
# a game without interactions has Occlusion-1 complete.
# ```{solution-end}
# ```

# %% [markdown]
# ## Rerun this chapter

# %% tags=["remove-input"]
from IPython.display import Markdown

from attribution_book import rerun

Markdown(rerun.section("architectures"))
