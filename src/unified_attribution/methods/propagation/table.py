"""Which rule each node of a traced model gets, as data (zennit's composites are the model).

A node is one operation of ``model.forward`` as torch.fx traces it: a module call, a
function (``torch.cat``, ``operator.add``) or a tensor method (``x.view``). ``RULES`` maps
module types, functions and method names to a *kind*; each kind has one LRP rule and one
DeepLIFT rule (``KINDS``, with the reference of each). What the table refuses it names
with the reason (``REFUSED``); what it does not list is refused as unknown.
``register`` (``propagation.register_rule``) adds a module type of your own (it is then not traced into).
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn


@dataclass(frozen=True)
class Kind:
    """One way of passing relevance (LRP) and multipliers (DeepLIFT) through a node."""

    name: str
    what: str
    lrp: str
    deeplift: str | None  # None: DeepLIFT (and DeepShap) refuse the node


KINDS = {
    k.name: k
    for k in (
        Kind(
            "route",
            "moves, copies or selects elements (reshape, permute, indexing, concatenation)",
            "relevance follows the elements (the vector-Jacobian product)",
            "multipliers follow the elements",
        ),
        Kind(
            "linear",
            "a layer with weights (Linear, Conv1d, Conv2d; a BatchNorm right after it is folded in)",
            "the composite's rule (epsilon, alpha-beta, z^B), biases as the rule says",
            "the linear rule; RevealCancel splits it by the sign of each term",
        ),
        Kind(
            "affine",
            "any other affine map of its inputs (sums, means, average pooling, a lone BatchNorm, "
            "scaling by a constant)",
            "the z-rule on the node's own terms, stabilizer 1e-9; constant terms keep their share",
            "the linear rule (exact)",
        ),
        Kind(
            "elementwise",
            "an activation applied element by element",
            "relevance passes unchanged (Bach et al. 2015)",
            "Rescale, or RevealCancel after a linear layer (Shrikumar et al. 2017)",
        ),
        Kind(
            "maxpool",
            "max-pooling",
            "the z-rule: the window's maximum takes all of it",
            "captum's rule: the difference of maxima to the argmax at x and at the reference",
        ),
        Kind(
            "product",
            "a product of two input-dependent tensors (a gate x * g, a matrix product A @ B)",
            "AttnLRP's uniform rule: the z-rule, then half to each factor (Achtibat et al. 2024)",
            "the two-player Shapley split, exact for a bilinear map: "
            "Delta(a b) = Delta a (b + b') / 2 + (a + a') / 2 Delta b",
        ),
        Kind(
            "softmax",
            "a softmax (attention weights)",
            "AttnLRP's softmax rule, a Taylor decomposition at x: R_in = x (R - s sum(R)) "
            "(Achtibat et al. 2024, Prop. 3.1)",
            None,
        ),
        Kind(
            "layernorm",
            "layer normalization (x - mean) / std * weight + bias",
            "AttnLRP's rule: the identity rule through 1 / std (held at its value), the z-rule "
            "on the centering and the affine part (Achtibat et al. 2024, Prop. 3.4)",
            None,
        ),
    )
}

_ACTIVATIONS = (nn.ReLU, nn.LeakyReLU, nn.ELU, nn.GELU, nn.SiLU, nn.Softplus, nn.Tanh, nn.Sigmoid)

#: module types, functions and method names (strings) -> the name of a kind
RULES: dict[object, str] = {
    **dict.fromkeys((nn.Linear, nn.Conv1d, nn.Conv2d, F.linear), "linear"),
    **dict.fromkeys((nn.Softmax, F.softmax, torch.softmax, "softmax"), "softmax"),
    **dict.fromkeys((nn.LayerNorm, F.layer_norm), "layernorm"),
    **dict.fromkeys(_ACTIVATIONS, "elementwise"),
    **dict.fromkeys((nn.MaxPool1d, nn.MaxPool2d, F.max_pool1d, F.max_pool2d), "maxpool"),
    **dict.fromkeys(
        (
            nn.BatchNorm1d,
            nn.BatchNorm2d,
            nn.AvgPool1d,
            nn.AvgPool2d,
            nn.AdaptiveAvgPool1d,
            nn.AdaptiveAvgPool2d,
            F.avg_pool1d,
            F.avg_pool2d,
            F.adaptive_avg_pool1d,
            F.adaptive_avg_pool2d,
            operator.add,
            operator.sub,
            operator.neg,
            operator.truediv,
            torch.add,
            torch.sub,
            torch.mean,
            torch.sum,
            "add",
            "add_",
            "sub",
            "sub_",
            "neg",
            "mean",
            "sum",
            "div",
        ),
        "affine",
    ),
    # a product with one input-dependent factor is affine (graph.kind_of decides)
    **dict.fromkeys(
        (
            operator.mul,
            operator.matmul,
            torch.mul,
            torch.matmul,
            torch.bmm,
            "mul",
            "mul_",
            "matmul",
        ),
        "product",
    ),
    **dict.fromkeys(
        (
            torch.relu,
            F.relu,
            F.leaky_relu,
            F.elu,
            F.gelu,
            F.silu,
            F.softplus,
            torch.tanh,
            torch.sigmoid,
            F.tanh,
            F.sigmoid,
            "relu",
            "relu_",
            "tanh",
            "sigmoid",
        ),
        "elementwise",
    ),
    **dict.fromkeys(
        (
            nn.Flatten,
            nn.Unflatten,
            nn.Dropout,
            nn.Dropout1d,
            nn.Dropout2d,
            nn.Identity,
            torch.flatten,
            torch.reshape,
            torch.cat,
            torch.concat,
            torch.stack,
            torch.permute,
            torch.transpose,
            torch.squeeze,
            torch.unsqueeze,
            torch.chunk,
            torch.split,
            operator.getitem,
            F.dropout,
            "view",
            "reshape",
            "flatten",
            "unflatten",
            "permute",
            "transpose",
            "contiguous",
            "squeeze",
            "unsqueeze",
            "expand",
            "expand_as",
            "chunk",
            "split",
            "clone",
        ),
        "route",
    ),
}

_NORMALIZATION = (
    "divides by a statistic of its own input (a nonlinear map of all its inputs together); "
    "no rule of LRP or DeepLIFT is implemented for it here"
)
_RECURRENT = (
    "a recurrent cell: no published propagation rule is implemented here, and it is refused "
    "rather than approximated"
)
_DECODER = (
    "a decoder reads a second input (the memory); the methods explain models of one input, "
    "and only the encoder's modules have traceable forms here (propagation.rewrites)"
)

#: what the propagation methods refuse on purpose, with the reason
REFUSED: dict[object, str] = {
    **dict.fromkeys((nn.GroupNorm, nn.InstanceNorm1d, nn.InstanceNorm2d), _NORMALIZATION),
    **dict.fromkeys((nn.TransformerDecoderLayer, nn.TransformerDecoder, nn.Transformer), _DECODER),
    **dict.fromkeys((nn.LSTM, nn.GRU, nn.RNN, nn.LSTMCell, nn.GRUCell, nn.RNNCell), _RECURRENT),
}

#: why DeepLIFT (and DeepShap) refuse the kinds without a DeepLIFT rule
NO_DEEPLIFT_RULE = (
    "DeepLIFT's rules (Rescale, RevealCancel, the linear rule; the Shapley split of a "
    "product here) cover functions of one input element and affine maps; a softmax or a "
    "normalization mixes all its inputs nonlinearly and no published DeepLIFT rule covers it, "
    "so it is refused rather than approximated. LRP-epsilon, LRP-alpha-beta and Deep Taylor "
    "run here (AttnLRP's rules)"
)


def register(target: type[nn.Module] | Callable | str, kind: str) -> None:
    """Give ``target`` (a module type of your own, a function, or a tensor method's name) the
    rules of ``kind`` (one of ``KINDS``). A registered module type is not traced into:
    register a module whose ``forward`` torch.fx cannot trace, e.g. an activation with a
    branch on its input's values, as ``"elementwise"``."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}; got {kind!r}")
    if isinstance(target, type) and not issubclass(target, nn.Module):
        raise TypeError(f"register a module type, a function or a method name; got {target!r}")
    if kind == "linear" and not (
        isinstance(target, type) and issubclass(target, (nn.Linear, nn.Conv1d, nn.Conv2d))
    ):
        raise ValueError(
            f"the linear rules read a Linear's or a convolution's weights; {target!r} is not a "
            f"subclass of nn.Linear, nn.Conv1d or nn.Conv2d (its subclasses need no registering)"
        )
    REFUSED.pop(target, None)
    RULES[target] = kind


def fingerprint() -> int:
    """Changes with the table (a registration, or an entry removed): a trace made with
    another table may keep other modules whole, and is not reused."""
    return hash((tuple(RULES.items()), tuple(REFUSED.items())))


def lookup(target: object) -> str | None:
    """The kind registered for a module type (its most specific registered base class), a
    function or a method name; None if there is none."""
    if isinstance(target, type):
        for base in target.__mro__:
            if base in RULES:
                return RULES[base]
        return None
    try:
        return RULES.get(target)
    except TypeError:  # unhashable
        return None


def refusal(target: object) -> str | None:
    """The reason the table gives for refusing ``target``, if it names one."""
    if isinstance(target, type):
        return next((REFUSED[b] for b in target.__mro__ if b in REFUSED), None)
    try:
        return REFUSED.get(target)
    except TypeError:
        return None


def label(target: object) -> str:
    """How a message names a module type, function or method."""
    if isinstance(target, type):
        return (
            f"nn.{target.__name__}" if target.__module__.startswith("torch.nn") else target.__name__
        )
    if isinstance(target, str):
        return f"Tensor.{target}"
    module = getattr(target, "__module__", None) or ""
    name = getattr(target, "__name__", repr(target))
    if getattr(F, name, None) is target and getattr(torch, name, None) is not target:
        return f"F.{name}"
    prefix = {"_operator": "operator", "torch.nn.functional": "F"}.get(module, "torch")
    return f"{prefix}.{name}"
