"""Masking games and exact Harsanyi dividends, against brute force, shapiq and games with
known dividends."""

import numpy as np
import pytest
import shapiq
import torch
from numpy.testing import assert_allclose
from torch import nn

from unified_attribution import games
from unified_attribution.games import Effects, MaskingGame, harsanyi, mask_of


def brute_force_moebius(values):
    n = int(np.log2(len(values)))
    size = lambda m: bin(m).count("1")  # noqa: E731
    return np.array(
        [
            sum((-1) ** (size(s) - size(t)) * values[t] for t in range(2**n) if t & ~s == 0)
            for s in range(2**n)
        ]
    )


def TableGame(values):
    """shapiq's view of a game given by its 2**n values in bit-mask order."""
    return games.as_shapiq_game(games.TabularGame(values))


def random_values(n, seed):
    return np.random.default_rng(seed).normal(size=2**n)


def test_fast_transform_equals_the_definition_and_inverts():
    values = random_values(6, 0)
    dividends = games.moebius(values)
    assert_allclose(dividends, brute_force_moebius(values), atol=1e-10)
    assert_allclose(games.zeta(dividends), values, atol=1e-10)


def test_coalition_sizes_count_the_bits_of_every_mask():
    for n in range(0, 11):
        masks = np.arange(2**n)
        bits = np.array([bin(m).count("1") for m in masks])
        np.testing.assert_array_equal(games.coalition_sizes(n), bits)
        assert games.coalition_sizes(n, np.uint8).dtype == np.uint8


def test_a_tables_values_survive_its_dividends_and_a_fresh_game_is_transformed_in_place():
    table = np.random.default_rng(0).normal(size=2**6)
    kept = table.copy()
    from_table = harsanyi(games.TabularGame(table))
    np.testing.assert_array_equal(table, kept)  # the game's own table is not overwritten
    np.testing.assert_allclose(from_table.dividends, games.moebius(kept))
    model = nn.Sequential(nn.Linear(6, 3), nn.Tanh(), nn.Linear(3, 1)).double()
    game = MaskingGame(model, torch.linspace(-1, 1, 6, dtype=torch.float64), 0.0)
    values = game.values()
    effects = harsanyi(game)
    np.testing.assert_allclose(effects.dividends, games.moebius(values), rtol=0, atol=1e-15)
    np.testing.assert_allclose(effects.game_values(), values, rtol=0, atol=1e-14)
    with pytest.raises(TypeError, match="float64 numpy array"):
        games.moebius([1.0, 2.0], in_place=True)


@pytest.mark.parametrize("n, seed", [(3, 1), (5, 2), (8, 3)])
def test_dividends_match_shapiq(n, seed):
    values = random_values(n, seed)
    reference = shapiq.ExactComputer(n_players=n, game=TableGame(values))("Moebius")
    ours = games.moebius(values)
    for coalition, position in reference.interaction_lookup.items():
        assert_allclose(ours[mask_of(coalition, n)], reference.values[position], atol=1e-10)
    converted = Effects(ours).to_interaction_values()
    for coalition, position in reference.interaction_lookup.items():
        assert_allclose(converted[coalition], reference.values[position], atol=1e-10)
    assert converted.index == "Moebius" and converted.baseline_value == values[0]
    sv = shapiq.ExactComputer(n_players=n, game=TableGame(values))("SV", order=1)
    expected = [sv.values[sv.interaction_lookup[(i,)]] for i in range(n)]
    assert_allclose(Effects(ours).shapley(), expected, atol=1e-10)


