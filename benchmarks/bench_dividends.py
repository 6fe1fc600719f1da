"""Benchmark: exact Harsanyi dividends.

1. ``unified_attribution.games.moebius`` against shapiq's ``ExactComputer(...)("Moebius")``
   on the same games (random tables of 2**n values, n = 8..14): both start from the same
   table, so the comparison is of everything from game values to all dividends. Both are
   timed in one run, best of ``--repeat`` (ours, which takes a tenth of a millisecond, best
   of at least 50); their values are compared.
2. ``harsanyi(MaskingGame(...))`` and its Shapley values on the trained digits MLP with 16
   players (2x2 patches) and 20 to 26 players (the 64 pixels in contiguous groups; above
   the default limit of 22 with ``max_players``): in a warm run, the model's forward passes,
   the masking around them (``values()`` less the forward passes, as a share of the forward
   passes) and the transform; the peak memory added by the first (cold) run; each
   configuration in a fresh subprocess (one run of each above 22 players, where a run takes
   up to a minute).
3. The default batch (``MaskingGame``'s, sized by the largest activation of one input)
   against the earlier default of 2**16 coalitions per forward pass, side by side in one
   run: ``values()`` of the digits MLP (20 players) and the digits CNN (16 patches).

Results go to ``benchmarks/results/dividends.json``; the book's "Cost" page reads them.
Run with ``make benchmark`` (one torch thread, as everywhere in this project).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from timing import best_of  # benchmarks/ is on the path when a script runs

RESULTS = Path(__file__).resolve().parent / "results" / "dividends.json"


def transform_vs_shapiq(sizes, repeat: int) -> list[dict]:
    import shapiq

    from unified_attribution import games

    def TableGame(table):  # shapiq's view of the same table (games.as_shapiq_game)
        return games.as_shapiq_game(games.TabularGame(table))

    rows = []
    for n in sizes:
        table = np.random.default_rng(n).normal(size=2**n)
        # ours takes a tenth of a millisecond: best of more runs, so that one busy moment of
        # a shared machine does not decide the ratio (shapiq's runs are long enough for 3)
        ours_s, ours = best_of(max(repeat, 50), lambda: games.moebius(table))
        theirs_s, theirs = best_of(
            repeat, lambda: shapiq.ExactComputer(n_players=n, game=TableGame(table))("Moebius")
        )
        diff = max(
            abs(theirs.values[pos] - ours[games.mask_of(s, n)])
            for s, pos in theirs.interaction_lookup.items()
        )
        rows.append(
            {
                "players": n,
                "ours_s": ours_s,
                "shapiq_s": theirs_s,
                "speedup": theirs_s / ours_s,
                "max_abs_difference": float(diff),
            }
        )
        print(
            f"  n={n:2d}  ours {ours_s * 1e3:9.2f} ms  shapiq {theirs_s * 1e3:10.1f} ms  "
            f"x{theirs_s / ours_s:8.0f}  max |diff| {diff:.1e}",
            flush=True,
        )
    return rows


def _pixel_groups(n_players: int) -> list[list[int]]:
    from unified_attribution import games

    if n_players == 16:
        return games.patches((8, 8), 2).reshape(-1)
    return [list(g) for g in np.array_split(np.arange(64), n_players)]


def _rss_kib(field: str) -> int:
    """VmRSS (current) or VmHWM (peak since the last reset) of this process, in KiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status (Linux only)")


def one_masking_run(n_players: int) -> dict:
    """Run in a subprocess: time and peak memory of all dividends of the digits MLP."""
    import torch

    torch.set_num_threads(1)
    from attribution_book import data, zoo
    from unified_attribution import games

    model = zoo.load("digits_mlp", progress=False)
    x = torch.as_tensor(data.load("digits").X_test[0])
    forward_s = 0.0

    class Timed(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, batch):
            nonlocal forward_s
            start = time.perf_counter()
            out = self.inner(batch)
            forward_s += time.perf_counter() - start
            return out

    game = games.MaskingGame(
        Timed(model.module),
        x,
        0.0,
        players=_pixel_groups(n_players),
        target=0,
        max_players=max(n_players, games.MAX_EXACT_PLAYERS),
    )
    # first (cold) run: the peak memory it adds; second (warm) run: where the time goes
    rss_before = _rss_kib("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")  # reset the peak (VmHWM) to the current RSS
    start = time.perf_counter()
    games.harsanyi(game).shapley()
    cold_s = time.perf_counter() - start
    peak_kib = _rss_kib("VmHWM")
    peak_extra_kib = peak_kib - rss_before
    forward_s = 0.0
    start = time.perf_counter()
    values = game.values()
    values_s = time.perf_counter() - start
    start = time.perf_counter()
    effects = games.Effects.from_values(values, in_place=True)  # what harsanyi(game) does
    transform_s = time.perf_counter() - start
    total_s = values_s + transform_s
    assert np.isfinite(effects.dividends).all()
    return {
        "players": n_players,
        "coalitions": 2**n_players,
        "batch_size": game.batch_size,
        "total_s": total_s,
        "cold_total_s": cold_s,
        "forward_s": forward_s,
        "masking_s": values_s - forward_s,
        "masking_share": (values_s - forward_s) / forward_s,  # of the forward passes' time
        "transform_s": transform_s,
        "outside_share": 1 - forward_s / total_s,
        "peak_extra_mib": peak_extra_kib / 1024,
        "peak_rss_mib": peak_kib / 1024,
        "dividend_array_mib": 2**n_players * 8 / 2**20,
    }


