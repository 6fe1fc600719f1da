"""SASANet against baselines: scores, tuning, masking, post-hoc estimators and verdicts."""

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from attribution_book import comparison, data, explained, sasanet_runs
from unified_attribution.sasanet import SASANet

FAST = {"epochs": 3, "width": 16, "layers": 1, "heads": 2}


@pytest.fixture(scope="module")
def wine_model():
    ds = data.load("wine")
    return SASANet("multiclass", **FAST).fit(ds.X_train, ds.y_train, ds.X_val, ds.y_val), ds


@pytest.fixture(scope="module")
def diabetes_model():
    ds = data.load("diabetes")
    return SASANet("regression", **FAST).fit(ds.X_train, ds.y_train, ds.X_val, ds.y_val), ds


def test_every_model_gets_the_same_tuning_budget():
    assert {len(m.grid) for m in comparison.MODELS.values()} == {comparison.GRID_SIZE}
    for m in comparison.MODELS.values():  # no configuration tried twice
        assert len({tuple(sorted(c.items())) for c in m.grid}) == comparison.GRID_SIZE


def test_scores_match_their_definitions():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 50)
    p = rng.uniform(size=50)
    out = comparison.prediction_metrics("binary", y, np.stack([1 - p, p], axis=1))
    assert out["AUC"] == pytest.approx(roc_auc_score(y, p))
    assert out["accuracy"] == pytest.approx(np.mean((p > 0.5) == y))
    assert comparison.prediction_metrics("regression", np.array([1.0, 2.0]), np.array([2.0, 4.0]))[
        "RMSE"
    ] == pytest.approx(np.sqrt((1 + 4) / 2))


def test_scores_refuse_nan_and_wrong_shapes():
    with pytest.raises(ValueError, match="NaN"):
        comparison.prediction_metrics("regression", np.zeros(2), np.array([np.nan, 1.0]))
    with pytest.raises(ValueError, match="shape"):
        comparison.prediction_metrics("binary", np.zeros(3), np.zeros(3))


def test_best_config_follows_the_direction_of_the_score():
    runs = [
        {"config": {"a": 1}, "validation": {"AUC": 0.7, "RMSE": 2.0}},
        {"config": {"a": 2}, "validation": {"AUC": 0.9, "RMSE": 3.0}},
    ]
    assert comparison.best_config(runs, "binary") == {"a": 2}
    assert comparison.best_config(runs, "regression") == {"a": 1}


def test_tuning_gain_is_the_test_score_of_the_validation_choice_over_the_worst():
    def run(dataset, model, validation, test, seed=0):
        name, _ = comparison.headline(comparison.task_of(dataset))
        return {
            "dataset": dataset,
            "model": model,
            "seed": seed,
            "validation": {name: validation},
            "test": {name: test},
        }

    tuning = [
        run("wine", "mlp", 0.9, 0.80),  # AUC: higher is better
        run("wine", "mlp", 0.7, 0.75),
        run("wine", "mlp", 0.8, 0.95),  # best on test, but not chosen by validation
        run("diabetes", "mlp", 50.0, 60.0),  # RMSE: lower is better
        run("diabetes", "mlp", 40.0, 58.0),
    ]
    gains = comparison.tuning_gain(tuning)
    assert gains["wine"]["mlp"] == pytest.approx(0.05)
    assert gains["diabetes"]["mlp"] == pytest.approx(2.0)
    with pytest.raises(ValueError, match="one seed"):
        comparison.tuning_gain(tuning + [run("wine", "mlp", 0.5, 0.5, seed=1)])


def test_fit_and_score_reports_the_mlp_size():
    run = comparison.fit_and_score("wine", "mlp", {"hidden": (8,)}, seed=0)
    assert run["parameters"] == 13 * 8 + 8 + 8 * 3 + 3
    assert 0.5 < run["test"]["AUC"] <= 1.0
    assert comparison.fit_and_score("wine", "tree", {"max_depth": 2}, 0)["parameters"] is None


@pytest.mark.parametrize("model", ["linear", "ebm", "hist_gb", "lightgbm"])
def test_every_baseline_fits_each_task(model):
    for dataset in ("breast_cancer", "wine", "diabetes"):
        run = comparison.fit_and_score(dataset, model, comparison.MODELS[model].grid[1], seed=0)
        assert set(run["test"]) == ({"RMSE"} if dataset == "diabetes" else {"AUC", "accuracy"})
        if dataset != "diabetes":
            assert run["test"]["AUC"] > 0.9  # both are easy; a wiring error would be near 0.5


