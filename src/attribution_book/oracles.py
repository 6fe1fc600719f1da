"""Independent implementations the book checks the library against: zennit (Anders et al.
2021) for the LRP family, with its canonizers on residual and BatchNorm networks, and lxt
(AttnLRP, Achtibat et al. 2024) for attention.

Both are installed by ``make setup`` with ``--no-deps`` into :data:`ORACLES`, outside
site-packages: their package requirements (torchvision, transformers) would pull a CUDA
build of torch, and quantus imports any zennit it can find. The modules used here import
torch only; zennit's package ``__init__`` (which imports torchvision) is skipped.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import sys
import types
from pathlib import Path

import torch
from torch import nn

#: where ``make setup`` installs zennit and lxt
ORACLES = Path(sys.prefix) / "oracles"


def _spec(name: str):
    spec = importlib.machinery.PathFinder.find_spec(name, [str(ORACLES)])
    if spec is None:
        raise RuntimeError(f"{name} is missing from {ORACLES}: `make setup` installs it")
    return spec


def zennit() -> tuple[types.ModuleType, types.ModuleType, types.ModuleType]:
    """zennit's ``composites``, ``rules`` and ``types`` modules, without its package
    ``__init__`` (it imports ``zennit.torchvision``, which needs torchvision; no torchvision
    wheel loads against torch 2.13.0)."""
    if "zennit" not in sys.modules:
        spec = _spec("zennit")
        package = types.ModuleType("zennit")
        package.__path__ = list(spec.submodule_search_locations)
        package.__spec__ = spec  # without one, importlib.util.find_spec("zennit") raises
        sys.modules["zennit"] = package
    from zennit import composites, rules
    from zennit import types as layer_types

    return composites, rules, layer_types


def lxt() -> types.ModuleType:
    """lxt's explicit AttnLRP functions (``lxt.explicit.functional``); its package
    ``__init__`` is empty."""
    if "lxt" not in sys.modules:
        spec = _spec("lxt")
        package = importlib.util.module_from_spec(spec)
        sys.modules["lxt"] = package
        spec.loader.exec_module(package)
    from lxt.explicit import functional

    return functional


def residual_canonizer() -> object:
    """zennit's canonizer for torchvision's BasicBlock (``zennit.torchvision``, which imports
    torchvision), pointed at :class:`attribution_book.architectures.BasicBlock`: the residual
    sum as a ``Sum`` module over the stacked summands, so that a rule can be attached to it."""
    from zennit.canonizers import AttributeCanonizer
    from zennit.layer import Sum

    from .architectures import BasicBlock

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x)))))
        return self.relu(self.canonizer_sum(torch.stack([identity, out], dim=-1)))

    def attributes(name, module):
        if isinstance(module, BasicBlock):
            return {"forward": forward.__get__(module), "canonizer_sum": Sum()}
        return None

    return AttributeCanonizer(attributes)


def zennit_lrp(
    model: nn.Module,
    x: torch.Tensor,
    target: torch.Tensor,
    rule: object,
    first_rule: object | None = None,
) -> torch.Tensor:
    """zennit's relevance of ``x`` for the output ``target`` of each row (initial relevance:
    that output's value), with its BatchNorm merge and the residual canonizer: ``rule`` on
    every Linear and convolution (``first_rule`` on the first), Pass at activations, epsilon
    1e-9 at average pooling and at the residual sum (our z-rule at sums and pooling), the
    gradient at max-pooling (the window's maximum takes all, as ours). zennit's merge leaves
    each BatchNorm computing x / sqrt(1 + eps): set BatchNorm eps to 0 to compare exactly."""
    composites, _, layer_types = zennit()
    from zennit.canonizers import SequentialMergeBatchNorm
    from zennit.layer import Sum
    from zennit.rules import Epsilon, Pass

    layer_map = [
        (layer_types.Activation, Pass()),
        (layer_types.AvgPool, Epsilon(epsilon=1e-9)),
        (Sum, Epsilon(epsilon=1e-9)),
        (layer_types.Linear, rule),
    ]
    canonizers = [SequentialMergeBatchNorm(), residual_canonizer()]
    if first_rule is None:
        composite = composites.LayerMapComposite(layer_map=layer_map, canonizers=canonizers)
    else:
        composite = composites.SpecialFirstLayerMapComposite(
            layer_map=layer_map,
            first_map=[(layer_types.Linear, first_rule)],
            canonizers=canonizers,
        )
    x = x.detach().clone().requires_grad_()
    with composite.context(model) as modified:
        out = modified(x)
        chosen = torch.zeros_like(out)
        chosen[torch.arange(len(x)), target] = 1.0
        (relevance,) = torch.autograd.grad(out, x, out * chosen)
    return relevance.detach()


def zennit_rules(method: str, options: dict) -> tuple[object, object | None]:
    """zennit's rule (and first-layer rule) for our LRP method with ``options``, conventions
    matched: ours ignore biases in alpha-beta and Deep Taylor (``zero_params='bias'``) and
    stabilize by 1e-9."""
    _, rules, _ = zennit()
    if method == "lrp_epsilon":
        return rules.Epsilon(epsilon=options.get("epsilon", 0.01)), None
    if method == "lrp_alpha_beta":
        alpha, beta = options.get("alpha", 2.0), options.get("beta", 1.0)
        return rules.AlphaBeta(alpha=alpha, beta=beta, stabilizer=1e-9, zero_params="bias"), None
    if method == "deep_taylor":
        low, high = options.get("lower", 0.0), options.get("upper", 1.0)
        return (
            rules.ZPlus(stabilizer=1e-9, zero_params="bias"),
            rules.ZBox(low=low, high=high, stabilizer=1e-9, zero_params="bias"),
        )
    raise ValueError(f"zennit has no counterpart of {method!r} here")
