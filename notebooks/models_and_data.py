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
# (models-and-data)=
# # Models and data
#
# :::{admonition} Key results
# :class: tip
# - {glue:text}`n_datasets` datasets, all shipped inside installed packages ({glue:text}`n_digits` digit images among them): nothing is downloaded.
# - {glue:text}`n_models` small models trained from a fixed seed; test accuracy of the digits MLP {glue:text}`digits_mlp_accuracy` and CNN {glue:text}`digits_cnn_accuracy`; the three canvas models of {ref}`faithfulness` from {glue:text}`canvas_poly_accuracy` (polynomial) to {glue:text}`canvas_cnn_accuracy` (CNN).
#
# Symbols: {ref}`notation`. Every verdict: {ref}`claims-ledger`.
# :::
#
# ```{index} datasets, model zoo
# ```
#
# Every later chapter runs attribution methods on the same handful of trained models and
# the same offline datasets. This chapter introduces them: where each dataset comes from,
# how it is split, what the models look like, and how well they do on held-out data.
#
# Neither MNIST nor ImageNet nor any pretrained weights can be downloaded where this book
# is built, so it does not use them. Paper A's own experiments could not be read (its
# Figure 1 shows maps of one natural image; see {ref}`sources`), and its predecessor is
# reported, by an unconfirmed summary, to have used models trained on MNIST
# {cite}`deng2021unified`. Here scikit-learn's bundled 8x8 handwritten digits stand in for
# MNIST, and small models are trained from scratch, from a fixed seed, every time the book is
# built (then cached on disk).
#
# The cell below holds the parameters that papermill can override, e.g.
# `make notebook NB=models_and_data ARGS="-p seed 3"`.

# %% tags=["parameters"]
profile = "full"  # "full" for the book, "quick" for the tests (fewer training epochs)
seed = 0  # seed of model initialisation and mini-batch order

# %% tags=["hide-input"]
import numpy as np
import pandas as pd
import torch
from myst_nb import glue

from attribution_book import data, plots, zoo

torch.set_num_threads(1)

# %% [markdown]
# ## The datasets
#
# All datasets ship inside installed packages (scikit-learn and statsmodels) or are
# regenerated offline (MNIST-1D). Each has one fixed split, 60 % training, 20 % validation
# and 20 % test, stratified by class for classification, so every chapter and every model
# sees the same test set whatever seed it trains with. Tabular features are standardised with
# the training split's mean and standard deviation; digit images are scaled to [0, 1].

# %%
table = data.summary()
glue("n_datasets", len(table), display=False)
table.drop(columns=["description", "source"])

# %% [markdown]
# What each dataset is, and which package it comes from:

# %%
table[["description", "source"]]

# %% [markdown]
# How the targets are distributed, over all three splits ({numref}`fig-targets`):

# %%
fig = plots.target_distributions(data.load(name) for name in data.NAMES)
plots.glue_figure("fig-targets", fig)

# %% [markdown]
# ```{glue:figure} fig-targets
# :name: fig-targets
# :alt: Panels of bar charts and histograms, one per dataset.
#
# Class counts (classification) or the histogram of the target (regression) of every dataset,
# over all three splits.
# ```

# %% [markdown]
# ## The 8x8 digits
#
# The {glue:text}`n_digits` digit images are 8x8 pixels with 17 grey levels, written by 43
# people (the UCI "optdigits" test set). They are small enough that exact computations over
# all subsets of 4x4 patches (16 players, 65 536 coalitions) take well under a second, and
# rich enough that a CNN beats a linear model. A sample from the test split ({numref}`fig-digit-sample`):

# %%
digits = data.load("digits")
glue("n_digits", digits.n_samples, display=False)
rng = np.random.default_rng(seed)
pick = rng.choice(len(digits.X_test), size=20, replace=False)
fig = plots.image_grid(
    digits.X_test[pick], titles=[f"label {y}" for y in digits.y_test[pick]]
)
plots.glue_figure("fig-digit-sample", fig)

# %% [markdown]
# ```{glue:figure} fig-digit-sample
# :name: fig-digit-sample
# :alt: A grid of small handwritten digit images with their labels.
#
# A sample of the digits test split with their labels.
# ```

