"""Paper A's Table 1 as data: rows rebuilt from Taylor terms and dividends, proved or refuted."""

import numpy as np
import pytest
import sympy as sp
import torch
from torch import nn

from unified_attribution import MaskingGame, attribute, games, harsanyi
from unified_attribution.taylor import symbolic
from unified_attribution.theory import departures, reformulations, table_1

X = sp.symbols("x1:4")
POLYNOMIAL = symbolic.random_polynomial(X, 3, seed=4)


@pytest.mark.parametrize(
    "method",
    [
        "integrated_gradients",
        "expected_gradients",
        "occlusion_1",
        "prediction_difference",
        "shapley_value",
    ],
)
def test_rows_that_hold_on_every_polynomial(method):
    assert reformulations.prove_on_polynomial(method, POLYNOMIAL, X).holds  # symbolic baseline


def test_first_order_row_holds_only_for_affine_models():
    assert reformulations.prove_on_polynomial("gradient_x_input", 3 * X[0] - X[1] + 2, X).holds
    refuted = reformulations.prove_on_polynomial("gradient_x_input", X[0] * X[1], X, 0)
    # (x_i - 0) d/dx_i (x1 x2) = x1 x2 for both variables; the first-order terms at 0 are 0
    assert refuted.residuals["a_x1"] == X[0] * X[1]


@pytest.mark.parametrize(
    "method", ["deeplift_rescale", "deeplift_revealcancel", "lrp_alpha_beta", "deep_taylor"]
)
def test_propagation_rows_hold_on_one_neuron(method):
    assert reformulations.prove_on_neuron(method).holds


def test_propagation_rows_need_a_zero_root_value():
    assert not reformulations.prove_on_neuron("lrp_alpha_beta", root_value=True).holds
    assert reformulations.prove_on_neuron(
        "deeplift_rescale", root_value=True
    ).holds  # explains Delta y
    assert not reformulations.prove_on_neuron("deep_shap").holds  # kappa_i / |kappa| is not 1 / |S|


