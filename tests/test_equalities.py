"""Equalities between propagation methods hold under their conditions and fail outside them."""

import numpy as np
import pytest
import torch
from torch import nn

from unified_attribution.theory import equalities


def mlp(seed, sizes):
    torch.manual_seed(seed)
    layers = []
    for n_in, n_out in zip(sizes, sizes[1:]):
        layers += [nn.Linear(n_in, n_out), nn.ReLU()]
    return nn.Sequential(*layers[:-1]).double()


def cnn(seed, head):
    torch.manual_seed(seed)
    tail = (
        [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 3)]
        if head == "average"
        else [nn.MaxPool2d(2), nn.Flatten(), nn.Linear(4 * 4 * 4, 3)]
    )
    return nn.Sequential(
        nn.Conv2d(1, 3, 3, padding=1), nn.ReLU(), nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(), *tail
    ).double()


@pytest.fixture
def inputs():
    generator = torch.Generator().manual_seed(0)
    return torch.rand(4, 6, generator=generator, dtype=torch.float64), torch.tensor([0, 1, 2, 0])


def test_lrp_epsilon_tends_to_gradient_x_input(inputs):
    x, target = inputs
    curve = equalities.lrp_epsilon_curve(mlp(1, (6, 5, 4, 3)), x, target, [1e-1, 1e-3, 1e-9])
    assert curve.shape == (4, 3)
    assert (np.diff(curve, axis=1) < 0).all() and curve[:, 0].min() > 1e-4  # biases: not equal
    assert curve[:, -1].max() < 1e-6


def test_rescale_is_integrated_gradients_for_one_hidden_layer_only(inputs):
    x, target = inputs
    steps = [16, 256, 4096]
    shallow = equalities.rescale_curve(mlp(1, (6, 8, 3)), x, target, steps)
    deep = equalities.rescale_curve(mlp(1, (6, 8, 8, 3)), x, target, steps)
    assert (
        shallow[:, -1].max() < 1e-3 and (shallow[:, -1] < shallow[:, 0]).all()
    )  # quadrature error only
    assert np.median(deep[:, -1]) > 1e-2  # levels off: a composition, not an integral


def test_zplus_matches_captum_and_zb_differs():
    x = torch.rand(3, 1, 8, 8, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    found = equalities.zplus_against_captum(cnn(1, "max"), x, torch.tensor([0, 1, 2]))
    # captum keeps a stabilizer of 1e-9 on its pooling layers: agreement to about that size
    assert found["ours vs captum (α1β0)"] < 1e-6 and found["Deep Taylor z+ vs α1β0"] < 1e-12
    assert found["Deep Taylor zB [0, 1] vs α1β0"] > 1e-3


def test_grad_cam_is_feature_gradient_x_input_under_an_average_pooling_head_only():
    x = torch.rand(3, 1, 8, 8, generator=torch.Generator().manual_seed(2), dtype=torch.float64)
    target = torch.tensor([0, 1, 2])
    assert (
        equalities.grad_cam_against_feature_gxi(cnn(3, "average"), x, target, layer=3).max() < 1e-12
    )
    assert (
        np.median(equalities.grad_cam_against_feature_gxi(cnn(3, "max"), x, target, layer=3)) > 1e-2
    )
