"""Execute the book's notebooks: jupytext ``.py`` -> ``.ipynb`` -> papermill.

Every ``notebooks/*.py`` (jupytext percent format, with a cell tagged ``parameters`` that
holds at least ``profile`` and ``seed``) is converted and executed with papermill into
``book/executed/<name>.ipynb``, where ``_toc.yml`` expects it. Up to ``--jobs`` notebooks
run at once, each kernel with one torch/BLAS thread (two busy threads per process on a
two-core machine spin-wait and run many times slower). Kernels talk over Unix sockets
(ZeroMQ ``ipc``), not TCP: with TCP, jupyter_client picks free ports, closes them and lets the
kernel bind them later, so two kernels started at once (or anything else on a shared machine)
can take the same port and the kernel dies with "Address already in use".

A failing cell stops the build: the command exits 1 and prints the notebook's name, the
cell's source and its traceback; the partial notebook is kept as ``<name>.failed.ipynb``
and no stale ``<name>.ipynb`` is left behind for the book build to pick up.

Usage::

    python -m attribution_book.bookbuild.execute --profile full
    python -m attribution_book.bookbuild.execute --only models_and_data -p seed 3
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import yaml
from jupyter_client import AsyncKernelManager
from jupyter_core.paths import jupyter_runtime_dir

from attribution_book import PROFILES

NOTEBOOK_DIR = Path("notebooks")
OUTPUT_DIR = Path("book/executed")
#: Pages that read the other chapters' executed notebooks (parameter ``executed_dir``): they
#: run after every other notebook of the same call has ended.
SUMMARIES = ("claims",)
#: Chapters started first, longest first, then the rest by name: on a cold model cache these
#: train the SASANet models (``sasanet_runs.trained_all`` splits them between the chapters
#: running at once) and take one to two minutes each; started last, they kept one core busy
#: for two minutes while the other idled (measured: 397 s for the whole book, 2 jobs).
STARTED_FIRST = (
    "sasanet_shapley",
    "sasanet_architecture",
    "faithfulness",
    "effects_are_dividends",
    "sasanet_baselines",
    "architectures",
)
KERNEL_ENV = {
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "UNIFIED_ATTRIBUTION_PROGRESS": "0",  # no progress bars in the rendered book
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",  # silences debugpy's frozen-modules warning
}
#: The kernel every notebook runs in: this environment's "python3".
KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


class IPCKernelManager(AsyncKernelManager):
    """A kernel manager whose kernel listens on Unix sockets (no TCP port race).

    The sockets are files ``<runtime dir>/ipc-<random>-<n>``: without a path of its own,
    jupyter_client would name them ``kernel-ipc-<n>`` in the working directory, the same for
    every kernel started there, and kernels would answer each other's messages.
    """

    def __init__(self, **kwargs):
        ip = os.path.join(jupyter_runtime_dir(), f"ipc-{uuid.uuid4().hex[:12]}")
        super().__init__(transport="ipc", ip=ip, **kwargs)


@dataclass(frozen=True)
class Result:
    name: str
    ok: bool
    seconds: float
    output: Path
    error: str = ""
    reused: bool = False


ROOT = Path(__file__).resolve().parents[3]
#: Where an executed notebook records the digest of what it was executed from.
DIGEST_KEY = "attribution_book_inputs"


def inputs_digest(source: Path, parameters: dict) -> str:
    """What an execution depends on in this checkout, digested: the chapter's source, its
    parameters, the packages' sources, the stored benchmark results the chapters read and
    the pinned versions. An executed notebook with the same digest is the same execution
    (on the same machine and torch build every output is bit-identical)."""
    digest = hashlib.sha256(Path(source).read_bytes())
    digest.update(json.dumps(parameters, sort_keys=True).encode())
    files = [*sorted((ROOT / "src").rglob("*.py")), ROOT / "constraints.txt"]
    files += sorted(p for p in (ROOT / "benchmarks" / "results").rglob("*") if p.is_file())
    for path in files:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def executed_digest(path: Path) -> str | None:
    """The inputs digest an executed notebook records (None: none, or no notebook)."""
    try:
        return json.loads(Path(path).read_text())["metadata"].get(DIGEST_KEY)
    except (OSError, ValueError, KeyError):
        return None


def path_with_this_python() -> str:
    """PATH with this interpreter's folder first: a kernel named "python3" (and any tool
    started by name) is then this environment's, the one with the package."""
    return f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"


