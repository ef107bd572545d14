"""verl's validation bootstrap (best@k / worst@k), the same numbers without the Python loop.

With more than one validation sample per prompt, verl's ``process_validation_metrics``
estimates best@k and worst@k of every prompt and every reward field by 1000 bootstrap
resamples, reducing each resample with ``np.max`` / ``np.min`` in a Python loop over an
object array: 2000 reductions per prompt, field and k. ProRL's trainer asks for these
metrics three times per validation (per data source, per domain, over all), and on the
micro-reproduction's validation (64 prompts x 4 samples, eight reward fields) that loop took
most of the 34 s a validation cost (bench/bench_val_metrics.py).

:func:`bootstrap_metric` draws the same resample indices from the same seeded global
generator, so NumPy's random state afterwards is what verl's leaves, and reduces all
resamples at once. For finite numbers ``max``/``min`` over a resample and the mean and
standard deviation over the resamples are the same floating-point values as verl's loop
gives; anything else (majority vote, non-numeric or non-finite data) goes to verl's own
function. :func:`install` points verl's ``metric_utils`` at it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from verl.trainer.ppo import metric_utils

#: verl's own implementation, for what is not vectorised here
VERL_BOOTSTRAP = metric_utils.bootstrap_metric

VECTORISED = {np.max: np.max, np.min: np.min}


def _finite_numbers(data: Sequence) -> np.ndarray | None:
    if not all(isinstance(value, int | float | np.number | np.bool_) for value in data):
        return None
    values = np.asarray(data, dtype=np.float64)
    return values if np.isfinite(values).all() else None


def bootstrap_metric(
    data: Sequence,
    subset_size: int,
    reduce_fns: list[Callable],
    n_bootstrap: int = 1000,
    seed: int = 42,
) -> list[tuple[float, float]]:
    """(mean, std) of each reduction over ``n_bootstrap`` resamples, as verl computes them."""
    values = _finite_numbers(data)
    if values is None or not data or not all(fn in VECTORISED for fn in reduce_fns):
        return VERL_BOOTSTRAP(data, subset_size, reduce_fns, n_bootstrap=n_bootstrap, seed=seed)
    np.random.seed(seed)
    indices = np.random.choice(len(values), size=(n_bootstrap, subset_size), replace=True)
    resamples = values[indices]
    out = []
    for reduce_fn in reduce_fns:
        reduced = np.ascontiguousarray(VECTORISED[reduce_fn](resamples, axis=1))
        out.append((float(np.mean(reduced)), float(np.std(reduced))))
    return out


def install() -> None:
    """verl's ``process_validation_metrics`` looks ``bootstrap_metric`` up at each call."""
    metric_utils.bootstrap_metric = bootstrap_metric
