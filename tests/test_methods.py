"""The attribution methods: registry, reformulations against exact effects, reference
libraries (captum, shapiq), brute force, and bad input."""

import copy
import re
from pathlib import Path

import numpy as np
import pytest
import shapiq
import sympy as sp
import torch
from numpy.testing import assert_allclose
from torch import nn

from unified_attribution import games, methods
from unified_attribution.methods import attribute
from unified_attribution.taylor import symbolic

ROOT = Path(__file__).resolve().parents[1]


def relu_mlp(n_in=6, seed=0):
    torch.manual_seed(seed)
    return nn.Sequential(
        nn.Linear(n_in, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 3)
    ).double()


def inputs(n=3, n_in=6, seed=1):
    return torch.randn(n, n_in, dtype=torch.float64, generator=torch.Generator().manual_seed(seed))


def test_registry_entries_are_complete_and_cited():
    bib = (ROOT / "book" / "references.bib").read_text()
    keys = set(re.findall(r"@\w+\{([^,]+),", bib))
    assert set(methods.REGISTRY) == set(methods.PAPER_A_METHODS)
    assert len(methods.PAPER_A_METHODS) == 14
    for m in methods.REGISTRY.values():
        assert m.title and m.formula and m.allocation and m.assumptions
        assert m.family in ("gradient", "perturbation", "propagation")
        assert m.reference in keys, f"{m.name} cites {m.reference}, missing from references.bib"


def test_occlusion_1_is_the_full_allocation_of_dividends():
    model, x, b = relu_mlp(), inputs(), torch.full((6,), 0.3, dtype=torch.float64)
    scores = attribute("occlusion_1", model, x, b, target=1).scores
    for k in range(len(x)):
        effects = games.harsanyi(games.MaskingGame(model, x[k], b, target=1))
        assert_allclose(scores[k].numpy(), effects.occlusion(), atol=1e-10)


def test_exact_shapley_matches_shapiq_and_is_complete():
    model, x = relu_mlp(), inputs()
    result = attribute("shapley_value", model, x, 0.0, target=2)
    assert_allclose(result.gap.numpy(), 0, atol=1e-10)
    for k in range(len(x)):
        values = games.MaskingGame(model, x[k], 0.0, target=2).values()

        class Table(shapiq.Game):
            def __init__(self):
                super().__init__(n_players=6, normalize=False, verbose=False)

            def value_function(self, coalitions):
                return values[(coalitions.astype(np.int64) * (1 << np.arange(6))).sum(axis=1)]

        sv = shapiq.ExactComputer(n_players=6, game=Table())("SV", order=1)
        expected = [sv.values[sv.interaction_lookup[(i,)]] for i in range(6)]
        assert_allclose(result.scores[k].numpy(), expected, atol=1e-10)


def test_exact_shapley_agrees_with_captum_sampling():
    from captum.attr import ShapleyValueSampling

    model, x = relu_mlp(), inputs(n=1)
    exact = attribute("shapley_value", model, x, 0.0, target=0).scores
    torch.manual_seed(0)
    sampled = ShapleyValueSampling(model).attribute(x, baselines=0.0, target=0, n_samples=600)
    scale = exact.abs().max().item()
    assert_allclose(sampled.numpy(), exact.numpy(), atol=0.05 * scale)


def test_shapley_with_groups_gives_each_element_its_group_value():
    model, x = relu_mlp(), inputs(n=2)
    groups = [[0, 1], [2], [3, 4, 5]]
    result = attribute("shapley_value", model, x, 0.0, target=0, players=groups)
    assert torch.equal(result.scores[:, 0], result.scores[:, 1])
    assert_allclose(result.gap.numpy(), 0, atol=1e-10)  # one value per player sums to f(x) - f(b)


