"""Paper A's reformulations, proved by exact expansion for generic polynomials."""

import numpy as np
import pytest
import sympy as sp
import torch
from numpy.testing import assert_allclose

from unified_attribution import allocation, games

from attribution_book import zoo
from unified_attribution.methods import attribute
from unified_attribution.taylor import numeric, symbolic

X = sp.symbols("x1:5")


@pytest.mark.parametrize("method", list(allocation.WEIGHTS))
def test_every_polynomial_of_degree_3_in_3_variables(method):
    f, _ = symbolic.generic_polynomial(X[:3], 3)  # symbolic coefficients, x and b
    proof = allocation.prove_reformulation(method, f, X[:3], patches=[[0, 1], [2]])
    assert proof, proof.residuals


@pytest.mark.parametrize("method", list(allocation.WEIGHTS))
def test_random_polynomials_of_degree_4_in_4_variables(method):
    f = symbolic.random_polynomial(X, 4, seed=5)
    proof = allocation.prove_reformulation(method, f, X, [1, -2, 0, 3], patches=[[0, 1], [2, 3]])
    assert proof, proof.residuals


def test_a_wrong_weight_is_not_proved():
    f, _ = symbolic.generic_polynomial(X[:2], 3)
    gxi = allocation.closed_form("gradient_x_input", f, X[:2])
    with_ig_weights = allocation.rebuild("integrated_gradients", f, X[:2])
    assert any(sp.expand(a - b) != 0 for a, b in zip(gxi, with_ig_weights))
    shapley_as_occlusion = allocation.rebuild("occlusion_1", f, X[:2])
    shapley = allocation.closed_form("shapley_value", f, X[:2])
    assert any(sp.expand(a - b) != 0 for a, b in zip(shapley, shapley_as_occlusion))


def test_weights_and_errors():
    assert allocation.weight("integrated_gradients") == allocation.KAPPA_I / allocation.ORDER
    with pytest.raises(ValueError, match="no derived weights for 'lrp_epsilon'"):
        allocation.weight("lrp_epsilon")
    with pytest.raises(ValueError, match="must partition"):
        allocation.rebuild("occlusion_patch", X[0] * X[1], X[:2], patches=[[0]])
    with pytest.raises(ValueError, match="not a polynomial"):
        allocation.prove_reformulation("occlusion_1", sp.exp(X[0]), X[:1])


def test_numeric_weights_are_the_displayed_ones():
    rng = np.random.default_rng(0)
    effects = games.Effects(rng.normal(size=2**4))
    patches = [[0, 1], [2, 3]]
    for method in ("occlusion_1", "occlusion_patch", "shapley_value"):
        patch_of = {i: frozenset(p) for p in patches for i in p}
        exact = [sum(float(allocation._weight_value(method, i, frozenset(games.players_of(m)), patch_of))
                     * effects.dividends[m] for m in range(1, 16)) for i in range(4)]
        assert_allclose(allocation.rebuild_from_dividends(method, effects, patches), exact, atol=1e-12)
    assert_allclose(allocation.rebuild_from_dividends("shapley_value", effects), effects.shapley(), atol=1e-12)
    assert_allclose(allocation.rebuild_from_dividends("occlusion_1", effects), effects.occlusion(), atol=1e-12)


def test_perturbation_methods_are_their_allocations_on_the_digits_mlp(model_cache):
    model = zoo.load("digits_mlp", profile="quick")
    f = model.float64()
    x = model.inputs(model.dataset.X_test[:1]).double()
    patches = games.patches((8, 8), 2).reshape(-1)
    effects = games.harsanyi(games.MaskingGame(f, x[0], 0.0, players=patches, target=3))
    singletons = [[i] for i in range(16)]
    for method in ("occlusion_patch", "shapley_value"):
        scores = attribute(method, f, x, target=3, players=patches).scores[0].numpy()
        rebuilt = allocation.rebuild_from_dividends(method, effects, singletons)
        assert_allclose(scores, rebuilt[patches], atol=1e-10)
    # Occlusion-1 on the 16 central pixels: a game whose players are those pixels
    centre = [r * 8 + c for r in range(2, 6) for c in range(2, 6)]
    effects = games.harsanyi(games.MaskingGame(f, x[0], 0.0, players=[[p] for p in centre], target=3))
    scores = attribute("occlusion_1", f, x, target=3).scores[0].numpy()[centre]
    assert_allclose(scores, allocation.rebuild_from_dividends("occlusion_1", effects), atol=1e-10)
    # Prediction Difference: Occlusion-1 on patches averaged over the replacement rows
    background = model.inputs(model.dataset.X_train[:5]).double()
    scores = attribute("prediction_difference", f, x, background, target=3, players=patches,
                       n_samples=5).scores[0].numpy()
    rebuilt = np.mean([allocation.rebuild_from_dividends(
        "occlusion_1", games.harsanyi(games.MaskingGame(f, x[0], row, players=patches, target=3)))
        for row in background], axis=0)
    assert_allclose(scores, rebuilt[patches], atol=1e-10)


def test_gradient_methods_are_their_allocations_on_the_smooth_network(model_cache):
    model = zoo.load("smooth_mlp", profile="quick")
    f = model.float64()
    x = 0.1 * model.inputs(model.dataset.X_test[:1]).double()  # inside the radius of convergence
    b = torch.zeros_like(x[0])
    parts = numeric.gradient_parts(f, x[0], b, target=1, max_order=20)
    gxi = attribute("gradient_x_input", f, x, b, target=1).scores[0].numpy()
    ig = attribute("integrated_gradients", f, x, b, target=1).scores[0].numpy()
    for method, scores, tolerance in (("gradient_x_input", gxi, 1e-12),
                                      ("integrated_gradients", ig, 1e-7)):  # captum's float32 weights
        errors = np.abs(allocation.rebuild_from_parts(method, parts) - scores).max(axis=1)
        assert errors[-1] < tolerance * np.abs(scores).max(), method
        assert errors[-1] < errors[2] * 1e-3, method


def test_numeric_rebuilds_refuse_the_other_family():
    with pytest.raises(ValueError, match="no weights over Taylor terms"):
        allocation.rebuild_from_parts("shapley_value", np.zeros((3, 2)))
    with pytest.raises(ValueError, match="no weights over dividends"):
        allocation.rebuild_from_dividends("integrated_gradients", games.Effects(np.zeros(4)))
