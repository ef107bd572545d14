"""The study's numbers, read back from what the runs and evaluations wrote.

- training curves: ``<run>/metrics/launch-*.jsonl`` (verl's file logger, every launch);
- pass@k: ``eval/scores/<model>/<set>.csv`` (prorl_verl.eval: per prompt, samples and
  correct), turned into pass@k with the unbiased estimator;
- the KL term's share of the loss, per step: ``beta * kl / (|pg_loss| + beta * kl)``, the
  fraction of the loss's magnitude the penalty contributes (0 without KL).

Seeds: every number a conclusion rests on is computed per seed, then summarised as mean and
sample standard deviation over seeds (:class:`Spread`).
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from prorl_verl.demo_plot import read_run_metrics
from prorl_verl.eval.passk import k_values, pass_at_k

REWARD = "prorl/dynamic_sampling/reward_all_groups"
KL = "actor/kl_loss"
PG_LOSS = "actor/pg_loss"
ENTROPY = "actor/entropy"
CLIP_FRACTION = "actor/pg_clipfrac"
RESET = "prorl/reset/happened"
VAL_ACC = "val-core/domain/all/acc/mean@4"
KL_SHARE = "repro/kl_share"


@dataclass(frozen=True)
class Spread:
    """Mean and sample standard deviation over seeds (``std`` is nan for one seed)."""

    mean: float
    std: float
    n: int

    @classmethod
    def of(cls, values: list[float]) -> Spread:
        if not values:
            raise ValueError("no values to summarise")
        array = np.asarray(values, dtype=float)
        std = float(array.std(ddof=1)) if len(array) > 1 else math.nan
        return cls(float(array.mean()), std, len(array))


def verdict(difference: Spread, min_seeds: int = 3, confidence: float = 0.95) -> str:
    """Whether per-seed differences support a claim: a paired t-test over at least
    ``min_seeds`` seeds, i.e. the ``confidence`` interval of their mean (Student's t with
    n - 1 degrees of freedom: 4.30 standard errors for 3 seeds) excludes zero. Otherwise:
    not shown at this scale."""
    if difference.n < min_seeds:
        return f"not shown at this scale ({difference.n} seed(s); at least {min_seeds} needed)"
    margin = t_critical(confidence, difference.n - 1) * difference.std / math.sqrt(difference.n)
    if abs(difference.mean) > margin:
        direction = "higher" if difference.mean > 0 else "lower"
        return (
            f"shown: {direction} by {abs(difference.mean):.3f} ({confidence:.0%} CI ± {margin:.3f})"
        )
    return f"not shown at this scale (|mean| {abs(difference.mean):.3f} <= {confidence:.0%} CI ± {margin:.3f})"


def t_critical(confidence: float, degrees_of_freedom: int) -> float:
    """The two-sided Student's t quantile: the CI's half-width in standard errors."""
    from scipy.stats import t

    return float(t.ppf(0.5 + confidence / 2, degrees_of_freedom))


def training_curves(run_dir: Path, kl_coef: float) -> dict[int, dict]:
    """Step -> training metrics of one run, with the KL share added on training steps."""
    steps = read_run_metrics(run_dir)
    for metrics in steps.values():
        if PG_LOSS in metrics:
            penalty = kl_coef * float(metrics.get(KL, 0.0))
            total = abs(float(metrics[PG_LOSS])) + penalty
            metrics[KL_SHARE] = penalty / total if total > 0 else 0.0
    return steps


def series(steps: dict[int, dict], key: str) -> tuple[list[int], list[float]]:
    xs = sorted(step for step, metrics in steps.items() if key in metrics)
    return xs, [float(steps[step][key]) for step in xs]


def late_mean(steps: dict[int, dict], key: str, fraction: float = 0.25) -> float:
    """Mean of ``key`` over the last ``fraction`` of the run's logged steps."""
    xs, ys = series(steps, key)
    if not ys:
        raise ValueError(f"no {key} in the run's metrics")
    tail = max(1, round(len(ys) * fraction))
    return float(np.mean(ys[-tail:]))


def second_half_gain(steps: dict[int, dict], key: str) -> float:
    """How much ``key`` still rose in the run's second half: the mean of its last quarter of
    logged points minus the mean of the quarter that ends at the middle. Near zero: a plateau."""
    _, ys = series(steps, key)
    quarter = len(ys) // 4
    if quarter == 0:
        raise ValueError(f"{key}: {len(ys)} points, at least 4 needed for a second-half gain")
    middle = len(ys) // 2
    return float(np.mean(ys[-quarter:]) - np.mean(ys[middle - quarter : middle]))


def reset_steps(steps: dict[int, dict]) -> list[int]:
    return sorted(step for step, metrics in steps.items() if metrics.get(RESET))


@dataclass(frozen=True)
class PromptCounts:
    """One model's results on one set, per prompt: its index in the set, samples, correct."""

    path: Path
    index: np.ndarray
    samples: np.ndarray
    correct: np.ndarray

    def pass_at_ks(self) -> dict[int, float]:
        """k -> pass@k (mean over prompts)."""
        if len(set(self.samples.tolist())) != 1:
            raise ValueError(f"{self.path}: prompts have different sample counts")
        n = int(self.samples[0])
        return {k: float(np.mean(pass_at_k(self.samples, self.correct, k))) for k in k_values(n)}


def prompt_counts(eval_dir: Path, model: str, eval_set: str) -> PromptCounts:
    """Per prompt (index, samples, correct) of one model on one set, from prorl_verl.eval's
    scores."""
    path = eval_dir / "scores" / model / f"{eval_set}.csv"
    if not path.exists():
        raise FileNotFoundError(f"{path}: no scores; has the evaluation of {model} run?")
    with open(path) as handle:
        rows = list(csv.DictReader(handle))
    if not rows:
        raise ValueError(f"{path}: no prompts")
    columns = {
        key: np.array([int(r[key]) for r in rows]) for key in ("index", "samples", "correct")
    }
    return PromptCounts(path, columns["index"], columns["samples"], columns["correct"])


def pass_at_ks(eval_dir: Path, model: str, eval_set: str) -> dict[int, float]:
    """k -> pass@k (mean over prompts) of one model on one set."""
    return prompt_counts(eval_dir, model, eval_set).pass_at_ks()
