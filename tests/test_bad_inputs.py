"""Bad input at every public entry point gets a ValueError or TypeError that says what was
wrong (never a message from deep inside torch, numpy or captum, never a silent result)."""

import numpy as np
import pandas as pd
import pytest
import torch
from torch import nn

from attribution_book import zoo
from unified_attribution import (
    MarginalGame,
    MaskingGame,
    attribute,
    faithfulness,
    games,
    harsanyi,
    methods,
)
from unified_attribution.fastshap import FastSHAP
from unified_attribution.sasanet import SASANet

torch.manual_seed(0)
MLP = nn.Sequential(nn.Linear(4, 5), nn.ReLU(), nn.Linear(5, 2)).double()
CNN = nn.Sequential(
    nn.Conv2d(1, 2, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(32, 2)
).double()
X = torch.rand(3, 4, dtype=torch.float64)


class OneRow(nn.Module):
    """A model that returns one row whatever the batch (a sum over the batch)."""

    def forward(self, x):
        return torch.zeros(1, 2, dtype=x.dtype) + x.sum()


IMAGES = torch.rand(2, 1, 4, 4, dtype=torch.float64)
BACKGROUND = torch.rand(5, 4, dtype=torch.float64)
NAN = torch.full((4,), float("nan"), dtype=torch.float64)
GAME = MaskingGame(MLP, X[0], 0.0, target=0)


def ig(**options):
    return lambda: attribute("integrated_gradients", MLP, X, target=0, **options)


CASES = {  # name: (call, exception type, what the message must say)
    "empty batch": (
        lambda: attribute("gradient_x_input", MLP, X[:0], target=0),
        ValueError,
        "no inputs",
    ),
    "x without batch dimension": (
        lambda: attribute("gradient_x_input", MLP, X[0], target=0),
        ValueError,
        r"x\[None\]",
    ),
    "x of the wrong width": (
        lambda: attribute("gradient_x_input", MLP, torch.rand(3, 5, dtype=torch.float64), target=0),
        ValueError,
        "could not evaluate x",
    ),
    "NaN in x": (lambda: attribute("gradient_x_input", MLP, X + NAN, target=0), ValueError, "NaN"),
    "NaN baseline": (
        lambda: attribute("integrated_gradients", MLP, X, NAN, target=0),
        ValueError,
        "baseline",
    ),
    "NaN in a background row": (
        lambda: attribute(
            "expected_gradients", MLP, X, torch.cat([BACKGROUND, NAN[None]]), target=0
        ),
        ValueError,
        "baseline",
    ),
    "empty background (EG)": (
        lambda: attribute("expected_gradients", MLP, X, BACKGROUND[:0], target=0),
        ValueError,
        "got none",
    ),
    "empty background (PD)": (
        lambda: attribute("prediction_difference", MLP, X, BACKGROUND[:0], target=0),
        ValueError,
        "got none",
    ),
    "empty background (DeepShap)": (
        lambda: attribute("deep_shap", MLP, X, BACKGROUND[:0], target=0),
        ValueError,
        "got none",
    ),
    "baseline of the wrong shape": (
        lambda: attribute("integrated_gradients", MLP, X, torch.zeros(3), target=0),
        ValueError,
        "does not broadcast",
    ),
    "background of the wrong width": (
        lambda: attribute("expected_gradients", MLP, X, torch.rand(5, 3), target=0),
        ValueError,
        "samples shaped",
    ),
    "n_steps = 0": (ig(n_steps=0), ValueError, "n_steps must be a whole number >= 1"),
    "n_steps < 0": (ig(n_steps=-3), ValueError, "n_steps must be a whole number >= 1"),
    "n_steps not an integer": (ig(n_steps=2.5), ValueError, "n_steps must be a whole number"),
    "unknown quadrature": (ig(quadrature="simpson"), ValueError, "quadrature must be one of"),
    "EG n_samples = 0": (
        lambda: attribute("expected_gradients", MLP, X, BACKGROUND, target=0, n_samples=0),
        ValueError,
        "n_samples",
    ),
    "PD n_samples = 0": (
        lambda: attribute("prediction_difference", MLP, X, BACKGROUND, target=0, n_samples=0),
        ValueError,
        "n_samples",
    ),
    "negative seed": (
        lambda: attribute("expected_gradients", MLP, X, BACKGROUND, target=0, seed=-1),
        ValueError,
        "seed",
    ),
    "negative epsilon": (
        lambda: attribute("lrp_epsilon", MLP, X, target=0, epsilon=-1.0),
        ValueError,
        "epsilon",
    ),
    "alpha - beta != 1": (
        lambda: attribute("lrp_alpha_beta", MLP, X, target=0, alpha=1.0, beta=1.0),
        ValueError,
        "alpha - beta = 1",
    ),
    "Deep Taylor bounds not around x": (
        lambda: attribute("deep_taylor", MLP, X, target=0, lower=1.0, upper=0.0),
        ValueError,
        "lower <= x <= upper",
    ),
    "window larger than the image": (
        lambda: attribute("occlusion_patch", CNN, IMAGES, target=0, window=(1, 8, 8)),
        ValueError,
        "larger than the input",
    ),
    "window of size 0": (
        lambda: attribute("occlusion_patch", CNN, IMAGES, target=0, window=(1, 0, 2)),
        ValueError,
        "positive integers",
    ),
    "window of the wrong length": (
        lambda: attribute("occlusion_patch", CNN, IMAGES, target=0, window=(2, 2)),
        ValueError,
        "one size per input dimension",
    ),
    "unknown method": (
        lambda: attribute("smoothgrad", MLP, X, target=0),
        ValueError,
        "unknown method",
    ),
    "unknown option": (ig(steps=8), TypeError, "no option steps"),
    "players to a method without": (
        lambda: attribute("gradient_x_input", MLP, X, target=0, players=[[0, 1]]),
        TypeError,
        "takes no players",
    ),
    "target out of range": (
        lambda: attribute("gradient_x_input", MLP, X, target=5),
        ValueError,
        "out of range",
    ),
    "negative target": (
        lambda: attribute("gradient_x_input", MLP, X, target=-1),
        ValueError,
        "out of range",
    ),
    "fractional target": (
        lambda: attribute("gradient_x_input", MLP, X, target=1.7),
        ValueError,
        "integers",
    ),
    "target of another type": (
        lambda: attribute("gradient_x_input", MLP, X, target="cat"),
        TypeError,
        "target",
    ),
    "too many targets": (
        lambda: attribute("gradient_x_input", MLP, X, target=[0, 1]),
        ValueError,
        "one per input",
    ),
    "no target, several outputs": (
        lambda: attribute("gradient_x_input", MLP, X),
        ValueError,
        "choose one",
    ),
    "x in another dtype": (
        lambda: attribute("gradient_x_input", MLP, X.float(), target=0),
        TypeError,
        "float32",
    ),
    "Grad-CAM without a convolution": (
        lambda: attribute("grad_cam", MLP, X, target=0),
        ValueError,
        "convolution",
    ),
    "a baseline for LRP": (
        lambda: attribute("lrp_epsilon", MLP, X, 0.5, target=0),
        ValueError,
        "no baseline",
    ),
    "30 players for exact Shapley": (
        lambda: attribute(
            "shapley_value", nn.Linear(30, 1).double(), torch.rand(1, 30, dtype=torch.float64)
        ),
        ValueError,
        "max_players=30",
    ),
    "overlapping players": (
        lambda: attribute("shapley_value", MLP, X, target=0, players=[[0, 1], [1, 2]]),
        ValueError,
        "disjoint",
    ),
    "player index out of range": (
        lambda: attribute("shapley_value", MLP, X, target=0, players=[[0, 9]]),
        ValueError,
        "must lie in",
    ),
    "empty player": (
        lambda: attribute("shapley_value", MLP, X, target=0, players=[[0], []]),
        ValueError,
        "must lie",
    ),
    "gaps in player labels": (
        lambda: attribute("shapley_value", MLP, X, target=0, players=np.array([0, 0, 2, 2])),
        ValueError,
        "none missing",
    ),
    "fractional player labels": (
        lambda: attribute(
            "shapley_value", MLP, X, target=0, players=np.array([0.0, 0.5, 1.0, 1.0])
        ),
        ValueError,
        "integers",
    ),
    "a batch given to a game": (
        lambda: MaskingGame(MLP, X, 0.0, target=0),
        ValueError,
        "ONE input",
    ),
    "game target out of range": (
        lambda: MaskingGame(MLP, X[0], 0.0, target=9),
        ValueError,
        "out of range",
    ),
    "marginal game without rows": (
        lambda: MarginalGame(MLP, X[0], BACKGROUND[:0], target=0),
        ValueError,
        "one row",
    ),
    "harsanyi of a list": (lambda: harsanyi([1, 2, 3]), TypeError, "takes a game"),
    "a table game of a wrong length": (
        lambda: games.TabularGame(np.zeros(6)),
        ValueError,
        "2\\*\\*n values",
    ),
    "dividends of a wrong length": (
        lambda: games.Effects(np.zeros(6)),
        ValueError,
        "2\\*\\*n values",
    ),
    "SASANet: unknown task": (lambda: SASANet("ranking"), ValueError, "task must be one of"),
    "SASANet: unknown option": (lambda: SASANet("binary", epoch=3), TypeError, "no option epoch"),
    "SASANet: negative learning rate": (
        lambda: SASANet("binary", learning_rate=-1.0),
        ValueError,
        "learning_rate",
    ),
    "SASANet: width not a multiple of heads": (
        lambda: SASANet("binary", width=10, heads=4),
        ValueError,
        "multiple",
    ),
    "SASANet: validation share 1": (
        lambda: SASANet("binary", validation=1.0),
        ValueError,
        "validation",
    ),
    "SASANet: NaN in X": (
        lambda: SASANet("binary", epochs=1).fit(np.full((10, 3), np.nan), np.zeros(10)),
        ValueError,
        "NaN",
    ),
    "SASANet: X and y of other lengths": (
        lambda: SASANet("binary", epochs=1).fit(np.zeros((10, 3)), np.zeros(9)),
        ValueError,
        "rows",
    ),
    "MaskingGame: negative batch size": (
        lambda: MaskingGame(MLP, X[0], 0.0, target=0, batch_size=-5),
        ValueError,
        "must be a whole number >= 1",
    ),
    "MaskingGame: zero batch size": (
        lambda: MaskingGame(MLP, X[0], 0.0, target=0, batch_size=0),
        ValueError,
        "must be a whole number >= 1",
    ),
    "LRP-alpha-beta: NaN options": (
        lambda: attribute(
            "lrp_alpha_beta", MLP, X, target=0, alpha=float("nan"), beta=float("nan")
        ),
        ValueError,
        "alpha must be a finite real number",
    ),
    "LRP-epsilon: infinite epsilon": (
        lambda: attribute("lrp_epsilon", MLP, X, target=0, epsilon=float("inf")),
        ValueError,
        "finite number",
    ),
    "LRP-epsilon: NaN epsilon": (
        lambda: attribute("lrp_epsilon", MLP, X, target=0, epsilon=float("nan")),
        ValueError,
        "finite number",
    ),
    "x on the meta device": (
        lambda: attribute("gradient_x_input", MLP, torch.empty(3, 4, device="meta"), target=0),
        ValueError,
        "meta device",
    ),
    "players as a flat list of numbers": (
        lambda: attribute("shapley_value", MLP, X, target=0, players=[0, 0, 1, 1]),
        ValueError,
        r"np.array\(\[0, 0, 1, 1\]\)",
    ),
    "a window given as one number": (
        lambda: attribute("occlusion_patch", CNN, IMAGES, target=0, window=2),
        ValueError,
        r"window=\(1, 2, 2\)",
    ),
    "SASANet: labels 2 for a binary task": (
        lambda: SASANet("binary", epochs=1).fit(np.zeros((4, 3)), np.array([0, 1, 2, 1])),
        ValueError,
        "labels 0 and 1",
    ),
    # accepted silently before (round three of the reliability probe)
    "complex x": (
        lambda: attribute("gradient_x_input", MLP, X.to(torch.complex128), target=0),
        TypeError,
        r"x is complex.*x.real",
    ),
    "player label -2": (
        lambda: attribute("shapley_value", MLP, X, target=0, players=np.array([0, 1, -2, -1])),
        ValueError,
        r"-1 \(no player\) or a player.*\[-2\]",
    ),
    "a coalition as a string": (lambda: harsanyi(GAME)["01"], TypeError, "collection of player"),
    "a coalition of a fraction": (lambda: harsanyi(GAME)[(1.5,)], TypeError, "whole numbers"),
    "a coalition as one number": (lambda: harsanyi(GAME)[0], TypeError, r"e.g. \(0, 2\)"),
    "a mask of 2**n": (lambda: GAME(16), ValueError, r"0 .. 2\*\*4 - 1 = 15"),
    "a negative mask": (lambda: GAME([-1]), ValueError, "from -1"),
    "a fractional mask": (lambda: GAME([1.5]), TypeError, "whole numbers"),
    "SASANet: a NaN loss weight": (
        lambda: SASANet("binary", weights=(float("nan"), 1, 1, 1)),
        ValueError,
        "each a finite number",
    ),
    "SASANet: batch_size=True": (
        lambda: SASANet("binary", batch_size=True),
        ValueError,
        "batch_size must be a whole number",
    ),
    "FastSHAP: a hidden layer of width 0": (
        lambda: FastSHAP(hidden=(0,)),
        ValueError,
        r"each a whole number >= 1.*\(0,\)",
    ),
    "FastSHAP: epochs=2.5": (lambda: FastSHAP(epochs=2.5), ValueError, "epochs must be a whole"),
    "Deep Taylor: a NaN bound": (
        lambda: attribute("deep_taylor", MLP, X, target=0, lower=float("nan")),
        ValueError,
        "lower bound is NaN",
    ),
    "correlation with a method the principles do not count": (
        lambda: faithfulness.correlation(
            pd.DataFrame(np.random.default_rng(0).random((4, 3)), columns=["a", "b", "c"]),
            pd.Series([1, 2], index=["a", "b"]),
        ),
        ValueError,
        r"no count of principles for \['c'\]",
    ),
    "zoo: seed 1.5": (lambda: zoo.config("digits_mlp", seed=1.5), ValueError, "seed must be"),
    # options of the wrong type, refused before any arithmetic
    "LRP-alpha-beta: alpha as text": (
        lambda: attribute("lrp_alpha_beta", MLP, X, target=0, alpha="2", beta=1),
        ValueError,
        "alpha must be a finite real number, got '2'",
    ),
    "Expected Gradients: a seed numpy cannot take": (
        lambda: attribute("expected_gradients", MLP, X, X, target=0, seed=2**40),
        ValueError,
        r"seed must be a whole number in 0 \.\. 4294967295",
    ),
    "Deep Taylor: a bound of the wrong shape": (
        lambda: attribute("deep_taylor", MLP, X, target=0, lower=torch.zeros(7)),
        ValueError,
        r"lower bound has shape \(7,\), which does not fit",
    ),
    "x as a list of tensors": (
        lambda: attribute("gradient_x_input", MLP, [X[0], X[1]], target=0),
        TypeError,
        r"x is a list of tensors: stack them",
    ),
    "model None": (
        lambda: attribute("gradient_x_input", None, X, target=0),
        TypeError,
        "model must be a torch module",
    ),
    "a background as a list of tensors": (
        lambda: attribute("expected_gradients", MLP, X, [X[0], X[1]], target=0),
        TypeError,
        "baseline is a list of tensors",
    ),
    "MaskingGame: target 1.0": (
        lambda: MaskingGame(MLP, X[0], 0.0, target=1.0),
        ValueError,
        "target 1.0 is out of range.*whole number",
    ),
    "MaskingGame: target [0]": (
        lambda: MaskingGame(MLP, X[0], 0.0, target=[0]),
        ValueError,
        r"target \[0\] is out of range",
    ),
    "patches of size 0": (lambda: games.patches((1, 4, 4), 0), ValueError, "a whole number >= 1"),
    "patches of size 1.5": (lambda: games.patches((1, 4, 4), 1.5), ValueError, "got 1.5"),
    "patches of a flat input": (
        lambda: games.patches((16,), 2),
        ValueError,
        "pass players= as index groups",
    ),
    "SASANet: learning_rate as text": (
        lambda: SASANet("binary", learning_rate="0.01"),
        ValueError,
        "learning_rate must be a finite real number",
    ),
    "SASANet: labels as text": (
        lambda: SASANet("binary", epochs=1).fit(np.random.rand(10, 3), np.array(["yes", "no"] * 5)),
        ValueError,
        "y must hold numbers.*np.unique",
    ),
    "SASANet: a text column": (
        lambda: SASANet("binary", epochs=1).fit(
            pd.DataFrame({"a": ["x"] * 10, "b": np.arange(10.0)}), np.arange(10) % 2
        ),
        ValueError,
        r"columns \['a'\] hold values that are not numbers",
    ),
    "SASANet: pd.NA": (
        lambda: SASANet("binary", epochs=1).fit(
            pd.DataFrame({"a": pd.array([1, pd.NA] * 5, dtype="Int64"), "b": np.arange(10.0)}),
            np.arange(10) % 2,
        ),
        ValueError,
        r"columns \['a'\] hold values that are not numbers",
    ),
    "infidelity: n_samples 2.5": (
        lambda: faithfulness.infidelity(MLP, X, X, 0, n_samples=2.5),
        ValueError,
        "n_samples must be a whole number",
    ),
    "infidelity: a target the model lacks": (
        lambda: faithfulness.infidelity(MLP, X, X, 7),
        ValueError,
        "target 7 is out of range: the model has 2",
    ),
    "localization: an image shape that does not fit the scores": (
        lambda: faithfulness.localization(
            torch.rand(2, 16), np.array([[0, 0, 2, 2]] * 2), (1, 3, 3)
        ),
        ValueError,
        r"scores have 16 values, but image_shape \(1, 3, 3\) holds 9",
    ),
    "a model that returns one row for a batch": (
        lambda: attribute("gradient_x_input", OneRow(), X, target=0),
        ValueError,
        r"maps a batch of 2 input\(s\) to shape \(1, 2\)",
    ),
    "SASANet: X_val of another width": (
        lambda: SASANet("binary", epochs=1).fit(
            np.random.rand(40, 3), np.arange(40) % 2, np.random.rand(10, 2), np.arange(10) % 2
        ),
        ValueError,
        r"X_val is \(10, 2\).*training features \(3\)",
    ),
    "SASANet: X_val and y_val of other lengths": (
        lambda: SASANet("binary", epochs=1).fit(
            np.random.rand(40, 3), np.arange(40) % 2, np.random.rand(10, 3), np.arange(8) % 2
        ),
        ValueError,
        "y_val has 8 labels",
    ),
    "SASANet: a categorical feature X lacks": (
        lambda: SASANet("binary", epochs=1, categorical={5: 3}).fit(
            np.random.rand(10, 3), np.arange(10) % 2
        ),
        ValueError,
        "categorical names feature 5, but X has features 0..2",
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_gets_a_clear_error(name):
    call, kind, says = CASES[name]
    with pytest.raises(kind, match=says):
        call()


def test_a_truncated_model_file_is_refused_by_name(tmp_path):
    path = tmp_path / "model.pt"
    path.write_bytes(b"")
    with pytest.raises(ValueError, match="model.pt is not a SASANet saved by SASANet.save"):
        SASANet.load(path)


def test_a_game_with_a_non_finite_value_is_refused_by_coalition():
    """A model that returns inf on one coalition must not yield finite-looking dividends."""

    def blows_up(z):  # 1 / x_1 at the baseline x_1 = 0: v({}) and v({2}) are infinite
        return (1.0 / z[:, :1]) + z[:, 1:2]

    game = MaskingGame(blows_up, torch.tensor([1.0, 2.0], dtype=torch.float64), 0.0)
    with pytest.raises(ValueError, match=r"2 non-finite value\(s\) \(first at coalition mask 0"):
        harsanyi(game)


def test_a_non_finite_output_at_the_baseline_is_refused():
    """IG used to return finite scores with a gap of -inf when f(b) was infinite."""

    def log_model(z):
        return torch.log(z.sum(dim=1, keepdim=True))  # log 0 = -inf at b = 0

    x = torch.rand(2, 3, dtype=torch.float64) + 0.5
    with pytest.raises(ValueError, match=r"f\(b\) is NaN or infinite"):
        attribute("integrated_gradients", log_model, x, 0.0, target=0)


def test_games_refuse_shapes_that_would_be_misread():
    """A 1-d background read as one row per element, a 2-d table of values read across its
    columns, and a game whose values do not match its declared n."""
    x = torch.rand(4, dtype=torch.float64)
    with pytest.raises(ValueError, match=r"background\[None\]"):
        MarginalGame(MLP, x, torch.zeros(4, dtype=torch.float64), target=0)
    with pytest.raises(ValueError, match="1-d array"):
        games.TabularGame(np.zeros((8, 2)))

    class Liar:
        n = 3

        def values(self, progress=False):
            return np.zeros(16)

    with pytest.raises(ValueError, match=r"declares n = 3 players .* shape \(16,\)"):
        harsanyi(Liar())


def test_channels_last_input_gets_the_same_scores_from_every_method():
    """A channels-last x used to give all-zero Shapley values (a flat reshape was a copy)."""
    torch.manual_seed(6)
    cnn = nn.Sequential(
        nn.Conv2d(3, 2, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(32, 2)
    ).double()
    images = torch.rand(2, 3, 4, 4, dtype=torch.float64)
    x = images.contiguous(memory_format=torch.channels_last)
    assert not x.is_contiguous()
    players = {"players": np.arange(48).reshape(3, 4, 4) // 4}  # 12 players
    for method in ("shapley_value", "occlusion_1", "gradient_x_input", "deeplift_rescale"):
        options = players if method == "shapley_value" else {}
        plain = attribute(method, cnn, images, 0.0, target=0, **options).scores
        last = attribute(method, cnn, x, 0.0, target=0, **options).scores
        np.testing.assert_allclose(last.numpy(), plain.numpy(), rtol=1e-12, atol=1e-15)
        assert plain.abs().max() > 0


@pytest.mark.parametrize(
    "method",
    [
        "gradient_x_input",
        "integrated_gradients",
        "expected_gradients",
        "occlusion_1",
        "prediction_difference",
        "shapley_value",
    ],
)
def test_a_model_that_writes_into_its_input_is_explained_as_its_pure_twin(method):
    """z.sub_(1) inside forward: IG and Expected Gradients failed (in-place on a leaf),
    Occlusion-1, Prediction Difference and the Shapley value were silently wrong (0.9-1.6)."""

    class Shift(nn.Module):
        def __init__(self, inplace):
            super().__init__()
            self.inplace = inplace
            self.net = nn.Sequential(nn.Linear(4, 3), nn.Tanh(), nn.Linear(3, 1)).double()

        def forward(self, z):
            return self.net(z.sub_(1.0) if self.inplace else z - 1.0)

    torch.manual_seed(1)
    writes, pure = Shift(True), Shift(False)
    pure.load_state_dict(writes.state_dict())
    baseline = BACKGROUND if methods.get(method).baseline == "distribution" else 0.0
    found = attribute(method, writes, X, baseline, target=0).scores
    expected = attribute(method, pure, X, baseline, target=0).scores
    np.testing.assert_allclose(found.numpy(), expected.numpy(), rtol=1e-12, atol=1e-14)


def test_a_half_precision_overflow_is_explained():
    """A float16 model whose output overflows: the message names the dtype and the way out."""
    model = nn.Sequential(nn.Linear(4, 1)).to(torch.float16)
    with torch.no_grad():
        model[0].weight.fill_(3e4)  # 4 inputs near 1: the sum exceeds float16's 65504
    x = torch.ones(2, 4, dtype=torch.float16)
    with pytest.raises(ValueError, match=r"in torch.float16 .* model.float\(\)"):
        attribute("gradient_x_input", model, x, 0.0, target=0)


def test_one_whole_number_check_everywhere():
    """Counts, sizes and seeds are whole numbers in one sense: an int or a numpy integer,
    never a bool or a float (not even 2.0), with one wording."""
    from unified_attribution.checks import is_whole, whole_number

    assert is_whole(3) and is_whole(np.int64(3))
    assert not any(is_whole(v) for v in (True, np.bool_(True), 2.0, 2.5, "2", None))
    assert whole_number(np.int32(4), "n", 1) == 4 and type(whole_number(np.int32(4), "n")) is int
    with pytest.raises(ValueError, match=r"^n must be a whole number in 0 \.\. 9, got 10; less$"):
        whole_number(10, "n", 0, 9, hint="; less")
    # the same refusal from the methods, the games, SASANet, FastSHAP and the zoo
    for call in (
        lambda: attribute("integrated_gradients", MLP, X, target=0, n_steps=2.0),
        lambda: MaskingGame(MLP, X[0], 0.0, target=0, batch_size=2.0),
        lambda: SASANet("binary", epochs=np.float64(3)),
        lambda: FastSHAP(epochs=True),
    ):
        with pytest.raises(ValueError, match="must be a whole number"):
            call()


def test_a_fitted_sasanets_value_and_snapshots_refuse_what_they_cannot_read():
    rng = np.random.default_rng(0)
    x = rng.random((40, 3))
    model = SASANet("binary", epochs=2, progress=False).fit(x, (x[:, 0] > 0.5).astype(int))
    with pytest.raises(ValueError, match="orders .* must be a whole number >= 1, got 0"):
        model.value(x[:2], np.ones(3, bool), orders=0)
    with pytest.raises(ValueError, match=r"mask is shaped \(5,\); it needs one boolean per"):
        model.value(x[:2], np.ones(5, bool))
    with pytest.raises(ValueError, match="kept no snapshots: fit it with snapshot_every"):
        model.at_snapshot(0)
    kept = SASANet("binary", epochs=2, snapshot_every=1, progress=False).fit(
        x, (x[:, 0] > 0.5).astype(int)
    )
    assert len(kept.snapshots_) == 2 and kept.at_snapshot(-1) is not kept
    with pytest.raises(ValueError, match=r"snapshot index \(this model kept 2\)"):
        kept.at_snapshot(2)
