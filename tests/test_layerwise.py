"""One neuron at a time: the propagation rules' weights, proven in sympy."""

import pytest
import sympy as sp

from unified_attribution import layerwise


@pytest.mark.parametrize("rule", list(layerwise.WEIGHTS))
def test_weights_rebuild_the_closed_forms(rule):
    assert layerwise.prove(rule).holds


def test_a_wrong_weight_is_caught():
    # RevealCancel is not Integrated Gradients once positive and negative inputs mix
    cell = layerwise.neuron(1, 1)
    cell = layerwise.Neuron(cell.u, cell.r, layerwise.cubic(cell.r))
    reveal = layerwise.scores("deeplift_revealcancel", cell)
    assert any(sp.expand(a - b) != 0 for a, b in zip(reveal, layerwise.rebuild("integrated_gradients", cell)))
    # with one sign only, RevealCancel is Rescale (its Delta y- part is empty)
    same = layerwise.Neuron(layerwise.neuron(2, 0).u, cell.r, cell.g)
    for a, b in zip(layerwise.scores("deeplift_revealcancel", same), layerwise.scores("deeplift_rescale", same)):
        assert sp.simplify(a - b) == 0


def test_lrp_epsilon_is_rescale_with_the_bias_as_a_player():
    """u_i g(c + s) / (c + s + eps) = s / (c + s + eps) [Rescale_i + u_i / s g(c)] (root 0)."""
    cell = layerwise.neuron(2, 1)
    eps = sp.Symbol("epsilon")
    lrp = layerwise.scores("lrp_epsilon", cell, epsilon=eps)
    rescale = layerwise.scores("deeplift_rescale", cell)
    for a, b, u in zip(lrp, rescale, cell.u):
        assert sp.simplify(a - cell.s / (cell.r + cell.s + eps) * (b + u / cell.s * cell.g(cell.r))) == 0
