"""The propagation family: ours against captum, against hand-computed values, and against
slow matrix forms written directly from the papers' formulas."""

import numpy as np
import pytest
import torch
from torch import nn

from unified_attribution import attribute, methods
from unified_attribution.methods import propagation
from unified_attribution.theory import networks

ONE = torch.tensor([0])


def tiny_net() -> nn.Sequential:
    """x (2) -> ReLU(W1 x + c1) (2) -> w2 . h: at x = (2, 1), z = (1, 4), y = 5."""
    return networks.one_hidden([[1.0, -1.0], [2.0, 1.0]], [0.0, -1.0], [1.0, 1.0])


X = torch.tensor([[2.0, 1.0]], dtype=torch.float64)


# Worked out by hand in the comments (the chapter shows the same arithmetic).
@pytest.mark.parametrize(
    "method, options, expected",
    [
        # R_h = (1, 4); neuron 1 splits 1 as (2, -1)/1, neuron 2 splits 4 as (4, 1)/4 (bias -1 in z)
        ("lrp_epsilon", {"epsilon": 1e-12}, [6.0, 0.0]),
        # R_h = 2 (1, 4) (no negative inputs at the output); neuron 1: 2 * 2 * [1, 0] - 1 * 2 * [0, 1]
        ("lrp_alpha_beta", {}, [4 + 12.8, -2 + 3.2]),
        # z^B on [0, 3]: neuron 1 terms (2, -1 + 3) / 4 of R = 1; neuron 2 (4, 1) / 5 of R = 4
        ("deep_taylor", {"lower": 0.0, "upper": 3.0}, [0.5 + 3.2, 0.5 + 0.8]),
        # reference 0: neuron 1 m = 1 on (2, -1); neuron 2 m = 4/5 on (4, 1)
        ("deeplift_rescale", {}, [2 + 3.2, -1 + 0.8]),
        # neuron 1: Delta y+ = (2 + 1)/2, Delta y- = (0 - 1)/2, so (2 * 0.75, -1 * 0.5); neuron 2 as Rescale
        ("deeplift_revealcancel", {}, [1.5 + 3.2, -0.5 + 0.8]),
    ],
)
def test_hand_computed_values(method, options, expected):
    scores = methods.attribute(method, tiny_net(), X, **options).scores[0]
    np.testing.assert_allclose(scores.numpy(), expected, atol=1e-9)


def random_mlp(seed, sizes=(6, 5, 4, 3)) -> nn.Sequential:
    torch.manual_seed(seed)
    layers = []
    for k, (n_in, n_out) in enumerate(zip(sizes, sizes[1:])):
        layers.append(nn.Linear(n_in, n_out).double())
        if k < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def matrix_steps(model, input_shape):
    """The model as steps on flat vectors, for the slow references: ("affine", W, c, pool)
    for Linear, Conv2d and AvgPool2d, each layer's matrix found by applying it to the unit
    vectors (so a convolution is checked as the linear map it is), and ("relu",); Flatten
    disappears."""
    steps, shape = [], tuple(input_shape)
    for layer in model:
        if isinstance(layer, nn.ReLU):
            steps.append(("relu",))
            continue
        if isinstance(layer, nn.Flatten):
            shape = (int(np.prod(shape)),)
            continue
        n_in = int(np.prod(shape))
        with torch.no_grad():
            zero = layer(torch.zeros(1, *shape, dtype=torch.float64))
            columns = layer(torch.eye(n_in, dtype=torch.float64).reshape(n_in, *shape)) - zero
        steps.append(
            (
                "affine",
                columns.reshape(n_in, -1).numpy().T,
                zero.reshape(-1).numpy(),
                isinstance(layer, nn.AvgPool2d),
            )
        )
        shape = tuple(zero.shape[1:])
    return steps


