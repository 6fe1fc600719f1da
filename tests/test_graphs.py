"""The propagation methods on graphs: residual sums, BatchNorm, concatenation, max-pooling,
gates, reused and functional activations, with what each rule promises checked exactly
(DeepLIFT's completeness, LRP-0 = Gradient x Input on ReLU graphs, hand-worked products),
Grad-CAM on any layer by name, and the refusals of what no rule covers."""

import copy

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from attribution_book import architectures
from unified_attribution import attribute
from unified_attribution.methods import propagation

SUPPORTED = ["ResNet", "VGG", "plain CNN", "Inception (cat)", "gated (x * gate)"]
RELU_GRAPHS = ["ResNet", "VGG", "Inception (cat)"]
TARGET = torch.tensor([0, 1, 2, 0])


def case(name: str):
    return (
        architectures.build(name),
        architectures.inputs(name, 4),
        architectures.inputs(name, 3, seed=1),
    )


@pytest.mark.parametrize("name", SUPPORTED)
@pytest.mark.parametrize("method", ["deeplift_rescale", "deeplift_revealcancel", "deep_shap"])
def test_the_deeplift_family_is_complete_on_every_supported_graph(name, method):
    """sum_i C_i = f(x) - f(b) (DeepShap: minus the mean over the background), to 1e-10 of
    the output change, on residual, BatchNorm, max-pool, leaky/smooth, concatenated and
    gated graphs."""
    model, x, background = case(name)
    baseline = background if method == "deep_shap" else background[:1]
    found = attribute(method, model, x, baseline, target=TARGET)
    assert (found.gap.abs() / found.output_change.abs()).max() < 1e-10
    assert found.scores.abs().max() > 1e-6


@pytest.mark.parametrize("name", RELU_GRAPHS)
def test_lrp_epsilon_near_zero_is_gradient_x_input_on_relu_graphs(name):
    """LRP-0 on a ReLU network is Gradient x Input (Ancona et al. 2018), residual sums and
    BatchNorm included: at epsilon 1e-9 the two differ by epsilon / |z| at most."""
    model, x, _ = case(name)
    lrp = attribute("lrp_epsilon", model, x, target=TARGET, epsilon=1e-9).scores
    gxi = attribute("gradient_x_input", model, x, target=TARGET).scores
    assert (lrp - gxi).abs().max() / gxi.abs().max() < 1e-6


def test_a_grouped_convolution_keeps_one_map_per_term():
    """LRP stacks the weights of the terms that read one input into one map; a grouped
    (here depthwise) convolution cannot be stacked so and keeps one map per term: LRP-0 is
    still Gradient x Input, and alpha-beta (2, 1) gives what it gives on the same map written
    as a dense convolution (zeros off the groups), which is stacked."""
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(2, 4, 3, padding=1),
        nn.ReLU(),
        nn.Conv2d(4, 4, 3, padding=1, groups=4),
        nn.ReLU(),
        nn.Flatten(),
        nn.Linear(64, 3),
    ).double()
    x = torch.rand(2, 2, 4, 4, dtype=torch.float64)
    lrp = attribute("lrp_epsilon", model, x, target=[0, 1], epsilon=1e-9).scores
    gxi = attribute("gradient_x_input", model, x, target=[0, 1]).scores
    assert (lrp - gxi).abs().max() / gxi.abs().max() < 1e-6
    stacked = nn.Sequential(*[m for m in model])
    stacked[2] = nn.Conv2d(4, 4, 3, padding=1).double()
    with torch.no_grad():  # the same depthwise map as a dense convolution (zeros off-group)
        stacked[2].weight.zero_()
        for c in range(4):
            stacked[2].weight[c, c] = model[2].weight[c, 0]
        stacked[2].bias.copy_(model[2].bias)
    grouped = attribute("lrp_alpha_beta", model, x, target=[0, 1]).scores
    dense = attribute("lrp_alpha_beta", stacked, x, target=[0, 1]).scores
    assert torch.allclose(grouped, dense, rtol=1e-10, atol=1e-12)


class Functional(nn.Module):
    """One ReLU module used twice, an inline relu, a functional max-pool, x.view and +=."""

    def __init__(self):
        super().__init__()
        self.conv1, self.conv2 = nn.Conv2d(1, 3, 3, padding=1), nn.Conv2d(3, 3, 3, padding=1)
        self.relu = nn.ReLU(inplace=True)
        self.fc = nn.Linear(12, 2)

    def forward(self, x):
        h = self.relu(self.conv1(x))
        out = self.conv2(h)
        out += h
        out = F.max_pool2d(torch.relu(out), 2)
        return self.fc(self.relu(out).view(out.size(0), -1))


