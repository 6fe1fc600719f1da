"""SASANet against baselines: accuracy, fidelity of its attribution, and the paper's claims.

Sun, Zhu and Xiong (TNNLS 2025) claim that SASANet (i) beats existing self-attributing
models, (ii) rivals black-box models and (iii) explains its own predictions more precisely
and faster than post-hoc methods. This package holds what the benchmarks
(``benchmarks/bench_comparison.py``, ``bench_sasanet_cost.py``) and the chapters "SASANet
against baselines" and "What an explanation costs" share, one module per concept:

- :mod:`.models`: SASANet and six baselines with the SAME tuning budget, fitted and scored;
- :mod:`.fidelity`: the masking experiment (score drop AND change of the prediction);
- :mod:`.posthoc`: the post-hoc rivals (shapiq's KernelSHAP and permutation sampling,
  FastSHAP) on SASANet's own game;
- :mod:`.cost`: break-even rows, power-law tails, time ratios of the cost benchmark;
- :mod:`.verdicts`: the paper's claims as verdicts of the claims ledger, from the numbers.

What both SASANet's runs and this package read (the output each row's attribution
explains) is :mod:`attribution_book.explained`. Every name is importable from here.
"""

from .cost import (
    break_even,
    cheapest_batch,
    power_law_tail,
    seconds_to_reach,
    time_ratio,
)
from .fidelity import (
    drop_top,
    masking_curve,
    mean_change,
    mean_score_drop,
    output_gap,
    ranking,
    subset_scores,
)
from .models import (
    BLACK_BOXES,
    DATASETS,
    GRID_SIZE,
    MODELS,
    SEEDS,
    SELF_ATTRIBUTING,
    Model,
    as_output,
    best_config,
    fit_and_score,
    headline,
    n_parameters,
    prediction_metrics,
    task_of,
    tuning_gain,
)
from .posthoc import (
    FASTSHAP,
    POSTHOC,
    fastshap_explainer,
    posthoc_attribution,
    posthoc_estimator,
    value_function,
    value_game,
)
from .verdicts import (
    BOOK_SPEED_BAR,
    MASKING_RIVALS,
    ROUNDING,
    accuracy_verdicts,
    claim_verdicts,
    masking_verdict,
    mean_sd,
    rank,
    reproduction,
    same_model,
    score_table,
    self_attributing_beats_sasanet,
    summarize,
    verdicts_by_seed,
)

__all__ = [
    "BLACK_BOXES",
    "BOOK_SPEED_BAR",
    "DATASETS",
    "FASTSHAP",
    "GRID_SIZE",
    "MASKING_RIVALS",
    "MODELS",
    "Model",
    "POSTHOC",
    "ROUNDING",
    "SEEDS",
    "SELF_ATTRIBUTING",
    "accuracy_verdicts",
    "as_output",
    "best_config",
    "break_even",
    "cheapest_batch",
    "claim_verdicts",
    "drop_top",
    "fastshap_explainer",
    "fit_and_score",
    "headline",
    "masking_curve",
    "masking_verdict",
    "mean_change",
    "mean_score_drop",
    "mean_sd",
    "n_parameters",
    "output_gap",
    "posthoc_attribution",
    "posthoc_estimator",
    "power_law_tail",
    "prediction_metrics",
    "rank",
    "ranking",
    "reproduction",
    "same_model",
    "score_table",
    "seconds_to_reach",
    "self_attributing_beats_sasanet",
    "subset_scores",
    "summarize",
    "task_of",
    "time_ratio",
    "tuning_gain",
    "value_function",
    "value_game",
    "verdicts_by_seed",
]
