"""Benchmark: the fourteen methods on a ResNet, against captum and zennit, side by side.

A torchvision-style ResNet (``attribution_book.architectures.ResNet``, width 8, BatchNorm
with random statistics) on a batch of 64 random 3 x 32 x 32 images, float32, one thread.
Each method of ours is timed beside its counterpart in one run, alternating which goes
first, best of ``--repeat``: captum's InputXGradient, IntegratedGradients (64 Gauss-Legendre
nodes), GradientShap (64 samples), DeepLift and DeepLiftShap (on a copy with one ReLU per
use, which captum needs; 8 background rows), LayerGradCam, FeatureAblation, Occlusion and
ShapleyValues (4 players); zennit with its canonizers for LRP-epsilon, alpha-beta and Deep
Taylor (captum's LRP is timed too, though it is wrong on this network). The perturbation
methods run on the first 8 images (thousands of forward passes each).

Reported: each ratio ours / counterpart, and each propagation method's time in units of one
forward-and-backward pass of the model on the batch (per baseline row for DeepShap).
Results go to ``benchmarks/results/propagation.json``. Run with ``make benchmark``.
"""

from __future__ import annotations

import argparse
import json
import platform
import warnings
from pathlib import Path

import torch
from timing import best_of  # benchmarks/ is on the path when a script runs

from attribution_book import architectures, crosscheck, oracles
from unified_attribution import attribute, games, methods

RESULTS = Path(__file__).resolve().parent / "results" / "propagation.json"
BATCH, SMALL, BACKGROUND = 64, 8, 8


def counterparts(model, twin, x, target, background):
    """method -> (library, a call of the counterpart on the same inputs)."""
    from captum import attr

    zero = torch.zeros_like(x)
    small, small_target = x[:SMALL], target[:SMALL]
    quarter = torch.as_tensor(games.patches((3, 32, 32), 16))[None]  # 4 players of 16 x 16

    def zennit(name):
        rule, first = oracles.zennit_rules(name, dict(methods.get(name).options))
        return lambda: oracles.zennit_lrp(model, x, target, rule, first)

    return {
        "gradient_x_input": (
            "captum",
            lambda: attr.InputXGradient(model).attribute(x, target=target),
        ),
        "integrated_gradients": (
            "captum",
            lambda: attr.IntegratedGradients(model).attribute(
                x,
                zero,
                target=target,
                n_steps=64,
                method="gausslegendre",
                internal_batch_size=BATCH,
            ),
        ),
        "expected_gradients": (
            "captum",
            lambda: attr.GradientShap(model).attribute(
                x, background, n_samples=64, stdevs=0.0, target=target
            ),
        ),
        "lrp_epsilon": ("zennit", zennit("lrp_epsilon")),
        "lrp_alpha_beta": ("zennit", zennit("lrp_alpha_beta")),
        "deep_taylor": ("zennit", zennit("deep_taylor")),
        "deeplift_rescale": (
            "captum",
            lambda: attr.DeepLift(twin).attribute(x, zero, target=target),
        ),
        "deep_shap": (
            "captum",
            lambda: attr.DeepLiftShap(twin).attribute(x, background, target=target),
        ),
        "grad_cam": (
            "captum",
            lambda: attr.LayerAttribution.interpolate(
                attr.LayerGradCam(model, model.layer2).attribute(x, target=target),
                (32, 32),
                "bilinear",
            ),
        ),
        "occlusion_1": (
            "captum",
            lambda: attr.FeatureAblation(model).attribute(small, 0.0, target=small_target),
        ),
        "occlusion_patch": (
            "captum",
            lambda: attr.Occlusion(model).attribute(
                small, (3, 4, 4), (3, 4, 4), 0.0, target=small_target
            ),
        ),
        "shapley_value": (
            "captum",
            lambda: attr.ShapleyValues(model).attribute(
                small, 0.0, target=small_target, feature_mask=quarter
            ),
        ),
    }, quarter[0]


def ours(name, model, x, target, background, players):
    spec = methods.get(name)
    rows = SMALL if spec.family == "perturbation" else BATCH
    baseline = background if spec.baseline == "distribution" else 0.0
    options = {}
    if spec.players:
        options["players"] = players
    if name == "occlusion_patch":
        options = {"window": (3, 4, 4), "strides": (3, 4, 4)}
    if name == "expected_gradients":
        options["n_samples"] = 64
    if name == "prediction_difference":
        options["n_samples"] = 8
    if name == "grad_cam":
        options["layer"] = "layer2"
    return lambda: attribute(name, model, x[:rows], baseline, target=target[:rows], **options)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    warnings.filterwarnings("ignore")
    torch.manual_seed(0)
    model = architectures.with_random_statistics(architectures.ResNet(3, 8, 10))
    twin = architectures.with_one_activation_per_use(model)
    generator = torch.Generator().manual_seed(1)
    x = torch.rand(BATCH, 3, 32, 32, generator=generator)
    background = torch.rand(BACKGROUND, 3, 32, 32, generator=generator)
    target = torch.arange(BATCH) % 10
    references, players = counterparts(model, twin, x, target, background)

    def forward_backward():
        z = x.clone().requires_grad_()
        torch.autograd.grad(model(z)[torch.arange(BATCH), target].sum(), z)

    one_pass, _ = best_of(args.repeat + 2, forward_backward)
    rows = []
    for k, name in enumerate(methods.PAPER_A_METHODS):
        mine = ours(name, model, x, target, background, players)
        library, theirs = references.get(name, (None, None))
        timed = {}
        order = (
            [("ours", mine), (library, theirs)]
            if k % 2 == 0
            else [(library, theirs), ("ours", mine)]
        )
        for label, fn in order:
            if fn is not None:
                timed[label] = best_of(args.repeat, fn)[0]
        spec = methods.get(name)
        row = {"method": spec.title, "ours_s": timed["ours"], "counterpart": library}
        if library is not None:
            row |= {"counterpart_s": timed[library], "ratio": timed["ours"] / timed[library]}
        if spec.traced:  # the propagation rules and Grad-CAM, on the traced graph
            per_row = len(background) if spec.baseline == "distribution" else 1
            row["passes"] = timed["ours"] / one_pass / per_row
        rows.append(row)
        shown = f"{row.get('ratio', float('nan')):6.2f}x {library or '-':7}"
        passes = f"  {row['passes']:5.2f} passes" if "passes" in row else ""
        print(f"{spec.title:22} ours {timed['ours']:8.3f} s  {shown}{passes}", flush=True)
    captum_lrp, _ = best_of(
        args.repeat, lambda: crosscheck.captum_lrp_as_is(model, x, target, 0.01)
    )
    RESULTS.write_text(
        json.dumps(
            {
                "machine": platform.processor() or platform.machine(),
                "torch": torch.__version__,
                "batch": BATCH,
                "perturbation_batch": SMALL,
                "forward_backward_s": one_pass,
                "captum_lrp_s": captum_lrp,
                "rows": rows,
            },
            indent=1,
        )
    )
    print(f"one forward and backward pass: {one_pass:.3f} s; captum's LRP {captum_lrp:.3f} s")
    print(f"wrote {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