def slow_lrp(model, x, target, rule, alpha=2.0, beta=1.0, eps=1e-9, bounds=None):
    """R_i = sum_j q_ij R_j with the matrix q of each rule written out element by element;
    pooling layers take the epsilon rule (eps 1e-9), as captum's and ours do. ``bounds``
    (l, h): Deep Taylor's z^B rule at the first layer (Montavon et al. 2017, for inputs in
    [l, h]), q_ij = (x_i w_ij - l_i w_ij+ - h_i w_ij-) / sum_i (...)."""
    steps = matrix_steps(model, x.shape)
    activations = [x.reshape(-1)]
    for step in steps:
        a = activations[-1]
        activations.append(np.maximum(a, 0) if step[0] == "relu" else step[1] @ a + step[2])
    relevance = np.zeros_like(activations[-1])
    relevance[target] = activations[-1][target]
    for step, a in zip(reversed(steps), reversed(activations[:-1])):
        if step[0] == "relu":
            continue
        w, c, pool = step[1:]
        terms = w * a[None, :]  # z_ij, output j in rows
        if bounds is not None and step is steps[0]:
            low, high = bounds
            terms = terms - low * np.clip(w, 0, None) - high * np.clip(w, None, 0)
            z = terms.sum(1)
            q = terms / (z + eps * np.where(z >= 0, 1, -1))[:, None]
        elif rule == "epsilon" or pool:
            z = terms.sum(1) + c
            q = (
                terms
                / (z + (eps if rule == "epsilon" else 1e-9) * np.where(z >= 0, 1, -1))[:, None]
            )
        else:
            pos, neg = np.clip(terms, 0, None), np.clip(terms, None, 0)
            sp, sn = pos.sum(1), neg.sum(1)
            stable_n = sn + eps * np.where(sn >= 0, 1, -1)  # 0 / eps = 0 when no negative terms
            q = alpha * pos / (sp + eps)[:, None] - beta * neg / stable_n[:, None]
        relevance = q.T @ relevance
    return relevance


def affine_layers(model, input_shape):
    """(W, c) per affine map with a ReLU after every one but the last; affine maps with no
    ReLU between them (a pooling layer and the linear head) merged into one."""
    layers = []
    merge = False
    for step in matrix_steps(model, input_shape):
        if step[0] == "relu":
            merge = False
            continue
        w, c = step[1], step[2]
        if merge:
            w0, c0 = layers.pop()
            w, c = w @ w0, w @ c0 + c
        layers.append((w, c))
        merge = True
    return layers


def slow_deeplift(model, x, ref, target, rule):
    """Multipliers by the chain rule of Shrikumar et al. (2017), as matrices: through a linear
    layer each term w_ij Delta a_j goes to the positive or the negative part of neuron i by
    its sign; through a ReLU the parts are rescaled (Rescale) or get the two-player Shapley
    values (RevealCancel)."""
    layers = affine_layers(model, x.shape)
    x, ref = x.reshape(-1), ref.reshape(-1)
    a, a_ref, steps = x, ref, []
    for k, (w, c) in enumerate(layers):
        z, z_ref = w @ a + c, w @ a_ref + c
        terms = w * (a - a_ref)[None, :]
        p, n = np.clip(terms, 0, None).sum(1), np.clip(terms, None, 0).sum(1)
        if k == len(layers) - 1:
            steps.append((w, a - a_ref, np.ones_like(z), np.ones_like(z)))
            break
        g = lambda t: np.maximum(t, 0)  # noqa: E731
        if rule == "rescale":
            dz = z - z_ref
            m = np.where(
                np.abs(dz) < 1e-10, (z > 0) * 1.0, (g(z) - g(z_ref)) / np.where(dz == 0, 1, dz)
            )
            mp = mn = m
        else:
            up = 0.5 * (g(z_ref + p) - g(z_ref)) + 0.5 * (g(z_ref + n + p) - g(z_ref + n))
            down = 0.5 * (g(z_ref + n) - g(z_ref)) + 0.5 * (g(z_ref + p + n) - g(z_ref + p))
            mp = np.where(np.abs(p) < 1e-10, (z > 0) * 1.0, up / np.where(p == 0, 1, p))
            mn = np.where(np.abs(n) < 1e-10, (z > 0) * 1.0, down / np.where(n == 0, 1, n))
        steps.append((w, a - a_ref, mp, mn))
        a, a_ref = g(z), g(z_ref)
    multiplier = np.eye(len(layers[-1][1]))[target]  # d output / d (parts of) the last layer
    for w, delta, mp, mn in reversed(steps):
        up, down = multiplier * mp, multiplier * mn
        sign = np.sign(w * delta[None, :])
        both = np.where(
            sign > 0, up[:, None], np.where(sign < 0, down[:, None], 0.5 * (up + down)[:, None])
        )
        multiplier = (w * both).sum(0)
    return (x - ref) * multiplier