def test_sum_of_unanimity_games_has_exactly_its_coefficients_as_dividends():
    n = 7
    carriers = {
        mask_of(s, n): c
        for s, c in [
            ((0,), 1.5),
            ((1, 2), -2.0),
            ((0, 3, 5), 0.75),
            ((2, 4, 5, 6), 3.0),
            ((), 0.25),
        ]
    }
    values = np.array([sum(c for m, c in carriers.items() if m & t == m) for t in range(2**n)])
    # the library's home for such games builds the same table
    built = games.unanimity_game(
        {(0,): 1.5, (1, 2): -2.0, (0, 3, 5): 0.75, (2, 4, 5, 6): 3.0, (): 0.25}, n
    )
    assert_allclose(built.values(), values, atol=1e-12)
    expected = np.zeros(2**n)
    for m, c in carriers.items():
        expected[m] = c
    effects = Effects.from_values(values)
    assert_allclose(effects.dividends, expected, atol=1e-12)
    # Shapley of a unanimity game splits its coefficient equally among its carriers
    phi = effects.shapley()
    assert_allclose(phi[1], -2.0 / 2, atol=1e-12)  # only in {1, 2}
    assert_allclose(phi[6], 3.0 / 4, atol=1e-12)  # only in {2, 4, 5, 6}
    assert_allclose(phi[0], 1.5 + 0.75 / 3, atol=1e-12)  # {0} and {0, 3, 5}


def test_values_from_dividends():
    values = random_values(6, 5)
    e = Effects.from_values(values)
    n = 6
    full = 2**n - 1
    assert_allclose(e.shapley().sum(), values[full] - values[0], atol=1e-12)  # efficiency
    occlusion = [values[full] - values[full & ~(1 << i)] for i in range(n)]
    assert_allclose(e.occlusion(), occlusion, atol=1e-12)
    assert_allclose(e.by_order().sum(), values[full], atol=1e-12)
    assert_allclose(e.by_order()[0], values[0])
    assert_allclose(e.independent(), [values[1 << i] - values[0] for i in range(n)], atol=1e-12)
    assert e[(0, 2)] == pytest.approx(values[0b101] - values[0b001] - values[0b100] + values[0])
    assert_allclose(e.total, values[full] - values[0], atol=1e-12)
    assert_allclose(e.game_values(), values, atol=1e-12)
    assert len(e.coalitions(2)) == 15


class Product(nn.Module):
    def forward(self, x):
        return (x[:, 0] * x[:, 1] * x[:, 2] + 2 * x[:, 3]).unsqueeze(1)


def test_masking_game_of_a_product_is_a_unanimity_game():
    x = torch.tensor([2.0, 3.0, -1.0, 5.0], dtype=torch.float64)
    b = torch.tensor([1.0, 0.0, 0.0, 1.0], dtype=torch.float64)
    e = harsanyi(MaskingGame(Product(), x, b))
    # f(x) = x0 x1 x2 + 2 x3 at b = (1, 0, 0, 1): x0 x1 x2 = (b0 + d0) d1 d2 with d = x - b
    expected = {(): 2.0, (3,): 8.0, (1, 2): 1 * 3 * -1, (0, 1, 2): 1 * 3 * -1}
    for coalition in [(), (0,), (1,), (2,), (3,), (0, 1), (1, 2), (0, 1, 2), (0, 3), (0, 1, 2, 3)]:
        assert e[coalition] == pytest.approx(expected.get(coalition, 0.0), abs=1e-12), coalition


def test_groups_of_elements_and_non_players():
    model = nn.Sequential(nn.Linear(6, 1, bias=False)).double()
    with torch.no_grad():
        model[0].weight.copy_(torch.arange(1.0, 7.0))
    x = torch.ones(6, dtype=torch.float64)
    game = MaskingGame(model, x, 0.0, players=[[0, 1], [4]])  # elements 2, 3, 5 stay at x
    e = harsanyi(game)
    assert e.n == 2
    assert_allclose(e.empty, 3 + 4 + 6)  # f(b_players, x_rest)
    assert_allclose(e.independent(), [1 + 2, 5])
    labels = np.array([0, 0, -1, -1, 1, -1])
    assert_allclose(harsanyi(MaskingGame(model, x, 0.0, players=labels)).dividends, e.dividends)


def test_image_patches_and_batching():
    labels = games.patches((1, 8, 8), 2)
    assert labels.shape == (1, 8, 8) and labels.max() == 15
    assert (labels[0, :2, :2] == 0).all() and labels[0, 7, 7] == 15 and labels[0, 0, 2] == 1
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(128, 3))
    x = torch.rand(1, 8, 8)
    big = MaskingGame(model, x, 0.0, players=labels, target=2).values()
    small = MaskingGame(model, x, 0.0, players=labels, target=2, batch_size=7).values()
    assert_allclose(small, big, rtol=1e-6)
    with torch.no_grad():
        assert_allclose(big[-1], model(x[None])[0, 2].item(), rtol=1e-6)
        assert_allclose(big[0], model(torch.zeros(1, 1, 8, 8))[0, 2].item(), rtol=1e-6)
    with pytest.raises(ValueError, match="does not split into 3x3"):
        games.patches((8, 8), 3)