def test_unknown_dataset_is_named():
    with pytest.raises(ValueError, match="unknown dataset 'iris'"):
        comparison.task_of("iris")


def test_drop_top_hides_exactly_the_first_k_of_each_ranking():
    ranking = np.array([[2, 0, 1], [1, 2, 0]])
    np.testing.assert_array_equal(comparison.drop_top(ranking, 1), [[1, 1, 0], [1, 0, 1]])
    np.testing.assert_array_equal(comparison.drop_top(ranking, 2), [[0, 1, 0], [1, 0, 0]])
    with pytest.raises(ValueError, match="k must be"):
        comparison.drop_top(ranking, 4)


def test_ranking_is_by_magnitude():
    np.testing.assert_array_equal(comparison.ranking(np.array([[0.1, -3.0, 2.0]])), [[1, 2, 0]])


def test_masking_curve_runs_from_the_full_set_to_the_empty_set(diabetes_model):
    model, ds = diabetes_model
    X, y = ds.X_test[:20], ds.y_test[:20]
    curve = comparison.masking_curve(
        model,
        X,
        y,
        comparison.ranking(explained.own_attribution(model, X)),
        ks=[0, 1, X.shape[1]],
    )
    full = model.value(X, np.ones(X.shape, dtype=bool), fixed_order=True)
    assert curve[0]["RMSE"] == pytest.approx(
        comparison.prediction_metrics("regression", y, full)["RMSE"]
    )
    assert curve[0]["prediction change"] == 0.0
    assert 0.0 < curve[1]["prediction change"]
    # nothing observed: every prediction is v(empty) = b, the change is mean |v(N) - b| itself
    assert curve[2]["prediction change"] == pytest.approx(1.0, rel=1e-5)
    assert curve[2]["RMSE"] == pytest.approx(
        np.sqrt(np.mean((y - model.attribute(X).baseline_value) ** 2)), rel=1e-5
    )
    # averaged over random orders: the full set's score is v_x(N) averaged the same way
    ranks = comparison.ranking(explained.own_attribution(model, X))
    averaged = comparison.masking_curve(model, X, y, ranks, ks=[0, 1], orders=8)
    full8 = model.value(X, np.ones(X.shape, dtype=bool), orders=8)
    assert averaged[0]["RMSE"] == pytest.approx(
        comparison.prediction_metrics("regression", y, full8)["RMSE"]
    )
    assert averaged[1]["RMSE"] != curve[1]["RMSE"]


def test_output_gap_is_zero_when_the_output_is_the_full_set_value(diabetes_model, monkeypatch):
    model, ds = diabetes_model
    X = ds.X_test[:20]
    assert comparison.output_gap(model, X) > 0  # 3 epochs: Phi is far from f_c
    full = model.value(X, np.ones(X.shape, dtype=bool), fixed_order=True)
    monkeypatch.setattr(model, "decision_function", lambda _: full)
    assert comparison.output_gap(model, X) == 0.0


@pytest.mark.parametrize("estimator", ["KernelSHAP", "permutation sampling"])
def test_posthoc_estimators_at_full_budget_are_the_exact_shapley_values(wine_model, estimator):
    _, ds = wine_model
    X = ds.X_test[:2, :5]
    small = SASANet("multiclass", **FAST).fit(ds.X_train[:, :5], ds.y_train)
    estimate = comparison.posthoc_attribution(
        small, X, estimator, budget=2**5 if estimator == "KernelSHAP" else 5000
    )
    target = explained.explained_output(small, X)
    for row, (x, t) in enumerate(zip(X, target)):
        exact = small.exact_shapley(x, output=int(t), fixed_order=True)  # the game's exact values
        tolerance = 1e-4 if estimator == "KernelSHAP" else 0.1 * np.abs(exact).max()
        np.testing.assert_allclose(estimate[row], exact, atol=tolerance)
    with pytest.raises(ValueError, match="estimator must be"):
        comparison.posthoc_attribution(small, X, "LIME", 10)