def test_occlusion_patch_gives_each_pixel_its_patch_difference():
    torch.manual_seed(2)
    cnn = nn.Sequential(
        nn.Conv2d(1, 3, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(48, 2)
    ).double()
    x = torch.randn(2, 1, 4, 4, dtype=torch.float64)
    scores = attribute("occlusion_patch", cnn, x, 0.0, target=1, window=(1, 2, 2)).scores
    labels = games.patches((1, 4, 4), 2)
    for k in range(2):
        occlusion = games.harsanyi(
            games.MaskingGame(cnn, x[k], 0.0, players=labels, target=1)
        ).occlusion()
        assert_allclose(scores[k].numpy(), occlusion[labels], atol=1e-10)


def test_occlusion_patch_averages_overlapping_and_edge_windows_in_the_model_dtype():
    """Against a loop over captum's windows (starts 0, s, 2s, ..., the last cut at the edge),
    in float64: captum's own average goes through float32 (3.8e-8 relative)."""
    from unified_attribution.methods.perturbation import window_counts

    torch.manual_seed(3)
    cnn = nn.Sequential(
        nn.Conv2d(1, 2, 3, padding=1), nn.Tanh(), nn.Flatten(), nn.Linear(50, 1)
    ).double()
    x = torch.randn(1, 1, 5, 5, dtype=torch.float64)
    window, strides = (1, 2, 3), (1, 2, 1)
    scores = attribute("occlusion_patch", cnn, x, 0.0, window=window, strides=strides).scores
    total, count = torch.zeros_like(x), torch.zeros_like(x)
    with torch.no_grad():
        fx = cnn(x)[0, 0]
        for r in (0, 2, 4):  # ceil((5 - 2) / 2) + 1 = 3 rows of windows, the last cut
            for c in (0, 1, 2):  # ceil((5 - 3) / 1) + 1 = 3 columns
                occluded = x.clone()
                occluded[0, 0, r : r + 2, c : c + 3] = 0.0
                total[0, 0, r : r + 2, c : c + 3] += fx - cnn(occluded)[0, 0]
                count[0, 0, r : r + 2, c : c + 3] += 1
    assert_allclose(scores.numpy(), (total / count).numpy(), rtol=1e-14, atol=1e-15)
    assert_allclose(window_counts((1, 5, 5), window, strides), count[0].numpy())
    assert scores.dtype == torch.float64


X = sp.symbols("x1:4")


@pytest.mark.parametrize("seed", [0, 1])
def test_gradient_methods_are_their_taylor_allocations_on_polynomials(seed):
    f = symbolic.random_polynomial(X, 4, seed=seed)
    point, base = [0.7, -1.3, 2.1], [0.2, 0.5, -0.4]
    terms = symbolic.taylor_terms(f, X, base)
    at_x = dict(zip(X, point))
    t = {kappa: float(term.subs(at_x)) for kappa, term in terms.items()}
    expected_gxi = [sum(k[i] * v for k, v in t.items()) for i in range(3)]
    expected_ig = [sum(k[i] / sum(k) * v for k, v in t.items()) for i in range(3)]
    model = symbolic.torch_module(f, X)
    x = torch.tensor([point], dtype=torch.float64)
    b = torch.tensor(base, dtype=torch.float64)
    gxi = attribute("gradient_x_input", model, x, b).scores[0].numpy()
    assert_allclose(gxi, expected_gxi, rtol=0, atol=1e-10)
    # Gauss-Legendre with 8 nodes integrates the degree-3 integrand exactly, but captum
    # casts its quadrature weights to float32 (integrated_gradients.py: step_sizes .float()),
    # which bounds the relative accuracy by float32's 6e-8 even for a float64 model
    ig = attribute("integrated_gradients", model, x, b, n_steps=8)
    assert_allclose(ig.scores[0].numpy(), expected_ig, rtol=1e-7, atol=1e-10)
    assert_allclose(ig.gap.numpy(), 0, atol=1e-7 * abs(ig.output_change.item()))


def test_prediction_difference_matches_a_brute_force_loop():
    model, x = relu_mlp(), inputs(n=2)
    background = inputs(n=5, seed=7)
    result = attribute("prediction_difference", model, x, background, target=0, n_samples=5)
    with torch.no_grad():
        for k in range(2):
            fx = model(x[k : k + 1])[0, 0]
            for i in range(6):
                replaced = x[k].repeat(5, 1)
                replaced[:, i] = background[:, i]
                expected = fx - model(replaced)[:, 0].mean()
                assert_allclose(result.scores[k, i].item(), expected.item(), atol=1e-12)


def test_expected_gradients_is_seeded_and_approaches_mean_integrated_gradients():
    torch.manual_seed(3)
    model = nn.Sequential(nn.Linear(4, 6), nn.Tanh(), nn.Linear(6, 1)).double()
    x = inputs(n=1, n_in=4)
    background = inputs(n=3, n_in=4, seed=9)
    first = attribute("expected_gradients", model, x, background, n_samples=4000, seed=1)
    again = attribute("expected_gradients", model, x, background, n_samples=4000, seed=1)
    assert torch.equal(first.scores, again.scores)
    mean_ig = torch.stack(
        [attribute("integrated_gradients", model, x, b).scores[0] for b in background]
    ).mean(0)
    assert_allclose(
        first.scores[0].numpy(), mean_ig.numpy(), atol=0.05 * mean_ig.abs().max().item()
    )


def test_gaps_are_reported_for_incomplete_methods():
    model, x = relu_mlp(), inputs()
    occlusion = attribute("occlusion_1", model, x, 0.0, target=0)
    exact = attribute("shapley_value", model, x, 0.0, target=0)
    assert_allclose(occlusion.output_change.numpy(), exact.output_change.numpy())
    assert occlusion.gap.abs().max() > 1e-3  # this network has interactions


class Detached(nn.Module):
    def forward(self, x):
        return (x.detach() ** 2).sum(dim=1, keepdim=True)


def test_bad_input_is_refused_with_a_clear_message():
    model, x = relu_mlp(), inputs()
    with pytest.raises(
        ValueError, match="unknown method 'smoothgrad'; registered: gradient_x_input"
    ):
        attribute("smoothgrad", model, x, target=0)
    with pytest.raises(ValueError, match="baseline of shape \\(4,\\) does not broadcast"):
        attribute("occlusion_1", model, x, torch.zeros(4), target=0)
    with pytest.raises(ValueError, match="target 3 is out of range: the model has 3"):
        attribute("occlusion_1", model, x, target=3)
    with pytest.raises(ValueError, match="3 outputs: choose one with target"):
        attribute("occlusion_1", model, x)
    with pytest.raises(ValueError, match="NaN"):
        attribute("occlusion_1", model, torch.full((1, 6), float("nan")), target=0)
    with pytest.raises(ValueError, match="must be a batch"):
        attribute("occlusion_1", model, x[0], target=0)
    with pytest.raises(ValueError, match="takes a distribution of baselines"):
        attribute("expected_gradients", model, x, 0.0, target=0)
    with pytest.raises(TypeError, match="occlusion_1 takes no players=.*shapley_value"):
        attribute("occlusion_1", model, x, target=0, players=[[0, 1]])
    with pytest.raises(TypeError, match="has no option n_steps"):
        attribute("occlusion_1", model, x, target=0, n_steps=3)
    with pytest.raises(ValueError, match="needs gradients.*perturbation method"):
        attribute("integrated_gradients", Detached(), x)
    with pytest.raises(ValueError, match="30 players need 2\\*\\*30"):
        attribute("shapley_value", nn.Sequential(nn.Linear(30, 1)), torch.zeros(1, 30))


def test_the_result_records_what_was_explained():
    model, x = relu_mlp(), inputs()
    result = attribute("integrated_gradients", model, x, 0.5, target=0, n_steps=8)
    assert result.options == {"n_steps": 8, "quadrature": "gausslegendre"}
    assert torch.equal(result.target, torch.zeros(len(x), dtype=result.target.dtype))
    assert torch.equal(result.baseline, torch.full_like(x, 0.5))
    with torch.no_grad():
        expected = model(x)[:, 0] - model(torch.full_like(x, 0.5))[:, 0]
    assert_allclose(result.output_change.numpy(), expected.numpy(), atol=1e-12)
    assert_allclose(
        result.gap.numpy(), result.scores.sum(dim=1).numpy() - expected.numpy(), atol=1e-12
    )


def test_bad_inputs_get_clear_errors_and_lose_nothing():
    model, x = relu_mlp(), inputs()
    with pytest.raises(
        TypeError, match="x is torch.float32 but the model's parameters are torch.float64"
    ):
        attribute("gradient_x_input", model, x.float(), target=0)
    with pytest.raises(ValueError, match="integers"):
        attribute("gradient_x_input", model, x, target=1.7)
    with pytest.raises(ValueError, match="one index or one per input"):
        attribute("gradient_x_input", model, x, target=[0, 1])
    # a model that writes into its input (ReLU(inplace=True) first) leaves the caller's x alone
    inplace = nn.Sequential(nn.ReLU(inplace=True), nn.Linear(6, 1)).double()
    before = x.clone()
    found = attribute("shapley_value", inplace, x, 0.0)
    assert torch.equal(x, before)
    assert_allclose(found.gap.numpy(), 0, atol=1e-12)  # exact, as if the model were pure


def test_a_model_in_training_mode_is_explained_in_eval_mode_and_left_as_it_was():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Dropout(0.5), nn.Linear(16, 1)).double()
    model.train()
    model[2].eval()  # a submodule's own mode is restored too
    x = inputs()
    first = attribute("integrated_gradients", model, x, 0.0).scores
    second = attribute("integrated_gradients", model, x, 0.0).scores
    assert torch.equal(first, second)  # dropout off: deterministic
    assert model.training and model[0].training and not model[2].training
    model.eval()
    assert torch.equal(attribute("integrated_gradients", model, x, 0.0).scores, first)
    model.train()
    game = games.MaskingGame(model, x[0], 0.0)
    assert_allclose(game.values(), game.values(), atol=0)
    assert model.training


