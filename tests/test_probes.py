"""Probes: models whose game is one known effect, and the verdicts they give."""

import numpy as np
import pytest
import torch

from unified_attribution import methods
from unified_attribution.theory import principles, probes


@pytest.mark.parametrize("probe", probes.all_probes(), ids=lambda p: p.name)
def test_every_probe_is_a_single_effect(probe):
    assert probes.check(probe) < 1e-12
    assert abs(probe.effect) > 0.5


APPROXIMATION, UNRELATED, COMPLETE = principles.COLUMNS


@pytest.mark.parametrize(
    "method",
    [
        "integrated_gradients",
        "occlusion_1",
        "occlusion_patch",
        "shapley_value",
        "prediction_difference",
    ],
)
def test_probes_agree_with_the_book_weights(method):
    """Where the book's weights are exact at network level, the probes find the same verdicts."""
    from_weights = principles.from_weights(method, "book weights")
    from_probes = probes.measured_verdicts(method)
    for principle, verdict in from_weights.items():
        assert (from_probes[principle].verdict != "fails") == (verdict.verdict == "holds"), (
            principle,
            from_probes,
        )


def test_measured_violations_are_the_derived_ones():
    _, kinked, _, pair, triple, _, _ = probes.all_probes()
    # Gradient x Input: x_1 f'(x_1) = 1 * 2 on ReLU(2 x_1 - 1), whose effect is 1: given out
    # twice, charged to complete allocation only (one cause, one principle)
    found = probes.measure("gradient_x_input", kinked)
    assert found[COMPLETE] == pytest.approx(1.0, abs=1e-12) and found[APPROXIMATION] == 0
    # Occlusion-1 gives the whole AND to each of its three members: 3 for an effect of 1
    assert probes.measure("occlusion_1", triple)[COMPLETE] == pytest.approx(2.0, abs=1e-12)
    # Occlusion-patch with patches {1, 2}, {3, 4}: the irrelevant 4th variable gets the AND of {1, 2, 3}
    result = probes.measure("occlusion_patch", triple)
    np.testing.assert_allclose(result["scores"], [1, 1, 1, 1], atol=1e-12)
    assert probes.measure("shapley_value", pair)["scores"][:2] == pytest.approx(
        [0.5, 0.5], abs=1e-12
    )


def test_integration_error_is_not_a_verdict():
    # Gauss-Legendre IG misses the kink of the triple AND; the miss shrinks with the steps
    coarse = probes.worst("integrated_gradients", n_steps=64)[APPROXIMATION][0]
    fine = probes.worst("integrated_gradients", n_steps=1024)[APPROXIMATION][0]
    assert 1e-4 < fine < coarse / 2
    assert (
        probes.measured_verdicts("integrated_gradients")[APPROXIMATION].verdict
        == "holds in the limit"
    )


def test_every_registered_method_runs_on_every_probe_it_accepts():
    for method in methods.REGISTRY:
        for probe in probes.all_probes():
            result = probes.measure(method, probe)
            scores = result["scores"]
            assert scores.shape == (probes.N_VARIABLES,)
            # only the propagation family refuses a probe: the smooth pair's nn.Bilinear, which
            # no propagation rule covers (Grad-CAM needs only the gradient at its feature map)
            propagating = methods.get(method).family == "propagation"
            refused = propagating and probe.name == "smooth pair"
            assert (result["refused"] is not None) == refused, (method, probe.name)
            assert np.isfinite(scores).all() != refused


def test_propagation_verdicts_on_the_probes():
    """What the derivations of the propagation chapter predict, measured."""
    *_, pair_min, _ = probes.all_probes()
    # RevealCancel splits the min's AND like the Shapley value; Rescale gives it all to x_1
    # (the second unit does not move: its multiplier is the slope at x, 0)
    np.testing.assert_allclose(
        probes.measure("deeplift_revealcancel", pair_min)["scores"], [0.5, 0.5, 0, 0], atol=1e-12
    )
    np.testing.assert_allclose(
        probes.measure("deeplift_rescale", pair_min)["scores"], [1, 0, 0, 0], atol=1e-12
    )
    # alpha 2 beta 1 with no negative inputs multiplies relevance by alpha at each of 2 layers:
    # an over-allocation, charged to complete allocation alone
    kinked = probes.measure("lrp_alpha_beta", probes.all_probes()[1])
    assert kinked[COMPLETE] == pytest.approx(3.0, abs=1e-6) and kinked[APPROXIMATION] == 0
    # Grad-CAM spreads the mean gradient over every position: no unrelated allocation fails
    assert probes.measured_verdicts("grad_cam")[UNRELATED].verdict == "fails"