class Modules(nn.Module):
    """The same network with one module per use (its weights shared with Functional)."""

    def __init__(self, twin: Functional):
        super().__init__()
        self.conv1, self.conv2, self.fc = twin.conv1, twin.conv2, twin.fc
        self.relu1, self.relu2, self.relu3 = nn.ReLU(), nn.ReLU(), nn.ReLU()
        self.pool, self.flatten = nn.MaxPool2d(2), nn.Flatten()

    def forward(self, x):
        h = self.relu1(self.conv1(x))
        out = self.pool(self.relu2(self.conv2(h) + h))
        return self.fc(self.flatten(self.relu3(out)))


@pytest.mark.parametrize(
    "method, baseline",
    [
        ("lrp_epsilon", None),
        ("lrp_alpha_beta", None),
        ("deep_taylor", None),
        ("deeplift_rescale", 0.0),
        ("deeplift_revealcancel", 0.0),
        ("deep_shap", "background"),
    ],
)
def test_reused_modules_and_functional_operations_are_explained_like_their_module_twins(
    method, baseline
):
    torch.manual_seed(0)
    functional = Functional().double()
    modules = Modules(functional)
    x = torch.rand(3, 1, 4, 4, dtype=torch.float64)
    x_before = x.clone()
    if baseline == "background":
        baseline = torch.rand(4, 1, 4, 4, dtype=torch.float64)
    options = {} if baseline is None else {"baseline": baseline}
    ours = attribute(method, functional, x, target=1, **options).scores
    twin = attribute(method, modules, x, target=1, **options).scores
    np.testing.assert_allclose(ours.numpy(), twin.numpy(), rtol=1e-12, atol=1e-15)
    assert torch.equal(x, x_before) and ours.abs().max() > 1e-4


class Product(nn.Module):
    def forward(self, x):
        return (x[:, :1] * x[:, 1:2]) + 0.0 * x[:, 2:]


def test_products_follow_their_named_rules_by_hand():
    """y = x1 x2. DeepLIFT (two-player Shapley split): C1 = (x1 - b1)(x2 + b2) / 2, C2 =
    (x2 - b2)(x1 + b1) / 2, adding up to y - y'. LRP (AttnLRP's uniform rule): each factor
    half of R = y, whatever the rule at layers with weights."""
    x = torch.tensor([[2.0, 3.0, 1.0]], dtype=torch.float64)
    b = torch.tensor([[0.5, -1.0, 0.0]], dtype=torch.float64)
    found = attribute("deeplift_rescale", Product(), x, b, target=0)
    expected = [(2.0 - 0.5) * (3.0 - 1.0) / 2, (3.0 + 1.0) * (2.0 + 0.5) / 2, 0.0]
    np.testing.assert_allclose(found.scores[0].numpy(), expected, rtol=1e-15)
    assert abs(sum(expected) - (6.0 - (-0.5))) < 1e-15
    for method in ("lrp_epsilon", "lrp_alpha_beta"):
        scores = attribute(method, Product(), x, target=0).scores[0].numpy()
        np.testing.assert_allclose(scores, [3.0, 3.0, 0.0], rtol=1e-8)


def test_a_batch_norm_not_after_a_layer_is_the_affine_map_it_is():
    """BatchNorm at the input (nothing to fold it into): DeepLIFT stays complete and LRP-0
    is Gradient x Input through it."""
    torch.manual_seed(2)
    model = architectures.with_random_statistics(
        nn.Sequential(nn.BatchNorm1d(4), nn.Linear(4, 5), nn.ReLU(), nn.Linear(5, 2)).double()
    )
    x = torch.rand(3, 4, dtype=torch.float64)
    found = attribute("deeplift_rescale", model, x, 0.0, target=0)
    assert (found.gap.abs() / found.output_change.abs()).max() < 1e-12
    lrp = attribute("lrp_epsilon", model, x, target=0, epsilon=1e-9).scores
    gxi = attribute("gradient_x_input", model, x, target=0).scores
    assert (lrp - gxi).abs().max() / gxi.abs().max() < 1e-6


def _grad_cam_by_hand(model, x, module, target, call=-1):
    """Selvaraju et al. 2017 with a forward hook on ``module`` (its ``call``-th application):
    ReLU(sum_k mean(dy/dA^k) A^k), bilinearly upsampled."""
    outputs = []
    handle = module.register_forward_hook(lambda m, i, o: outputs.append(o))
    y = model(x)[torch.arange(len(x)), target].sum()
    handle.remove()
    features = outputs[call]
    (gradient,) = torch.autograd.grad(y, features)
    cam = torch.relu((gradient.mean((2, 3), keepdim=True) * features).sum(1, keepdim=True))
    return F.interpolate(cam.detach(), tuple(x.shape[2:]), mode="bilinear").expand_as(x)


