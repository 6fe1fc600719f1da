"""Paper A's reformulations, proved by exact expansion for generic polynomials."""

import numpy as np
import pytest
import sympy as sp
from numpy.testing import assert_allclose

from attribution_book import zoo
from unified_attribution import games
from unified_attribution.taylor import symbolic
from unified_attribution.theory import allocation

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
    with_ig_weights = allocation.rebuild_polynomial("integrated_gradients", f, X[:2])
    assert any(sp.expand(a - b) != 0 for a, b in zip(gxi, with_ig_weights))
    shapley_as_occlusion = allocation.rebuild_polynomial("occlusion_1", f, X[:2])
    shapley = allocation.closed_form("shapley_value", f, X[:2])
    assert any(sp.expand(a - b) != 0 for a, b in zip(shapley, shapley_as_occlusion))


def test_weights_and_errors():
    assert allocation.weight("integrated_gradients") == allocation.KAPPA_I / allocation.ORDER
    with pytest.raises(ValueError, match="no derived weights for 'lrp_epsilon'"):
        allocation.weight("lrp_epsilon")
    with pytest.raises(ValueError, match="must partition"):
        allocation.rebuild_polynomial("occlusion_patch", X[0] * X[1], X[:2], patches=[[0]])
    with pytest.raises(ValueError, match="not a polynomial"):
        allocation.prove_reformulation("occlusion_1", sp.exp(X[0]), X[:1])


def test_numeric_weights_are_the_displayed_ones():
    rng = np.random.default_rng(0)
    effects = games.Effects(rng.normal(size=2**4))
    patches = [[0, 1], [2, 3]]
    for method in ("occlusion_1", "occlusion_patch", "shapley_value"):
        patch_of = {i: frozenset(p) for p in patches for i in p}
        exact = [
            sum(
                float(allocation._weight_value(method, i, frozenset(games.players_of(m)), patch_of))
                * effects.dividends[m]
                for m in range(1, 16)
            )
            for i in range(4)
        ]
        assert_allclose(
            allocation.rebuild_from_effects(method, effects, patches), exact, atol=1e-12
        )
    assert_allclose(
        allocation.rebuild_from_effects("shapley_value", effects), effects.shapley(), atol=1e-12
    )
    assert_allclose(
        allocation.rebuild_from_effects("occlusion_1", effects), effects.occlusion(), atol=1e-12
    )


def test_perturbation_methods_are_their_allocations_on_the_digits_mlp(model_cache):
    model = zoo.load("digits_mlp", profile="quick")
    f = model.float64()
    x = model.inputs(model.dataset.X_test[:1]).double()[0]
    patches = games.patches((8, 8), 2).reshape(-1)
    background = model.inputs(model.dataset.X_train[:5]).double()
    centre = [[r * 8 + c] for r in range(2, 6) for c in range(2, 6)]  # Occlusion-1: one pixel each
    for method, players, baseline in (
        ("occlusion_patch", patches, 0.0),
        ("shapley_value", patches, 0.0),
        ("occlusion_1", centre, 0.0),
        ("prediction_difference", patches, background),
    ):
        run, rebuilt = allocation.run_and_rebuilt(method, f, x, players, 3, baseline)
        assert run.shape == rebuilt.shape == (len(set(patches)) if players is patches else 16,)
        assert_allclose(run, rebuilt, atol=1e-10, err_msg=method)
        assert np.abs(run).max() > 1e-3, method  # not trivially zero
    # a wrong allocation is caught: the Shapley value's dividends rebuilt with Occlusion-1's weights
    effects = games.harsanyi(games.MaskingGame(f, x, 0.0, players=patches, target=3))
    run, _ = allocation.run_and_rebuilt("shapley_value", f, x, patches, 3, effects=effects)
    assert np.abs(run - allocation.rebuild_from_effects("occlusion_1", effects)).max() > 1e-3
    with pytest.raises(ValueError, match="one element per player"):
        allocation.run_and_rebuilt("occlusion_1", f, x, patches, 3)


def test_occlusion_patch_with_captum_sliding_window_is_its_allocation_on_the_cnn(model_cache):
    model = zoo.load("digits_cnn", profile="quick")
    f = model.float64()
    x = model.inputs(model.dataset.X_test[:1]).double()[0]
    patches = games.patches((1, 8, 8), 4)  # 4 players: a 16-mask game, fast
    run, rebuilt = allocation.run_and_rebuilt("occlusion_patch", f, x, patches, 1, window=(1, 4, 4))
    assert_allclose(run, rebuilt, atol=1e-6)  # captum casts the sliding-window sums to float32


def test_gradient_methods_are_their_allocations_on_the_smooth_network(model_cache):
    model = zoo.load("smooth_mlp", profile="quick")
    f = model.float64()
    x = model.inputs(model.dataset.X_test[:1]).double()[0]
    inside = allocation.rebuild_errors(f, 0.1 * x, 0.0, 1, max_order=20)  # inside the radius
    for method, tolerance in (
        ("gradient_x_input", 1e-12),
        ("integrated_gradients", 1e-7),
    ):  # captum's float32 weights
        errors = inside[method]
        assert errors.shape == (20,)
        assert errors[-1] < tolerance, method
        assert errors[-1] < errors[2] * 1e-3, method


def test_numeric_rebuilds_refuse_the_other_family():
    with pytest.raises(ValueError, match="no weights over Taylor terms"):
        allocation.rebuild_from_parts("shapley_value", np.zeros((3, 2)))
    with pytest.raises(ValueError, match="no weights over dividends"):
        allocation.rebuild_from_effects("integrated_gradients", games.Effects(np.zeros(4)))
