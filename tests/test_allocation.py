"""Paper A's reformulations, proved by exact expansion for generic polynomials."""

import pytest
import sympy as sp

from unified_attribution import allocation
from unified_attribution.taylor import symbolic

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


def test_principle_verdicts_from_the_weights():
    expected = {  # the papers note's derived table
        "gradient_x_input": (True, False, False),
        "integrated_gradients": (True, True, True),
        "occlusion_1": (True, True, False),
        "occlusion_patch": (False, True, False),
        "shapley_value": (True, True, True),
    }
    for method, verdicts in expected.items():
        found = allocation.principles(method)
        assert tuple(found[p][0] for p in ("P1", "P2", "P3")) == verdicts, (method, found)
    detail = allocation.principles("gradient_x_input")["P2"][1]
    assert detail == "weight 4 on kappa=(4, 0, 0, 0)"
    assert allocation.principles("occlusion_1")["P3"][1] == "weights sum to 4 on S={1, 2, 3, 4}"