def discover(notebook_dir: Path = NOTEBOOK_DIR, only: list[str] | None = None) -> list[Path]:
    """The notebook sources in ``notebook_dir``, or those named in ``only``."""
    sources = sorted(p for p in Path(notebook_dir).glob("*.py") if not p.name.startswith("_"))
    if only:
        known = {p.stem: p for p in sources}
        unknown = [n for n in only if n not in known]
        if unknown:
            raise SystemExit(
                f"no notebook named {', '.join(unknown)} in {notebook_dir}/; "
                f"there are: {', '.join(known) or 'none'}"
            )
        sources = [known[n] for n in only]
    return sources


def _format_failure(name: str, source: Path, err: Exception) -> str:
    from papermill.exceptions import PapermillExecutionError

    if isinstance(err, PapermillExecutionError):
        trace = _ANSI.sub("", "\n".join(err.traceback))
        return (
            f"notebook {name} ({source}) failed in cell {err.cell_index} "
            f"(execution count {err.exec_count}):\n"
            f"---- cell source ----\n{err.source}\n---- traceback ----\n{trace}"
        )
    return f"notebook {name} ({source}) failed: {type(err).__name__}: {err}"


def execute_one(
    source: Path, output_dir: Path, parameters: dict, timeout: int | None = 3600
) -> Result:
    """Convert ``source`` with jupytext and execute it with papermill into ``output_dir``."""
    import jupytext
    import papermill

    os.environ.update(KERNEL_ENV)
    name = source.stem
    output_dir.mkdir(parents=True, exist_ok=True)
    final = output_dir / f"{name}.ipynb"
    running = output_dir / f"{name}.running.ipynb"
    failed = output_dir / f"{name}.failed.ipynb"
    for stale in (final, failed):
        stale.unlink(missing_ok=True)
    digest = inputs_digest(source, parameters)  # before: a chapter may write stored results
    start = time.perf_counter()
    # a short private directory for the connection file and its sockets (a Unix socket's
    # path must stay under ~100 characters)
    runtime = tempfile.mkdtemp(prefix="ua-kernel-")
    os.environ["JUPYTER_RUNTIME_DIR"] = runtime
    try:
        notebook = jupytext.read(source)
        notebook.metadata["kernelspec"] = dict(KERNELSPEC)
        jupytext.write(notebook, running)
        papermill.execute_notebook(
            str(running),
            str(running),
            parameters=parameters,
            kernel_name="python3",
            cwd=str(source.parent.resolve()),
            progress_bar=False,
            execution_timeout=timeout,
            kernel_manager_class=IPCKernelManager,
        )
    except Exception as err:  # noqa: BLE001 - every failure is reported, none is lost
        if running.exists():
            running.replace(failed)
        return Result(
            name, False, time.perf_counter() - start, failed, _format_failure(name, source, err)
        )
    finally:
        shutil.rmtree(runtime, ignore_errors=True)
    _fold_code_in(running, digest)
    running.replace(final)
    return Result(name, True, time.perf_counter() - start, final)


#: Tags that set a code cell's visibility on the page; a cell with none of them is folded.
VISIBILITY_TAGS = ("show-input", "hide-input", "remove-input", "remove-cell", "hide-cell")


def fold_code(notebook) -> None:
    """Set what the page shows of each code cell (the downloadable notebook keeps everything):

    - papermill's injected-parameters cell is removed (``remove-cell``: plumbing);
    - a code cell inside a solution (between ``{solution-start}`` and ``{solution-end}``), or
      tagged ``show-input`` (the sympy derivations, a first call of the library), is shown;
    - every other code cell that sets no visibility of its own is folded (``hide-input``):
      its tables and figures stay in the argument, its code is one click away."""
    in_solution = False
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            start, end = cell.source.rfind("{solution-start}"), cell.source.rfind("{solution-end}")
            if start != end:  # the later marker of the cell decides
                in_solution = start > end
            continue
        if cell.cell_type != "code":
            continue
        tags = list(cell.metadata.get("tags", []))
        if "injected-parameters" in tags:
            if "remove-cell" not in tags:
                cell.metadata["tags"] = [*tags, "remove-cell"]
        elif not in_solution and not set(tags) & set(VISIBILITY_TAGS):
            cell.metadata["tags"] = [*tags, "hide-input"]


def _fold_code_in(path: Path, digest: str) -> None:
    import nbformat

    notebook = nbformat.read(path, as_version=4)
    fold_code(notebook)
    notebook.metadata[DIGEST_KEY] = digest
    nbformat.write(notebook, path)


