"""Type aliases of the public API: the forms each argument accepts.

The docstrings say the shapes; these say the types. The book's build does not render type
hints (``autodoc_typehints: none``): they are for editors and type checkers.
"""

from __future__ import annotations

from typing import Callable, Sequence, Union

import numpy as np
import sympy as sp
import torch

#: A model: an ``nn.Module`` or any callable from a batch (N, ...) to outputs (N, K).
Model = Callable[[torch.Tensor], torch.Tensor]
#: Numbers in any array form: a tensor, a numpy array or nested sequences.
ArrayLike = Union[torch.Tensor, np.ndarray, Sequence[float], float]
#: The explained output of each input: one index, one per input, or None for the argmax.
Target = Union[int, Sequence[int], torch.Tensor, np.ndarray, None]
#: Player labels: one integer per input element (-1 for none), or groups of flat indices.
Players = Union[np.ndarray, torch.Tensor, Sequence[Sequence[int]], None]
#: A partition of the variable indices 0..n-1, for Occlusion-patch.
Patches = Union[Sequence[Sequence[int]], None]
#: The variables of a sympy expression.
Variables = Sequence[sp.Symbol]
#: A symbolic baseline: None (symbols b_1..b_n), one number, or one value per variable.
SymbolicBaseline = Union[None, float, int, sp.Expr, Sequence[Union[float, int, sp.Expr]]]