def _top(model, x):
    """Each row's largest output: positive at these inputs, so z+ passes relevance down."""
    with torch.no_grad():
        return model(x).argmax(dim=1)


#: (fast, slow, options) per rule: ours, and the slow matrix form of the same formula, each
#: called as f(model, x, reference, target, **options) on one row (x, reference: (1, ...)).
SLOW_FORMS = {
    "lrp_epsilon": (
        lambda m, x, r, t, eps: propagation.lrp(m, x, t, propagation.epsilon(eps)),
        lambda m, x, r, t, eps: slow_lrp(m, x[0].numpy(), int(t), "epsilon", eps=eps),
        {"eps": 1e-9},
    ),
    "lrp_alpha_beta": (
        lambda m, x, r, t, alpha, beta: propagation.lrp(
            m, x, t, propagation.alpha_beta(alpha, beta)
        ),
        lambda m, x, r, t, alpha, beta: slow_lrp(
            m, x[0].numpy(), int(t), "alpha_beta", alpha, beta
        ),
        {"alpha": 2.0, "beta": 1.0},
    ),
    # z^B at the first layer for inputs in [0, 1], z+ (alpha 1, beta 0) above
    "deep_taylor": (
        lambda m, x, r, t, bounds: propagation.deep_taylor(m, x, t, *bounds),
        lambda m, x, r, t, bounds: slow_lrp(
            m, x[0].numpy(), int(t), "alpha_beta", 1.0, 0.0, bounds=bounds
        ),
        {"bounds": (0.0, 1.0)},
    ),
    "deeplift_rescale": (
        lambda m, x, r, t, rule: propagation.deeplift(m, x, r, t, rule),
        lambda m, x, r, t, rule: slow_deeplift(m, x[0].numpy(), r[0].numpy(), int(t), rule),
        {"rule": "rescale"},
    ),
    "deeplift_revealcancel": (
        lambda m, x, r, t, rule: propagation.deeplift(m, x, r, t, rule),
        lambda m, x, r, t, rule: slow_deeplift(m, x[0].numpy(), r[0].numpy(), int(t), rule),
        {"rule": "revealcancel"},
    ),
}


@pytest.mark.parametrize("seed", range(2))
@pytest.mark.parametrize("network", ["mlp", "cnn"])
@pytest.mark.parametrize("name", SLOW_FORMS)
def test_every_rule_against_its_slow_matrix_form(name, network, seed):
    """One table of (fast, slow, options): every propagation rule on an MLP and on a CNN
    (convolutions and average pooling checked as the linear maps they are), inputs in
    [0, 1] (Deep Taylor's z^B domain), the largest output explained."""
    fast, slow, options = SLOW_FORMS[name]
    if network == "mlp":  # wide layers: narrow ones can leave a hidden layer dead at x
        model, shape = random_mlp(seed, sizes=(6, 16, 12, 3)), (1, 6)
    else:
        model, shape = avgpool_cnn(seed), (1, 1, 8, 8)
    generator = torch.Generator().manual_seed(seed)
    x, reference = (torch.rand(shape, dtype=torch.float64, generator=generator) for _ in "xr")
    target = _top(model, x)
    ours = fast(model, x, reference, target, **options)[0].reshape(-1).numpy()
    expected = slow(model, x, reference, target, **options)
    np.testing.assert_allclose(ours, expected, atol=1e-9, err_msg=f"{name} on the {network}")
    assert np.abs(expected).max() > 1e-3  # not a vacuous agreement of zeros
    if name.startswith("deeplift"):
        with torch.no_grad():
            delta = float(model(x)[0, target] - model(reference)[0, target])
        assert ours.sum() == pytest.approx(delta, abs=1e-10)  # summation to delta