def test_own_attribution_explains_the_predicted_class(wine_model):
    model, ds = wine_model
    X = ds.X_test[:5]
    phi = model.attribute(X).values
    cls = model.decision_function(X).argmax(axis=1)
    np.testing.assert_allclose(explained.own_attribution(model, X), phi[np.arange(5), :, cls])
    with pytest.raises(ValueError, match="one output per row"):
        model.attribute(X).at(cls[:2])


def _curve(change):
    """A regression masking curve: the prediction moves and the RMSE grows with k."""
    return [{"k": k, "prediction change": change * k, "RMSE": 1.0 + change * k} for k in range(6)]


def _cost(ratio, own_error, kernel_error, fastshap_error=1.0, per_row=None):
    kernel = {
        "time ratio to SASANet": {"1": ratio / 10, "100": ratio / 2, "10000": ratio},  # JSON keys
        "curve": [{"Shapley error": kernel_error}],
    }
    per_row = per_row or {"1": 1e-3, "100": 2e-5, "10000": 1e-5}
    return {
        "batches": [1, 10000],
        "datasets": {
            "diabetes": {
                "SASANet": {"Shapley error": own_error, "seconds per row": per_row},
                "FastSHAP": {"Shapley error": fastshap_error},
                "estimators": {"KernelSHAP": kernel},
            }
        },
    }


def test_score_drop_is_positive_when_masking_hurts():
    auc = [{"k": 0, "AUC": 0.9}, {"k": 1, "AUC": 0.8}, {"k": 2, "AUC": 0.7}]
    rmse = [{"k": 0, "RMSE": 1.0}, {"k": 1, "RMSE": 1.5}, {"k": 2, "RMSE": 2.5}]
    assert comparison.mean_score_drop(auc, "binary") == pytest.approx(0.15)
    assert comparison.mean_score_drop(rmse, "regression") == pytest.approx(1.0)


def test_verdicts_follow_the_numbers():
    def table(sasanet):  # regression: lower RMSE is better
        return {
            "diabetes": {
                "sasanet": (sasanet, 0.1),
                "linear": (1.0, 0.0),
                "ebm": (0.9, 0.0),
                "mlp": (0.8, 0.05),
                "hist_gb": (0.85, 0.0),
                "lightgbm": (0.82, 0.0),
                "tree": (1.2, 0.0),
            }
        }

    def curves(sasanet, kernel, fastshap=0.5):
        return {
            "diabetes": {
                "SASANet": _curve(sasanet),
                "KernelSHAP": _curve(kernel),
                "FastSHAP": _curve(fastshap),
                "random": _curve(0.1),  # random masking hurts too: the score can decide
            }
        }

    def verdicts(*args):
        decided = comparison.claim_verdicts(*args, datasets=["diabetes"])
        return [decided[k].verdict for k in sorted(decided)]

    # ids sorted: black-box, post-hoc, self-attributing, fidelity
    assert verdicts(table(0.7), _cost(500.0, 0.1, 0.2), curves(1.0, 0.9)) == ["holds"] * 4
    assert (
        verdicts(table(1.5), _cost(0.5, 0.3, 0.2), curves(0.5, 0.9)) == ["does not hold here"] * 4
    )
    # within one seed sd of the best black box rivals it; a tie with the best
    # self-attributing model is not "better"
    assert verdicts(table(0.9), _cost(500.0, 0.1, 0.2), curves(0.5, 0.9))[0::2] == [
        "holds",
        "does not hold here",
    ]
    # "more precisely AND faster": precise but slow is not half a success
    slow = comparison.claim_verdicts(
        table(0.88), _cost(0.8, 0.1, 0.2), curves(1.0, 1.0), datasets=["diabetes"]
    )["B-abstract-post-hoc"]
    assert slow.verdict == "does not hold here" and "faster: does not hold here" in slow.numbers
    # "faster" is the paper's word, read plainly (less time at equal error): 42x is faster;
    # the book's 100x bar is reported beside it, labelled, and does not decide
    quick = comparison.claim_verdicts(
        table(0.7), _cost(42.0, 0.1, 0.2), curves(1.0, 0.9), datasets=["diabetes"], stored="run X"
    )["B-abstract-post-hoc"]
    assert quick.verdict == "holds" and "book's stricter bar of 100x" in quick.numbers
    assert "(reported, not deciding): 0 of 1" in quick.numbers
    assert "faster: 1x" in quick.bar and quick.origin == "the book's choice"  # its game and budget
    assert quick.stored == "run X"
    # SASANet at its cheapest measured batch: 100 rows per call when that is cheaper per row
    cheap = comparison.claim_verdicts(
        table(0.7),
        _cost(42.0, 0.1, 0.2, per_row={"1": 1e-3, "100": 5e-6, "10000": 1e-5}),
        curves(1.0, 0.9),
        datasets=["diabetes"],
    )["B-abstract-post-hoc"]
    assert "21.0x to 21.0x" in cheap.numbers and "diabetes 100)" in cheap.rule  # part rules

    # the masking experiment in the paper's words: the largest score drop against KernelSHAP
    # AND FastSHAP; a tie is not the largest
    def masking(sasanet, kernel, fastshap):
        found = comparison.claim_verdicts(
            table(0.7), _cost(500.0, 0.1, 0.2), curves(sasanet, kernel, fastshap), ["diabetes"]
        )
        return found["B-experiment-fidelity"]

    assert masking(1.0, 0.9, 0.8).verdict == "holds"
    assert masking(1.0, 0.9, 1.2).verdict == "does not hold here"  # FastSHAP's drop is larger
    tie = masking(1.0, 1.0, 0.5)
    assert tie.verdict == "does not hold here" and tie.origin == "the paper's words"
    assert "(reported, not deciding): diabetes 100%" in tie.numbers
    # more precise than KernelSHAP but not than FastSHAP: not more precise than post-hoc methods
    beaten = comparison.claim_verdicts(
        table(0.7), _cost(500.0, 0.1, 0.2, 0.05), curves(1.0, 0.9), datasets=["diabetes"]
    )["B-abstract-post-hoc"]
    assert "more precise: does not hold here" in beaten.numbers
    with pytest.raises(ValueError, match="no scores"):
        comparison.claim_verdicts(table(0.7), _cost(5.0, 0.1, 0.2), curves(1, 1), datasets=["wine"])


