"""SASANet: a network whose self-attribution is the Shapley value of its own output.

Sun, Zhu and Xiong (TNNLS 2025, arXiv 2309.15559). **Reconstructed** from the abstract and
the public reviews: the paper's full text and code were not available (see the book's
Sources page and the SASANet chapters). n features, tokens of width d:

- token e_i = id_i + value embedding of x_i (numeric: a per-feature affine map of x_i
  through a shared MLP; categorical: a table per feature). No positional encoding.
- marginal contribution module: a causal transformer over the tokens in a sampled order O;
  its head at position k gives Delta(x_{O_k} | x_{O_<k}) (one value, or one logit per class).
- cumulative output f_c(x_{O_<=k}; O) = b + sum_{j<=k} Delta_j, with f_c(empty) = b: the
  value function v_x(S) = f_c(x_S) of any subset S, no baseline needed.
- Shapley module Phi: a transformer over all tokens (no mask), one head per token.
- output f(x) = b + sum_i Phi_i(x); prediction sigma(f(x)) (sigmoid, softmax or identity).
  The attribution is (phi_0, phi) = (b, Phi(x)): efficiency holds by construction.

Losses, each with a weight (``weights``):

- L_m = loss(f_c(x_N; O), y): the full set, in a random order O;
- L_v = mean_k loss(f_c(x_{O_<=k}; O), y): every prefix predicts y, so sigma(f_c(x_S)) tends
  to p(y | x_S) and f_c(x_S) to its logit: the value function means something;
- L_p = mean (f_c(x_S; O) - sg f_c(x_S; O'))^2, O' the first k items of O reordered:
  the same set has the same value whatever the order (sg = stop-gradient);
- L_s = mean_i (Phi_i(x) - sg Delta(x_i | x_{Pre_O(i)}))^2 over random orders O: Phi_i tends
  to E_O[Delta] = the Shapley value of v_x.

``SASANet`` wraps it with a scikit-learn-like interface: ``fit``, ``predict``,
``predict_proba``, ``attribute`` (one forward pass of Phi), ``value`` (f_c on any subset),
``save`` / ``load``.

Modules: ``config``, ``module`` (the network), ``estimator`` (:class:`SASANet`).
"""

from .config import LOSSES, TASKS, Config
from .estimator import SASANet
from .module import SASANetModule, random_orders

__all__ = ["LOSSES", "TASKS", "Config", "SASANet", "SASANetModule", "random_orders"]
