"""Quickstart: the fourteen methods on your own torch model, the exact game of
one input, and SASANet on a DataFrame. Shown in the README and the book's
introduction; run by tests/test_readme.py."""

import pandas as pd
import torch
from sklearn.datasets import load_breast_cancer
from torch import nn

from unified_attribution import MaskingGame, attribute, harsanyi, methods
from unified_attribution.sasanet import SASANet

# your torch model and a batch of inputs (float64 gives exact comparisons)
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2)).double()
x = torch.rand(3, 4, dtype=torch.float64)
background = torch.rand(16, 4, dtype=torch.float64)  # rows to average over

# the fourteen methods of paper A (Grad-CAM needs a convolution)
for name in methods.PAPER_A_METHODS:
    spec = methods.get(name)
    if name == "grad_cam":
        continue
    baselines = {"tensor": 0.0, "distribution": background, "none": 0.0}
    # Occlusion-patch takes patches: here, two groups of the flat input
    patches = {}
    if name == "occlusion_patch":
        patches = {"players": [[0, 1], [2, 3]]}
    found = attribute(name, model, x, baselines[spec.baseline], 1, **patches)
    scores = found.scores[0].numpy().round(3)
    print(f"{spec.title:22} scores {scores}  gap {found.gap[0]:+.1e}")

# the exact game of one input: every Harsanyi dividend, and the Shapley values
effects = harsanyi(MaskingGame(model, x[0], 0.0, target=1))
print("dividend of {0, 1}:", round(effects[(0, 1)], 4))
print("Shapley:", effects.shapley().round(3))

# SASANet on a DataFrame: fit, predict, and its own Shapley attribution
# (epochs=5 is a smoke test that runs in seconds; the book trains each
# SASANet for the epochs of attribution_book.sasanet_runs.EXPERIMENTS,
# with early stopping)
data = load_breast_cancer(as_frame=True)
X, y = data.data.iloc[:, :6], data.target
net = SASANet("binary", epochs=5, seed=0).fit(X, y)
found = net.attribute(X.iloc[:2])  # values, baseline_value, output, budget
print(pd.DataFrame(found.values, columns=X.columns).round(3).to_string())
