"""One neuron at a time: the propagation rules' weights, proven in sympy."""

import pytest
import sympy as sp

from unified_attribution.theory import layerwise


@pytest.mark.parametrize("rule", list(layerwise.NEURON_WEIGHTS))
def test_weights_rebuild_the_closed_forms(rule):
    assert layerwise.prove(rule).holds


def test_a_wrong_weight_is_caught():
    # RevealCancel is not Integrated Gradients once positive and negative inputs mix
    cell = layerwise.neuron(1, 1)
    cell = layerwise.Neuron(cell.u, cell.r, layerwise.cubic(cell.r))
    reveal = layerwise.scores("deeplift_revealcancel", cell)
    assert any(
        sp.expand(a - b) != 0
        for a, b in zip(reveal, layerwise.rebuild_neuron("integrated_gradients", cell))
    )
    # with one sign only, RevealCancel is Rescale (its Delta y- part is empty)
    same = layerwise.Neuron(layerwise.neuron(2, 0).u, cell.r, cell.g)
    for a, b in zip(
        layerwise.scores("deeplift_revealcancel", same), layerwise.scores("deeplift_rescale", same)
    ):
        assert sp.simplify(a - b) == 0


def test_lrp_epsilon_is_rescale_with_the_bias_as_a_player():
    """u_i g(c + s) / (c + s + eps) = s / (c + s + eps) [Rescale_i + u_i / s g(c)] (root 0)."""
    cell = layerwise.neuron(2, 1)
    eps = sp.Symbol("epsilon")
    lrp = layerwise.scores("lrp_epsilon", cell, epsilon=eps)
    rescale = layerwise.scores("deeplift_rescale", cell)
    for a, b, u in zip(lrp, rescale, cell.u):
        assert (
            sp.simplify(a - cell.s / (cell.r + cell.s + eps) * (b + u / cell.s * cell.g(cell.r)))
            == 0
        )


def test_rescale_equals_ig_through_one_nonlinear_layer_not_two():
    xs = sp.symbols("x1:3")
    g = sp.Lambda(sp.Symbol("z"), sp.Symbol("z") ** 2)
    W1, c1 = sp.Matrix([[1, -1], [2, 1]]), sp.Matrix([sp.Rational(1, 2), -1])
    one = [(W1, c1), (sp.Matrix([[1, 1]]), sp.Matrix([0]))]
    two = [
        (W1, c1),
        (sp.Matrix([[1, -1]]), sp.Matrix([sp.Rational(1, 4)])),
        (sp.Matrix([[1]]), sp.Matrix([0])),
    ]
    assert layerwise.rescale_minus_ig(one, xs, g) == [0, 0]
    residual = layerwise.rescale_minus_ig(two, xs, g)
    assert any(r != 0 for r in residual)
    assert (
        sp.expand(sum(residual)) == 0
    )  # both complete: the difference moves effect between inputs
    at = {xs[0]: sp.Rational(3, 2), xs[1]: -1}

    def f(v):  # the two-layer network itself: g(g(z1) - g(z2) + 1/4), z = W1 v + c1
        hidden = (W1 * sp.Matrix(v) + c1).applyfunc(g)
        return g(hidden[0] - hidden[1] + sp.Rational(1, 4))

    total = sum(layerwise.rescale_chain(two, xs, g)).subs(at)
    assert (
        sp.simplify(total - (f([at[xs[0]], at[xs[1]]]) - f([0, 0]))) == 0
    )  # Rescale sums to f(x) - f(0)