# %% [markdown]
# ## The model zoo
#
# {glue:text}`n_models` small models serve all chapters. Each is trained by Adam on mini-batches whose order
# is drawn from the seed, and keeps the weights of its best validation epoch. In the chain
# models every non-linearity is its own module, created once and used once: libraries that
# keep a module's input on the module (captum's DeepLift, shap's DeepExplainer) give wrong
# results or fail otherwise, and the chapters compare with them. The propagation methods
# here read the model's graph, where each use of a module is a node of its own, and need no
# such care: the ResNet reuses one ReLU per block, as torchvision's does.
#
# | model | data | architecture | used for |
# |---|---|---|---|
# | `digits_mlp` | digits | 64-64-32-10, ReLU | maps, exact dividends with pixel or patch players |
# | `digits_cnn` | digits | two 3x3 convolutions, ReLU, max-pool, linear | maps, Grad-CAM, patches |
# | `smooth_mlp` | wine | 13-32-16-3, tanh | Taylor terms (it is analytic) |
# | `tabular_mlp` | breast cancer | 30-32-16-2, ReLU | tabular attributions |
# | `digits_shallow` | digits | 64-64-10, ReLU | one nonlinear layer: DeepLIFT Rescale = Integrated Gradients |
# | `digits_gap_cnn` | digits | two 3x3 convolutions, ReLU, global average pool, linear | Grad-CAM = Gradient x Input on the feature map |
# | `canvas_poly` | canvas digits | 144-64, square, 10 (a second-order polynomial) | the predecessor's *Poly* model: faithfulness |
# | `canvas_mlp` | canvas digits | 144-64-32-10, sigmoid | the predecessor's sigmoid MLP: faithfulness |
# | `canvas_cnn` | canvas digits | two 3x3 convolutions, sigmoid, max-pool, linear | the predecessor's sigmoid CNN: faithfulness |
# | `canvas_resnet` | canvas digits | torchvision-style ResNet: BatchNorm, two stages of BasicBlocks, global average pool | {ref}`architectures` |
# | `wine_transformer` | wine | 13 feature tokens, one transformer encoder layer, mean, linear | {ref}`architectures` |

# %% tags=["show-input"]
models = {
    name: zoo.load(name, seed=seed, profile=profile) for name in zoo.NAMES
}
glue(
    "n_models",
    {9: "Nine", 10: "Ten", 11: "Eleven", 12: "Twelve"}.get(
        len(models), str(len(models))
    ),
    display=False,
)
for name, model in models.items():
    glue(
        f"{name}_accuracy", f"{model.metrics['accuracy']:.1%}", display=False
    )
    if model.config.architecture not in zoo.REUSES_ACTIVATIONS:
        zoo.check_activations_used_once(
            model.module, model.inputs(model.dataset.X_test[:1])
        )

pd.DataFrame(
    [
        {
            "model": name,
            "dataset": m.config.dataset,
            "parameters": sum(p.numel() for p in m.module.parameters()),
            "epochs": m.config.epochs,
            "test accuracy": round(m.metrics["accuracy"], 4),
            "test cross-entropy": round(m.metrics["loss"], 4),
        }
        for name, m in models.items()
    ]
).set_index("model")

# %% [markdown]
# The ReLU MLP reaches {glue:text}`digits_mlp_accuracy` test accuracy on the digits and the
# CNN {glue:text}`digits_cnn_accuracy`. Their training curves (log scale) ({numref}`fig-training-curves`):

# %%
fig = plots.training_curves({name: m.history for name, m in models.items()})
plots.glue_figure("fig-training-curves", fig)

# %% [markdown]
# ```{glue:figure} fig-training-curves
# :name: fig-training-curves
# :alt: Panels of loss curves, one per model, training and validation.
#
# Training and validation loss of the zoo models per epoch (log scale).
# ```

# %% [markdown]
# ## The architectures in full

# %%
for name, model in models.items():
    print(f"{name}:\n{model.module}\n")