def test_coalition_rows_rebuild_from_dividends_of_a_relu_network():
    """Occlusion-1 and Shapley rows, from the exact dividends of a ReLU net: equal to the
    methods as run (the rows hold for any model)."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1)).double()
    x, b = torch.randn(4, dtype=torch.float64), torch.zeros(4, dtype=torch.float64)
    effects = harsanyi(MaskingGame(model, x, b))
    dividends = {frozenset(games.players_of(m)): effects.dividends[m] for m in range(1, 16)}
    for method in ("occlusion_1", "shapley_value"):
        rebuilt = np.array(reformulations.rebuild_from_dividends(method, dividends, 4), dtype=float)
        ran = attribute(method, model, x[None], b[None]).scores[0].numpy()
        np.testing.assert_allclose(rebuilt, ran, atol=1e-12)
    with pytest.raises(ValueError, match="depends on kappa"):
        reformulations.rebuild_from_dividends("integrated_gradients", dividends, 4)


def test_first_order_scores_are_the_gradient_at_the_baseline():
    model = nn.Bilinear(2, 2, 1).double()
    with torch.no_grad():
        model.weight.zero_()
        model.weight[0, 0, 1] = 1.0
        model.bias.zero_()
    product = lambda z: model(z, z)  # noqa: E731  f = x1 x2
    x = torch.tensor([[2.0, 3.0]], dtype=torch.float64)
    first = departures.first_order_scores(product, x, 0.0, torch.tensor([0]))
    np.testing.assert_allclose(first.numpy(), [[0.0, 0.0]])  # no first-order term at b = 0
    first = departures.first_order_scores(product, x, 1.0, torch.tensor([0]))
    np.testing.assert_allclose(first.numpy(), [[1.0, 2.0]])  # (x - 1) * (1, 1)


def test_rescale_is_ig_on_one_nonlinear_layer_only():
    torch.manual_seed(1)
    shallow = nn.Sequential(nn.Linear(5, 6), nn.Tanh(), nn.Linear(6, 2)).double()
    deep = nn.Sequential(
        nn.Linear(5, 6), nn.Tanh(), nn.Linear(6, 6), nn.Tanh(), nn.Linear(6, 2)
    ).double()
    x = torch.randn(3, 5, dtype=torch.float64)
    target = torch.tensor([0, 1, 0])
    near = departures.gradient_departures(shallow, x, 0.0, target)["DeepLIFT Rescale vs IG"]
    far = departures.gradient_departures(deep, x, 0.0, target)["DeepLIFT Rescale vs IG"]
    assert near.max() < 1e-6  # Gauss-Legendre quadrature, exact to rounding here
    assert far.max() > 1e-3


def test_signed_rows_need_contributions():
    with pytest.raises(ValueError, match="contributions"):
        table_1.weights("lrp_alpha_beta", (1, 0), context=table_1.Context())
    with pytest.raises(ValueError, match="non-zero"):
        table_1.weights("lrp_alpha_beta", (1, 0), context=table_1.Context(contributions=(1, 0)))
    with pytest.raises(ValueError, match="no row"):
        table_1.row("lime")


def test_check_rows_marks_the_differing_rows():
    checks = reformulations.check_rows()
    assert not checks.loc["gradient_x_input", "multilinear polynomial"]
    assert checks.loc["shapley_value", "multilinear polynomial"]
    assert not checks.loc["deep_shap", "one neuron, g(0) = 0"]


def test_on_the_second_order_polynomial_model_ig_is_the_shapley_value_and_gxi_is_not():
    """The predecessor's Poly model (linear, square, linear) is quadratic in x: every Taylor
    term has order <= 2, so IG's row (each term split by kappa_i / |kappa|) and the Shapley
    row (1 / |S|) coincide, and IG's integrand is linear on the path (one Gauss-Legendre
    node is exact). Gradient x Input counts each pair term in full to both members."""
    from attribution_book import zoo

    torch.manual_seed(5)
    model = nn.Sequential(nn.Linear(5, 4), zoo.Square(), nn.Linear(4, 2)).double()
    x = torch.rand(3, 5, dtype=torch.float64)
    b = torch.rand(5, dtype=torch.float64)
    target = torch.tensor([0, 1, 0])
    ig = attribute("integrated_gradients", model, x, b, target=target, n_steps=1).scores
    shapley = attribute("shapley_value", model, x, b, target=target).scores
    np.testing.assert_allclose(ig.numpy(), shapley.numpy(), atol=1e-12)
    gxi = attribute("gradient_x_input", model, x, b, target=target).scores
    assert (gxi - shapley).abs().max() > 1e-2


def test_propagation_departures_are_small_exactly_where_the_equalities_hold():
    from unified_attribution.theory import networks

    torch.manual_seed(2)
    shallow = nn.Sequential(nn.Linear(5, 8), nn.ReLU(), nn.Linear(8, 3)).double()
    deep = nn.Sequential(
        nn.Linear(5, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 3)
    ).double()
    x = torch.rand(4, 5, dtype=torch.float64)
    background = torch.rand(3, 5, dtype=torch.float64)
    target = torch.tensor([0, 1, 2, 0])
    near = departures.propagation_departures(shallow, x, target, 4096, background)
    far = departures.propagation_departures(deep, x, target, 4096, background)
    assert list(near) == [
        "LRP-ε vs GxI",
        "Rescale vs IG",
        "RevealCancel vs Rescale",
        "DeepShap vs mean IG",
    ]
    assert (
        near["Rescale vs IG"].max() < 5e-3 and near["DeepShap vs mean IG"].max() < 5e-3
    )  # quadrature only
    assert far["Rescale vs IG"].max() > 10 * near["Rescale vs IG"].max()
    assert "DeepShap vs mean IG" not in departures.propagation_departures(shallow, x, target, 64)
    # on one two-input ReLU neuron RevealCancel is the two-player Shapley value, not Rescale
    pair = networks.one_hidden([[1.0, -0.5]], [0.0], [1.0])
    one = torch.ones(1, 2, dtype=torch.float64)
    assert (
        departures.propagation_departures(pair, one, torch.tensor([0]), 64)[
            "RevealCancel vs Rescale"
        ][0]
        > 0.1
    )


def test_lrp_epsilon_row_is_refuted_on_one_curved_neuron_by_the_higher_orders():
    """LRP-0 hands out g(s) in shares u_i / s; the first-order row keeps g'(0) u_i only: the
    residual is u_i (g(s)/s - g'(0)), zero only for a linear g."""
    proof = reformulations.prove_on_neuron("lrp_epsilon")
    assert not proof.holds
    a2, a3 = sp.symbols("a_2 a_3")
    for residual in proof.residuals.values():
        assert residual.subs({a2: 0, a3: 0}) == 0  # linear activation: the row is exact
    checks = reformulations.check_rows()
    assert not checks.loc["lrp_epsilon", "one neuron, g(0) = 0"]
    assert checks.loc["grad_cam"].drop("paper's weights = book's").isna().all()


def test_grad_cam_row_is_exact_under_an_average_pool_head_only():
    torch.manual_seed(0)
    head_gap = [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(3, 2)]
    head_max = [nn.MaxPool2d(2), nn.Flatten(), nn.Linear(12, 2)]
    x = torch.rand(3, 1, 4, 4, dtype=torch.float64)
    target = torch.tensor([0, 1, 0])
    found = {}
    for name, head in (("gap", head_gap), ("max", head_max)):
        cnn = nn.Sequential(nn.Conv2d(1, 3, 3, padding=1), nn.ReLU(), *head).double()
        found[name] = departures.grad_cam_departures(cnn, x, target, layer=1)
    assert found["gap"].max() <= departures.FLOAT64_EXACT
    assert found["max"].min() > 0.1
    with pytest.raises(ValueError, match="head must remain"):
        departures.grad_cam_departures(cnn, x, target, layer=4)


def test_alpha_beta_rows_use_bachs_convention_with_the_papers_beta_flipped():
    """LRP-alpha2-beta1 (alpha - beta = 1, beta >= 0): an N- variable's own term gets
    -beta = -1 (the paper prints beta); an N+ variable's gets alpha = 2."""
    pattern = table_1.Context(contributions=(1, 2, -1, -2), alpha=2, beta=1)
    assert table_1.weights("lrp_alpha_beta", (0, 0, 1, 0), context=pattern)[2] == -1
    assert table_1.weights("lrp_alpha_beta", (1, 0, 0, 0), context=pattern)[0] == 2
    assert reformulations.prove_on_neuron("lrp_alpha_beta").holds


def _rows_averaged(method, expr, point, baselines):
    """The paper's row rebuilt from the Taylor terms at each baseline, evaluated at ``point``,
    averaged over the baselines."""
    at_x = dict(zip(X, point))
    rows = []
    for b in baselines:
        terms = symbolic.taylor_terms(expr, X, list(b))
        rows.append([float(a.subs(at_x)) for a in reformulations.rebuild_from_terms(method, terms)])
    return np.mean(rows, axis=0)


def test_averaged_rows_over_several_baselines():
    """Prediction Difference with every background row is Occlusion-1's row averaged over
    the rows as baselines, exactly; Expected Gradients' Monte Carlo estimate approaches
    Integrated Gradients' row averaged the same way (fixed seed, 20,000 draws)."""
    model = symbolic.torch_module(POLYNOMIAL, X)
    point = [0.7, -1.3, 2.1]
    background = torch.tensor(
        [[0.2, 0.5, -0.4], [-1.0, 0.3, 0.8], [0.6, -0.7, 0.1], [1.1, 1.4, -0.9]],
        dtype=torch.float64,
    )
    x = torch.tensor([point], dtype=torch.float64)
    pd_scores = attribute(
        "prediction_difference", model, x, background, n_samples=len(background)
    ).scores[0]
    expected = _rows_averaged("prediction_difference", POLYNOMIAL, point, background.tolist())
    np.testing.assert_allclose(pd_scores.numpy(), expected, rtol=1e-12)
    eg = attribute("expected_gradients", model, x, background, n_samples=20000).scores[0]
    expected = _rows_averaged("expected_gradients", POLYNOMIAL, point, background.tolist())
    assert np.abs(eg.numpy() - expected).max() / np.abs(expected).max() < 0.02
    one = attribute("expected_gradients", model, x, background[:1], n_samples=20000).scores[0]
    assert np.abs(one.numpy() - expected).max() / np.abs(expected).max() > 0.1  # not one row


def test_deep_shap_departs_from_the_averaged_shapley_row_on_a_curved_network_only():
    torch.manual_seed(4)
    linear = nn.Sequential(nn.Linear(5, 1)).double()
    curved = nn.Sequential(nn.Linear(5, 6), nn.Tanh(), nn.Linear(6, 1)).double()
    x = torch.rand(3, 5, dtype=torch.float64)
    background = torch.rand(4, 5, dtype=torch.float64)
    target = torch.zeros(3, dtype=torch.long)
    assert departures.deep_shap_departures(linear, x, background, target).max() < 1e-12
    assert departures.deep_shap_departures(curved, x, background, target).max() > 1e-3
