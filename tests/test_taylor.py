"""Taylor terms and generic effects: sympy proofs, numeric autodiff against sympy, Taylor-mode
jets against nested autodiff, and convergence of truncated effects to the dividends."""

import numpy as np
import pytest
import sympy as sp
import torch
from numpy.testing import assert_allclose
from torch import nn

from unified_attribution import games
from unified_attribution.taylor import jets, multi_indices, numeric, symbolic

X = sp.symbols("x1:5")


def test_multi_indices_count_and_order():
    assert len(multi_indices(3, 2)) == 3 + 6
    assert multi_indices(2, 2) == ((1, 0), (0, 1), (2, 0), (1, 1), (0, 2))


def test_taylor_terms_worked_by_hand():
    # f = x1^2 x2 at b = (1, 1); d = x - b
    f = X[0] ** 2 * X[1]
    d1, d2 = X[0] - 1, X[1] - 1
    terms = symbolic.taylor_terms(f, X[:2], [1, 1])
    expected = {(1, 0): 2 * d1, (0, 1): d2, (2, 0): d1**2, (1, 1): 2 * d1 * d2, (2, 1): d1**2 * d2}
    assert set(terms) == set(expected)
    for kappa, term in expected.items():
        assert sp.expand(terms[kappa] - term) == 0, kappa
    psi, interactions = symbolic.generic_effects(terms)
    assert sp.expand(psi[0] - (2 * d1 + d1**2)) == 0
    assert sp.expand(interactions[frozenset({0, 1})] - (2 * d1 * d2 + d1**2 * d2)) == 0


@pytest.mark.parametrize("n, degree, seed", [(2, 3, 0), (3, 3, 1), (3, 4, 2), (4, 3, 3)])
def test_proofs_on_random_polynomials(n, degree, seed):
    f = symbolic.random_polynomial(X[:n], degree, seed=seed)
    for baseline in ([1, -2, 3, 0][:n], None):  # numbers, then symbols b_i
        assert symbolic.prove_decomposition(f, X[:n], baseline)
        proof = symbolic.prove_effects_are_dividends(f, X[:n], baseline)
        assert proof and len(proof.residuals) == 2**n - 1


def test_proofs_for_every_polynomial_of_degree_3_in_3_variables():
    f, coefficients = symbolic.generic_polynomial(X[:3], 3)
    assert len(coefficients) == 20
    assert symbolic.prove_decomposition(f, X[:3])
    assert symbolic.prove_effects_are_dividends(f, X[:3])


def test_a_false_statement_is_not_proved():
    # the Taylor terms of f do not decompose g: the residual is non-zero
    f = X[0] * X[1]
    proof = symbolic.Proof(
        "wrong", {"r": sp.expand(f - symbolic.taylor_terms(f, X[:2], [0, 0])[(1, 1)] - 1)}
    )
    assert not proof


def test_non_polynomials_need_an_order():
    with pytest.raises(ValueError, match="not a polynomial.*order=K"):
        symbolic.prove_decomposition(sp.sin(X[0]), X[:1])
    terms = symbolic.taylor_terms(sp.exp(X[0]) * X[1], X[:2], [0, 0], order=3)
    assert sp.simplify(terms[(2, 1)] - X[0] ** 2 * X[1] / 2) == 0


@pytest.mark.parametrize("seed", [0, 1])
def test_numeric_terms_match_sympy_on_a_polynomial_module(seed):
    n, degree = 3, 4
    f = symbolic.random_polynomial(X[:n], degree, seed=seed)
    x = [0.7, -1.3, 2.1]
    b = [0.2, 0.5, -0.4]
    exact = symbolic.taylor_terms(f, X[:n], b)
    game = games.MaskingGame(
        symbolic.torch_module(f, X[:n]),
        torch.tensor(x, dtype=torch.float64),
        torch.tensor(b, dtype=torch.float64),
    )
    numeric_terms = numeric.game_terms(game, degree)
    at_x = dict(zip(X[:n], x))
    for kappa in multi_indices(n, degree):
        expected = float(exact[kappa].subs(at_x)) if kappa in exact else 0.0
        assert_allclose(numeric_terms[kappa], expected, atol=1e-10, err_msg=str(kappa))
    # and the exact expansion sums to the dividends
    effects = numeric.truncated_effects(numeric_terms, n)
    assert_allclose(effects, games.harsanyi(game).dividends, atol=1e-10)


def smooth_net(seed=0):
    torch.manual_seed(seed)
    return nn.Sequential(
        nn.Linear(5, 8),
        nn.Tanh(),
        nn.Linear(8, 6),
        nn.Softplus(),
        nn.Linear(6, 4),
        nn.Sigmoid(),
        nn.Linear(4, 2),
    ).double()


def test_jets_match_nested_autodiff():
    net = smooth_net()
    x = torch.randn(5, dtype=torch.float64)
    game = games.MaskingGame(net, x, 0.1, players=[[0, 1], [2], [3, 4]], target=1)
    order = 5
    terms = numeric.game_terms(game, order)
    by_jets = numeric.truncated_effects_by_order(game, order)
    for k in range(1, order + 1):
        slow = numeric.truncated_effects(
            {kap: v for kap, v in terms.items() if sum(kap) <= k}, game.n
        )
        assert_allclose(by_jets[k - 1], slow, atol=1e-10, err_msg=f"order {k}")


