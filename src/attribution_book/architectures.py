"""Eight standard architectures, small, written as their reference implementations write them.

The networks people use, at a size two cores train or explain in seconds: a ResNet of
torchvision's ``BasicBlock`` s (one ``ReLU(inplace=True)`` used twice per block, ``out +=
identity``, a strided 1x1 convolution with BatchNorm as the downsample, a max-pooling stem),
a VGG with BatchNorm (``torch.flatten`` in ``forward``, Dropout in the classifier), a plain
CNN with LeakyReLU, ELU and GELU, an MLP with LayerNorm, a transformer encoder over feature
tokens, an LSTM, an Inception-style concatenation and a gated block ``relu(W x) *
sigmoid(V x)``. :data:`ARCHITECTURES` names each with the shape of one input;
:func:`with_random_statistics` gives every BatchNorm statistics that make it more than the
identity (as training would).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn


class BasicBlock(nn.Module):
    """torchvision's ResNet ``BasicBlock``: conv-BN-ReLU-conv-BN, plus the identity (or a
    strided 1x1 convolution with BatchNorm), then the same ReLU module again. Attributes are
    assigned in the order forward applies them (zennit's BatchNorm merge reads that order)."""

    def __init__(self, inplanes: int, planes: int, stride: int = 1):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = None
        if stride != 1 or inplanes != planes:
            self.downsample = nn.Sequential(
                nn.Conv2d(inplanes, planes, 1, stride, bias=False), nn.BatchNorm2d(planes)
            )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.downsample is not None:
            identity = self.downsample(x)
        out += identity
        return self.relu(out)


class ResNet(nn.Module):
    """torchvision's ResNet layout: stem (conv, BN, ReLU, max-pool), two stages of
    BasicBlocks (the second strided), global average pooling, a linear head."""

    def __init__(self, in_channels: int = 3, width: int = 4, classes: int = 3, blocks: int = 1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, width, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(2)
        self.layer1 = nn.Sequential(*[BasicBlock(width, width) for _ in range(blocks)])
        self.layer2 = nn.Sequential(
            BasicBlock(width, 2 * width, stride=2),
            *[BasicBlock(2 * width, 2 * width) for _ in range(blocks - 1)],
        )
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(2 * width, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer2(self.layer1(x))
        return self.fc(torch.flatten(self.avgpool(x), 1))


class VGG(nn.Module):
    """torchvision's VGG layout with BatchNorm: ``features``, adaptive average pooling,
    ``torch.flatten``, a classifier with Dropout."""

    def __init__(self, in_channels: int = 3, width: int = 4, classes: int = 3):
        super().__init__()

        def block(c_in, c_out):
            return [
                nn.Conv2d(c_in, c_out, 3, padding=1),
                nn.BatchNorm2d(c_out),
                nn.ReLU(inplace=True),
            ]

        self.features = nn.Sequential(
            *block(in_channels, width), *block(width, width), nn.MaxPool2d(2),
            *block(width, 2 * width), nn.MaxPool2d(2),
        )  # fmt: skip
        self.avgpool = nn.AdaptiveAvgPool2d((2, 2))
        self.classifier = nn.Sequential(
            nn.Linear(8 * width, 16), nn.ReLU(True), nn.Dropout(), nn.Linear(16, classes)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(torch.flatten(self.avgpool(self.features(x)), 1))


def plain_cnn(in_channels: int = 3, classes: int = 3) -> nn.Module:
    """A CNN of smooth and leaky activations (8x8 inputs)."""
    return nn.Sequential(
        nn.Conv2d(in_channels, 4, 3, padding=1), nn.LeakyReLU(0.1),
        nn.Conv2d(4, 4, 3, padding=1), nn.ELU(), nn.MaxPool2d(2),
        nn.Conv2d(4, 6, 3, padding=1), nn.GELU(), nn.Dropout(0.2),
        nn.Flatten(), nn.Linear(6 * 16, classes),
    )  # fmt: skip


def mlp_layer_norm(features: int = 6, classes: int = 3) -> nn.Module:
    return nn.Sequential(
        nn.Linear(features, 16), nn.LayerNorm(16), nn.ReLU(), nn.Linear(16, classes)
    )


class FeatureTokens(nn.Module):
    """Each of the input's features as one token: x_i w_i + b_i (the FT-Transformer's
    numerical embedding)."""

    def __init__(self, features: int, dim: int):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(features, dim) / dim**0.5)
        self.bias = nn.Parameter(torch.zeros(features, dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x[:, :, None] * self.weight + self.bias


class TabularTransformer(nn.Module):
    """Feature tokens, one ``nn.TransformerEncoderLayer``, the mean over tokens, a linear head."""

    def __init__(self, features: int = 6, dim: int = 8, classes: int = 3):
        super().__init__()
        self.tokens = FeatureTokens(features, dim)
        layer = nn.TransformerEncoderLayer(dim, 2, 2 * dim, dropout=0.0, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, 1, enable_nested_tensor=False)
        self.head = nn.Linear(dim, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.encoder(self.tokens(x)).mean(dim=1))


class LSTMClassifier(nn.Module):
    """An LSTM over the steps of a sequence; its last hidden state, a linear head."""

    def __init__(self, features: int = 3, hidden: int = 6, classes: int = 3):
        super().__init__()
        self.lstm = nn.LSTM(features, hidden, batch_first=True)
        self.head = nn.Linear(hidden, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, _ = self.lstm(x)
        return self.head(out[:, -1])


class Inception(nn.Module):
    """Two branches of the same input (1x1 and 3x3 convolutions) concatenated by channel."""

    def __init__(self, in_channels: int = 3, classes: int = 3):
        super().__init__()
        self.branch1 = nn.Sequential(nn.Conv2d(in_channels, 3, 1), nn.ReLU())
        self.branch3 = nn.Sequential(nn.Conv2d(in_channels, 3, 3, padding=1), nn.ReLU())
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.head = nn.Linear(6, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = torch.cat([self.branch1(x), self.branch3(x)], dim=1)
        return self.head(torch.flatten(self.pool(out), 1))


class Gated(nn.Module):
    """A gated unit: head(relu(W x) * sigmoid(V x))."""

    def __init__(self, features: int = 6, hidden: int = 8, classes: int = 3):
        super().__init__()
        self.value = nn.Sequential(nn.Linear(features, hidden), nn.ReLU())
        self.gate = nn.Sequential(nn.Linear(features, hidden), nn.Sigmoid())
        self.head = nn.Linear(hidden, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.value(x) * self.gate(x))


#: name -> (constructor, shape of one input)
ARCHITECTURES: dict[str, tuple[Callable[[], nn.Module], tuple[int, ...]]] = {
    "ResNet": (ResNet, (3, 8, 8)),
    "VGG": (VGG, (3, 8, 8)),
    "plain CNN": (plain_cnn, (3, 8, 8)),
    "MLP + LayerNorm": (mlp_layer_norm, (6,)),
    "transformer": (TabularTransformer, (6,)),
    "LSTM": (LSTMClassifier, (5, 3)),
    "Inception (cat)": (Inception, (3, 8, 8)),
    "gated (x * gate)": (Gated, (6,)),
}


def with_one_activation_per_use(model: nn.Module) -> nn.Module:
    """A copy of ``model`` with a fresh, not in-place ReLU at each place a BasicBlock applies
    one (the same function): captum's DeepLift and shap's DeepExplainer keep a module's
    input on the module, which a second use would overwrite."""
    import copy

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x)))))
        return self.relu_out(out + identity)

    twin = copy.deepcopy(model)
    for module in twin.modules():
        if isinstance(module, BasicBlock):
            module.relu_out = nn.ReLU()
            module.forward = forward.__get__(module)
        if isinstance(module, nn.ReLU):
            module.inplace = False
    return twin


#: Grad-CAM's feature map in each architecture that has one: the last spatial output before
#: the global pooling (a module, so that captum's LayerGradCam can hook it)
FEATURE_MAPS = {
    "ResNet": "layer2",
    "VGG": "features.9",
    "plain CNN": "6",
    "Inception (cat)": "branch3",
}


#: the architectures whose every nonlinearity is a ReLU or a max-pooling
RELU_ONLY = ("ResNet", "VGG", "Inception (cat)")


def with_random_statistics(model: nn.Module, seed: int = 0) -> nn.Module:
    """``model`` in eval mode, every BatchNorm given random running statistics and affine
    parameters (means N(0, 0.3), variances and scales in [0.5, 1.5], shifts N(0, 0.3)),
    as a trained network has them: otherwise a fresh BatchNorm is the identity."""
    generator = torch.Generator().manual_seed(seed)
    for module in model.modules():
        if isinstance(module, nn.modules.batchnorm._BatchNorm):
            size, dtype = module.num_features, module.running_mean.dtype

            def draw(scale, shift, uniform=False):
                if uniform:
                    return (torch.rand(size, generator=generator) * scale + shift).to(dtype)
                return (torch.randn(size, generator=generator) * scale + shift).to(dtype)

            module.running_mean.copy_(draw(0.3, 0.0))
            module.running_var.copy_(draw(1.0, 0.5, uniform=True))
            with torch.no_grad():
                module.weight.copy_(draw(1.0, 0.5, uniform=True))
                module.bias.copy_(draw(0.3, 0.0))
    return model.eval()


def build(name: str, seed: int = 0, dtype: torch.dtype = torch.float64) -> nn.Module:
    """The architecture ``name`` with weights drawn from ``seed`` and random BatchNorm
    statistics, in eval mode."""
    make, _ = ARCHITECTURES[name]
    torch.manual_seed(seed)
    return with_random_statistics(make().to(dtype), seed)


def inputs(name: str, n: int, seed: int = 0, dtype: torch.dtype = torch.float64) -> torch.Tensor:
    """n inputs for the architecture ``name``, uniform in [0, 1] (Deep Taylor's default box)."""
    generator = torch.Generator().manual_seed(seed)
    return torch.rand(n, *ARCHITECTURES[name][1], generator=generator, dtype=dtype)