def test_hand_set_networks_compute_what_their_weights_say():
    from unified_attribution.theory import networks

    f = networks.one_hidden([[1.0, 0.0], [1.0, 1.0]], [0.0, -1.0], [1.0, -0.5], head_bias=0.25)
    x = torch.tensor([[2.0, 3.0], [-1.0, 0.5]], dtype=torch.float64)
    expected = torch.relu(x[:, 0]) - 0.5 * torch.relu(x[:, 0] + x[:, 1] - 1) + 0.25
    with torch.no_grad():
        np.testing.assert_allclose(f(x)[:, 0].numpy(), expected.numpy(), atol=1e-15)
    assert networks.linear([[1.0, 2.0]], 3.0).bias.item() == 3.0
    with pytest.raises(ValueError, match="matrix"):
        networks.linear([1.0, 2.0])


def test_the_charging_rule_charges_each_cause_once():
    one = principles.charge([2.0, 0.0, 0.0, 0.0], (0,), 1.0)  # given out twice
    assert one == {APPROXIMATION: 0.0, UNRELATED: 0.0, COMPLETE: 1.0}
    short = principles.charge([0.25, 0.25, 0.0, 0.0], (0, 1), 1.0)  # half left out
    assert short == {APPROXIMATION: 0.5, UNRELATED: 0.0, COMPLETE: 0.0}
    flipped = principles.charge([-1.0, 0.0, 0.0, 0.0], (0,), 1.0)  # the opposite sign
    assert flipped[COMPLETE] == 2.0 and flipped[APPROXIMATION] == 0.0
    moved = principles.charge([0.0, 1.0, 0.0, 0.0], (0,), 1.0)  # all of it to x_2
    assert moved == {APPROXIMATION: 0.0, UNRELATED: 1.0, COMPLETE: 0.0}
    assert set(principles.CAUSES.values()) == set(principles.COLUMNS)
    with pytest.raises(ValueError, match="nothing to allocate"):
        principles.charge([1.0], (0,), 0.0)


def test_the_negative_side_probe_exercises_unrelated_allocation():
    probe = probes.all_probes()[-1]
    assert probe.unrelated == (1,)
    # its first layer reads x_1 and x_2 and nothing else
    first = probe.model[0].weight.detach().numpy()
    assert set(np.flatnonzero(np.abs(first).sum(axis=0))) == set(probe.reads)
    # the functional methods give the unrelated x_2 nothing ...
    for method in ("integrated_gradients", "shapley_value", "deeplift_rescale"):
        np.testing.assert_allclose(
            probes.measure(method, probe)["scores"], [-1, 0, 0, 0], atol=1e-9
        )
    # ... the z+ rule gives it the whole effect: the d_i share, now decided by a number
    found = probes.measure("deep_taylor", probe)
    np.testing.assert_allclose(found["scores"], [0, -1, 0, 0], atol=1e-9)
    assert found[UNRELATED] == pytest.approx(1.0) and found["exercised"][UNRELATED]
    assert probes.measured_verdicts("deep_taylor")[UNRELATED].verdict == "fails"
    assert probes.measured_verdicts("lrp_alpha_beta")[UNRELATED].verdict == "fails"


def test_a_principle_no_probe_exercises_is_untested():
    # without the negative-side probe, no model reads a variable outside S
    kept = probes.all_probes()[:-1]
    assert all(not p.unrelated for p in kept)
    for p in kept:
        assert not probes.measure("shapley_value", p)["exercised"][UNRELATED]
    table = probes.table(methods=["shapley_value", "deep_taylor"], detail=True)
    assert table.loc["shapley_value", UNRELATED].exercised == 1
    assert table.loc["shapley_value", APPROXIMATION].exercised == 7
    assert table.loc["deep_taylor", APPROXIMATION].exercised == 6  # refuses the Bilinear


def test_untested_when_nothing_exercises(monkeypatch):
    kept = probes.all_probes()[:-1]
    monkeypatch.setattr(probes, "all_probes", lambda: kept)
    found = probes.measured_verdicts("deep_taylor")
    assert found[UNRELATED].verdict == "untested" and found[UNRELATED].exercised == 0
    assert found[APPROXIMATION].verdict == "holds"