def test_model_outputs_of_the_wrong_kind_get_clear_errors():
    x = inputs()

    class Flat(nn.Module):  # (N,) instead of (N, 1)
        def forward(self, z):
            return z.sum(dim=1)

    class Pair(nn.Module):
        def forward(self, z):
            return z, z

    with pytest.raises(ValueError, match="unsqueeze"):
        attribute("occlusion_1", Flat(), x)
    with pytest.raises(TypeError, match="returns tuple"):
        attribute("occlusion_1", Pair(), x)
    scores = attribute("occlusion_patch", relu_mlp(), x, target=0, window=(2,)).scores
    assert scores.dtype == torch.float64  # captum's float32 cast undone in dtype


class _Cube(torch.nn.Module):
    """f(x) = (a . x)^3, a homogeneous cubic: from b = 0, IG_i = a_i x_i (a . x)^2 exactly."""

    def __init__(self, a):
        super().__init__()
        self.a = torch.as_tensor(a, dtype=torch.float64)

    def forward(self, x):
        return ((x @ self.a) ** 3)[:, None]


@pytest.mark.parametrize("quadrature", methods.QUADRATURES)
def test_integration_rules_integrate_constants_exactly(quadrature):
    from unified_attribution.methods.gradient import integration_rule

    nodes, weights = integration_rule(quadrature, 7)
    assert weights.dtype == np.float64 and weights.sum() == pytest.approx(1.0, abs=1e-15)
    assert ((0 <= nodes) & (nodes <= 1)).all()
    # a linear model's gradient is constant: every rule gives w_i (x_i - b_i) exactly
    lin = torch.nn.Linear(3, 1).double()
    with torch.no_grad():
        lin.weight[:] = torch.tensor([[1.0, -2.0, 0.5]])
        lin.bias.zero_()
    x = torch.tensor([[2.0, 1.0, 2.0]], dtype=torch.float64)
    scores = attribute("integrated_gradients", lin, x, 0.0, n_steps=4, quadrature=quadrature).scores
    np.testing.assert_allclose(scores.numpy(), [[2.0, -2.0, 1.0]], atol=1e-15)


