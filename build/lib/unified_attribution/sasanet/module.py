"""The network: tokens, the marginal contribution module (a causal transformer over
tokens in an order), the cumulative output f_c and the Shapley module Phi."""

from __future__ import annotations

import torch
from torch import nn

from .config import Config


def _transformer(width: int, heads: int, layers: int) -> nn.TransformerEncoder:
    layer = nn.TransformerEncoderLayer(
        width, heads, dim_feedforward=2 * width, dropout=0.0, batch_first=True, norm_first=True
    )
    return nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)


class SASANetModule(nn.Module):
    """The network; ``SASANet`` trains it. Outputs are raw (logits, or standardized values)."""

    def __init__(self, n_features: int, n_outputs: int, cfg: Config):
        super().__init__()
        d = cfg.width
        self.n_features, self.n_outputs = n_features, n_outputs
        self.categorical = {int(k): int(v) for k, v in cfg.categorical.items()}
        self.feature_id = nn.Parameter(torch.randn(n_features, d) * 0.1)
        self.value_scale = nn.Parameter(torch.randn(n_features, d) * 0.1)
        self.value_shift = nn.Parameter(torch.zeros(n_features, d))
        self.tables = nn.ModuleDict(
            {str(i): nn.Embedding(k, d) for i, k in self.categorical.items()}
        )
        self.value_mlp = nn.Sequential(nn.Linear(d, d), nn.GELU(), nn.Linear(d, d))
        self.marginal = _transformer(d, cfg.heads, cfg.layers)
        self.marginal_head = nn.Sequential(nn.LayerNorm(d), nn.Linear(d, n_outputs))
        self.shapley_encoder = _transformer(d, cfg.heads, cfg.layers)
        self.shapley_head = nn.Sequential(nn.LayerNorm(d), nn.Linear(d, n_outputs))
        self.bias = nn.Parameter(torch.zeros(n_outputs))

    def tokens(self, x: torch.Tensor) -> torch.Tensor:
        """(B, n, d): feature id + value embedding."""
        values = x[..., None] * self.value_scale + self.value_shift
        for i, table in self.tables.items():
            values[:, int(i)] = table(x[:, int(i)].long())
        return self.feature_id + self.value_mlp(values)

    def contributions(self, x: torch.Tensor, order: torch.Tensor) -> torch.Tensor:
        """(B, n, m): Delta(x_{O_k} | x_{O_<k}) for every position k of the orders (B, n)."""
        tokens = self.tokens(x).gather(1, order[..., None].expand(-1, -1, self.feature_id.shape[1]))
        causal = nn.Transformer.generate_square_subsequent_mask(self.n_features, device=x.device)
        hidden = self.marginal(tokens, mask=causal, is_causal=True)
        return self.marginal_head(hidden)

    def cumulative(self, x: torch.Tensor, order: torch.Tensor) -> torch.Tensor:
        """(B, n, m): f_c after the first k features of each order, k = 1..n."""
        return self.bias + self.contributions(x, order).cumsum(dim=1)

    def shapley(self, x: torch.Tensor) -> torch.Tensor:
        """(B, n, m): Phi_i(x), one forward pass over the whole set."""
        return self.shapley_head(self.shapley_encoder(self.tokens(x)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, m): f(x) = b + sum_i Phi_i(x)."""
        return self.bias + self.shapley(x).sum(dim=1)


def random_orders(batch: int, n: int, generator: torch.Generator) -> torch.Tensor:
    """(batch, n) independent uniform permutations of 0..n-1."""
    return torch.rand(batch, n, generator=generator).argsort(dim=1)
