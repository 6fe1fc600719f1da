"""FastSHAP (our code; no maintained package exists) against exact Shapley values of games
whose values are known in closed form, and checked by the Moebius route of games."""

import numpy as np
import pytest

from unified_attribution.fastshap import FastSHAP, sample_coalitions, shapley_kernel_sizes
from unified_attribution.games import TabularGame, harsanyi

W = np.array([1.0, -2.0, 0.5, 1.5])
C = 2.0  # the interaction of players 0 and 1


def additive(X, masks):
    return (masks * X * W).sum(axis=1)


def interacting(X, masks):
    return additive(X, masks) + C * X[:, 0] * X[:, 1] * masks[:, 0] * masks[:, 1]


def interacting_shapley(X):
    phi = X * W
    phi[:, :2] += C * (X[:, 0] * X[:, 1])[:, None] / 2  # the pair's dividend, split in two
    return phi


def nrmse(estimate, reference):
    return np.sqrt(np.mean((estimate - reference) ** 2)) / reference.std()


@pytest.fixture(scope="module")
def rows():
    rng = np.random.default_rng(0)
    return rng.normal(size=(3000, 4)), rng.normal(size=(200, 4))


def test_the_closed_form_is_the_exact_shapley_value():
    x = np.array([0.3, -1.2, 2.0, 0.7])
    masks = (np.arange(16)[:, None] >> np.arange(4)) & 1
    values = interacting(np.repeat(x[None], 16, axis=0), masks.astype(bool))
    exact = harsanyi(TabularGame(values)).shapley()
    np.testing.assert_allclose(exact, interacting_shapley(x[None])[0], atol=1e-12)


@pytest.mark.parametrize(
    "game, truth, tolerance",
    [(additive, lambda X: X * W, 0.03), (interacting, interacting_shapley, 0.05)],
)
def test_recovers_exact_shapley_values(rows, game, truth, tolerance):
    X, X_test = rows
    explainer = FastSHAP(hidden=(64, 64), samples=16, epochs=60, seed=0).fit(game, X)
    grand = game(X_test, np.ones(X_test.shape, bool)) - game(X_test, np.zeros(X_test.shape, bool))
    found = explainer.attribute(game, X_test)
    assert nrmse(found.values, truth(X_test)) < tolerance
    np.testing.assert_allclose(found.values.sum(axis=1), grand, atol=1e-4)  # efficient
    np.testing.assert_allclose(found.baseline_value, game(X_test, np.zeros(X_test.shape, bool)))
    np.testing.assert_allclose(found.output, game(X_test, np.ones(X_test.shape, bool)))
    assert np.abs(found.gap).max() < 1e-4
    assert (found.explainer, found.budget, found.estimated) == ("FastSHAP", 2, True)
    assert explainer.evaluations_ == len(X) * (16 + 2)


def test_is_deterministic(rows):
    X, X_test = rows
    a, b = (
        FastSHAP(hidden=(16,), samples=4, epochs=3, seed=1).fit(additive, X[:200]) for _ in "ab"
    )
    np.testing.assert_array_equal(
        a.attribute(additive, X_test).values, b.attribute(additive, X_test).values
    )


def test_kernel_samples_are_complementary_pairs_of_the_kernel_sizes():
    rng = np.random.default_rng(0)
    masks = sample_coalitions(6, 4000, 8, rng)
    np.testing.assert_array_equal(masks[:, 4:], ~masks[:, :4])
    sizes = masks[:, :4].sum(axis=2).ravel()
    assert sizes.min() >= 1 and sizes.max() <= 5
    observed = np.bincount(sizes, minlength=6)[1:] / sizes.size
    np.testing.assert_allclose(observed, shapley_kernel_sizes(6), atol=0.02)


def test_bad_input_is_refused_with_a_reason(rows):
    X, _ = rows
    with pytest.raises(ValueError, match="one value per row"):
        FastSHAP(epochs=1).fit(lambda X, m: np.zeros((len(X), 2)), X[:50])
    with pytest.raises(ValueError, match="NaN"):
        FastSHAP(epochs=1).fit(lambda X, m: np.full(len(X), np.nan), X[:50])
    with pytest.raises(ValueError, match="even number"):
        FastSHAP(samples=3, epochs=1).fit(additive, X[:50])
    with pytest.raises(RuntimeError, match="not fitted"):
        FastSHAP().attribute(additive, X[:2])
    with pytest.raises(ValueError, match="X must be"):
        FastSHAP(epochs=1, samples=2).fit(additive, X[:50]).attribute(additive, X[:2, :3])


def test_a_run_diverging_from_the_start_is_refused_with_what_to_do(rows):
    X, _ = rows
    with pytest.raises(ValueError, match="loss became .* lower learning_rate"):
        FastSHAP(samples=2, epochs=3).fit(additive, X[:200] * 1e30)  # inf in float32


def test_the_game_is_evaluated_once_before_training(rows):
    X, X_test = rows
    calls = []

    def counted(X, masks):
        calls.append(len(X))
        return additive(X, masks)

    FastSHAP(hidden=(8,), samples=2, epochs=5).fit(counted, X[:100])
    assert calls == [100, 100, 200]  # v(N), v(empty), then 2 subsets per row, in one call


def test_the_result_still_reads_as_the_old_return_values_for_one_release(rows):
    """``phi_0, phi = ...`` (SASANet's old tuple) and ``np.asarray(...)`` (FastSHAP's old
    array) keep working, with a DeprecationWarning."""
    X, X_test = rows
    found = FastSHAP(hidden=(8,), samples=2, epochs=1, seed=0).fit(additive, X[:50])
    found = found.attribute(additive, X_test[:3])
    with pytest.warns(DeprecationWarning, match="read .values"):
        assert np.array_equal(np.asarray(found), found.values)
    with pytest.warns(DeprecationWarning, match="baseline_value and .values"):
        phi_0, phi = found
    assert phi_0 is found.baseline_value and phi is found.values
