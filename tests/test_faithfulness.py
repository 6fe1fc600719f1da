"""Infidelity against hand values, localization on hand-made maps, the correlation and its
verdict on constructed tables, and the whole evaluation on a small network."""

import numpy as np
import pandas as pd
import pytest
import torch
from numpy.testing import assert_allclose
from torch import nn

from attribution_book import zoo
from unified_attribution import faithfulness, games, methods


def linear_model(w):
    model = nn.Linear(len(w), 1, bias=True).double()
    with torch.no_grad():
        model.weight.copy_(torch.as_tensor(w, dtype=torch.float64)[None])
        model.bias.fill_(0.7)
    return model


def test_infidelity_of_a_linear_model_is_sigma_squared_times_the_miss():
    """f(x) = w . x + c: I . a - (f(x) - f(x - I)) = I . (a - w), so the infidelity is
    sigma^2 |a - w|^2 (Monte Carlo with 20,000 draws: standard error about 1 %)."""
    w = np.array([1.0, -2.0, 0.5])
    a = np.array([[0.0, -1.0, 2.0]])
    x = torch.tensor([[0.3, 0.1, -0.4]], dtype=torch.float64)
    sigma = 0.2
    found = faithfulness.infidelity(
        linear_model(w), x, torch.as_tensor(a), 0, sigma=sigma, n_samples=20_000, normalize=False
    )
    assert_allclose(found, sigma**2 * ((a - w) ** 2).sum(), rtol=0.04)
    again = faithfulness.infidelity(
        linear_model(w), x, torch.as_tensor(a), 0, sigma=sigma, n_samples=20_000, normalize=False
    )
    assert_allclose(found, again, rtol=0, atol=0)  # seeded


def test_relative_infidelity_is_zero_for_a_multiple_of_the_gradient_and_one_when_orthogonal():
    w = np.array([1.0, -2.0, 0.5])
    model = linear_model(w)
    x = torch.zeros(3, 3, dtype=torch.float64)
    a = torch.stack(
        [
            torch.as_tensor(3 * w),
            torch.tensor([2.0, 1.0, 0.0], dtype=torch.float64),
            torch.zeros(3, dtype=torch.float64),
        ]
    )
    found = faithfulness.relative_infidelity(model, x, a, 0, n_samples=4000)
    assert found[0] < 1e-12
    assert 0.98 < found[1] <= 1.0  # orthogonal: only sampling correlation is explained
    assert found[2] == 1.0  # the zero map explains nothing
    change = faithfulness.output_change(model, x, 0, n_samples=4000)
    assert_allclose(change, (0.1**2) * (w**2).sum(), rtol=0.1)  # sigma^2 |w|^2 for f = w . x
    np.testing.assert_array_equal(
        faithfulness.relative_infidelity(model, x, a, 0, n_samples=4000, change=change), found
    )  # the same draws: passing it changes nothing
    with pytest.raises(ValueError, match="shaped like x"):
        faithfulness.relative_infidelity(model, x, a[:, :2], 0)


