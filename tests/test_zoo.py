import dataclasses

import pytest
import torch
from torch import nn

from attribution_book import data, zoo


def _same_weights(a: nn.Module, b: nn.Module) -> bool:
    return all(torch.equal(x, y) for x, y in zip(a.state_dict().values(), b.state_dict().values()))


def test_quick_profile_trains_a_quarter_of_the_epochs():
    full, quick = zoo.config("digits_mlp"), zoo.config("digits_mlp", profile="quick")
    assert quick.epochs == full.epochs // 4
    assert quick.key() != full.key()


def test_cache_key_changes_with_every_hyperparameter():
    base = zoo.config("digits_cnn")
    for field, value in [
        ("seed", 1),
        ("epochs", 1),
        ("learning_rate", 1e-2),
        ("hidden", (8, 8)),
        ("batch_size", 16),
        ("weight_decay", 0.0),
    ]:
        assert dataclasses.replace(base, **{field: value}).key() != base.key(), field


@pytest.mark.parametrize("name", zoo.NAMES)
def test_quick_models_learn_and_use_each_activation_once(name, model_cache):
    model = zoo.load(name, profile="quick")
    ds = data.load(model.config.dataset)
    chance = 1.0 / ds.n_classes
    assert model.metrics["accuracy"] > chance + 0.3, model.metrics
    x = model.inputs(ds.X_test[:5])
    assert model(x).shape == (5, ds.n_classes)
    if model.config.architecture in zoo.REUSES_ACTIVATIONS:  # torchvision's ResNet does
        with pytest.raises(ValueError, match="used more than once"):
            zoo.check_activations_used_once(model.module, x)
    else:
        zoo.check_activations_used_once(model.module, x)


def test_training_is_deterministic_and_seed_dependent(model_cache):
    cfg = zoo.config("tabular_mlp", seed=3, profile="quick")
    first, second = zoo.train(cfg, progress=False), zoo.train(cfg, progress=False)
    assert _same_weights(first.module, second.module)
    assert first.history == second.history
    other = zoo.train(dataclasses.replace(cfg, seed=4), progress=False)
    assert not _same_weights(first.module, other.module)


def test_cache_round_trip_gives_the_same_model(model_cache):
    trained = zoo.load("smooth_mlp", seed=1, profile="quick")
    assert not trained.from_cache
    assert len(list(model_cache.rglob("*.pt"))) == 1
    cached = zoo.load("smooth_mlp", seed=1, profile="quick")
    assert cached.from_cache
    assert _same_weights(trained.module, cached.module)
    assert cached.metrics == trained.metrics
    assert not cached.module.training


def test_reused_activation_is_refused_with_its_name():
    relu = nn.ReLU()
    model = nn.Sequential(nn.Linear(4, 4), relu, nn.Linear(4, 4), relu, nn.Linear(4, 1))
    with pytest.raises(ValueError, match=r"'1' \(2 calls\)"):
        zoo.check_activations_used_once(model, torch.zeros(1, 4))


def test_diverging_training_stops_with_a_clear_error(model_cache):
    cfg = dataclasses.replace(zoo.config("digits_mlp", profile="quick"), learning_rate=1e30)
    with pytest.raises(FloatingPointError, match="diverged.*lower learning_rate"):
        zoo.train(cfg, progress=False)


def test_unknown_model_and_profile():
    with pytest.raises(ValueError, match="unknown zoo model 'resnet'"):
        zoo.config("resnet")
    with pytest.raises(ValueError, match="profile must be one of"):
        zoo.config("digits_mlp", profile="fast")


def test_building_a_model_leaves_the_callers_random_state_alone():
    torch.manual_seed(7)
    state = torch.get_rng_state()
    zoo.build(zoo.config("digits_mlp"), data.load("digits"))
    assert torch.equal(torch.get_rng_state(), state)