def test_every_model_sees_the_same_capped_training_rows():
    X, y, *_ = sasanet_runs.dataset("randhie")
    full = data.load("randhie")
    assert len(X) == sasanet_runs.MAX_TRAINING_ROWS < len(full.X_train)
    np.testing.assert_array_equal(X, full.X_train[: len(X)])
    np.testing.assert_array_equal(y, full.y_train[: len(X)])


def test_ranks_tables_and_self_attributing_wins_on_constructed_numbers():
    regression = {
        "diabetes": {
            "sasanet": (0.7, 0.1),
            "linear": (1.0, 0.0),
            "ebm": (0.9, 0.0),
            "mlp": (0.8, 0.0),
        }
    }
    assert comparison.rank(regression, "diabetes") == 1  # lowest RMSE
    assert comparison.rank(regression, "diabetes", "linear") == 4
    assert not comparison.self_attributing_beats_sasanet(regression, "diabetes")
    classification = {"wine": {"sasanet": (0.90, 0.0), "linear": (0.95, 0.0), "ebm": (0.80, 0.0)}}
    assert comparison.rank(classification, "wine") == 2  # higher AUC is better
    assert comparison.self_attributing_beats_sasanet(classification, "wine")
    runs = [
        {"dataset": "wine", "model": m, "test": {"AUC": v}}
        for m, values in (("sasanet", (0.8, 1.0)), ("linear", (0.5, 0.5)))
        for v in values
    ]
    table = comparison.score_table(
        runs, "AUC", ["wine"], ["sasanet", "linear"], {"sasanet": "SASANet", "linear": "LR"}
    )
    assert table.loc["SASANet", "wine"] == "0.90 ± 0.10" and table.loc["LR", "wine"] == "0.5 ± 0"


def test_rank_names_a_missing_dataset_or_model():
    summary = {"diabetes": {"sasanet": (0.7, 0.1), "linear": (1.0, 0.0)}}
    with pytest.raises(ValueError, match="no results for dataset 'wine'"):
        comparison.rank(summary, "wine")
    with pytest.raises(ValueError, match="no results for model 'ebm'"):
        comparison.rank(summary, "diabetes", "ebm")
    with pytest.raises(ValueError, match="no results for model 'sasanet'"):
        comparison.self_attributing_beats_sasanet({"diabetes": {"linear": (1.0, 0.0)}}, "diabetes")