def test_localization_is_the_positive_mass_inside_the_box():
    maps = torch.zeros(4, 1, 6, 6, dtype=torch.float64)
    boxes = np.array([[1, 2, 3, 3]] * 4)
    maps[0, 0, 1:4, 2:5] = 1.0  # all inside
    maps[1] = 1.0  # uniform: the box's share of the image
    maps[2] = -1.0  # negative mass does not count...
    maps[2, 0, 0, 0] = 2.0  # ... and one positive pixel outside is all there is
    maps[3] = -1.0  # no positive mass at all
    found = faithfulness.localization(maps, boxes, (1, 6, 6))
    assert_allclose(found, [1.0, 9 / 36, 0.0, 0.0], atol=1e-8)
    assert_allclose(
        faithfulness.localization(maps[[1, 3]], boxes[:2], (1, 6, 6)), [9 / 36, 0.0]
    )  # all constant
    assert_allclose(faithfulness.localization(torch.zeros(2, 36), boxes[:2], (1, 6, 6)), [0.0, 0.0])
    # a varying map with no positive entry scores 0 too (Quantus asserted on it)
    negative = -0.1 - torch.rand(
        1, 1, 6, 6, dtype=torch.float64, generator=torch.Generator().manual_seed(0)
    )
    assert_allclose(faithfulness.localization(negative, boxes[:1], (1, 6, 6)), [0.0])
    flat = faithfulness.localization(maps.reshape(4, -1), boxes, (1, 6, 6))
    assert_allclose(flat, found)
    with pytest.raises(ValueError, match="one \\(row, column, height, width\\) per input"):
        faithfulness.localization(maps, boxes[:2], (1, 6, 6))
    # a box outside the image is refused (it gave NaN), naming the input
    far = boxes.copy()
    far[2] = [5, 5, 4, 4]
    with pytest.raises(ValueError, match=r"inputs \[2\] do not lie inside the 6 x 6 image"):
        faithfulness.localization(maps, far, (1, 6, 6))
    # three channels: the pixel's total counts (Quantus refused any multi-channel map)
    colour = maps.repeat(1, 3, 1, 1) / 3
    assert_allclose(faithfulness.localization(colour, boxes, (3, 6, 6)), found, atol=1e-8)


def constructed(means, n_inputs=40, noise=0.01, seed=0):
    rng = np.random.default_rng(seed)
    names = [f"m{k}" for k in range(len(means))]
    values = np.asarray(means)[None] + noise * rng.standard_normal((n_inputs, len(means)))
    return pd.DataFrame(values, columns=names), names


def test_correlation_on_a_monotone_table_and_its_verdict():
    followed = pd.Series([1, 2, 2, 3, 3], index=[f"m{k}" for k in range(5)])
    rising, _ = constructed([0.1, 0.4, 0.5, 0.8, 0.9])
    found = faithfulness.correlation(rising, followed, n_boot=200)
    again = faithfulness.correlation(rising, followed, n_boot=200)
    assert (found.low, found.high) == (again.low, again.high)  # the bootstrap is seeded
    assert found.rho > 0.9 and found.low > 0 and found.n_methods == 5
    assert found.verdict(+1) == "holds" and found.verdict(-1) == "reversed"
    flat, _ = constructed([0.5] * 5, noise=0.3)
    undecided = faithfulness.correlation(flat, followed, n_boot=200)
    assert undecided.low < 0 < undecided.high and undecided.verdict(+1) == "not decided"
    with pytest.raises(ValueError, match="at least 3 methods"):
        faithfulness.correlation(rising.iloc[:, :2], followed)


def test_principles_followed_counts_table_2():
    followed = faithfulness.principles_followed()
    assert followed["shapley_value"] == 3 and followed["occlusion_patch"] == 1
    assert set(followed.index) == set(methods.PAPER_A_METHODS)


def test_evaluate_scores_every_method_and_records_refusals():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(16, 6), zoo.Square(), nn.Linear(6, 3)).double()
    x = torch.rand(3, 16, dtype=torch.float64)
    players = games.patches((4, 4), 2).reshape(-1)
    found = faithfulness.evaluate(
        model,
        x,
        torch.tensor([0, 1, 2]),
        np.array([[0, 0, 2, 2]] * 3),
        (1, 4, 4),
        players,
        torch.rand(5, 16, dtype=torch.float64),
        n_samples=16,
    )
    # the squaring layer is a product z * z, which the propagation rules cover; Grad-CAM
    # needs a convolution
    assert set(found.refused) == {"grad_cam"}
    assert "convolution" in found.refused["grad_cam"]
    table = found.per_input("localization")
    assert list(table.columns) == [m for m in methods.PAPER_A_METHODS if m not in found.refused]
    assert table.shape == (3, len(table.columns))
    with pytest.raises(ValueError, match="score must be one of"):
        found.per_input("infidelity")
    infid = found.per_input("relative infidelity").to_numpy()
    assert np.all((infid >= 0) & (infid <= 1 + 1e-9))