def test_jets_through_a_convolution():
    torch.manual_seed(1)
    net = nn.Sequential(
        nn.Conv2d(1, 3, 3, padding=1), nn.Tanh(), nn.Flatten(), nn.Linear(48, 1)
    ).double()
    x = torch.randn(1, 4, 4, dtype=torch.float64)
    game = games.MaskingGame(net, x, 0.0, players=games.patches((1, 4, 4), 2))
    terms = numeric.game_terms(game, 3)
    slow = numeric.truncated_effects(terms, game.n)
    assert_allclose(numeric.truncated_effects_by_order(game, 3)[-1], slow, atol=1e-10)


def test_truncated_effects_converge_to_the_dividends_near_the_baseline():
    net = smooth_net(2)
    b = torch.zeros(5, dtype=torch.float64)
    x = 0.3 * torch.randn(5, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    game = games.MaskingGame(net, x, b, target=0)
    dividends = games.harsanyi(game).dividends
    errors = [np.abs(J - dividends)[1:].max() for J in numeric.truncated_effects_by_order(game, 16)]
    assert errors[-1] < 1e-9
    assert errors[-1] < errors[3] * 1e-4


def test_relu_jets_are_the_local_linearisation():
    torch.manual_seed(3)
    net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1)).double()
    start, direction = (
        torch.randn(6, 4, dtype=torch.float64),
        torch.randn(6, 4, dtype=torch.float64),
    )
    coefficients = jets.series(net, start, direction, 4)
    assert torch.all(coefficients[2:] == 0)
    assert_allclose(coefficients[0].numpy(), net(start).detach().numpy(), atol=1e-12)


def test_unsupported_layers_and_orders_are_refused():
    net = nn.Sequential(nn.Linear(3, 3), nn.ELU(), nn.Linear(3, 1))
    with pytest.raises(TypeError, match="does not support ELU.*game_terms"):
        jets.series(net, torch.zeros(1, 3), torch.ones(1, 3), 2)
    game = games.MaskingGame(
        smooth_net(), torch.zeros(5, dtype=torch.float64), players=None, target=0
    )
    with pytest.raises(ValueError, match=r"5\*\*10 = 9,765,625 entries"):
        numeric.derivative_tensors(game, 10)


def test_jets_leave_the_model_untouched():
    net = nn.Sequential(nn.Linear(2, 1))
    jets.series(net, torch.zeros(1, 2), torch.ones(1, 2), 2)
    assert net[0].weight.dtype == torch.float32


def test_radius_of_convergence_of_tanh_is_half_pi():
    # tanh(w s) has poles at w s = ±i pi/2: along x - b = 1 the radius is pi / (2 w)
    for w in (1.0, 2.5):
        net = nn.Sequential(nn.Linear(1, 1, bias=False), nn.Tanh()).double()
        with torch.no_grad():
            net[0].weight.fill_(w)
        game = games.MaskingGame(net, torch.ones(1, dtype=torch.float64), 0.0)
        parts = numeric.effect_parts(game, 40)
        assert_allclose(numeric.radius_of_convergence(parts), np.pi / (2 * w), rtol=0.03)


def test_relu_and_max_pool_jets_are_exact_one_sided_expansions():
    torch.manual_seed(4)
    net = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(16, 3)
    ).double()
    start = torch.zeros(3, 1, 4, 4, dtype=torch.float64)  # blank: ties in every pooling window
    direction = torch.randn(3, 1, 4, 4, dtype=torch.float64)
    c = jets.series(net, start, direction, 2)
    assert torch.all(c[2] == 0)
    with torch.no_grad():
        for s in (1e-7, 1e-5):  # piecewise linear: exact on (0, eps)
            assert_allclose(
                net(start + s * direction).numpy(), (c[0] + s * c[1]).numpy(), atol=1e-12
            )


def test_relu_at_a_kink_follows_the_first_non_zero_coefficient():
    relu = nn.Sequential(nn.ReLU())
    c = jets.series(
        relu,
        torch.zeros(1, 3, dtype=torch.float64),
        torch.tensor([[1.0, -1.0, 0.0]], dtype=torch.float64),
        2,
    )
    assert_allclose(c[1, 0].numpy(), [1.0, 0.0, 0.0])


def test_gradient_parts_match_the_terms_by_multi_index():
    net = smooth_net(4)
    x = torch.randn(5, dtype=torch.float64, generator=torch.Generator().manual_seed(2))
    b = torch.full((5,), 0.1, dtype=torch.float64)
    order = 4
    terms = numeric.game_terms(games.MaskingGame(net, x, b, target=1), order)
    parts = numeric.gradient_parts(net, x, b, target=1, max_order=order)
    for k in range(1, order + 1):
        slow = [sum(kap[i] * v for kap, v in terms.items() if sum(kap) == k) for i in range(5)]
        assert_allclose(parts[k - 1], slow, atol=1e-10, err_msg=f"order {k}")


def test_differentiable_series_is_the_same_series():
    net = smooth_net(5)
    start, direction = torch.randn(2, 3, 5, dtype=torch.float64).unbind(0)
    assert_allclose(
        jets.series(net, start, direction, 6, differentiable=True).detach(),
        jets.series(net, start, direction, 6),
        rtol=0,
        atol=0,
    )