def test_integrated_gradients_quadrature_against_the_closed_form():
    a = [1.0, 2.0, -1.0]
    model = _Cube(a)
    x = torch.tensor([[0.5, 1.0, 0.25], [1.0, -1.0, 2.0]], dtype=torch.float64)
    u = x @ torch.tensor(a, dtype=torch.float64)
    exact = torch.tensor(a) * x * (u**2)[:, None]
    # Gauss-Legendre with n points is exact for the degree-2 integrand from n = 2 on
    gl = attribute("integrated_gradients", model, x, 0.0, n_steps=2).scores
    np.testing.assert_allclose(gl.numpy(), exact.numpy(), rtol=1e-14)
    # the trapezoid rule overshoots int_0^1 3 t^2 dt by h^2 / 2, h = 1 / (n - 1) (Euler-Maclaurin)
    for n in (3, 9, 33):
        trapezoid = attribute(
            "integrated_gradients", model, x, 0.0, n_steps=n, quadrature="riemann_trapezoid"
        ).scores
        h = 1 / (n - 1)
        np.testing.assert_allclose(trapezoid.numpy(), (exact * (1 + h**2 / 2)).numpy(), rtol=1e-13)


def test_captums_trapezoid_is_scaled_by_n_minus_1_over_n():
    """Why the library computes the quadrature itself (captum 0.9)."""
    from captum.attr import IntegratedGradients

    lin = torch.nn.Linear(3, 1).double()
    with torch.no_grad():
        lin.weight[:] = torch.tensor([[1.0, -2.0, 0.5]])
        lin.bias.zero_()
    x = torch.tensor([[2.0, 1.0, 2.0]], dtype=torch.float64)
    theirs = IntegratedGradients(lin).attribute(
        x, baselines=x * 0, n_steps=4, method="riemann_trapezoid"
    )
    np.testing.assert_allclose(theirs.numpy(), [[1.5, -1.5, 0.75]], atol=1e-7)  # (3/4) (2, -2, 1)
    # Gauss-Legendre: the same rule as ours, up to captum's float32 weights
    smooth = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 1))
    smooth = smooth.double()
    ours = attribute("integrated_gradients", smooth, x, 0.0, n_steps=16).scores
    captum_gl = IntegratedGradients(smooth).attribute(x, baselines=x * 0, n_steps=16)
    np.testing.assert_allclose(ours.numpy(), captum_gl.detach().numpy(), rtol=1e-6, atol=1e-9)