def test_grad_cam_on_a_residual_network_by_module_or_dotted_name():
    model, x, _ = case("ResNet")
    block = model.layer2[0]
    expected = _grad_cam_by_hand(model, x, block, TARGET)
    for layer in (block, "layer2.0", "layer2", model.layer2):
        found = attribute("grad_cam", model, x, target=TARGET, layer=layer).scores
        np.testing.assert_allclose(found.numpy(), expected.numpy(), rtol=1e-12, atol=1e-15)
    default = attribute("grad_cam", model, x, target=TARGET).scores
    np.testing.assert_allclose(default.numpy(), expected.numpy(), rtol=1e-12, atol=1e-15)
    found = attribute("grad_cam", model, x, target=TARGET, layer="layer2.0.conv2").scores
    expected = _grad_cam_by_hand(model, x, block.conv2, TARGET)
    np.testing.assert_allclose(found.numpy(), expected.numpy(), rtol=1e-12, atol=1e-15)
    with pytest.raises(ValueError, match="applied at 2 places.*layer2_0_relu"):
        attribute("grad_cam", model, x, target=TARGET, layer="layer2.0.relu")
    found = attribute("grad_cam", model, x, target=TARGET, layer="layer2_0_relu").scores
    np.testing.assert_allclose(
        found.numpy(), _grad_cam_by_hand(model, x, block.relu, TARGET, call=0).numpy(), rtol=1e-12
    )
    with pytest.raises(ValueError, match="no operation of the model is 'layer9'.*layer2.0.conv1"):
        attribute("grad_cam", model, x, target=TARGET, layer="layer9")
    with pytest.raises(ValueError, match="is not a module of this model"):
        attribute("grad_cam", model, x, target=TARGET, layer=nn.Conv2d(8, 8, 3))
    with pytest.raises(TypeError, match="layer must be a module, its dotted name"):
        attribute("grad_cam", model, x, target=TARGET, layer=1.5)
    with pytest.raises(propagation.UnsupportedModel, match="not a plain chain.*dotted name"):
        attribute("grad_cam", model, x, target=TARGET, layer=2)  # an index names no layer here
    chain, chain_x, _ = case("plain CNN")
    with pytest.raises(ValueError, match="layer 99 is outside the chain's 10 layers"):
        attribute("grad_cam", chain, chain_x, target=TARGET, layer=99)


def test_a_recurrent_network_is_refused_with_the_module_and_the_reason():
    model, x, background = case("LSTM")
    for method, baseline in (
        ("lrp_epsilon", None),
        ("deeplift_rescale", 0.0),
        ("deep_shap", background),
    ):
        options = {} if baseline is None else {"baseline": baseline}
        with pytest.raises(
            propagation.UnsupportedModel,
            match=r"nn.LSTM 'lstm'.*architectures.py:\d+.*recurrent cell",
        ):
            attribute(method, model, x, target=TARGET, **options)
    assert attribute("gradient_x_input", model, x, target=TARGET).scores.shape == x.shape


@pytest.mark.parametrize(
    "name, named",
    [
        ("MLP + LayerNorm", r"nn.LayerNorm '1'.*no published DeepLIFT rule"),
        (
            "transformer",
            r"'torch.softmax'.*rewrites.py:\d+.*in architectures.py:\d+: return self.head\(self.encoder.*"
            r"no published DeepLIFT rule",
        ),
    ],
)
def test_attention_and_layer_norm_run_lrp_and_are_refused_by_deeplift(name, named):
    """AttnLRP's rules cover softmax and LayerNorm for LRP (tests/test_oracles.py checks them
    against lxt); DeepLIFT has no rule for them, and says where and why."""
    model, x, background = case(name)
    for method in ("lrp_epsilon", "lrp_alpha_beta", "deep_taylor"):
        found = attribute(method, model, x, target=TARGET)
        assert torch.isfinite(found.scores).all() and found.scores.abs().max() > 1e-6
    for method, baseline in (
        ("deeplift_rescale", 0.0),
        ("deeplift_revealcancel", 0.0),
        ("deep_shap", background),
    ):
        with pytest.raises(propagation.UnsupportedModel, match=named):
            attribute(method, model, x, baseline, target=TARGET)


