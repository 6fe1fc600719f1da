"""The seed sweep: the chapters whose verdicts depend on random draws, re-executed at K seeds.

Each (chapter, seed) is a task: papermill executes ``notebooks/<chapter>.py`` with the full
profile and that ``seed`` (:func:`attribution_book.bookbuild.execute.execute_one`), and the
task writes the verdicts it recorded (every glued ``claim_<id>``, its numbers and its
deciding number) to a file of its own, so a rerun skips finished tasks. The tasks run on
Dask distributed (:mod:`attribution_book.cluster`): by default a local cluster of
single-threaded workers, one per core; with ``--scheduler ADDRESS`` (or
:data:`attribution_book.cluster.SCHEDULER_ENV`) on a lab's existing cluster, whose workers
have this package installed. A failed task is retried once, then reported by name
while the rest completes. When every task has finished, :data:`RESULTS` gets each seed's
verdicts with provenance (commit, CPU, torch build, date).

The ledger reads it back (:func:`stability`): per verdict "same in k of K seeds" and the
range of its deciding number, each seed's verdict where they differ, "exact" for verdicts
checked in sympy, and a stale sweep (its seed-0 verdicts differ from this build's) as stale.

Usage::

    python -m attribution_book.sweep --seeds 5
    python -m attribution_book.sweep --seeds 50 --scheduler tcp://10.0.0.5:8786
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from functools import partial
from pathlib import Path

from unified_attribution.checks import is_whole

from . import claims, cluster

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = ROOT / "notebooks"
RESULTS = ROOT / "benchmarks" / "results" / "seed_sweep.json"
WORKDIR = ROOT / "_build" / "sweep"
#: The chapters whose recorded verdicts depend on the papermill ``seed``: trained models and
#: the test rows drawn with it. The others decide theirs by exact checks (sympy), on fixed
#: probes, or from stored benchmark runs (whose own seed loop is read by :func:`stored_seeds`).
SWEPT = ("faithfulness", "sasanet_architecture", "sasanet_shapley")


def tasks(chapters: list[str], seeds: list[int], notebook_dir: Path = NOTEBOOK_DIR) -> list:
    """The (chapter, seed) pairs, checked: every chapter exists, every seed is an integer."""
    known = sorted(p.stem for p in Path(notebook_dir).glob("*.py"))
    unknown = [c for c in chapters if c not in known]
    if unknown:
        raise ValueError(f"unknown chapter(s) {unknown}; chapters: {', '.join(known)}")
    bad = [s for s in seeds if not is_whole(s)]
    if bad:
        raise TypeError(f"seeds must be integers, got {bad}")
    if not chapters or not seeds:
        raise ValueError("a sweep needs at least one chapter and one seed")
    return [(c, s) for c in chapters for s in seeds]


def inputs_digest(notebook_dir: Path, chapter: str) -> str:
    """What a chapter's verdicts depend on in this checkout, digested (its source, the
    packages' sources, the stored results, the pins: the book build's
    :func:`attribution_book.bookbuild.execute.inputs_digest`; the seed is in the part file's
    name). A part file written under another digest is stale and is not reused."""
    from .bookbuild.execute import inputs_digest as digest_of

    return digest_of(Path(notebook_dir) / f"{chapter}.py", {})


def part_file(workdir: Path, chapter: str, seed: int, digest: str) -> Path:
    return Path(workdir) / "parts" / f"{chapter}-seed{seed}-{digest}.json"


def run_task(
    task: tuple, workdir: str, notebook_dir: str, digests: dict, profile: str = "full"
) -> dict:
    """Execute one (chapter, seed) and write its verdicts (a Dask task; returns them).
    Raises RuntimeError with the failing cell's traceback if the chapter fails."""
    from .bookbuild.execute import execute_one, path_with_this_python

    chapter, seed = task
    os.environ["PATH"] = path_with_this_python()
    out = Path(workdir) / f"{chapter}-seed{seed}"
    result = execute_one(
        Path(notebook_dir) / f"{chapter}.py", out, {"profile": profile, "seed": seed}
    )
    if not result.ok:
        raise RuntimeError(result.error)
    values = claims.glued(result.output)
    verdicts = {
        name: {
            "verdict": values[name],
            "numbers": values.get(f"{name}_numbers", ""),
            "value": (values.get(f"{name}_detail") or {}).get("value"),
        }
        for name in values
        if name.startswith("claim_") and f"{name}_rule" in values
    }
    record = {"chapter": chapter, "seed": seed, "seconds": result.seconds, "verdicts": verdicts}
    target = part_file(workdir, chapter, seed, digests[chapter])
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_suffix(".tmp")
    temporary.write_text(json.dumps(record, indent=1))
    temporary.replace(target)  # atomic: a task's file is whole or absent
    return record