def test_integration_rules_refuse_what_they_cannot_do():
    from unified_attribution.methods.gradient import integration_rule

    with pytest.raises(ValueError, match="quadrature must be one of"):
        integration_rule("simpson", 8)
    with pytest.raises(ValueError, match="trapezoid rule needs n_steps >= 2"):
        integration_rule("riemann_trapezoid", 1)


@pytest.mark.parametrize("dtype, tolerance", [(torch.float16, 2e-3), (torch.bfloat16, 2e-2)])
def test_expected_gradients_runs_a_half_precision_model(dtype, tolerance):
    """captum draws the path positions in float32, which failed against a half-precision
    model (mat1 and mat2 must have the same dtype); the scores come back in the model's
    dtype and agree with the float32 model to that dtype's precision."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 5), nn.ReLU(), nn.Linear(5, 2))
    x, background = torch.rand(3, 4), torch.rand(5, 4)
    reference = attribute("expected_gradients", model, x, background, target=0).scores
    half = copy.deepcopy(model).to(dtype)
    found = attribute("expected_gradients", half, x.to(dtype), background.to(dtype), target=0)
    assert found.scores.dtype == dtype
    assert (found.scores.float() - reference).abs().max() / reference.abs().max() < tolerance


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device on this machine")
@pytest.mark.parametrize("method", methods.PAPER_A_METHODS)
def test_every_method_follows_the_models_device(method):
    """On a GPU the scores equal the CPU's (float64, 1e-6) and stay on the GPU."""
    torch.manual_seed(0)
    cnn = nn.Sequential(
        nn.Conv2d(1, 2, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(32, 2)
    ).double()
    x = torch.rand(2, 1, 4, 4, dtype=torch.float64)
    spec = methods.get(method)
    baseline = (
        torch.rand(3, 1, 4, 4, dtype=torch.float64) if spec.baseline == "distribution" else 0.0
    )
    args = (x,) if spec.baseline == "none" else (x, baseline)
    options = {"players": np.arange(16).reshape(1, 4, 4) // 2} if spec.players else {}
    on_cpu = attribute(method, cnn, *args, target=0, **options).scores
    to_gpu = [a.cuda() if torch.is_tensor(a) else a for a in args]
    on_gpu = attribute(method, cnn.cuda(), *to_gpu, target=0, **options).scores
    assert on_gpu.device.type == "cuda"
    np.testing.assert_allclose(on_gpu.cpu().numpy(), on_cpu.numpy(), rtol=1e-6, atol=1e-9)


def test_every_option_has_a_meaning_and_registration_refuses_one_without():
    for name in methods.PAPER_A_METHODS:
        spec = methods.get(name)
        assert set(spec.meanings) == set(spec.options), name
        assert all(len(text) > 10 for text in spec.meanings.values()), name
    from unified_attribution.methods import registry

    with pytest.raises(TypeError, match="need one meaning each"):

        @registry.register(
            name="_undocumented",
            title="t",
            family="gradient",
            reference="r",
            formula="f",
            allocation="a",
            assumptions="s",
        )
        def _undocumented(model, x, baseline, target, players, steps=3):
            return x

    assert "_undocumented" not in methods.REGISTRY