@pytest.mark.parametrize(
    "settings",
    [
        {"batch_first": True},
        {"batch_first": False},
        {"batch_first": True, "norm_first": True, "activation": "gelu"},
    ],
    ids=["batch first", "sequence first", "norm first, gelu"],
)
def test_attention_rewrites_compute_what_the_modules_compute(settings):
    """The traceable forms of nn.TransformerEncoder, its layers and nn.MultiheadAttention give
    the modules' own outputs (two layers, a final LayerNorm)."""
    from unified_attribution.methods.propagation import graph, steps

    torch.manual_seed(5)
    layer = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, **settings)
    model = nn.TransformerEncoder(layer, 2, norm=nn.LayerNorm(8), enable_nested_tensor=False)
    model = model.double().eval()
    x = torch.randn(3, 5, 8, dtype=torch.float64)
    traced = graph.trace(model)
    with torch.no_grad():
        ours = graph.forward(traced, x)[traced.output]
        np.testing.assert_allclose(ours.numpy(), model(x).numpy(), rtol=1e-12, atol=1e-13)
    kinds = {step.kind for step in steps.plan(traced, graph.forward(traced, x))}
    assert {"softmax", "layernorm", "product", "linear"} <= kinds


def test_attention_with_a_mask_is_refused():
    class Masked(nn.Module):
        def __init__(self):
            super().__init__()
            self.attention = nn.MultiheadAttention(4, 1, batch_first=True)

        def forward(self, x):
            mask = torch.ones(3, 3, dtype=torch.bool).triu(1)
            return self.attention(x, x, x, attn_mask=mask)[0].sum(dim=(1, 2))[:, None]

    x = torch.rand(2, 3, 4)
    with pytest.raises(propagation.UnsupportedModel, match="without masks"):
        attribute("lrp_epsilon", Masked(), x, target=0)


def test_the_rules_table_lists_every_kind_and_refusal():
    """Rules as data: every entry maps to a documented kind, and nothing is both supported
    and refused."""
    assert set(propagation.RULES.values()) <= set(propagation.KINDS)
    assert not set(propagation.RULES) & set(propagation.REFUSED)
    assert propagation.table.lookup(nn.LeakyReLU) == "elementwise"
    assert propagation.table.lookup(torch.cat) == "route"
    assert propagation.table.lookup(nn.MultiheadAttention) is None  # read through a rewrite
    assert all(kind.lrp for kind in propagation.KINDS.values())


def test_a_trace_is_reused_only_while_the_model_stays_the_same():
    """The kept trace serves a second call on the same model; an in-place change of a
    parameter or a BatchNorm statistic (an optimizer step, load_state_dict), a module's flag,
    a new rule, or another model gets a new trace, so a folded BatchNorm never holds stale
    weights."""
    graph = propagation.graph
    model = architectures.build("ResNet")
    first = graph.trace(model)
    assert graph.trace(model).graph is first.graph
    assert graph.trace(model, fold=False).graph is not first.graph
    x = architectures.inputs("ResNet", 2)
    before = attribute("lrp_epsilon", model, x, target=[0, 1]).scores
    with torch.no_grad():
        model.bn1.running_var.mul_(4.0)  # in place: the folded stem convolution must change
    assert graph.trace(model).graph is not first.graph
    after = attribute("lrp_epsilon", model, x, target=[0, 1])
    fresh = attribute("lrp_epsilon", copy.deepcopy(model), x, target=[0, 1])
    assert torch.equal(after.scores, fresh.scores) and not torch.allclose(after.scores, before)
    kept = graph.trace(model).graph
    model.relu.inplace = not model.relu.inplace
    assert graph.trace(model).graph is not kept
    kept = graph.trace(model).graph

    class Twice(nn.Module):
        def forward(self, z):
            return 2 * z

    try:
        propagation.register_rule(Twice, "elementwise")
        assert graph.trace(model).graph is not kept
        kept = graph.trace(model).graph
    finally:
        propagation.RULES.pop(Twice)
    assert graph.trace(model).graph is not kept


def test_attribute_takes_f_x_from_the_methods_own_evaluation():
    """The propagation family's gap needs no forward pass of its own: its f(x) is the graph's
    output at x, equal to the model's up to rounding (exactly, where nothing is folded)."""
    model, x, _ = case("ResNet")
    model = model.double()
    x = x.double()
    with torch.no_grad():
        expected = model(x)[torch.arange(len(x)), TARGET]
    zero = model(torch.zeros_like(x[:1]))[0, TARGET].detach()
    for method in ("lrp_epsilon", "grad_cam"):
        found = attribute(method, model, x, target=TARGET)
        assert torch.allclose(found.output_change + zero, expected, rtol=1e-12, atol=1e-12)
