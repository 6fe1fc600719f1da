import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from attribution_book import data


@pytest.mark.parametrize("name", data.NAMES)
def test_dataset_is_complete_and_consistent(name):
    d = data.load(name)
    assert d.task in data.TASKS
    assert len(d.feature_names) == d.n_features
    sizes = [len(d.X_train), len(d.X_val), len(d.X_test)]
    assert [len(d.y_train), len(d.y_val), len(d.y_test)] == sizes
    # 60 / 20 / 20 split, to within rounding
    assert abs(sizes[0] - 0.6 * d.n_samples) <= 1
    assert abs(sizes[2] - 0.2 * d.n_samples) <= 1
    for X in (d.X_train, d.X_val, d.X_test):
        assert X.dtype == np.float32 and X.shape[1] == d.n_features
        assert np.isfinite(X).all()
    if d.task == "regression":
        assert d.n_classes is None
    else:
        labels = np.concatenate([d.y_train, d.y_val, d.y_test])
        assert_array_equal(np.unique(labels), np.arange(d.n_classes))
        assert d.n_classes == (2 if d.task == "binary" else d.n_classes)


@pytest.mark.parametrize("name", [n for n in data.NAMES if data.load(n).image_shape is None])
def test_tabular_features_are_standardised_on_the_training_split(name):
    d = data.load(name)
    assert_allclose(d.X_train.mean(axis=0), 0, atol=1e-5)
    std = d.X_train.std(axis=0)
    assert np.all((np.abs(std - 1) < 1e-4) | (std == 0))


def test_digits_are_8x8_images_scaled_to_unit_interval():
    d = data.load("digits")
    assert d.image_shape == (1, 8, 8) and d.n_features == 64
    assert d.X_train.min() >= 0 and d.X_train.max() <= 1
    assert d.X_train.max() == 1


def test_canvas_digits_hold_the_digit_inside_its_box_and_noise_outside():
    d, digits = data.load("canvas_digits"), data.load("digits")
    assert d.image_shape == (1, data.CANVAS, data.CANVAS) and d.n_samples == digits.n_samples
    for part, X in (("train", d.X_train), ("val", d.X_val), ("test", d.X_test)):
        boxes = d.extra[f"box_{part}"]
        assert boxes.shape == (len(X), 4) and (boxes[:, 2:] == 8).all()
        assert (boxes[:, :2] >= 0).all() and (boxes[:, :2] + 8 <= data.CANVAS).all()
        images = X.reshape(-1, data.CANVAS, data.CANVAS)
        outside = np.ones_like(images, dtype=bool)
        for k, (r, c, h, w) in enumerate(boxes):
            outside[k, r : r + h, c : c + w] = False
        assert images[outside].max() <= data.CANVAS_NOISE  # only noise outside the box
        inside_max = [images[k, r : r + h, c : c + w].max() for k, (r, c, h, w) in enumerate(boxes)]
        assert min(inside_max) > data.CANVAS_NOISE  # every digit has ink brighter than noise


def test_classification_splits_are_stratified():
    d = data.load("wine")
    share = lambda y: np.bincount(y, minlength=3) / len(y)  # noqa: E731
    assert_allclose(share(d.y_test), share(d.y_train), atol=0.05)


def test_split_is_fixed_across_loads():
    first = data.load("diabetes")
    data.load.cache_clear()
    second = data.load("diabetes")
    assert_array_equal(first.X_test, second.X_test)
    assert_array_equal(first.y_train, second.y_train)


def test_split_names_and_unknown_dataset():
    d = data.load("iris")
    X, y = d.split("val")
    assert X is d.X_val and y is d.y_val
    with pytest.raises(ValueError, match="'train', 'val' or 'test'"):
        d.split("validation")
    with pytest.raises(ValueError, match="unknown dataset 'mnist'.*digits"):
        data.load("mnist")


def test_summary_lists_every_dataset():
    table = data.summary()
    assert list(table.index) == list(data.NAMES)
    assert (table["train"] + table["validation"] + table["test"] > 0).all()
