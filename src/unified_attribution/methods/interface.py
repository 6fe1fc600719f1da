"""One call for every method, :func:`attribute`: its checks of the input and its result,
:class:`Attribution`."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from .. import games
from ..aliases import ArrayLike, Model, Players, Target
from ..checks import as_tensor, is_whole, real_number, whole_number
from .gradient import QUADRATURES
from .propagation import graph
from .registry import REGISTRY, Method, get, selected


@dataclass
class Attribution:
    """What :func:`attribute` returns.

    ``scores``: shaped like ``x``. ``output_change[k]`` = f(x_k) - f(b) (for a distribution
    of baselines, f(x_k) minus the mean of f over it; for methods without a baseline,
    f(x_k) - f(0)). ``gap[k]`` = the sum of input k's scores (one per player for grouped
    methods) minus ``output_change[k]``: captum's *convergence delta* (its
    ``return_convergence_delta=True``), zero for a complete method. ``target``: the output
    explained for each input; ``baseline`` as the method received it; ``options``: every
    option of the method with the value used (defaults included)."""

    method: str
    scores: torch.Tensor
    gap: torch.Tensor
    output_change: torch.Tensor
    target: torch.Tensor | None = None
    baseline: torch.Tensor | None = None
    options: dict = field(default_factory=dict)


def _as_batch(x) -> torch.Tensor:
    x = as_tensor(x, "x")
    if x.device.type == "meta":
        raise ValueError(
            "x is on the meta device, which holds shapes but no values: move it to the "
            "model's device with real data (x.to('cpu') or x.to('cuda'))"
        )
    if x.is_complex():
        raise TypeError(
            f"x is complex ({x.dtype}); the methods explain real inputs: pass x.real or x.abs()"
        )
    if not torch.is_floating_point(x):
        x = x.to(torch.get_default_dtype())
    if x.dim() < 2:
        raise ValueError(
            f"x must be a batch of inputs (N x ...), got shape {tuple(x.shape)}; "
            f"add a batch dimension with x[None]"
        )
    if len(x) == 0:
        raise ValueError(f"x holds no inputs (shape {tuple(x.shape)}): pass at least one")
    if not _finite(x):
        raise ValueError("x contains NaN or infinite values: clean or impute it first")
    return x.detach()


def _finite(values: torch.Tensor) -> bool:
    """Every value finite: a sum is finite only if every term is (NaN and infinity
    propagate), so one reduction decides the common case; a sum that overflows from finite
    values is checked in full."""
    return bool(torch.isfinite(values.sum()) or torch.isfinite(values).all())


def _check_options(spec: Method, options: dict) -> None:
    """Option values in range, by option name, before any computation."""
    for name, value in options.items():
        if name in ("n_steps", "n_samples", "seed"):
            smallest, largest = (0, 2**32 - 1) if name == "seed" else (1, None)
            whole_number(value, f"{spec.name}: {name}", smallest, largest)
        elif name in ("alpha", "beta"):
            real_number(value, f"{spec.name}: {name}")
        elif name == "epsilon" and not (
            isinstance(value, (int, float)) and np.isfinite(value) and value >= 0
        ):
            raise ValueError(
                f"{spec.name}: epsilon must be a finite number >= 0 (a small stabilizer such "
                f"as 0.01), got {value!r}"
            )
        elif name == "quadrature" and value not in QUADRATURES:
            raise ValueError(
                f"{spec.name}: quadrature must be one of {', '.join(QUADRATURES)}; got {value!r}"
            )
        elif name in ("window", "strides") and value is not None:
            sizes = tuple(value) if isinstance(value, (tuple, list)) else (value,)
            if not all(is_whole(v) and v >= 1 for v in sizes):
                raise ValueError(
                    f"{spec.name}: {name} must be positive integers, one per input "
                    f"dimension; got {value!r}"
                )


def _check_dtype(model, x: torch.Tensor) -> None:
    """x in the dtype of the model's parameters (numpy's default float64 against a float32
    model fails deep inside torch otherwise)."""
    parameters = model.parameters() if isinstance(model, nn.Module) else ()
    dtype = next((p.dtype for p in parameters if p.is_floating_point()), None)
    if dtype is not None and x.dtype != dtype:
        raise TypeError(
            f"x is {x.dtype} but the model's parameters are {dtype}: convert one to "
            f"the other, x.to({dtype}) or model.to({x.dtype})"
        )


def _targets(model, x, target) -> torch.Tensor:
    probe = x[:2].clone()  # two rows where there are: a model must keep its batch size
    out = games.checked_forward(
        model,
        probe,
        f"x of shape {tuple(x.shape)}",
        "x must be a batch of inputs shaped as the model takes them",
    )
    if not isinstance(out, torch.Tensor):
        raise TypeError(
            f"the model returns {type(out).__name__}, not a tensor: wrap it so that "
            f"it returns the outputs to explain, shape (N, K)"
        )
    if out.dim() != 2 or len(out) != len(probe):
        raise ValueError(
            f"the model maps a batch of {len(probe)} input(s) to shape {tuple(out.shape)}; "
            f"the methods need (N, K) outputs, one row per input: for one output per "
            f"input, return out.unsqueeze(1)"
        )
    n_outputs = out.shape[1]
    if target is None:
        if n_outputs != 1:
            raise ValueError(f"the model has {n_outputs} outputs: choose one with target=")
        target = 0
    try:
        requested = torch.as_tensor(target)
    except (TypeError, ValueError, RuntimeError) as err:
        raise TypeError(
            f"target must be an output index, or one per input; got {target!r}"
        ) from err
    if requested.dtype == torch.bool or requested.is_complex():
        raise TypeError(f"target must be an output index, or one per input; got {target!r}")
    if requested.is_floating_point() and (requested != requested.round()).any():
        raise ValueError(f"target must hold output indices (integers), got {target!r}")
    if requested.dim() > 1 or (requested.dim() == 1 and len(requested) not in (1, len(x))):
        raise ValueError(
            f"target must be one index or one per input ({len(x)}), got shape "
            f"{tuple(requested.shape)}"
        )
    target = requested.to(torch.int64).expand(len(x)).clone()
    bad = (target < 0) | (target >= n_outputs)
    if bad.any():
        raise ValueError(
            f"target {target[bad][0].item()} is out of range: the model has "
            f"{n_outputs} output(s), targets must be 0..{n_outputs - 1}"
        )
    return target


def _baselines(spec: Method, x: torch.Tensor, baseline) -> torch.Tensor:
    b = as_tensor(baseline, "baseline", dtype=x.dtype)
    if not _finite(b):
        raise ValueError(
            "the baseline contains NaN or infinite values (in a distribution of "
            "baselines, in some row): clean or impute it first"
        )
    if spec.baseline == "distribution" and b.dim() == x.dim() and len(b) == 0:
        raise ValueError(
            f"{spec.name} takes a distribution of baselines and got none (0 rows): "
            f"pass samples shaped (M, {', '.join(map(str, x.shape[1:]))}), M >= 1"
        )
    if spec.baseline == "none":
        if (b != 0).any():
            raise ValueError(
                f"{spec.title} has no baseline: it explains f(x) itself, from the "
                f"root point 0; leave baseline=0 (the gap is reported against f(0))"
            )
        return torch.zeros_like(x)
    if spec.baseline == "distribution":
        if b.dim() != x.dim() or b.shape[1:] != x.shape[1:]:
            raise ValueError(
                f"{spec.name} takes a distribution of baselines: samples shaped "
                f"(M, {', '.join(map(str, x.shape[1:]))}), e.g. training rows; "
                f"got {tuple(b.shape)}"
            )
        return b
    try:
        return b.expand(*x.shape).clone() if b.dim() < x.dim() else b.expand_as(x).clone()
    except RuntimeError as err:
        raise ValueError(
            f"baseline of shape {tuple(b.shape)} does not broadcast to x of shape "
            f"{tuple(x.shape)}: pass a number, one input, or one per input"
        ) from err


class ReadOnlyInput(nn.Module):
    """``model(z.clone())``: the model sees a copy of every input it is given, so a model
    that writes into its input cannot change the caller's tensors. The output of a call on
    exactly ``watch`` (same shape, same values) is kept as ``at_watch``: the completeness
    gap then needs no forward pass of its own at x (a model in eval mode gives the same
    output for the same input)."""

    def __init__(self, model: Model, watch: torch.Tensor | None = None):
        super().__init__()
        self.model = model
        self.watch = watch
        self.at_watch: torch.Tensor | None = None

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        out = self.model(z.clone())
        watch = self.watch
        if watch is not None and self.at_watch is None and z.shape == watch.shape:
            if torch.equal(z.detach(), watch):
                self.at_watch = out.detach()
        return out


def attribute(
    method: str,
    model: nn.Module,
    x: ArrayLike,
    baseline: ArrayLike = 0.0,
    target: Target = None,
    players: Players = None,
    **options: object,
) -> Attribution:
    """Scores of ``method`` for every input of the batch ``x``, with their completeness gaps.

    Parameters
    ----------
    method : str
        A registered method (``methods.REGISTRY``; paper A's fourteen:
        :data:`~unified_attribution.methods.PAPER_A_METHODS`).
    model : torch.nn.Module
        Maps a batch (N, ...) to outputs (N, K). Evaluated in eval mode (dropout off); the
        modes of its modules are restored afterwards.
    x : tensor, shape (N, ...)
        The inputs, with the batch dimension, in the model's dtype.
    baseline : number or tensor
        A number, one input (x[0]'s shape) or one per input (N, ...). For the methods that
        take a distribution (Expected Gradients, Prediction Difference, DeepShap), samples
        (M, ...). The methods without a baseline (LRP, Deep Taylor, Grad-CAM) take 0.
    target : int, sequence of N ints, or None
        The output explained, per input; None only for a model with one output.
    players : labels or groups, optional
        Element groups for the methods that take them (Occlusion-patch, Prediction
        Difference, Shapley value): as :class:`~unified_attribution.games.MaskingGame`.
    **options
        The method's options with their defaults, ``get(method).options`` (e.g. ``n_steps``).

    Returns
    -------
    Attribution
        ``scores`` shaped like ``x``, ``output_change`` = f(x) - f(b), ``gap`` (captum's
        convergence delta), and the ``target``, ``baseline`` and ``options`` used.

    Examples
    --------
    >>> import torch
    >>> from unified_attribution import attribute
    >>> model = torch.nn.Linear(3, 1).double()
    >>> with torch.no_grad():
    ...     _ = model.weight.copy_(torch.tensor([[1.0, -2.0, 0.5]]))
    >>> x = torch.tensor([[1.0, 1.0, 2.0]], dtype=torch.float64)
    >>> result = attribute("integrated_gradients", model, x, baseline=0.0)
    >>> [round(a, 6) for a in result.scores[0].tolist()]  # w_i x_i for a linear model
    [1.0, -2.0, 1.0]
    >>> abs(float(result.gap[0])) < 1e-6  # complete, up to the quadrature's error
    True
    """
    spec = get(method)
    unknown = set(options) - set(spec.options)
    if unknown:
        raise TypeError(
            f"{method} has no option {', '.join(sorted(unknown))}; its options: "
            f"{spec.options or 'none'}"
        )
    if players is not None and not spec.players:
        grouped = ", ".join(m.name for m in REGISTRY.values() if m.players)
        raise TypeError(
            f"{method} takes no players= (it would be ignored); methods with players: {grouped}"
        )
    options = {  # sizes given as a numpy array: read as the tuple they are
        k: tuple(v.tolist()) if isinstance(v, np.ndarray) and k in ("window", "strides") else v
        for k, v in options.items()
    }
    if not callable(model):
        raise TypeError(
            f"model must be a torch module (or a function of a batch of inputs); got "
            f"{type(model).__name__}"
        )
    _check_options(spec, options)
    x = _as_batch(x)
    _check_dtype(model, x)
    with games.eval_mode(model):  # a model left in training mode is explained as evaluated
        return _attribute(spec, model, x, baseline, target, players, options)


def _attribute(spec: Method, model, x, baseline, target, players, options) -> Attribution:
    method = spec.name
    target = _targets(model, x, target)
    baseline = _baselines(spec, x, baseline)
    # a model that writes into its input (z.sub_(1), a leading in-place activation) must not
    # change the tensors captum and the games reuse; the methods on the traced graph read
    # the model's layers and refuse such operations themselves
    protected = spec.traced or spec.copies_input
    runner_model = model if protected else ReadOnlyInput(model, watch=x)
    try:
        with graph.watching(x) as graph_output:  # the traced graph's evaluation at x
            scores = spec.run(runner_model, x.clone(), baseline, target, players, **options)
        scores = scores.detach()
    except RuntimeError as err:
        if spec.family == "gradient" and "does not require grad" in str(err):
            raise ValueError(
                f"{spec.title} needs gradients, but the model's output does not "
                f"depend differentiably on its input (detached, or computed "
                f"without autograd); use a perturbation method instead"
            ) from err
        raise
    forward = selected(model, target)
    rows = torch.arange(len(x), device=x.device)
    with torch.no_grad():  # copies: a model that writes into its input changes nothing here
        seen = (
            runner_model.at_watch
            if isinstance(runner_model, ReadOnlyInput)
            else graph_output.get("output")
        )
        fx = seen.reshape(len(x), -1)[rows, target] if seen is not None else forward(x.clone())
        if spec.baseline == "distribution":
            fb = model(baseline.clone()).reshape(len(baseline), -1)[:, target].mean(dim=0)
        elif spec.baseline == "none" or torch.equal(baseline, baseline[:1].expand_as(baseline)):
            # one row for all (for a method without a baseline: the zeros)
            fb = model(baseline[:1].clone()).reshape(1, -1)[0, target]
        else:
            fb = forward(baseline.clone())
    half = x.dtype in (torch.float16, torch.bfloat16)
    for what, values in (("f(x)", fx), ("f(b)", fb), ("the scores", scores)):
        if not _finite(values):
            raise ValueError(
                f"{spec.title}: {what} is NaN or infinite for some input; its attribution would "
                "be meaningless. Check the model at x and at the baseline (overflow, a division "
                "by zero, log of 0)"
                + (
                    f"; in {x.dtype} small stabilizers (LRP's epsilon) underflow and sums "
                    "overflow early: model.float() and x.float() avoid both"
                    if half
                    else ""
                )
            )
    per_player = scores
    if players is not None:  # grouped scores repeat per element: count each player once
        labels = games.player_labels(players, x[0])
        sizes = np.bincount(labels[labels >= 0])
        weight = np.where(labels >= 0, 1.0 / sizes[np.maximum(labels, 0)], 0.0)
        per_player = scores * torch.as_tensor(weight, dtype=x.dtype).reshape(x.shape[1:])
    gap = per_player.reshape(len(x), -1).sum(dim=1) - (fx - fb)
    return Attribution(
        method,
        scores,
        gap,
        fx - fb,
        target=target,
        baseline=baseline,
        options={**spec.options, **options},
    )