def test_deep_taylor_first_layer_rule_matters():
    """The z^B check above is not z+ everywhere in disguise: on these inputs the two differ."""
    model = random_mlp(0, sizes=(6, 16, 12, 3))
    x = torch.rand(1, 6, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    top = int(_top(model, x))
    first_z_b = slow_lrp(model, x[0].numpy(), top, "alpha_beta", 1.0, 0.0, bounds=(0, 1))
    zplus_only = slow_lrp(model, x[0].numpy(), top, "alpha_beta", 1.0, 0.0)
    assert not np.allclose(first_z_b, zplus_only)


def test_revealcancel_differs_from_rescale_where_signs_mix():
    # one neuron ReLU(x1 - x2 + 0.5) from 0 to (1, 1): Delta z = 0, so Rescale falls back to
    # the slope 1; RevealCancel gives the two-player Shapley values of the parts +1 and -1
    model = nn.Sequential(nn.Linear(2, 1).double(), nn.ReLU())
    with torch.no_grad():
        model[0].weight.copy_(torch.tensor([[1.0, -1.0]]))
        model[0].bias.fill_(0.5)
    x, ref = torch.ones(1, 2, dtype=torch.float64), torch.zeros(1, 2, dtype=torch.float64)
    reveal = propagation.deeplift(model, x, ref, ONE, "revealcancel")[0]
    # Delta y+ = (1.5 - 0.5)/2 + (0.5 - 0)/2 = 0.75, Delta y- = (0 - 0.5)/2 + (0.5 - 1.5)/2 = -0.75
    np.testing.assert_allclose(reveal.numpy(), [0.75, -0.75], atol=1e-12)
    rescale = propagation.deeplift(model, x, ref, ONE, "rescale")[0]
    np.testing.assert_allclose(rescale.numpy(), [1.0, -1.0], atol=1e-12)


def cnn(seed, pool=True):
    torch.manual_seed(seed)
    tail = (
        [nn.MaxPool2d(2), nn.Flatten(), nn.Linear(4 * 4 * 4, 3)]
        if pool
        else [nn.Flatten(), nn.Linear(4 * 64, 3)]
    )
    return nn.Sequential(
        nn.Conv2d(1, 3, 3, padding=1), nn.ReLU(), nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(), *tail
    ).double()


def test_lrp_epsilon_matches_captum():
    for model in (random_mlp(0), cnn(0)):
        x = torch.rand(
            4, *((6,) if isinstance(model[0], nn.Linear) else (1, 8, 8)), dtype=torch.float64
        )
        target = torch.tensor([0, 1, 2, 0])
        ours = propagation.lrp(model, x, target, propagation.epsilon(0.1))
        theirs = methods.attribute("lrp_epsilon", model, x, target=target, epsilon=0.1).scores
        np.testing.assert_allclose(
            ours.numpy(), theirs.numpy(), atol=1e-7
        )  # captum's Flatten rule: eps 1e-9
        assert ours.abs().max() > 1e-4  # not trivially zero


def test_alpha1_beta0_and_deep_taylor_zplus_match_captum():
    """LRP alpha 1 beta 0 = captum's Alpha1_Beta0_Rule with biases set to zero (inputs >= 0),
    and Deep Taylor with the domain [0, inf) (z+ at every layer) is the same rule."""
    from captum.attr._utils.lrp_rules import Alpha1_Beta0_Rule

    model = cnn(1)
    x = torch.rand(3, 1, 8, 8, dtype=torch.float64)
    target = torch.tensor([0, 1, 2])
    ours = methods.attribute("lrp_alpha_beta", model, x, target=target, alpha=1.0, beta=0.0).scores
    theirs = (
        methods.captum_lrp(model, lambda: Alpha1_Beta0_Rule(set_bias_to_zero=True))
        .attribute(x, target=target)
        .detach()
    )
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), atol=1e-9)
    zplus = methods.attribute("deep_taylor", model, x, target=target, upper=float("inf")).scores
    np.testing.assert_allclose(zplus.numpy(), ours.numpy(), atol=1e-12)