def masking_share(sizes, repeat: int) -> list[dict]:
    rows = []
    for n in sizes:
        runs = []
        for _ in range(repeat if n <= 22 else 1):
            out = subprocess.run(
                [sys.executable, __file__, "--one-masking-run", str(n)],
                capture_output=True,
                text=True,
                check=True,
            )
            runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
        best = min(runs, key=lambda r: r["total_s"])
        rows.append(best)
        print(
            f"  n={n:2d}  total {best['total_s']:.2f} s  forward {best['forward_s']:.2f} s  "
            f"masking {best['masking_share']:.1%} of it  transform {best['transform_s']:.3f} s  "
            f"peak +{best['peak_extra_mib']:.0f} MiB ({best['peak_rss_mib']:.0f} MiB in all)",
            flush=True,
        )
    return rows


#: The default batch before it was sized by the model's activations: 16 MiB of masked
#: inputs, 2**16 digits.
EARLIER_DEFAULT_BATCH = 2**16


def batch_rule(repeat: int) -> list[dict]:
    """``values()`` at the default batch and at the earlier default, side by side."""
    import torch

    torch.set_num_threads(1)
    from attribution_book import data, zoo
    from unified_attribution import games

    digits = data.load("digits")
    cases = (("digits_mlp", 20), ("digits_cnn", 16))
    rows = []
    for name, n_players in cases:
        trained = zoo.load(name, progress=False)
        x = trained.inputs(digits.X_test[:1])[0]
        players = games.patches((1, 8, 8), 2) if x.dim() == 3 else _pixel_groups(n_players)
        times = {}
        for label, batch_size in (("default", None), ("earlier", EARLIER_DEFAULT_BATCH)):
            game = games.MaskingGame(
                trained.module, x, 0.0, players=players, target=0, batch_size=batch_size
            )
            times[label], _ = best_of(repeat, game.values)
            times[f"{label}_batch"] = game.batch_size
        rows.append(
            {
                "model": name,
                "players": n_players,
                **times,
                "speedup": times["earlier"] / times["default"],
            }
        )
        print(
            f"  {name} ({n_players} players): batch {times['default_batch']:,} "
            f"{times['default']:.3f} s, batch {times['earlier_batch']:,} {times['earlier']:.3f} s"
            f" (x{times['earlier'] / times['default']:.1f})",
            flush=True,
        )
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sizes", type=int, nargs="+", default=list(range(8, 15)))
    parser.add_argument("--masking-sizes", type=int, nargs="+", default=[16, 20, 22, 24, 25, 26])
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--one-masking-run", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one_masking_run:
        print(json.dumps(one_masking_run(args.one_masking_run)))
        return 0
    import shapiq
    import torch

    print("exact dividends: ours against shapiq ExactComputer('Moebius')", flush=True)
    transform = transform_vs_shapiq(args.sizes, args.repeat)
    print("digits MLP: share of time outside the forward passes", flush=True)
    masking = masking_share(args.masking_sizes, args.repeat)
    print("default batch against the earlier default (2**16 coalitions)", flush=True)
    batches = batch_rule(args.repeat)
    result = {
        "machine": {
            "python": platform.python_version(),
            "torch": torch.__version__,
            "shapiq": getattr(shapiq, "__version__", None) or _version("shapiq"),
            "cpu_count": os.cpu_count(),
            "threads": 1,
            "platform": platform.platform(),
        },
        "date": time.strftime("%Y-%m-%d"),
        "repeat": args.repeat,
        "transform": transform,
        "masking": masking,
        "batch_rule": batches,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.output}")
    return 0


def _version(package: str) -> str:
    from importlib.metadata import version

    return version(package)


if __name__ == "__main__":
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    sys.exit(main())