def test_break_even_counts_the_rows_that_repay_training():
    assert comparison.break_even(10.0, 0.001, 0.011) == pytest.approx(1000.0)
    assert comparison.break_even(10.0, 0.02, 0.01) == float("inf")  # the rival is faster
    with pytest.raises(ValueError, match=">= 0"):
        comparison.break_even(-1.0, 0.0, 1.0)


def test_the_value_function_is_the_game_of_each_row():
    from unified_attribution.sasanet import SASANet

    ds = data.load("wine")
    model = SASANet("multiclass", epochs=2, width=16, layers=1, heads=2).fit(ds.X_train, ds.y_train)
    X = ds.X_test[:3]
    masks = np.random.default_rng(0).random(X.shape) < 0.5
    outputs = explained.explained_output(model, X)
    values = comparison.value_function(model)(X, masks)
    for x, mask, output, value in zip(X, masks, outputs, values):
        game = comparison.value_game(model, x, int(output))
        assert value == pytest.approx(game(mask[None])[0], rel=1e-6)


def test_the_value_function_explains_each_rows_class_when_rows_repeat():
    class ThreeClasses:  # v_x(S) of class c is x_c if feature c is observed; predicts argmax x
        def value(self, X, masks, fixed_order):
            return np.where(masks[:, :3], X[:, :3], 0.0)

        def decision_function(self, X):
            return X[:, :3]

    rows = np.array([[3.0, 1.0, 2.0, 0.0], [0.0, 5.0, 1.0, 0.0], [1.0, 0.0, 4.0, 9.0]])
    X = rows[[0, 1, 0, 2, 1, 0]]  # repeated rows, as FastSHAP's batches hold them
    masks = np.ones(X.shape, dtype=bool)
    masks[3, 2] = False  # row 2's own class unobserved: 0
    values = comparison.value_function(ThreeClasses())(X, masks)
    np.testing.assert_array_equal(values, [3.0, 5.0, 3.0, 0.0, 5.0, 3.0])


def test_time_ratio_reads_the_batch_size_asked_for():
    kernel = _cost(500.0, 0.1, 0.2)["datasets"]["diabetes"]["estimators"]["KernelSHAP"]
    assert comparison.time_ratio(kernel, 10000) == 500.0
    assert comparison.time_ratio(kernel, 1) == 50.0
    with pytest.raises(ValueError, match="no batch size 1000"):
        comparison.time_ratio(kernel, 1000)


def test_the_tail_of_a_power_law_is_extrapolated():
    seconds = np.array([1.0, 2, 4, 8, 16, 32])
    errors = np.r_[1.0, 0.9, 0.5 * seconds[2:] ** -0.5]  # a slow start, then seconds^-1/2
    slope, _ = comparison.power_law_tail(seconds, errors)
    assert slope == pytest.approx(-0.5)
    # halving the error costs four times the seconds
    assert comparison.seconds_to_reach(seconds, errors, errors[-1] / 2) == pytest.approx(128.0)
    assert comparison.seconds_to_reach(seconds, np.full(6, 0.2), 0.1) == float("inf")
    with pytest.raises(ValueError, match="at least 4"):
        comparison.power_law_tail(seconds[:3], errors[:3])


def test_mean_sd_shows_the_digits_the_spread_supports():
    assert comparison.mean_sd(0.81234, 0.0031) == "0.8123 ± 0.0031"
    assert comparison.mean_sd(0.81234, 0.031) == "0.812 ± 0.031"
    assert comparison.mean_sd(55.123, 2.4) == "55.1 ± 2.4"
    assert comparison.mean_sd(0.81234, 0.0) == "0.8123 ± 0"  # never "± 0.0000"
    assert comparison.mean_sd(0.81234, 1e-7) == "0.8123 ± <0.0001"  # at most 4 decimals
    with pytest.raises(ValueError, match="finite"):
        comparison.mean_sd(float("nan"), 0.1)


