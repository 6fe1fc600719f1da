"""What the method chapters share: the same inputs, the same runs, the same tables.

Every method chapter shows its methods on the same handful of test digits (the first test
image of each of the classes 0-5, explained for the class the model predicts) and on the
same tabular inputs, so maps and scores compare across chapters.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from unified_attribution import methods
from unified_attribution.methods import Attribution, attribute

from .zoo import TrainedModel

DIGIT_CLASSES = tuple(range(6))


def digit_examples(model: TrainedModel, classes=DIGIT_CLASSES) -> tuple[torch.Tensor, torch.Tensor]:
    """The first test image of each class in ``classes`` as the model's float64 input, and
    the class the model predicts for each (the target explained)."""
    dataset = model.dataset
    rows = [int(np.flatnonzero(dataset.y_test == c)[0]) for c in classes]
    X = dataset.X_test[rows]
    return model.inputs(X).double(), torch.as_tensor(model.predict(X))


def run(
    names,
    model: torch.nn.Module,
    x: torch.Tensor,
    baseline,
    target,
    background=None,
    options: dict | None = None,
) -> dict[str, Attribution]:
    """``attribute`` for each method of ``names`` on the same inputs; methods that take a
    distribution of baselines get ``background``; ``options[name]`` are extra options."""
    options = options or {}
    out = {}
    for name in names:
        spec = methods.get(name)
        b = background if spec.baseline == "distribution" else baseline
        out[name] = attribute(name, model, x, b, target=target, **options.get(name, {}))
    return out


def method_table(names):
    """Formula and allocation rule of each method, then its assumptions, from the registry, as
    two MyST Markdown tables (the formulas are inline LaTeX, rendered on the page)."""
    from IPython.display import Markdown

    def cell(text: str) -> str:
        if "|" in text:  # a pipe would end the cell; formulas write lvert / rvert instead
            raise ValueError(f"a method table cell cannot hold '|': {text!r}")
        return " ".join(text.split())

    def options(m) -> str:
        return (
            "; ".join(
                f"`{name}` ({m.options[name]!r}): {meaning}" for name, meaning in m.meanings.items()
            )
            or "none"
        )

    rows = [methods.get(n) for n in names]
    lines = [
        "| method | formula | allocation of effects |",
        "|---|---|---|",
        *(f"| {cell(m.title)} | {cell(m.formula)} | {cell(m.allocation)} |" for m in rows),
        "",  # a second table: three wide columns do not fit the page
        "| method | assumptions and implementation | options (default): meaning |",
        "|---|---|---|",
        *(f"| {cell(m.title)} | {cell(m.assumptions)} | {cell(options(m))} |" for m in rows),
    ]
    return Markdown("\n".join(lines))


def gap_table(attributions: dict[str, Attribution]) -> pd.DataFrame:
    """Completeness gaps, sum of scores - (f(x) - f(b)), relative to |f(x) - f(b)|: median
    and largest over the inputs, per method."""
    rows = []
    for name, a in attributions.items():
        relative = (a.gap.abs() / a.output_change.abs()).numpy()
        rows.append(
            {
                "method": methods.get(name).title,
                "median |gap| / |f(x) - f(b)|": np.median(relative),
                "largest": relative.max(),
            }
        )
    return pd.DataFrame(rows)


def html(table: pd.DataFrame, digits: int = 3, missing: str = "n/a"):
    """A table for the book: fixed float format, no index (the same text on every run), an
    empty cell written as ``missing`` (say why: "n/a (refused)"), never "NaN"."""
    from IPython.display import HTML

    return HTML(
        table.to_html(index=False, float_format=lambda v: f"{v:.{digits}g}", na_rep=missing)
    )


def table_1(names):
    """Paper A's Table 1 rows of ``names`` as MyST Markdown: the paper's formula, whether its
    weights equal the book's derivation, and the book's finding."""
    from IPython.display import Markdown

    from unified_attribution.theory import table_1

    verdict = {
        True: "its weights per term equal the book's derivation",
        False: "its weights per term differ from the book's derivation",
        None: "the book derived no weights",
    }
    return Markdown(
        "\n".join(
            f"- **{methods.get(n).title}**: ${table_1.row(n).formula}$  \n"
            f"  *{verdict[table_1.agrees_with_book(n)]}*: {table_1.row(n).finding}."
            for n in names
        )
    )


def canvas_inputs(
    model: TrainedModel, n: int, seed: int = 0, patch: int = 4, n_background: int = 64
) -> dict:
    """What the faithfulness chapter explains on a canvas-digits model: ``n`` test images
    drawn with ``seed`` (float64 model input ``x``), the predicted classes (``target``), the
    digits' ``boxes``, the ``image_shape``, ``players`` (``patch`` x ``patch`` patches, for
    the methods that take players) and ``background`` training rows."""
    from unified_attribution import games

    dataset = model.dataset
    if "box_test" not in dataset.extra:
        raise ValueError(f"{dataset.name!r} has no object boxes; use the canvas_digits models")
    rng = np.random.default_rng(seed)
    rows = np.sort(rng.choice(len(dataset.X_test), n, replace=False))
    x = model.inputs(dataset.X_test[rows]).double()
    image_shape = dataset.image_shape
    return {
        "x": x,
        "target": torch.as_tensor(model.predict(dataset.X_test[rows])),
        "boxes": dataset.extra["box_test"][rows],
        "image_shape": image_shape,
        "players": games.patches(image_shape, patch).reshape(x.shape[1:]),
        "background": model.inputs(
            dataset.X_train[rng.choice(len(dataset.X_train), n_background, replace=False)]
        ).double(),
    }


def compared(value: float, reference: float, close: float = 0.1, digits: int = 2) -> str:
    """ "<value> (<relation> <reference>)" for prose generated from the numbers: the relation is
    "about the same as" within ``close`` (relative to the reference), else "above" or
    "below", so that no sentence calls 0.0473 "more" than 0.0463 by more than the data say."""
    if abs(value - reference) <= close * abs(reference):
        relation = "about the same as"
    else:
        relation = "above" if value > reference else "below"
    return f"{value:.{digits}g} ({relation} {reference:.{digits}g})"