def test_every_chunk_size_gives_the_values_of_each_coalition_built_alone():
    """values() rewrites only the columns of the players whose bit flipped from one chunk to
    the next; with scattered players and elements of no player, every chunk size must give
    what each masked input built on its own gives (``game(masks)``)."""
    torch.manual_seed(3)
    model = nn.Sequential(nn.Linear(12, 6), nn.ReLU(), nn.Linear(6, 2)).double()
    x, b = torch.randn(12, dtype=torch.float64), torch.randn(12, dtype=torch.float64)
    labels = np.array([3, 0, 5, -1, 1, 3, 2, 4, -1, 0, 5, 2])  # players spread over x
    alone = MaskingGame(model, x, b, players=labels, target=1)(np.arange(64))
    for batch_size in (1, 2, 3, 8, 31, 64, 1000):
        game = MaskingGame(model, x, b, players=labels, target=1, batch_size=batch_size)
        assert_allclose(game.values(), alone, rtol=0, atol=1e-12, err_msg=f"{batch_size=}")


def test_the_default_batch_keeps_the_largest_activation_within_the_budget():
    """On the CPU the default batch is sized by the largest activation of one input (here
    the convolution's 8 x 8 x 8 float32 output, 8 times the input), not by the input."""
    model = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(512, 1))
    game = MaskingGame(model, torch.rand(1, 8, 8), 0.0, players=games.patches((1, 8, 8), 4))
    assert game.batch_size == games.masking.BATCH_BYTES // (8 * 8 * 8 * 4)
    plain = MaskingGame(lambda z: z.sum(dim=1, keepdim=True), torch.rand(16), 0.0)
    assert plain.batch_size == min(2**16, games.masking.BATCH_BYTES // (16 * 4))


def test_bad_input_is_refused_with_a_clear_message():
    model = nn.Sequential(nn.Linear(30, 2))
    x = torch.zeros(30)
    with pytest.raises(ValueError, match=r"30 players need 2\*\*30 .* model evaluations.*patches"):
        MaskingGame(model, x, target=0)
    few = [[i] for i in range(4)]
    with pytest.raises(ValueError, match="baseline of shape \\(3,\\) does not broadcast"):
        MaskingGame(model, x, torch.zeros(3), players=few, target=0)
    with pytest.raises(ValueError, match="x contains NaN"):
        MaskingGame(model, torch.full((30,), float("nan")), players=few, target=0)
    with pytest.raises(ValueError, match="target 2 is out of range.*2 output"):
        MaskingGame(model, x, players=few, target=2)
    with pytest.raises(ValueError, match="2 outputs: choose one with target"):
        MaskingGame(model, x, players=few)
    with pytest.raises(ValueError, match=r"could not evaluate x of shape \(5,\)"):
        MaskingGame(model, torch.zeros(5), target=0)
    with pytest.raises(ValueError, match="labels have 4 entries"):
        MaskingGame(model, x, players=np.arange(4), target=0)
    with pytest.raises(ValueError, match="shares input elements"):
        MaskingGame(model, x, players=[[0, 1], [1, 2]], target=0)
    with pytest.raises(IndexError, match="player 9 does not exist"):
        Effects(np.zeros(8))[(9,)]
    with pytest.raises(ValueError, match="2\\*\\*n values; got 6"):
        games.moebius(np.zeros(6))


def test_every_game_kind_feeds_harsanyi():
    from unified_attribution import Game, MarginalGame, TabularGame, attribute

    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 6), nn.Tanh(), nn.Linear(6, 2)).double()
    x = torch.rand(4, dtype=torch.float64)
    background = torch.rand(5, 4, dtype=torch.float64)
    marginal = MarginalGame(model, x, background, target=1)
    masking = [MaskingGame(model, x, row, target=1) for row in background]
    values = random_values(3, 7)
    for game in (marginal, masking[0], TabularGame(values)):
        assert isinstance(game, Game)
    assert_allclose(harsanyi(TabularGame(values)).dividends, games.moebius(values), atol=0)
    # the marginal game's dividends are the mean of the masking games' dividends, and its
    # Occlusion-1 values are Prediction Difference with the same rows
    mean = np.mean([harsanyi(g).dividends for g in masking], axis=0)
    assert_allclose(harsanyi(marginal).dividends, mean, atol=1e-12)
    found = (
        attribute(
            "prediction_difference", model, x[None], background, target=1, n_samples=len(background)
        )
        .scores[0]
        .numpy()
    )
    assert_allclose(harsanyi(marginal).occlusion(), found, atol=1e-12)
    with pytest.raises(ValueError, match="at least one row"):
        MarginalGame(model, x, background[:0], target=1)


