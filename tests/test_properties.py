"""Property-based tests (hypothesis): the core invariants over random small models, inputs,
baselines and player groupings. Each test draws few examples (derandomized, so every run
draws the same ones) and the whole file runs in seconds."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from unified_attribution import MaskingGame, attribute, games, harsanyi

FAST = settings(max_examples=25, deadline=None, derandomize=True)
seeds = st.integers(0, 2**16)


def random_net(seed: int, n_in: int, activation=nn.ReLU, hidden: int = 5) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(
        nn.Linear(n_in, hidden),
        activation(),
        nn.Linear(hidden, hidden),
        activation(),
        nn.Linear(hidden, 2),
    ).double()


def point(seed: int, n: int, scale: float = 1.0) -> torch.Tensor:
    return scale * torch.randn(
        n, dtype=torch.float64, generator=torch.Generator().manual_seed(seed)
    )


@FAST
@given(n=st.integers(0, 8), seed=seeds)
def test_moebius_and_zeta_invert_each_other(n, seed):
    values = np.random.default_rng(seed).normal(size=2**n)
    np.testing.assert_allclose(games.zeta(games.moebius(values)), values, atol=1e-9)


@FAST
@given(n=st.integers(1, 6), seed=seeds, group=st.integers(1, 3))
def test_shapley_values_are_efficient_for_any_grouping(n, seed, group):
    model = random_net(seed, n * group, nn.Tanh)
    x, b = point(seed, n * group), point(seed + 1, n * group)
    players = np.arange(n * group) // group  # consecutive groups of `group` elements
    game = MaskingGame(model, x, b, players=players, target=1)
    effects = harsanyi(game)
    values = game.values()
    assert effects.shapley().sum() == pytest.approx(values[-1] - values[0], abs=1e-9)


@FAST
@given(n=st.integers(1, 6), seed=seeds, batch=st.integers(1, 3))
def test_complete_methods_are_complete_and_shaped_like_x(n, seed, batch):
    relu, smooth = random_net(seed, n), random_net(seed, n, nn.Tanh)
    x = torch.stack([point(seed + k, n) for k in range(batch)])
    b = point(seed + 99, n)
    target = torch.tensor([k % 2 for k in range(batch)])
    for method, model, tolerance in (
        ("deeplift_rescale", relu, 1e-9),
        ("deeplift_revealcancel", relu, 1e-9),
        ("shapley_value", relu, 1e-9),
        ("integrated_gradients", smooth, 1e-4),
    ):  # 64 Gauss-Legendre nodes
        found = attribute(method, model, x, b, target=target)
        assert found.scores.shape == x.shape
        scale = max(1.0, float(found.output_change.abs().max()))
        assert float(found.gap.abs().max()) <= tolerance * scale, method


@FAST
@given(n=st.integers(2, 5), seed=seeds)
def test_two_calls_give_the_same_scores(n, seed):
    model, x = random_net(seed, n), point(seed, n)[None]
    background = torch.stack([point(seed + k, n) for k in range(1, 4)])
    for method, baseline in (
        ("expected_gradients", background),
        ("prediction_difference", background),
        ("lrp_alpha_beta", 0.0),
        ("occlusion_1", 0.0),
    ):
        first = attribute(method, model, x, baseline, target=0).scores
        assert torch.equal(first, attribute(method, model, x, baseline, target=0).scores), method


@FAST
@given(
    n=st.integers(1, 5),
    seed=seeds,
    where=st.integers(0, 4),
    bad=st.sampled_from([np.nan, np.inf, -np.inf]),
)
def test_non_finite_inputs_are_refused(n, seed, where, bad):
    model, x = random_net(seed, n), point(seed, n)[None].clone()
    x[0, where % n] = bad
    with pytest.raises(ValueError, match="NaN or infinite"):
        attribute("gradient_x_input", model, x, target=0)
    with pytest.raises(ValueError, match="NaN or infinite"):
        MaskingGame(model, x[0], 0.0, target=0)


@settings(max_examples=4, deadline=None, derandomize=True)
@given(seed=seeds, batch=st.integers(2, 3))
def test_a_batch_with_per_row_targets_equals_each_row_alone(seed, batch):
    """For every method: a batch whose rows have different targets gives, row by row, what
    each row attributed alone with its own target gives. Expected Gradients draws its
    baselines and path positions for the whole batch at once (a row's draws depend on the
    batch; Prediction Difference's do not), so for it "alone" is the same batch with every
    row given row k's target: the same draws, one target."""
    from unified_attribution import methods

    torch.manual_seed(seed)
    cnn = nn.Sequential(
        nn.Conv2d(1, 2, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(32, 3)
    ).double()
    generator = torch.Generator().manual_seed(seed)
    x = torch.rand(batch, 1, 4, 4, dtype=torch.float64, generator=generator)
    background = torch.rand(4, 1, 4, 4, dtype=torch.float64, generator=generator)
    target = torch.tensor([k % 3 for k in range(batch)])
    for name in methods.PAPER_A_METHODS:
        spec = methods.get(name)
        options = {"players": np.arange(16).reshape(1, 4, 4) // 4} if spec.players else {}

        def run(rows, chosen, spec=spec, name=name, options=options):
            baseline = background if spec.baseline == "distribution" else 0.0
            args = (rows,) if spec.baseline == "none" else (rows, baseline)
            return attribute(name, cnn, *args, target=chosen, **options).scores

        together = run(x, target)
        for k in range(batch):
            if name == "expected_gradients":
                alone = run(x, int(target[k]))[k]
            else:
                alone = run(x[k : k + 1], int(target[k]))[0]
            np.testing.assert_allclose(
                together[k].numpy(), alone.numpy(), rtol=1e-10, atol=1e-12, err_msg=name
            )