def test_deeplift_matches_captum_except_relu_before_maxpool():
    from captum.attr import DeepLift, DeepLiftShap

    x, b = torch.rand(3, 1, 8, 8, dtype=torch.float64), torch.rand(3, 1, 8, 8, dtype=torch.float64)
    target = torch.tensor([0, 1, 2])
    model = cnn(2, pool=False)
    ours = methods.attribute("deeplift_rescale", model, x, b, target=target).scores
    np.testing.assert_allclose(
        ours.numpy(),
        DeepLift(model).attribute(x, baselines=b, target=target).detach().numpy(),
        atol=1e-10,
    )
    background = torch.rand(5, 1, 8, 8, dtype=torch.float64)
    ours = methods.attribute("deep_shap", model, x, background, target=target).scores
    theirs = DeepLiftShap(model).attribute(x, baselines=background, target=target).detach()
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), atol=1e-10)
    # with a ReLU feeding a max-pool, captum 0.9 loses part of the difference (captum issue
    # 1104); ours keeps summation to delta
    model = cnn(2)
    ours = methods.attribute("deeplift_rescale", model, x, b, target=target)
    assert ours.gap.abs().max() < 1e-10
    _, captum_gap = DeepLift(model).attribute(
        x, baselines=b, target=target, return_convergence_delta=True
    )
    assert captum_gap.abs().max() > 1e-3


def test_grad_cam_is_gradient_x_activation_under_an_average_pooling_head():
    """dy/dA constant over positions: sum_k alpha_k A^k = sum_k A^k dy/dA^k, and the map sums
    to y minus the head's bias."""
    from captum.attr import LayerGradCam, LayerGradientXActivation

    torch.manual_seed(3)
    model = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1),
        nn.ReLU(),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Linear(4, 3),
    ).double()
    x = torch.rand(2, 1, 8, 8, dtype=torch.float64)
    target = torch.tensor([1, 2])
    cam = (
        LayerGradCam(model, model[1]).attribute(x, target=target, relu_attributions=False).detach()
    )
    gxa = (
        LayerGradientXActivation(model, model[1])
        .attribute(x, target=target)
        .detach()
        .sum(1, keepdim=True)
    )
    np.testing.assert_allclose(cam.numpy(), gxa.numpy(), atol=1e-12)
    with torch.no_grad():
        y = model(x)[torch.arange(2), target] - model[-1].bias[target]
    np.testing.assert_allclose(cam.sum((1, 2, 3)).numpy(), y.numpy(), atol=1e-12)
    scores = methods.attribute("grad_cam", model, x, target=target).scores
    assert scores.shape == x.shape and (scores >= 0).all()


def test_grad_cam_on_a_probe_by_hand():
    from unified_attribution.theory import probes

    kinked = probes.as_image(probes.all_probes()[1])  # ReLU(2 x_1 - 1): gradient (2, 0, 0, 0)
    scores = methods.attribute("grad_cam", kinked.model, kinked.x).scores
    np.testing.assert_allclose(
        scores.reshape(-1).numpy(), [0.5] * 4, atol=1e-12
    )  # mean gradient x A = 1