def test_player_labels_and_the_exact_limit_say_what_to_do():
    x = torch.zeros(4)
    with pytest.raises(ValueError, match="must be integers"):
        games.player_labels(np.array([0.0, 0.5, 1.0, 1.0]), x)
    with pytest.raises(ValueError, match="must be integers"):
        games.player_labels(np.array([True, False, True, False]), x)
    assert games.player_labels(np.array([0.0, 0.0, 1.0, 1.0]), x).tolist() == [0, 0, 1, 1]
    with pytest.raises(ValueError, match=r"MaskingGame\(\.\.\., max_players=23\)") as refused:
        MaskingGame(lambda z: z.sum(dim=1, keepdim=True), torch.zeros(23), 0.0)
    # what 23 players would cost: memory at the peak, and time from this model's speed here
    assert "0.1 GiB at the peak" in str(refused.value)
    assert "us per coalition" in str(refused.value)
    assert games.exact_cost(26).startswith("2**26 = 67,108,864 model evaluations and about 1.1")
    # beyond the hard limit the message must not recommend an option the game refuses
    with pytest.raises(ValueError, match="no exact game goes beyond 30 players") as refused:
        MaskingGame(lambda z: z.sum(dim=1, keepdim=True), torch.zeros(36), 0.0, max_players=36)
    assert "max_players=" not in str(refused.value)


def test_a_model_that_writes_into_its_input_gets_exact_values():
    """A model that shifts its input in place (z.sub_(1)): with the shared buffer of values()
    every later chunk would read the shifted entries again."""

    class ShiftInPlace(nn.Module):
        def __init__(self, inplace):
            super().__init__()
            self.inplace, self.linear = inplace, nn.Linear(8, 1).double()

        def forward(self, z):
            return self.linear(z.sub_(1.0) if self.inplace else z - 1.0)

    torch.manual_seed(1)
    inplace, pure = ShiftInPlace(True), ShiftInPlace(False)
    pure.load_state_dict(inplace.state_dict())
    x, b = torch.randn(8, dtype=torch.float64), torch.randn(8, dtype=torch.float64)
    small = dict(batch_size=4)  # several chunks: the buffer is reused
    assert_allclose(
        MaskingGame(inplace, x, b, **small).values(),
        MaskingGame(pure, x, b, **small).values(),
        atol=1e-12,
    )


def test_a_model_that_starts_writing_into_its_input_later_still_gets_exact_values():
    """The buffer is read without a copy until the model is seen writing into it (torch's
    version counter): a write on the third call only must not corrupt the later chunks."""

    class LateWriter(nn.Module):
        def __init__(self):
            super().__init__()
            self.calls, self.linear = 0, nn.Linear(8, 1).double()

        def forward(self, z):
            self.calls += 1
            if self.calls == 4:  # the constructor's check is call 1: chunk 3 writes
                z.mul_(0.0)
            return self.linear(z)

    torch.manual_seed(2)
    late = LateWriter()
    pure = nn.Sequential(late.linear)
    x, b = torch.randn(8, dtype=torch.float64), torch.randn(8, dtype=torch.float64)
    expected = MaskingGame(pure, x, b, batch_size=16).values()
    assert_allclose(MaskingGame(late, x, b, batch_size=16).values(), expected, atol=1e-12)