def run(
    todo: list,
    client,
    workdir: Path = WORKDIR,
    notebook_dir: Path = NOTEBOOK_DIR,
    profile: str = "full",
    progress: bool = True,
) -> tuple[list[dict], list[tuple[str, int, str]]]:
    """Run the tasks not finished yet on ``client``, each retried once
    (:func:`attribution_book.cluster.gather`); return (every finished record, failures as
    (chapter, seed, error)). A task is finished when its part file exists for the chapter's
    :func:`inputs_digest`: after a change of the chapter or the package it runs again."""
    digests = {c: inputs_digest(notebook_dir, c) for c in {c for c, _ in todo}}

    def part(task):
        return part_file(workdir, *task, digests[task[0]])

    pending = [t for t in todo if not part(t).exists()]
    _, failed = cluster.gather(
        client,
        partial(
            run_task,
            workdir=str(workdir),
            notebook_dir=str(notebook_dir),
            digests=digests,
            profile=profile,
        ),
        pending,
        "sweep",
        progress,
        done=len(todo) - len(pending),
    )
    records = [json.loads(part(t).read_text()) for t in todo if part(t).exists()]
    return records, [(c, s, str(e)) for (c, s), e in failed]


def merge(records: list[dict], seeds: list[int], chapters: list[str], seconds: float) -> dict:
    """The sweep's file: provenance, and per claim glue name each seed's verdict."""
    by_claim: dict[str, dict] = {}
    for r in sorted(records, key=lambda r: (r["chapter"], r["seed"])):
        for name, found in r["verdicts"].items():
            by_claim.setdefault(name, {"chapter": r["chapter"], "seeds": {}})
            by_claim[name]["seeds"][str(r["seed"])] = found
    return {
        **cluster.provenance(),
        "seeds": seeds,
        "chapters": chapters,
        "profile": "full",
        "seconds": round(seconds),
        "claims": by_claim,
    }


def stored_seeds(results: dict) -> dict:
    """Per-seed verdicts of the claims decided by the comparison benchmark's own seed loop
    (``benchmarks/results/comparison.json``), in the sweep's form: ``{glue name: {"chapter",
    "seeds": {seed: {"verdict", "numbers", "value"}}}}`` (see
    :func:`attribution_book.comparison.verdicts_by_seed`)."""
    from .comparison import verdicts_by_seed

    out = {}
    for seed, decided in verdicts_by_seed(results).items():
        for claim_id, v in decided.items():
            entry = out.setdefault(
                claims.glue_name(claim_id), {"chapter": "sasanet_baselines", "seeds": {}}
            )
            entry["seeds"][str(seed)] = {
                "verdict": v.verdict,
                "numbers": v.numbers,
                "value": v.value,
            }
    return out


def stability(sweep: dict | None, rows: list[dict]) -> dict[str, str]:
    """Per claim id, what the ledger says of its verdict over seeds (see the module doc)."""
    out = {}
    entries = (sweep or {}).get("claims", {})
    for r in rows:
        detail = r.get("detail") or {}
        entry = entries.get(claims.glue_name(r["id"]))
        if r.get("chapter") is None:
            continue
        if detail.get("exact"):
            out[r["id"]] = "exact (sympy), not swept"
            continue
        if entry is None:
            if detail.get("stored"):
                out[r["id"]] = (
                    "depends on the seed: decided by stored benchmark runs at one seed, not swept"
                )
            elif r["chapter"] in SWEPT:
                out[r["id"]] = "not swept yet (make sweep)"
            elif detail.get("seeded"):
                out[r["id"]] = "depends on the seed (trained models, drawn inputs), not swept"
            else:
                out[r["id"]] = (
                    "not swept (decided on fixed inputs: no draw depends on the chapter's seed)"
                )
            continue
        by_seed = entry["seeds"]
        first = by_seed.get("0", next(iter(by_seed.values())))
        same = [s for s, v in by_seed.items() if v["verdict"] == r["verdict"]]
        values = [v["value"] for v in by_seed.values() if v.get("value") is not None]
        span = ""
        if values:
            low, high = f"{min(values):.3g}", f"{max(values):.3g}"
            name = detail.get("measure") or "deciding number"
            span = f", {name} {low} at every seed" if low == high else f", {name} {low} to {high}"
        span += _sub_counts([v["numbers"] for v in by_seed.values()])
        source = "stored benchmark seeds" if entry["chapter"] == "sasanet_baselines" else "seeds"
        if r.get("off_book"):
            text = (
                f"not compared with the sweep: this build ran the chapter with {r['off_book']}, "
                "the sweep with the book's parameters"
            )
        elif first["verdict"] != r["verdict"]:
            text = f"stale sweep: its seed 0 says {first['verdict']!r}, this build {r['verdict']!r}"
        elif len(same) == len(by_seed):
            text = f"same in {len(same)} of {len(by_seed)} {source}{span}"
        else:
            each = ", ".join(f"seed {s}: {v['verdict']}" for s, v in by_seed.items())
            text = f"unstable: same in {len(same)} of {len(by_seed)} {source} ({each}){span}"
        out[r["id"]] = text
    return out