class Branching(nn.Module):
    """A forward that branches on the values of its input: torch.fx cannot trace it."""

    def __init__(self):
        super().__init__()
        self.first, self.second = nn.Linear(3, 3), nn.Linear(3, 1)

    def forward(self, x):
        h = self.first(x)
        return self.second(h if h.sum() > 0 else -h)


class Softmaxed(nn.Module):
    def __init__(self):
        super().__init__()
        self.first, self.second = nn.Linear(3, 3), nn.Linear(3, 1)

    def forward(self, x):
        return self.second(torch.softmax(self.first(x), dim=1))


class Divided(nn.Module):
    def __init__(self):
        super().__init__()
        self.first = nn.Linear(3, 3)

    def forward(self, x):
        return self.first(x) / (2 + x)


class Exponential(nn.Module):
    def __init__(self):
        super().__init__()
        self.first, self.second = nn.Linear(3, 3), nn.Linear(3, 1)

    def forward(self, x):
        return self.second(torch.exp(self.first(x)))


def test_models_outside_the_rules_are_refused_by_name_line_and_reason():
    """Each refusal names the node (module path or function), the line of forward that
    applies it, why no rule applies, and what works instead; it never suggests a fix that
    cannot work (registering LayerNorm or softmax as one of the kinds would be wrong)."""
    x = torch.rand(2, 3)
    deeplift = ("deeplift_rescale", "deeplift_revealcancel", "deep_shap")
    everything = ("lrp_epsilon", "lrp_alpha_beta", "deep_taylor") + deeplift
    cases = [
        (
            nn.Sequential(nn.Linear(3, 3), nn.GroupNorm(1, 3), nn.Linear(3, 1)),
            r"nn.GroupNorm '1'.*statistic",
            everything,
        ),
        (
            Softmaxed(),
            r"torch.softmax.*test_propagation.py:\d+.*no published DeepLIFT rule",
            deeplift,
        ),
        (Divided(), r"operator.truediv.*division by an input-dependent", everything),
        (Exponential(), r"torch.exp.*register_rule\(torch.exp", everything),
        (Branching(), r"could not be traced.*branches", everything),
    ]
    for model, message, refusing in cases:
        for method in refusing:
            baseline = x[:2] if method == "deep_shap" else 0.0
            with pytest.raises(propagation.UnsupportedModel, match=message) as refused:
                methods.attribute(method, model, x, baseline, target=0)
            assert "Gradient x Input" in str(refused.value) or "LRP-epsilon" in str(refused.value)
    for model, _, _ in cases[:3]:
        assert "register" not in str(_refusal(model, x))
    with pytest.raises(propagation.UnsupportedModel, match="convolutional"):
        methods.attribute(
            "grad_cam", random_mlp(0), torch.rand(2, 6, dtype=torch.float64), target=0
        )


def _refusal(model, x) -> Exception:
    with pytest.raises(propagation.UnsupportedModel) as refused:
        methods.attribute("deeplift_rescale", model, x, 0.0, target=0)
    return refused.value


def test_a_registered_rule_makes_a_module_of_ones_own_supported():
    """An activation whose forward branches on its input's values cannot be traced;
    registered as "elementwise" it is one node, and DeepLIFT stays complete through it."""

    class Clipped(nn.Module):
        def forward(self, z):
            return z.clamp(min=0) if bool((z > -100).all()) else z

    model = nn.Sequential(nn.Linear(3, 4), Clipped(), nn.Linear(4, 2)).double()
    x = torch.rand(3, 3, dtype=torch.float64)
    with pytest.raises(propagation.UnsupportedModel, match="could not be traced"):
        methods.attribute("deeplift_rescale", model, x, 0.0, target=0)
    try:
        propagation.register_rule(Clipped, "elementwise")
        found = methods.attribute("deeplift_rescale", model, x, 0.0, target=0)
        assert found.gap.abs().max() < 1e-12 and found.scores.abs().max() > 1e-3
        twin = nn.Sequential(model[0], nn.ReLU(), model[2])
        expected = methods.attribute("deeplift_rescale", twin, x, 0.0, target=0).scores
        np.testing.assert_allclose(found.scores.numpy(), expected.numpy(), atol=1e-14)
    finally:
        propagation.RULES.pop(Clipped)
    with pytest.raises(ValueError, match="kind must be one of"):
        propagation.register_rule(Clipped, "activation")
    with pytest.raises(ValueError, match="read a Linear's or a convolution's weights"):
        propagation.register_rule(Clipped, "linear")
    with pytest.raises(TypeError, match="register a module type, a function or a method name"):
        propagation.register_rule(dict, "elementwise")