# %% [markdown]
# ## Exercises
#
# ```{exercise}
# :label: ex-models-parameters
# How many parameters do the digits MLP and the digits CNN have? Which has more per test
# point of accuracy?
# ```
#
# ```{solution-start} ex-models-parameters
# :class: dropdown
# ```
# Counted from the trained modules:

# %%
parameters = pd.Series(
    {
        name: sum(p.numel() for p in models[name].module.parameters())
        for name in ("digits_mlp", "digits_cnn")
    },
    name="parameters",
)
accuracy = {n: models[n].metrics["accuracy"] for n in parameters.index}
per_point = {n: parameters[n] / (100 * accuracy[n]) for n in parameters.index}
more = parameters.idxmax()
glue(
    "parameters_answer",
    f"the {'CNN' if more == 'digits_cnn' else 'MLP'} has more parameters "
    f"({parameters.max():,} against {parameters.min():,}) and more per point of accuracy "
    f"({per_point[more]:.0f} against {min(per_point.values()):.0f})"
    if per_point[more] == max(per_point.values())
    else f"the {'CNN' if more == 'digits_cnn' else 'MLP'} has more parameters "
    f"({parameters.max():,} against {parameters.min():,}), but fewer per point of accuracy",
    display=False,
)
parameters

# %% [markdown]
# By these counts, {glue:text}`parameters_answer`. The CNN shares its convolution weights
# across positions, but its linear head reads every feature map at every position, and that
# head holds most of its weights.
# ```{solution-end}
# ```
#
# ```{exercise}
# :label: ex-models-canvas
# The canvas models reach lower accuracies than the digits models. Name the two reasons, and
# say which model each one hurts most.
# ```
#
# ```{solution} ex-models-canvas
# :class: dropdown
# Each digit sits at a random position on a larger canvas of uniform noise, so (1) the
# model must recognise a digit wherever it is, and (2) the noise around it must be ignored.
# The second-order polynomial model has no notion of position and few parameters per
# position: it suffers most from (1). The MLP learns each position separately. The CNN
# shares its filters across positions, which answers (1), and still has to learn (2): it
# comes out best of the three.
# ```
#
# ```{exercise}
# :label: ex-models-reused-relu
# Build `nn.Sequential(lin1, relu, lin2, relu, lin3)` with the *same* `relu` object twice
# and run DeepLIFT Rescale on it, here and with captum's `DeepLift`. What does each do, and
# why does it matter that the two uses see different inputs?
# ```
#
# ```{solution-start} ex-models-reused-relu
# :class: dropdown
# ```

# %%
import warnings

from captum.attr import DeepLift
from torch import nn

from unified_attribution import attribute

torch.manual_seed(4)
relu = nn.ReLU()
reused = nn.Sequential(
    nn.Linear(3, 4), relu, nn.Linear(4, 4), relu, nn.Linear(4, 1)
).double()
twin = nn.Sequential(reused[0], nn.ReLU(), reused[2], nn.ReLU(), reused[4])
x = torch.rand(
    3, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(0)
)
ours = attribute("deeplift_rescale", reused, x, 0.0, target=0).scores
assert torch.equal(
    ours, attribute("deeplift_rescale", twin, x, 0.0, target=0).scores
)
assert ours.abs().min() > 1e-4
try:
    with warnings.catch_warnings():  # captum's generic note on hooks
        warnings.simplefilter("ignore")
        DeepLift(reused).attribute(x, torch.zeros_like(x), target=0)
except RuntimeError as error:
    print(type(error).__name__, ":", str(error).split(". ")[0])

# %% [markdown]
# Here the reused model gets exactly the scores of its twin with one module per use: the
# methods read the model's graph, where the two uses are two nodes, each with its own
# input at x and at the reference. captum keeps a module's input and output on the module
# itself; a second use would overwrite the first use's record, and the multipliers of the
# first use would come from the second layer's values, so captum refuses the model.
# ```{solution-end}
# ```

# %% [markdown]
# ## Rerun this chapter

# %% tags=["remove-input"]
from IPython.display import Markdown

from attribution_book import rerun

Markdown(rerun.section("models_and_data"))