def _sub_counts(numbers: list[str]) -> str:
    """The range over seeds of every count in the numbers' first clause ("1 of 6 pairs hold,
    0 reversed, 5 not decided" -> "; counts over seeds: 1 of 6 pairs hold, 0 to 2 reversed,
    3 to 5 not decided"):
    a verdict the same at every seed may hide sub-counts that move."""
    counts: dict[str, list[int]] = {}
    for text in numbers:
        head = re.split(r"[;(]", text, maxsplit=1)[0]
        for part in head.split(", "):
            found = re.fullmatch(r"(\d+) (.+?)", part.strip())
            if found:
                counts.setdefault(found[2], []).append(int(found[1]))
    counts = {label: c for label, c in counts.items() if len(c) == len(numbers)}
    if all(min(c) == max(c) for c in counts.values()):
        return ""  # nothing moves: the verdict's line says enough
    shown = [
        f"{min(c)} to {max(c)} {label}" if min(c) != max(c) else f"{c[0]} {label}"
        for label, c in counts.items()
    ]
    return "; counts over seeds: " + ", ".join(shown)


def load(path: Path = RESULTS) -> dict | None:
    """The stored sweep, or None if none was run."""
    return json.loads(Path(path).read_text()) if Path(path).exists() else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seeds", type=int, default=5, help="K: seeds 0..K-1 (default 5)")
    parser.add_argument(
        "--seed", type=int, action="append", dest="seed_list", help="one seed (repeatable)"
    )
    parser.add_argument("--chapter", action="append", dest="chapters", help="repeatable")
    parser.add_argument(
        "--scheduler",
        default=None,
        help=f"an existing scheduler (default: ${cluster.SCHEDULER_ENV})",
    )
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--workdir", type=Path, default=WORKDIR)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    seeds = args.seed_list or list(range(args.seeds))
    chapters = args.chapters or list(SWEPT)
    try:
        todo = tasks(chapters, seeds)
        client = cluster.client(args.scheduler, args.workers)
    except (ValueError, TypeError, ConnectionError) as err:
        print(f"sweep: {err}", file=sys.stderr)
        return 2
    start = time.perf_counter()
    print(f"sweep: {len(todo)} tasks on {client}", flush=True)
    with client:
        records, failures = run(todo, client, args.workdir)
    for chapter, seed, error in failures:
        print(f"\n=== {chapter} seed {seed} failed ===\n{error}", file=sys.stderr)
    if failures:
        print(
            f"sweep: {len(failures)} of {len(todo)} tasks failed "
            f"({', '.join(f'{c} seed {s}' for c, s, _ in failures)}); the finished ones are "
            f"kept in {args.workdir}/parts and skipped by a rerun; {args.output} is unchanged",
            file=sys.stderr,
        )
        return 1
    found = merge(records, seeds, chapters, time.perf_counter() - start)
    found["task seconds"] = round(sum(r["seconds"] for r in records))
    comparison_file = args.output.parent / "comparison.json"
    if comparison_file.exists():
        found["claims"].update(stored_seeds(json.loads(comparison_file.read_text())))
    temporary = args.output.with_suffix(".tmp")
    temporary.write_text(json.dumps(found, indent=1) + "\n")
    temporary.replace(args.output)
    print(f"sweep: {len(todo)} tasks, {found['seconds']} s -> {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