def test_bad_options_and_baselines_are_explained():
    model, x = tiny_net(), X
    with pytest.raises(ValueError, match="alpha - beta = 1"):
        methods.attribute("lrp_alpha_beta", model, x, alpha=2.0, beta=0.5)
    with pytest.raises(ValueError, match="lower <= x <= upper"):
        methods.attribute("deep_taylor", model, x)  # x = (2, 1) outside the default [0, 1]
    with pytest.raises(ValueError, match="no baseline"):
        methods.attribute("lrp_epsilon", model, x, baseline=0.5)


def test_sigmoid_networks_match_captum():
    """The predecessor's sigmoid MLP and CNN: DeepLIFT Rescale and DeepShap as captum's,
    LRP-epsilon as captum's with its IdentityRule on the Sigmoid."""
    from captum.attr import DeepLift, DeepLiftShap

    torch.manual_seed(4)
    mlp = nn.Sequential(
        nn.Linear(6, 5), nn.Sigmoid(), nn.Linear(5, 4), nn.Sigmoid(), nn.Linear(4, 3)
    ).double()
    conv = nn.Sequential(
        nn.Conv2d(1, 3, 3, padding=1),
        nn.Sigmoid(),
        nn.Conv2d(3, 4, 3, padding=1),
        nn.Sigmoid(),
        nn.Flatten(),
        nn.Linear(4 * 64, 3),
    ).double()
    target = torch.tensor([0, 1, 2])
    for model, shape in ((mlp, (6,)), (conv, (1, 8, 8))):
        x, b = (
            torch.rand(3, *shape, dtype=torch.float64),
            torch.rand(3, *shape, dtype=torch.float64),
        )
        ours = methods.attribute("deeplift_rescale", model, x, b, target=target)
        theirs = DeepLift(model).attribute(x, baselines=b, target=target).detach()
        np.testing.assert_allclose(ours.scores.numpy(), theirs.numpy(), atol=1e-10)
        assert ours.gap.abs().max() < 1e-10 and ours.scores.abs().max() > 1e-4
        background = torch.rand(4, *shape, dtype=torch.float64)
        ours = methods.attribute("deep_shap", model, x, background, target=target).scores
        theirs = DeepLiftShap(model).attribute(x, baselines=background, target=target).detach()
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), atol=1e-10)
        ours = propagation.lrp(model, x, target, propagation.epsilon(0.1))
        theirs = methods.attribute("lrp_epsilon", model, x, target=target, epsilon=0.1).scores
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), atol=1e-7)


def test_composites_are_data_and_choose_the_rule_per_layer():
    model = random_mlp(3)
    x = torch.rand(2, 6, dtype=torch.float64)
    target = torch.tensor([0, 1])
    eps = propagation.epsilon(0.1)
    plus = propagation.alpha_beta(1.0, 0.0)
    assert torch.equal(
        propagation.lrp(model, x, target, eps),
        propagation.lrp(model, x, target, propagation.uniform(eps)),
    )
    mixed = propagation.Composite("z+ at the input, epsilon above", rest=eps, first=plus)
    assert mixed.rule_for(0) is plus and mixed.rule_for(1) is eps and mixed.rule_for(2) is eps
    found = propagation.lrp(model, x, target, mixed)
    assert not torch.allclose(found, propagation.lrp(model, x, target, eps))
    assert not torch.allclose(found, propagation.lrp(model, x, target, plus))
    zero, one, inf = (torch.tensor(v, dtype=torch.float64) for v in (0.0, 1.0, float("inf")))
    taylor = propagation.deep_taylor_composite(zero, one)
    assert taylor.first.name == "zB" and taylor.rest.name == "alpha=1,beta=0"
    assert propagation.deep_taylor_composite(zero, inf).first.name == "alpha=1,beta=0"
    np.testing.assert_allclose(
        methods.attribute("deep_taylor", model, x, target=target).scores.numpy(),
        propagation.lrp(model, x, target, taylor).numpy(),
        atol=0,
    )