def execute_all(
    sources: list[Path],
    output_dir: Path = OUTPUT_DIR,
    parameters: dict | None = None,
    jobs: int = 2,
    reuse: bool = False,
) -> list[Result]:
    """Execute ``sources``, ``jobs`` at a time; print one line per notebook as it ends. The
    pages of :data:`SUMMARIES` run last, told where the others were written (always: they
    read the others). ``reuse``: a chapter whose executed notebook records the same
    :func:`inputs_digest` is not executed again."""
    parameters = dict(parameters or {})
    os.environ.update(KERNEL_ENV)
    # kernels named "python3" must start this interpreter (the one with the package)
    os.environ["PATH"] = path_with_this_python()
    print(
        f"executing {len(sources)} notebook(s) with {parameters} into {output_dir}/, "
        f"{jobs} at a time",
        flush=True,
    )
    chapters = sorted((s for s in sources if s.stem not in SUMMARIES), key=_start_order)
    summaries = [s for s in sources if s.stem in SUMMARIES]
    summary_parameters = {**parameters, "executed_dir": str(Path(output_dir).resolve())}
    if summaries:  # as the kernel sees it (it runs in the notebook's folder): no machine path
        summary_parameters["executed_dir"] = os.path.relpath(
            summary_parameters["executed_dir"], summaries[0].parent.resolve()
        )
    results = []
    if reuse:
        done = [
            s
            for s in chapters
            if executed_digest(Path(output_dir) / f"{s.stem}.ipynb") == inputs_digest(s, parameters)
        ]
        for s in done:
            print(f"  reused {s.stem:<32}   same inputs as the executed notebook", flush=True)
            results.append(
                Result(s.stem, True, 0.0, Path(output_dir) / f"{s.stem}.ipynb", reused=True)
            )
        chapters = [s for s in chapters if s not in done]
    with ProcessPoolExecutor(max_workers=max(1, jobs)) as pool:
        for batch, values in ((chapters, parameters), (summaries, summary_parameters)):
            futures = [pool.submit(execute_one, s, output_dir, values) for s in batch]
            for future in futures:
                result = future.result()
                mark = "ok    " if result.ok else "FAILED"
                print(
                    f"  {mark} {result.name:<32} {result.seconds:7.1f} s  -> {result.output}",
                    flush=True,
                )
                results.append(result)
    return results


def _start_order(source: Path) -> tuple[int, str]:
    """:data:`STARTED_FIRST` in its order, then by name."""
    first = STARTED_FIRST.index(source.stem) if source.stem in STARTED_FIRST else len(STARTED_FIRST)
    return first, source.stem


def parse_parameters(pairs: list[list[str]] | None, profile: str, seed: int | None) -> dict:
    """``-p name value`` pairs, values read as YAML (so 3 is an int, 0.5 a float)."""
    params = {"profile": profile}
    if seed is not None:
        params["seed"] = seed
    for name, value in pairs or []:
        params[name] = yaml.safe_load(value)
    if params["profile"] not in PROFILES:
        raise SystemExit(f"profile must be one of {PROFILES}, got {params['profile']!r}")
    return params


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--profile", default="full", choices=PROFILES)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        metavar=("NAME", "VALUE"),
        help="a papermill parameter, e.g. -p seed 3 (repeatable)",
    )
    parser.add_argument(
        "--only",
        action="append",
        metavar="NAME",
        help="execute only this notebook (stem of notebooks/NAME.py; repeatable)",
    )
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="skip a chapter whose executed notebook records the same inputs (source, "
        "parameters, package sources, stored results, pinned versions)",
    )
    parser.add_argument("--notebook-dir", type=Path, default=NOTEBOOK_DIR)
    parser.add_argument("--output-dir", type=Path, default=OUTPUT_DIR)
    args = parser.parse_args(argv)
    params = parse_parameters(args.parameter, args.profile, args.seed)
    sources = discover(args.notebook_dir, args.only)
    if not sources:
        print(f"no notebooks found in {args.notebook_dir}/", file=sys.stderr)
        return 1
    results = execute_all(sources, args.output_dir, params, args.jobs, args.reuse)
    failures = [r for r in results if not r.ok]
    for r in failures:
        print(f"\n{'=' * 78}\n{r.error}\n(partial notebook kept at {r.output})", file=sys.stderr)
    if failures:
        print(
            f"\n{len(failures)} of {len(results)} notebook(s) failed: "
            f"{', '.join(r.name for r in failures)}",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
