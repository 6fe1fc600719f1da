"""Traceable forms of torch's attention modules, for the tracer of ``graph``.

``nn.MultiheadAttention``, ``nn.TransformerEncoderLayer`` and ``nn.TransformerEncoder``
branch on their inputs (fast paths, mask conversions), so torch.fx cannot read their
``forward``. Each function here computes what the module computes in eval mode, from the
module's own parameters, in operations the rules table knows (``F.linear``, ``matmul``,
``softmax``, ``LayerNorm``, ``+``): zennit's canonizers do the same for a ResNet's residual
sum. Masks are refused (they are not part of the model's function of its input). The tests
compare each with the module itself.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn

from .chain import UnsupportedModel


def attention(
    module: nn.MultiheadAttention,
    query: torch.Tensor,
    key: torch.Tensor,
    value: torch.Tensor,
    key_padding_mask: torch.Tensor | None = None,
    need_weights: bool = True,
    attn_mask: torch.Tensor | None = None,
    average_attn_weights: bool = True,
    is_causal: bool = False,
) -> tuple[torch.Tensor, None]:
    """softmax(Q K^T / sqrt(d)) V per head, then the output projection (Vaswani et al.
    2017); returns (output, None), as the module with ``need_weights=False``."""
    if key_padding_mask is not None or attn_mask is not None or is_causal:
        raise UnsupportedModel(
            "the propagation methods explain attention without masks; a mask is an input of "
            "its own (pass the model a function of x alone)"
        )
    if module.bias_k is not None or module.add_zero_attn:
        raise UnsupportedModel(
            "nn.MultiheadAttention with add_bias_kv or add_zero_attn is not supported"
        )
    if not module.batch_first:
        query, key, value = (t.transpose(0, 1) for t in (query, key, value))
    heads, width, size = module.num_heads, module.head_dim, module.embed_dim
    thirds = [
        slice(k * size, (k + 1) * size) for k in range(3)
    ]  # a traced weight cannot be unpacked
    if module._qkv_same_embed_dim:
        weights = [module.in_proj_weight[part] for part in thirds]
    else:
        weights = (module.q_proj_weight, module.k_proj_weight, module.v_proj_weight)
    bias = module.in_proj_bias
    biases = (None,) * 3 if bias is None else [bias[part] for part in thirds]

    def split(t, weight, bias):  # (N, L, E) -> (N, heads, L, width)
        projected = F.linear(t, weight, bias)
        return projected.reshape(t.shape[0], t.shape[1], heads, width).transpose(1, 2)

    q, k, v = (split(t, w, b) for t, w, b in zip((query, key, value), weights, biases))
    scores = torch.matmul(q, k.transpose(-2, -1)) / math.sqrt(width)
    mixed = torch.matmul(torch.softmax(scores, dim=-1), v)
    mixed = mixed.transpose(1, 2).reshape(query.shape[0], query.shape[1], heads * width)
    out = module.out_proj(mixed)
    return (out if module.batch_first else out.transpose(0, 1)), None


def encoder_layer(
    module: nn.TransformerEncoderLayer,
    src: torch.Tensor,
    src_mask: torch.Tensor | None = None,
    src_key_padding_mask: torch.Tensor | None = None,
    is_causal: bool = False,
) -> torch.Tensor:
    """x + SA(x) and x + FF(x), each with its LayerNorm after (or, with ``norm_first``,
    before), FF = linear2(activation(linear1(x))); dropout is the identity in eval mode."""
    if src_mask is not None or src_key_padding_mask is not None:
        raise UnsupportedModel("the propagation methods explain attention without masks")

    def attend(x):
        return module.self_attn(x, x, x, need_weights=False)[0]

    def feed_forward(x):
        return module.linear2(module.activation(module.linear1(x)))

    x = src
    if module.norm_first:
        x = x + attend(module.norm1(x))
        return x + feed_forward(module.norm2(x))
    x = module.norm1(x + attend(x))
    return module.norm2(x + feed_forward(x))


def encoder(
    module: nn.TransformerEncoder,
    src: torch.Tensor,
    mask: torch.Tensor | None = None,
    src_key_padding_mask: torch.Tensor | None = None,
    is_causal: bool | None = None,
) -> torch.Tensor:
    """The layers one after another, then the final norm if there is one."""
    if mask is not None or src_key_padding_mask is not None:
        raise UnsupportedModel("the propagation methods explain attention without masks")
    x = src
    for layer in module.layers:
        x = layer(x)
    return x if module.norm is None else module.norm(x)


#: module type -> its traceable form, called as form(module, *args, **kwargs) while tracing
#: (its submodules' calls go through the tracer as usual)
REWRITES: dict[type, Callable] = {
    nn.MultiheadAttention: attention,
    nn.TransformerEncoderLayer: encoder_layer,
    nn.TransformerEncoder: encoder,
}