def test_verdicts_by_seed_judge_each_seed_of_the_stored_loop():
    runs = []
    for seed, sasanet in enumerate([0.70, 0.95]):
        scores = {"sasanet": sasanet, "linear": 1.0, "ebm": 0.9, "mlp": 0.8, "hist_gb": 0.85}
        scores |= {"lightgbm": 0.82, "tree": 1.2}
        runs += [
            {"dataset": "diabetes", "model": m, "seed": seed, "test": {"RMSE": v}}
            for m, v in scores.items()
        ]
    found = comparison.verdicts_by_seed({"runs": runs, "seeds": [0, 1], "best": {"diabetes": {}}})
    assert found[0]["B-abstract-self-attributing"].verdict == "holds"
    assert found[1]["B-abstract-self-attributing"].verdict == "does not hold here"
    # rivals: within the sd over all seeds (0.125) of the best black box (0.8)
    assert found[0]["B-abstract-black-box"].verdict == "holds"
    assert found[1]["B-abstract-black-box"].verdict == "does not hold here"


def test_same_model_compares_a_stored_number_of_the_model_to_rounding():
    assert comparison.same_model(0.153, 0.153 * (1 + 1e-8))
    assert not comparison.same_model(0.153, 0.604)  # the stale randhie model's output gap
    with pytest.raises(ValueError, match="finite"):
        comparison.same_model(float("nan"), 0.1)


def test_reproduction_reads_a_difference_against_rounding_and_the_seed_spread():
    assert comparison.reproduction(0.75, 0.75 + 1e-9, 0.01) == "float rounding"
    assert comparison.reproduction(0.75, 0.755, 0.01) == "within the seed spread"
    assert comparison.reproduction(0.75, 0.78, 0.01) == "beyond the seed spread"
    with pytest.raises(ValueError, match="finite"):
        comparison.reproduction(0.75, float("nan"), 0.01)


def test_subset_scores_and_the_cheapest_batch():
    assert (
        comparison.cheapest_batch({"seconds per row": {"1": 3e-4, "100": 2e-5, "10000": 3e-5}})
        == 100
    )
    with pytest.raises(ValueError, match="no batch size"):
        comparison.cheapest_batch({"seconds per row": {}})
    model = sasanet_runs.trained("wine", profile="quick")
    *_, X_test, y_test = sasanet_runs.dataset("wine")
    found = comparison.subset_scores(model, X_test, y_test, [0, 1, X_test.shape[1]])
    assert found[0] == pytest.approx(0.5)  # the prior: one constant prediction, AUC 0.5
    assert found[X_test.shape[1]] > found[1] > 0.5
    with pytest.raises(ValueError, match="subset sizes"):
        comparison.subset_scores(model, X_test, y_test, [X_test.shape[1] + 1])


def test_the_masking_verdict_leaves_out_a_dataset_where_no_ranking_lowers_the_score():
    """On wine (AUC) SASANet's ranking lowers the score most; on randhie (RMSE) every
    ranking, random included, improves it, so the score cannot tell rankings apart there:
    left out with that reason, not counted as SASANet's win or loss."""

    def curve(metric, start, after):
        return [
            {"k": 0, metric: start, "prediction change": 0.0},
            {"k": 1, metric: after, "prediction change": 0.5},
        ]

    fidelity = {
        "wine": {
            "SASANet": curve("AUC", 0.99, 0.80),
            "KernelSHAP": curve("AUC", 0.99, 0.85),
            "FastSHAP": curve("AUC", 0.99, 0.90),
            "random": curve("AUC", 0.99, 0.98),
        },
        "randhie": {
            name: curve("RMSE", 4.0, 4.0 - drop)
            for name, drop in (
                ("SASANet", 0.01),
                ("KernelSHAP", 0.02),
                ("FastSHAP", 0.03),
                ("random", 0.02),
            )
        },
    }
    found = comparison.masking_verdict(fidelity, ["wine", "randhie"])
    assert found.verdict == "holds"
    assert found.numbers.startswith("1 of 1 real datasets where SASANet's drop is the largest")
    assert "randhie (no ranking, random included, lowers its score)" in found.numbers
    fidelity["randhie"]["random"] = curve("RMSE", 4.0, 4.1)  # random worsens it: judged
    # (SASANet's ranking improves the RMSE least, so its drop is the largest)
    judged = comparison.masking_verdict(fidelity, ["wine", "randhie"])
    assert judged.numbers.startswith("2 of 2 real datasets") and "left out" not in judged.numbers