def avgpool_cnn(seed):
    torch.manual_seed(seed)
    return nn.Sequential(
        nn.Conv2d(1, 3, 3, padding=1),
        nn.ReLU(),
        nn.Conv2d(3, 4, 3, padding=1),
        nn.ReLU(),
        nn.AvgPool2d(2),
        nn.Flatten(),
        nn.Linear(4 * 4 * 4, 3),
    ).double()


@pytest.mark.parametrize("mode", ["circular", "reflect", "replicate"])
def test_deeplift_keeps_a_convolutions_padding_mode(mode):
    """DeepLIFT's scores add up to f(x) - f(b) whatever the padding (they missed it by up to
    1.8 times the change when the padding mode was read as zeros)."""
    torch.manual_seed(0)
    cnn = nn.Sequential(
        nn.Conv2d(1, 3, 3, padding=1, padding_mode=mode),
        nn.ReLU(),
        nn.Conv2d(3, 2, 3, padding=1, padding_mode=mode),
        nn.ReLU(),
        nn.Flatten(),
        nn.Linear(32, 2),
    ).double()
    x = torch.rand(3, 1, 4, 4, dtype=torch.float64)
    background = torch.rand(4, 1, 4, 4, dtype=torch.float64)
    for method, baseline in (
        ("deeplift_rescale", 0.0),
        ("deeplift_revealcancel", 0.0),
        ("deep_shap", background),
    ):
        found = attribute(method, cnn, x, baseline, target=0)
        assert (found.gap.abs() / found.output_change.abs()).max() < 1e-12, method


def test_in_place_activations_and_identity_layers_are_explained_like_their_plain_twins():
    """ReLU(inplace=True) made DeepLIFT fail (an in-place op on a leaf); nn.Identity made
    captum's LRP fail with a TypeError, though the chain supports it."""
    torch.manual_seed(3)
    plain = nn.Sequential(nn.Linear(4, 5), nn.ReLU(), nn.Linear(5, 2)).double()
    in_place = nn.Sequential(nn.Linear(4, 5), nn.ReLU(inplace=True), nn.Linear(5, 2)).double()
    with_identity = nn.Sequential(
        nn.Linear(4, 5), nn.Identity(), nn.ReLU(), nn.Identity(), nn.Linear(5, 2)
    ).double()
    in_place.load_state_dict(plain.state_dict())
    with_identity[0].load_state_dict(plain[0].state_dict())
    with_identity[4].load_state_dict(plain[2].state_dict())
    x = torch.rand(3, 4, dtype=torch.float64)
    x_before = x.clone()
    background = torch.rand(3, 4, dtype=torch.float64)
    for method, baseline in (
        ("deeplift_rescale", 0.0),
        ("deeplift_revealcancel", 0.0),
        ("deep_shap", background),
    ):
        expected = attribute(method, plain, x, baseline, target=0).scores
        assert torch.equal(attribute(method, in_place, x, baseline, target=0).scores, expected)
    assert torch.equal(x, x_before)
    for method in ("lrp_epsilon", "lrp_alpha_beta"):
        expected = attribute(method, plain, x, target=0).scores
        torch.testing.assert_close(attribute(method, with_identity, x, target=0).scores, expected)
    assert len(with_identity) == 5  # the caller's model is left as it was
